"""Pure-ASGI middleware: request ids and access logs, and the request body size limit."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.errors import PayloadTooLarge
from core.logs import bind_request, request_id_var, user_id_var
from core.metrics import UNMATCHED_ROUTE, observe_request

log = logging.getLogger("chidi.http")
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# Path parameters that are credentials (a webhook URL's connection token): logged masked.
SECRET_PATH_PARAMS = frozenset({"token"})
REDACTED = "[redacted]"


def loggable_path(scope: Scope) -> str:
    """The request path with secret path parameters masked."""
    path: str = scope["path"]
    params = scope.get("path_params") or {}
    for name in SECRET_PATH_PARAMS & params.keys():
        value = str(params[name])
        if value:
            path = path.replace(value, REDACTED)
    return path


class RequestContextMiddleware:
    """Give every request an id (the caller's X-Request-ID when sane) and log it once done.

    The log line has method, path, status, duration_ms, request_id and user_id — never the
    query string, headers or body, which can carry tokens and customer messages, and never
    a secret path parameter (`SECRET_PATH_PARAMS`).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        supplied = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = supplied if _VALID_REQUEST_ID.match(supplied) else uuid.uuid4().hex
        # Also kept on the request: the catch-all 500 handler runs outside this middleware,
        # after the context variable below has been reset.
        scope.setdefault("state", {})["request_id"] = request_id
        rid_token = bind_request(request_id)
        uid_token = user_id_var.set(None)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            route = getattr(scope.get("route"), "path", None) or UNMATCHED_ROUTE
            observe_request(route, scope["method"], status, time.perf_counter() - started)
            log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "path": loggable_path(scope),
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    "request_id": request_id,
                    "user_id": user_id_var.get(),
                },
            )
            user_id_var.reset(uid_token)
            request_id_var.reset(rid_token)


class BodySizeLimitMiddleware:
    """Refuse request bodies over `max_bytes` with 413, whether declared or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        received = 0
        response_started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            response_started = response_started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _TooLarge:
            if not response_started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        error = PayloadTooLarge(
            f"Request body is larger than {self.max_bytes} bytes.",
            details={"max_bytes": self.max_bytes},
        )
        body = json.dumps(error.to_body()).encode()
        await send(
            {
                "type": "http.response.start",
                "status": error.status_code,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    """Raised inside the app's receive when the streamed body passes the limit."""
