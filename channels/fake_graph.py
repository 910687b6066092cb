"""A local stand-in for Meta's Graph API, speaking its wire format over real HTTP.

With no Meta app configured the API mounts it at `/fake-graph`, so replies to simulated
customers really travel through the channel clients; the tests and the benchmark run the
same app as a standalone server (`tests/fakes/graph_api.py`). It serves

- `POST /{v}/me/messages` and `POST /{v}/{node}/messages`: Instagram Send API and WhatsApp
  Cloud API sends, recorded with their arrival time; a repeated `Idempotency-Key` gets the
  first answer again and is not recorded twice (Meta's API ignores that header);
- `GET /{v}/dialog/oauth` (consents at once: redirects back with a code),
  `GET /{v}/oauth/access_token` (code → short-lived → long-lived token), `GET /{v}/me/accounts`,
  `POST /{v}/{page}/subscribed_apps`, `GET /{v}/{phone-number-id}`;
- `GET /_fake/sends`: what was recorded, for people and benchmarks.

Errors use Meta's body, `{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}`.
A controller scripts failures for sends (`GraphFailure`, `Delay`) and revokes tokens.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

log = logging.getLogger("chidi.fake_graph")
_MAX_RECORDED = 100_000


@dataclass(frozen=True)
class GraphFailure:
    """Answer the next send with this Graph error instead of accepting it."""

    code: int
    status: int = 400
    message: str = "Scripted failure"
    subcode: int | None = None
    type: str = "OAuthException"


@dataclass(frozen=True)
class Delay:
    """Answer the next send only after `seconds`; `accept`: record it first (the message
    goes out, the answer is late — a client timeout then leaves the send uncertain)."""

    seconds: float
    accept: bool = True


Outcome = GraphFailure | Delay


@dataclass
class RecordedSend:
    """One message the fake accepted."""

    platform: str  # "instagram" | "whatsapp"
    node: str
    recipient: str
    text: str
    message_id: str
    idempotency_key: str | None
    received_at: float
    body: dict[str, Any]


@dataclass
class FakeGraphController:
    """The fake's memory and script; safe to drive from another thread than the server's."""

    sends: deque[RecordedSend] = field(default_factory=lambda: deque(maxlen=_MAX_RECORDED))
    send_attempts: int = 0
    revoked_tokens: set[str] = field(default_factory=set)
    instagram_username: str = "fake_shop"
    _script: deque[Outcome] = field(default_factory=deque)
    _answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    _codes: dict[str, str] = field(default_factory=dict)
    _tokens: dict[str, str] = field(default_factory=dict)  # token -> "short" | "long"
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def script(self, *outcomes: Outcome) -> None:
        """Queue outcomes for the next sends (then they are accepted again)."""
        with self._lock:
            self._script.extend(outcomes)

    def reset(self) -> None:
        """Forget sends, scripts, idempotency keys and revocations."""
        with self._lock:
            self.sends.clear()
            self._script.clear()
            self._answers.clear()
            self.revoked_tokens.clear()
            self.send_attempts = 0

    def sends_to(self, recipient: str) -> list[RecordedSend]:
        """The recorded sends to one customer, oldest first."""
        return [send for send in list(self.sends) if send.recipient == recipient]

    def issue_code(self, redirect_uri: str) -> str:
        """An authorization code valid once, for `redirect_uri` (what the dialog hands out)."""
        code = "code-" + secrets.token_urlsafe(12)
        with self._lock:
            self._codes[code] = redirect_uri
        return code

    def count_attempt(self) -> None:
        """Count a send request, whatever becomes of it."""
        with self._lock:
            self.send_attempts += 1

    def next_outcome(self) -> Outcome | None:
        """The scripted outcome for the next send (None: accept it)."""
        with self._lock:
            return self._script.popleft() if self._script else None

    def redeem_code(self, code: str, redirect_uri: str | None) -> bool:
        """Use up `code`; whether it was issued for `redirect_uri`."""
        with self._lock:
            expected = self._codes.pop(code, None)
        return expected is not None and expected == redirect_uri

    def issue_token(self, kind: str) -> str:
        """A new access token of `kind`."""
        token = f"{kind}-" + secrets.token_urlsafe(16)
        with self._lock:
            self._tokens[token] = kind
        return token

    def token_kind(self, token: str | None) -> str | None:
        """ "short", "long" or "page" for a token this fake issued, else None."""
        with self._lock:
            return self._tokens.get(token or "")

    def answer_for(self, idempotency_key: str | None) -> dict[str, Any] | None:
        """The answer already given to a send with this key, if any."""
        with self._lock:
            return self._answers.get(idempotency_key) if idempotency_key else None

    def record(self, send: RecordedSend, answer: dict[str, Any]) -> None:
        """Remember an accepted send (and its answer, under its idempotency key)."""
        with self._lock:
            self.sends.append(send)
            if send.idempotency_key is not None:
                self._answers[send.idempotency_key] = answer
                if len(self._answers) > _MAX_RECORDED:
                    del self._answers[next(iter(self._answers))]


def graph_error(
    status: int,
    message: str,
    code: int,
    *,
    subcode: int | None = None,
    error_type: str = "OAuthException",
) -> JSONResponse:
    """A response in Meta's error format."""
    error: dict[str, Any] = {
        "message": message,
        "type": error_type,
        "code": code,
        "fbtrace_id": "Fake" + secrets.token_hex(8),
    }
    if subcode is not None:
        error["error_subcode"] = subcode
    return JSONResponse({"error": error}, status_code=status)


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.query_params.get("access_token")


