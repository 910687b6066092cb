"""What a failed Graph API call means, and so what to do about it.

Meta's error body is `{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}`
(WhatsApp adds `error_data`). The code decides: retry soon (transient, throttled), never
retry (permanent), stop using the token (OAuthException 190), or tell the owner the
customer-service window is closed (WhatsApp 131047, Instagram 10/2018278).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

import httpx

from channels.wire import obj, text


class FailureKind(StrEnum):
    """The kinds of send failure, by what should happen next."""

    TRANSIENT = "transient"  # Meta or the network failed; the message was not accepted
    RATE_LIMITED = "rate_limited"  # throttled; the message was not accepted
    UNCERTAIN = "uncertain"  # the request went out but no answer came back
    TOKEN_INVALID = "token_invalid"  # noqa: S105 (the access token is revoked/expired/invalid)
    WINDOW_CLOSED = "window_closed"  # outside the customer-service window
    PERMANENT = "permanent"  # anything else Meta refused; retrying cannot help


# Graph API throttling (4, 17, 32, 613), WhatsApp throughput/pair/spam limits.
_RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, 80007, 130429, 131048, 131056})
# "Unknown error", "service temporarily unavailable", WhatsApp's "something went wrong"
# and "service unavailable".
_TRANSIENT_CODES = frozenset({1, 2, 131000, 131016, 133004})
_TOKEN_CODES = frozenset({102, 190})
_WHATSAPP_WINDOW = 131047
_INSTAGRAM_WINDOW = (10, 2018278)


@dataclass(frozen=True)
class GraphError:
    """A Graph API error response, or a transport failure (`status` 0)."""

    status: int
    message: str
    code: int | None = None
    subcode: int | None = None
    type: str | None = None
    fbtrace_id: str | None = None
    is_transient: bool = False

    def describe(self) -> str:
        """One line for logs and `last_error` columns (never a token)."""
        code = f" (code {self.code}" + (f"/{self.subcode}" if self.subcode else "") + ")"
        return f"{self.message}{code if self.code is not None else ''}"


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def parse_error(status: int, body: Any) -> GraphError:
    """The error in a non-2xx response body (anything unparseable keeps the status only)."""
    error = obj(obj(body).get("error"))
    details = text(obj(error.get("error_data")).get("details"))
    message = text(error.get("message")) or f"HTTP {status}"
    return GraphError(
        status=status,
        message=f"{message}: {details}" if details else message,
        code=_int(error.get("code")),
        subcode=_int(error.get("error_subcode")),
        type=text(error.get("type")),
        fbtrace_id=text(error.get("fbtrace_id")),
        is_transient=error.get("is_transient") is True,
    )


def classify(error: GraphError) -> FailureKind:
    """What a Graph API error means for the message that caused it."""
    if error.code in _TOKEN_CODES:
        return FailureKind.TOKEN_INVALID
    if error.code == _WHATSAPP_WINDOW or (error.code, error.subcode) == _INSTAGRAM_WINDOW:
        return FailureKind.WINDOW_CLOSED
    if error.code in _RATE_LIMIT_CODES or error.status == 429:
        return FailureKind.RATE_LIMITED
    if error.code in _TRANSIENT_CODES or error.is_transient or error.status >= 500:
        return FailureKind.TRANSIENT
    return FailureKind.PERMANENT


def classify_transport(exc: httpx.TransportError) -> FailureKind:
    """A network failure: transient if the request cannot have arrived, else uncertain."""
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return FailureKind.TRANSIENT
    return FailureKind.UNCERTAIN


def token_status_for(error: GraphError) -> Literal["expired", "revoked", "invalid"]:
    """The connection's new `token_status` after a token error (190/463 = expired)."""
    if error.subcode == 463:
        return "expired"
    if error.subcode == 467:
        return "invalid"
    return "revoked"


class GraphCallFailed(Exception):
    """A Graph API call failed for good (after any retries); `kind` says why."""

    def __init__(self, kind: FailureKind, error: GraphError) -> None:
        super().__init__(error.describe())
        self.kind = kind
        self.error = error
