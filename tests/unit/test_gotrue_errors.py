"""GoTrue's error shapes (they depend on the X-Supabase-Api-Version request header)."""

from __future__ import annotations

import json

from starlette.requests import Request

from api.auth.errors import gotrue_error_response, rate_limited, weak_password
from api.auth.urls import error_redirect, with_fragment, with_query


def _request(version: str | None) -> Request:
    headers = [] if version is None else [(b"x-supabase-api-version", version.encode())]
    return Request({"type": "http", "method": "POST", "path": "/", "headers": headers})


def test_current_shape_echoes_the_version() -> None:
    response = gotrue_error_response(
        _request("2024-01-01"), weak_password("Too short.", ["length"])
    )
    assert response.status_code == 422
    assert json.loads(bytes(response.body)) == {
        "code": "weak_password",
        "message": "Too short.",
        "weak_password": {"reasons": ["length"]},
    }
    assert response.headers["x-supabase-api-version"] == "2024-01-01"


def test_legacy_shape_without_or_with_an_old_or_bad_version() -> None:
    for version in (None, "2023-05-01", "yesterday", "2024-13-45"):
        response = gotrue_error_response(_request(version), rate_limited(17))
        assert response.status_code == 429
        assert json.loads(bytes(response.body)) == {
            "code": 429,
            "error_code": "over_request_rate_limit",
            "msg": "Request rate limit reached",
        }
        assert response.headers["retry-after"] == "17"
        assert response.headers["x-sb-error-code"] == "over_request_rate_limit"


def test_redirect_helpers() -> None:
    assert (
        with_fragment("https://a.example/x?y=1", {"access_token": "t", "sb": ""})
        == "https://a.example/x?y=1#access_token=t&sb="
    )
    assert with_query("https://a.example/x?y=1", {"code": "c"}) == "https://a.example/x?y=1&code=c"
    implicit = error_redirect(
        "https://a.example/x",
        status=403,
        error_code="otp_expired",
        description="Email link is invalid or has expired",
        pkce=False,
    )
    assert implicit == (
        "https://a.example/x#error=access_denied&error_code=otp_expired"
        "&error_description=Email+link+is+invalid+or+has+expired&sb="
    )
    pkce = error_redirect(
        "https://a.example/x",
        status=400,
        error_code="bad_oauth_state",
        description="bad",
        pkce=True,
    )
    assert pkce.startswith("https://a.example/x?error=invalid_request&error_code=bad_oauth_state")