def _token_problem(controller: FakeGraphController, token: str | None) -> JSONResponse | None:
    if token is None:
        return graph_error(
            400,
            "An active access token must be used to query information about the current user.",
            2500,
        )
    if token in controller.revoked_tokens:
        return graph_error(
            400,
            "Error validating access token: The session has been "
            "invalidated because the user changed their password or "
            "Facebook has changed the session for security reasons.",
            190,
            subcode=460,
        )
    return None


def create_fake_graph_app(controller: FakeGraphController | None = None) -> Starlette:
    """The fake Graph API as an ASGI app; `app.state.controller` drives it."""
    control = controller or FakeGraphController()

    async def dispatch(request: Request) -> Response:
        parts = [p for p in request.path_params["path"].split("/") if p]
        if len(parts) < 2:
            return graph_error(400, "Unknown path components", 2500)
        route = parts[1:]
        if request.method == "POST" and len(route) == 2 and route[1] == "messages":
            return await _send(control, request, route[0])
        if request.method == "POST" and len(route) == 2 and route[1] == "subscribed_apps":
            return _checked(control, request) or JSONResponse({"success": True})
        if request.method == "GET":
            return _read(control, request, route)
        return graph_error(
            400,
            f"Unsupported {request.method} request.",
            100,
            subcode=33,
            error_type="GraphMethodException",
        )

    async def recorded(request: Request) -> Response:
        recipient = request.query_params.get("recipient")
        sends = [asdict(s) for s in list(control.sends) if recipient in (None, s.recipient)]
        return JSONResponse({"sends": sends, "attempts": control.send_attempts})

    app = Starlette(
        routes=[
            Route("/_fake/sends", recorded, methods=["GET"]),
            Route("/{path:path}", dispatch, methods=["GET", "POST"]),
        ]
    )
    app.state.controller = control
    return app


def _checked(controller: FakeGraphController, request: Request) -> JSONResponse | None:
    return _token_problem(controller, _bearer(request))


def _read(controller: FakeGraphController, request: Request, route: list[str]) -> Response:
    query = request.query_params
    if route == ["dialog", "oauth"]:
        code = controller.issue_code(query.get("redirect_uri", ""))
        target = query.get("redirect_uri", "")
        back = urlencode({"code": code, "state": query.get("state", "")})
        return RedirectResponse(f"{target}{'&' if '?' in target else '?'}{back}", status_code=302)
    if route == ["oauth", "access_token"]:
        return _exchange(controller, request)
    problem = _checked(controller, request)
    if problem is not None:
        return problem
    if route == ["me", "accounts"]:
        return _accounts(controller, _bearer(request))
    if len(route) == 1:  # a node: the WhatsApp phone number
        return JSONResponse(
            {
                "id": route[0],
                "display_phone_number": "+1 555 010 0000",
                "verified_name": "Fake Business",
            }
        )
    return graph_error(
        400, "Unsupported get request.", 100, subcode=33, error_type="GraphMethodException"
    )


