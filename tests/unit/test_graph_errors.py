"""What a Graph API error means for the message that caused it."""

from __future__ import annotations

import httpx
import pytest

from channels.errors import (
    FailureKind,
    GraphError,
    classify,
    classify_transport,
    parse_error,
    token_status_for,
)


def _error(code: int | None, status: int = 400, subcode: int | None = None) -> GraphError:
    body = {
        "error": {
            "message": "m",
            "type": "OAuthException",
            "code": code,
            "error_subcode": subcode,
            "fbtrace_id": "A1",
        }
    }
    return parse_error(status, body)


@pytest.mark.parametrize(
    ("code", "status", "subcode", "kind"),
    [
        (190, 400, 460, FailureKind.TOKEN_INVALID),
        (190, 401, 463, FailureKind.TOKEN_INVALID),
        (131047, 400, None, FailureKind.WINDOW_CLOSED),
        (10, 400, 2018278, FailureKind.WINDOW_CLOSED),
        (130429, 400, None, FailureKind.RATE_LIMITED),
        (4, 400, None, FailureKind.RATE_LIMITED),
        (613, 400, None, FailureKind.RATE_LIMITED),
        (131056, 400, None, FailureKind.RATE_LIMITED),
        (None, 429, None, FailureKind.RATE_LIMITED),
        (2, 500, None, FailureKind.TRANSIENT),
        (131000, 500, None, FailureKind.TRANSIENT),
        (None, 502, None, FailureKind.TRANSIENT),
        (100, 400, None, FailureKind.PERMANENT),
        (10, 403, None, FailureKind.PERMANENT),
        (131026, 400, None, FailureKind.PERMANENT),
    ],
)
def test_classification(
    code: int | None, status: int, subcode: int | None, kind: FailureKind
) -> None:
    assert classify(_error(code, status, subcode)) is kind


def test_parse_keeps_the_fields_and_whatsapp_details() -> None:
    error = parse_error(
        400,
        {
            "error": {
                "message": "(#131047) Re-engagement message",
                "type": "OAuthException",
                "code": 131047,
                "error_data": {"messaging_product": "whatsapp", "details": "More than 24 hours"},
                "fbtrace_id": "Az8",
            }
        },
    )
    assert (error.code, error.fbtrace_id, error.type) == (131047, "Az8", "OAuthException")
    assert error.describe() == ("(#131047) Re-engagement message: More than 24 hours (code 131047)")
    assert parse_error(502, "<html>bad gateway</html>") == GraphError(502, "HTTP 502")
    assert classify(parse_error(400, {"error": {"code": 1, "is_transient": True}})) is (
        FailureKind.TRANSIENT
    )


def test_transport_failures_before_and_after_sending() -> None:
    request = httpx.Request("POST", "https://graph.facebook.com")
    assert classify_transport(httpx.ConnectError("x", request=request)) is FailureKind.TRANSIENT
    assert classify_transport(httpx.ConnectTimeout("x", request=request)) is (FailureKind.TRANSIENT)
    assert classify_transport(httpx.ReadTimeout("x", request=request)) is FailureKind.UNCERTAIN
    assert classify_transport(httpx.RemoteProtocolError("x", request=request)) is (
        FailureKind.UNCERTAIN
    )


def test_token_status_after_a_token_error() -> None:
    assert token_status_for(_error(190, subcode=463)) == "expired"
    assert token_status_for(_error(190, subcode=467)) == "invalid"
    assert token_status_for(_error(190, subcode=460)) == "revoked"
    assert token_status_for(_error(190)) == "revoked"
