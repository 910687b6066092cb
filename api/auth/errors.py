"""GoTrue's error responses, so the official Supabase clients read our errors as theirs.

Under /auth/v1 errors do not use CHIDI's `{"error": ...}` shape but Supabase Auth's, which
depends on the `X-Supabase-Api-Version` request header (supabase-py sends 2024-01-01):

- 2024-01-01 and later: `{"code": "<error_code>", "message": "..."}`, version echoed back;
- before (or no header): `{"code": <status>, "error_code": "...", "msg": "..."}` plus the
  `x-sb-error-code` header.

Weak passwords add `{"weak_password": {"reasons": [...]}}`. `GoTrueRoute` renders
`GoTrueError` and request validation failures raised anywhere in a route, dependencies
included, in that shape.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Coroutine
from datetime import date
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

log = logging.getLogger("chidi.auth")
API_VERSION_HEADER = "X-Supabase-Api-Version"
API_VERSION_2024_01_01 = date(2024, 1, 1)
_VERSION_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class GoTrueError(Exception):
    """An error as Supabase Auth reports it: HTTP status, error code, message."""

    def __init__(
        self,
        status: int,
        error_code: str,
        message: str,
        *,
        reasons: list[str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error_code = error_code
        self.message = message
        self.reasons = reasons
        self.headers = headers or {}


def bad_request(error_code: str, message: str) -> GoTrueError:
    """400: the request cannot be served as sent."""
    return GoTrueError(400, error_code, message)


def validation_failed(message: str, status: int = 400) -> GoTrueError:
    """GoTrue's catch-all for invalid parameters."""
    return GoTrueError(status, "validation_failed", message)


def forbidden(error_code: str, message: str) -> GoTrueError:
    """403: valid request, refused for this caller (bad token, expired link, ...)."""
    return GoTrueError(403, error_code, message)


def unprocessable(error_code: str, message: str) -> GoTrueError:
    """422: understood, but conflicts with the rules or the current state."""
    return GoTrueError(422, error_code, message)


def weak_password(message: str, reasons: list[str]) -> GoTrueError:
    """422 weak_password with the reasons the client exposes as `AuthWeakPasswordError`."""
    return GoTrueError(422, "weak_password", message, reasons=reasons)


def rate_limited(retry_after_seconds: int) -> GoTrueError:
    """429 over_request_rate_limit, with Retry-After."""
    return GoTrueError(
        429,
        "over_request_rate_limit",
        "Request rate limit reached",
        headers={"Retry-After": str(retry_after_seconds)},
    )


def _api_version(request: Request) -> date | None:
    raw = request.headers.get(API_VERSION_HEADER, "")
    if not _VERSION_PATTERN.match(raw):
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def gotrue_error_response(request: Request, error: GoTrueError) -> JSONResponse:
    """The response Supabase Auth would send for `error` to this request's API version."""
    # Counted for sign-in failure rates and abuse; never with the email or token involved.
    log.info("auth request refused", extra={"status": error.status, "error_code": error.error_code})
    headers = dict(error.headers)
    version = _api_version(request)
    body: dict[str, Any]
    if version is not None and version >= API_VERSION_2024_01_01:
        headers[API_VERSION_HEADER] = API_VERSION_2024_01_01.isoformat()
        body = {"code": error.error_code, "message": error.message}
    else:
        headers["x-sb-error-code"] = error.error_code
        body = {"code": error.status, "error_code": error.error_code, "msg": error.message}
    if error.reasons is not None:
        body["weak_password"] = {"reasons": error.reasons}
    return JSONResponse(body, status_code=error.status, headers=headers)


def _from_validation_error(exc: RequestValidationError) -> GoTrueError:
    errors = exc.errors()
    if any(err.get("type") == "json_invalid" for err in errors):
        return GoTrueError(400, "bad_json", "Could not parse request body as JSON")
    first = errors[0] if errors else {}
    where = ".".join(str(part) for part in first.get("loc", ()) if part != "body")
    return validation_failed(f"Invalid {where or 'request'}: {first.get('msg', 'invalid')}")


class GoTrueRoute(APIRoute):
    """An APIRoute whose failures leave in GoTrue's error shape instead of CHIDI's."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except GoTrueError as exc:
                return gotrue_error_response(request, exc)
            except RequestValidationError as exc:
                return gotrue_error_response(request, _from_validation_error(exc))
            except json.JSONDecodeError:
                return gotrue_error_response(
                    request, GoTrueError(400, "bad_json", "Could not parse request body as JSON")
                )

        return handle
