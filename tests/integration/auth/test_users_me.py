"""GET and PUT /api/v1/users/me over real HTTP, signed in through the embedded auth."""

from __future__ import annotations

from typing import Any

import httpx
import psycopg
import pytest
from supabase import Client

from tests.integration.auth.conftest import PASSWORD, latest_email, link_token, unique_email
from tests.support.live_server import LiveServer


@pytest.fixture
def signed_in(supabase: Client) -> tuple[str, str]:
    """A fresh user's email and access token."""
    email = unique_email("me")
    session = supabase.auth.sign_up({"email": email, "password": PASSWORD}).session
    assert session is not None
    return email, session.access_token


def _put(server: LiveServer, token: str, body: Any) -> httpx.Response:
    return httpx.put(
        f"{server.url}/api/v1/users/me", json=body, headers={"Authorization": f"Bearer {token}"}
    )


def test_get_returns_the_new_profile(live_server: LiveServer, signed_in: tuple[str, str]) -> None:
    email, token = signed_in
    response = httpx.get(
        f"{live_server.url}/api/v1/users/me", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200
    profile = response.json()
    assert profile["email"] == email
    assert profile["full_name"] is None
    assert profile["avatar_url"] is None
    assert set(profile) == {"id", "email", "full_name", "avatar_url", "created_at", "updated_at"}


def test_put_updates_only_the_fields_sent(
    live_server: LiveServer, signed_in: tuple[str, str]
) -> None:
    _, token = signed_in
    first = _put(
        live_server,
        token,
        {"full_name": "  Ngozi Okafor  ", "avatar_url": "https://cdn.example.com/n.png"},
    )
    assert first.status_code == 200
    assert first.json()["full_name"] == "Ngozi Okafor"
    second = _put(live_server, token, {"full_name": "Ngozi O."})
    assert second.json()["full_name"] == "Ngozi O."
    assert second.json()["avatar_url"] == "https://cdn.example.com/n.png"
    assert second.json()["updated_at"] > first.json()["updated_at"]
    cleared = _put(live_server, token, {"avatar_url": None})
    assert cleared.json()["avatar_url"] is None
    assert cleared.json()["full_name"] == "Ngozi O."
    fetched = httpx.get(
        f"{live_server.url}/api/v1/users/me", headers={"Authorization": f"Bearer {token}"}
    ).json()
    assert fetched["full_name"] == "Ngozi O."
    assert fetched["avatar_url"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"full_name": "x" * 201}, "full_name"),
        ({"full_name": "Bad\x00Name"}, "full_name"),
        ({"full_name": "line\nbreak"}, "full_name"),
        ({"full_name": 42}, "full_name"),
        ({"avatar_url": "javascript:alert(1)"}, "avatar_url"),
        ({"avatar_url": "ftp://files.example.com/a.png"}, "avatar_url"),
        ({"avatar_url": "https://example.com/" + "a" * 2048}, "avatar_url"),
        ({"avatar_url": "not a url"}, "avatar_url"),
        ({"email": "someone@else.example"}, "email"),
    ],
)
def test_put_rejects_invalid_input(
    live_server: LiveServer, signed_in: tuple[str, str], body: dict[str, Any], field: str
) -> None:
    response = _put(live_server, signed_in[1], body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert [detail["field"] for detail in error["details"]] == [field]


def test_put_requires_authentication(live_server: LiveServer) -> None:
    response = httpx.put(f"{live_server.url}/api/v1/users/me", json={"full_name": "X"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "missing_token"


def test_profile_email_follows_a_confirmed_email_change(
    live_server: LiveServer, supabase: Client, pg: psycopg.Connection
) -> None:
    session = supabase.auth.sign_up({"email": unique_email("before"), "password": PASSWORD}).session
    assert session is not None
    me = f"{live_server.url}/api/v1/users/me"
    assert httpx.get(me, headers={"Authorization": f"Bearer {session.access_token}"}).is_success
    new_email = unique_email("after")
    supabase.auth.update_user({"email": new_email})
    token_hash = link_token(latest_email(pg, new_email, "email_change"))
    changed = supabase.auth.verify_otp({"type": "email_change", "token_hash": token_hash})
    assert changed.session is not None
    profile = httpx.get(me, headers={"Authorization": f"Bearer {changed.session.access_token}"})
    assert profile.json()["email"] == new_email