def _exchange(controller: FakeGraphController, request: Request) -> Response:
    query = request.query_params
    if not query.get("client_id") or not query.get("client_secret"):
        return graph_error(400, "Missing client_id or client_secret parameter.", 101)
    if query.get("grant_type") == "fb_exchange_token":
        if controller.token_kind(query.get("fb_exchange_token")) is None:
            return graph_error(400, "Invalid OAuth access token - Cannot parse access token", 190)
        return JSONResponse(
            {
                "access_token": controller.issue_token("long"),
                "token_type": "bearer",
                "expires_in": 5_183_944,
            }
        )
    if not controller.redeem_code(query.get("code", ""), query.get("redirect_uri")):
        return graph_error(400, "This authorization code has been used.", 100, subcode=36009)
    return JSONResponse(
        {
            "access_token": controller.issue_token("short"),
            "token_type": "bearer",
            "expires_in": 3600,
        }
    )


def _accounts(controller: FakeGraphController, token: str | None) -> Response:
    if controller.token_kind(token) != "long":
        return graph_error(400, "Invalid OAuth access token - Cannot parse access token", 190)
    suffix = (token or "")[-6:]
    page = {
        "id": f"page-{suffix}",
        "name": "Fake Shop Page",
        "access_token": controller.issue_token("page"),
        "instagram_business_account": {
            "id": f"ig-{suffix}",
            "username": controller.instagram_username,
        },
    }
    return JSONResponse({"data": [page], "paging": {"cursors": {"before": "x", "after": "y"}}})


async def _send(controller: FakeGraphController, request: Request, node: str) -> Response:
    controller.count_attempt()
    problem = _checked(controller, request)
    if problem is not None:
        return problem
    try:
        body = await request.json()
    except ValueError:
        return graph_error(400, "(#100) Invalid JSON payload", 100)
    key = request.headers.get("idempotency-key")
    earlier = controller.answer_for(key)
    if earlier is not None:
        return JSONResponse(earlier)
    outcome = controller.next_outcome()
    if isinstance(outcome, GraphFailure):
        return graph_error(
            outcome.status,
            outcome.message,
            outcome.code,
            subcode=outcome.subcode,
            error_type=outcome.type,
        )
    if isinstance(outcome, Delay) and not outcome.accept:
        await asyncio.sleep(outcome.seconds)
        return graph_error(500, "An unexpected error has occurred.", 2, error_type="OAuthException")
    answer = _accept(controller, node, body if isinstance(body, dict) else {}, key)
    if isinstance(answer, Response):
        return answer
    if isinstance(outcome, Delay):
        await asyncio.sleep(outcome.seconds)
    return JSONResponse(answer)


def _accept(
    controller: FakeGraphController, node: str, body: dict[str, Any], key: str | None
) -> dict[str, Any] | Response:
    whatsapp = body.get("messaging_product") == "whatsapp"
    recipient = body.get("to") if whatsapp else (body.get("recipient") or {}).get("id")
    text = (
        (body.get("text") or {}).get("body")
        if whatsapp
        else (body.get("message") or {}).get("text")
    )
    if not isinstance(recipient, str) or not isinstance(text, str) or not text:
        return graph_error(400, "(#100) The parameter recipient and message are required", 100)
    if not whatsapp and len(text.encode()) > 1000:
        return graph_error(
            400, "(#100) Length of param message[text] must be less than or equal to 1000", 100
        )
    if whatsapp:
        message_id = "wamid.FAKE" + secrets.token_hex(16).upper()
        answer: dict[str, Any] = {
            "messaging_product": "whatsapp",
            "contacts": [{"input": recipient, "wa_id": recipient}],
            "messages": [{"id": message_id}],
        }
    else:
        message_id = "m_fake_" + secrets.token_urlsafe(24)
        answer = {"recipient_id": recipient, "message_id": message_id}
    controller.record(
        RecordedSend(
            platform="whatsapp" if whatsapp else "instagram",
            node=node,
            recipient=recipient,
            text=text,
            message_id=message_id,
            idempotency_key=key,
            received_at=time.time(),
            body=body,
        ),
        answer,
    )
    log.info(
        "fake graph: message accepted",
        extra={"recipient": recipient, "message_id": message_id, "chars": len(text)},
    )
    return answer
