"""The one error hierarchy: every failure a caller sees is an `AppError`.

The API turns it into `{"error": {"code", "message", "details"}}` with its status.
"""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    """A failure with a status code, a stable machine code and a message a person can act on."""

    status_code: int = 500
    code: str = "internal_error"
    # Extra response headers (e.g. WWW-Authenticate on a 401).
    headers: dict[str, str] | None = None

    def __init__(self, message: str, *, details: Any = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        if code is not None:
            self.code = code

    def to_body(self) -> dict[str, Any]:
        """The JSON body of the error response."""
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class BadRequest(AppError):
    """The request is malformed in a way validation could not say more precisely."""

    status_code = 400
    code = "bad_request"


class ValidationFailed(AppError):
    """Some fields are invalid; `details` lists them."""

    status_code = 422
    code = "validation_error"


class Unauthorized(AppError):
    """No valid credentials."""

    status_code = 401
    code = "unauthorized"


class Forbidden(AppError):
    """Valid credentials, but not allowed."""

    status_code = 403
    code = "forbidden"


class NotFound(AppError):
    """The resource does not exist for this caller (another tenant's rows included)."""

    status_code = 404
    code = "not_found"


class Conflict(AppError):
    """The request conflicts with the current state (a duplicate, too little stock)."""

    status_code = 409
    code = "conflict"


class PayloadTooLarge(AppError):
    """The request body is over the size limit."""

    status_code = 413
    code = "payload_too_large"


class RateLimited(AppError):
    """Too many requests; `details.retry_after_seconds` says when to come back."""

    status_code = 429
    code = "rate_limited"


class ServiceUnavailable(AppError):
    """A dependency (database, Redis, a provider) is down; retrying later may work."""

    status_code = 503
    code = "service_unavailable"
