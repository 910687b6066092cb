"""The embedded auth service driven by the official supabase-py client over real HTTP.

What a frontend does against Supabase must work the same against CHIDI: sign up, sign in,
refresh, sign out, reset a password, change user data, and get GoTrue's error codes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import psycopg
import pytest
from supabase import Client
from supabase_auth.errors import AuthApiError, AuthWeakPasswordError
from supabase_auth.types import Session

from tests.integration.auth.conftest import (
    PASSWORD,
    ClientFactory,
    emailed_code,
    fragment,
    latest_email,
    link_token,
    unique_email,
)
from tests.support.live_server import LiveServer


def _sign_up(client: Client, email: str, password: str = PASSWORD) -> None:
    client.auth.sign_up({"email": email, "password": password})


def _signed_in(client: Client, label: str) -> tuple[str, Session]:
    """A new user, signed in with its password: its email and session."""
    email = unique_email(label)
    _sign_up(client, email)
    session = client.auth.sign_in_with_password({"email": email, "password": PASSWORD}).session
    assert session is not None
    return email, session


def test_sign_up_returns_a_session_with_supabase_claims(
    supabase: Client, live_server: LiveServer, pg: psycopg.Connection
) -> None:
    email = unique_email("signup")
    response = supabase.auth.sign_up(
        {"email": email, "password": PASSWORD, "options": {"data": {"plan": "starter"}}}
    )
    assert response.session is not None
    assert response.user is not None
    assert response.user.email == email
    assert response.user.user_metadata == {"plan": "starter"}
    assert response.user.app_metadata == {"provider": "email", "providers": ["email"]}
    assert [identity.provider for identity in response.user.identities or []] == ["email"]
    claims = supabase.auth.get_claims()
    assert claims is not None
    payload: dict[str, Any] = dict(claims["claims"])
    assert payload["sub"] == response.user.id
    assert payload["aud"] == "authenticated"
    assert payload["role"] == "authenticated"
    assert payload["iss"] == f"{live_server.url}/auth/v1"
    assert payload["exp"] - payload["iat"] == 3600
    assert payload["amr"][0]["method"] == "password"
    assert payload["user_metadata"] == {"plan": "starter"}
    stored = pg.execute(
        "SELECT encrypted_password FROM chidi_auth.users WHERE email = %s", (email,)
    ).fetchone()
    assert stored is not None
    assert stored[0].startswith("$argon2id$")
    tokens = pg.execute("SELECT token_hash FROM chidi_auth.refresh_tokens").fetchall()
    assert response.session.refresh_token not in {row[0] for row in tokens}


def test_sign_in_refresh_and_get_user(supabase: Client) -> None:
    email, signed_in = _signed_in(supabase, "signin")
    refreshed = supabase.auth.refresh_session()
    assert refreshed.session is not None
    assert refreshed.session.refresh_token != signed_in.refresh_token
    user = supabase.auth.get_user()
    assert user is not None
    assert user.user.email == email
    assert user.user.last_sign_in_at is not None


def test_reusing_a_rotated_refresh_token_ends_the_session(supabase: Client) -> None:
    _, first = _signed_in(supabase, "reuse")
    second = supabase.auth.refresh_session()
    assert second.session is not None
    with pytest.raises(AuthApiError) as reused:
        supabase.auth.refresh_session(first.refresh_token)
    assert str(reused.value.code) == "refresh_token_already_used"
    # The replay ended the session, so even the newest token is dead now.
    with pytest.raises(AuthApiError) as after:
        supabase.auth.refresh_session(second.session.refresh_token)
    assert str(after.value.code) == "refresh_token_not_found"


def test_sign_out_revokes_refresh_and_session(supabase: Client) -> None:
    _, session = _signed_in(supabase, "signout")
    supabase.auth.sign_out()
    assert supabase.auth.get_session() is None
    with pytest.raises(AuthApiError) as refresh:
        supabase.auth.refresh_session(session.refresh_token)
    assert str(refresh.value.code) == "refresh_token_not_found"
    with pytest.raises(AuthApiError) as user:
        supabase.auth.get_user(session.access_token)
    assert (user.value.status, user.value.code) == (403, "session_not_found")


def test_local_sign_out_leaves_other_devices_signed_in(
    live_server: LiveServer, supabase_for: ClientFactory
) -> None:
    email = unique_email("local")
    phone, laptop = supabase_for(live_server), supabase_for(live_server)
    _sign_up(phone, email)
    phone.auth.sign_in_with_password({"email": email, "password": PASSWORD})
    laptop.auth.sign_in_with_password({"email": email, "password": PASSWORD})
    phone.auth.sign_out({"scope": "local"})
    assert laptop.auth.refresh_session().session is not None
    tablet = supabase_for(live_server)
    tablet.auth.sign_in_with_password({"email": email, "password": PASSWORD})
    tablet.auth.sign_out({"scope": "others"})
    with pytest.raises(AuthApiError):
        laptop.auth.refresh_session()
    assert tablet.auth.refresh_session().session is not None


def test_duplicate_email_weak_password_and_bad_credentials(supabase: Client) -> None:
    email = unique_email("errors")
    _sign_up(supabase, email)
    with pytest.raises(AuthApiError) as duplicate:
        _sign_up(supabase, email.upper())
    assert (duplicate.value.status, duplicate.value.code) == (422, "user_already_exists")
    with pytest.raises(AuthWeakPasswordError) as weak:
        _sign_up(supabase, unique_email("weak"), password="short")
    assert weak.value.code == "weak_password"
    assert weak.value.reasons == ["length"]
    assert weak.value.message == "Password should be at least 8 characters."
    for wrong_email, wrong_password in (
        (email, "not-the-password"),
        (unique_email("nobody"), PASSWORD),
    ):
        with pytest.raises(AuthApiError) as bad:
            supabase.auth.sign_in_with_password({"email": wrong_email, "password": wrong_password})
        assert (bad.value.status, bad.value.code) == (400, "invalid_credentials")
        assert bad.value.message == "Invalid login credentials"
    # Postgres stores no NUL character: refused as invalid input, not a database error.
    with pytest.raises(AuthApiError) as nul:
        supabase.auth.sign_up(
            {
                "email": unique_email("nul"),
                "password": PASSWORD,
                "options": {"data": {"full_name": "Ada\x00"}},
            }
        )
    assert (nul.value.status, nul.value.code) == (400, "validation_failed")


def test_password_reset_with_the_emailed_link(supabase: Client, pg: psycopg.Connection) -> None:
    email = unique_email("reset")
    _sign_up(supabase, email, password="old-password-123")
    supabase.auth.sign_out()
    supabase.auth.reset_password_for_email(email, {"redirect_to": "http://127.0.0.1:3000/r"})
    payload = latest_email(pg, email, "recovery")
    assert "/auth/v1/verify?token=pkce_" in payload["action_link"]
    token_hash = link_token(payload)
    recovered = supabase.auth.verify_otp({"type": "recovery", "token_hash": token_hash})
    assert recovered.session is not None
    supabase.auth.update_user({"password": "new-password-456"})
    supabase.auth.sign_out()
    with pytest.raises(AuthApiError):
        supabase.auth.sign_in_with_password({"email": email, "password": "old-password-123"})
    signed_in = supabase.auth.sign_in_with_password(
        {"email": email, "password": "new-password-456"}
    )
    assert signed_in.session is not None
    with pytest.raises(AuthApiError) as reused:
        supabase.auth.verify_otp({"type": "recovery", "token_hash": token_hash})
    assert (reused.value.status, reused.value.code) == (403, "otp_expired")


def test_password_reset_with_the_emailed_code(supabase: Client, pg: psycopg.Connection) -> None:
    email = unique_email("code")
    _sign_up(supabase, email)
    supabase.auth.reset_password_for_email(email)
    code = emailed_code(latest_email(pg, email, "recovery"))
    with pytest.raises(AuthApiError) as wrong:
        supabase.auth.verify_otp(
            {"email": unique_email("other"), "token": code, "type": "recovery"}
        )
    assert wrong.value.code == "otp_expired"
    verified = supabase.auth.verify_otp({"email": email, "token": code, "type": "recovery"})
    assert verified.user is not None
    assert verified.user.email == email


def test_new_reset_email_voids_the_previous_one(supabase: Client, pg: psycopg.Connection) -> None:
    email = unique_email("twice")
    _sign_up(supabase, email)
    supabase.auth.reset_password_for_email(email)
    first = link_token(latest_email(pg, email, "recovery"))
    supabase.auth.reset_password_for_email(email)
    second = link_token(latest_email(pg, email, "recovery"))
    with pytest.raises(AuthApiError):
        supabase.auth.verify_otp({"type": "recovery", "token_hash": first})
    assert supabase.auth.verify_otp({"type": "recovery", "token_hash": second}).session


def test_reset_for_unknown_email_succeeds_silently(
    supabase: Client, pg: psycopg.Connection
) -> None:
    email = unique_email("ghost")
    supabase.auth.reset_password_for_email(email)
    count = pg.execute("SELECT count(*) FROM outbox WHERE recipient = %s", (email,)).fetchone()
    assert count == (0,)


def test_recovery_link_with_pkce_redirects_with_a_code(
    supabase: Client, live_server: LiveServer, pg: psycopg.Connection
) -> None:
    email = unique_email("pkce")
    _sign_up(supabase, email)
    supabase.auth.sign_out()
    redirect = f"{live_server.url}/reset-password"
    supabase.auth.reset_password_for_email(email, {"redirect_to": redirect})
    link = latest_email(pg, email, "recovery")["action_link"]
    followed = httpx.get(link)
    assert followed.status_code == 303
    location = followed.headers["location"]
    assert location.startswith(f"{redirect}?code=")
    code = location.split("code=", 1)[1]
    exchanged = supabase.auth.exchange_code_for_session({"auth_code": code})
    assert exchanged.session is not None
    assert exchanged.user is not None
    assert exchanged.user.email == email
    with pytest.raises(AuthApiError) as again:
        supabase.auth.exchange_code_for_session({"auth_code": code, "code_verifier": "x" * 64})
    assert again.value.code == "flow_state_not_found"


def test_recovery_link_in_implicit_flow_puts_the_session_in_the_fragment(
    live_server: LiveServer, supabase_for: ClientFactory, pg: psycopg.Connection
) -> None:
    client = supabase_for(live_server, flow_type="implicit")
    email = unique_email("implicit")
    _sign_up(client, email)
    client.auth.reset_password_for_email(email, {"redirect_to": f"{live_server.url}/reset"})
    link = latest_email(pg, email, "recovery")["action_link"]
    location = httpx.get(link).headers["location"]
    params = fragment(location)
    assert location.startswith(f"{live_server.url}/reset#")
    assert params["type"] == "recovery"
    assert params["token_type"] == "bearer"
    events: list[str] = []
    client.auth.on_auth_state_change(lambda event, _session: events.append(event))
    client.auth.initialize_from_url(location)
    assert events == ["SIGNED_IN", "PASSWORD_RECOVERY"]
    user = client.auth.get_user()
    assert user is not None
    assert user.user.email == email
    broken = httpx.get(link).headers["location"]
    assert fragment(broken)["error_code"] == "otp_expired"


def test_wrong_code_verifier_is_refused(
    supabase: Client, live_server: LiveServer, pg: psycopg.Connection
) -> None:
    email = unique_email("verifier")
    _sign_up(supabase, email)
    supabase.auth.reset_password_for_email(email, {"redirect_to": live_server.url})
    link = latest_email(pg, email, "recovery")["action_link"]
    code = httpx.get(link).headers["location"].split("code=", 1)[1]
    with pytest.raises(AuthApiError) as wrong:
        supabase.auth.exchange_code_for_session({"auth_code": code, "code_verifier": "y" * 64})
    assert wrong.value.code == "bad_code_verifier"


def test_update_user_metadata_and_same_password(supabase: Client) -> None:
    email = unique_email("meta")
    supabase.auth.sign_up(
        {"email": email, "password": PASSWORD, "options": {"data": {"a": 1, "b": 2}}}
    )
    updated = supabase.auth.update_user({"data": {"b": None, "c": 3}})
    assert updated.user.user_metadata == {"a": 1, "c": 3}
    with pytest.raises(AuthApiError) as same:
        supabase.auth.update_user({"password": PASSWORD})
    assert same.value.code == "same_password"
    refreshed = supabase.auth.refresh_session()
    assert refreshed.user is not None
    assert refreshed.user.user_metadata == {"a": 1, "c": 3}


def test_email_change_is_confirmed_from_the_new_address(
    supabase: Client, live_server: LiveServer, pg: psycopg.Connection
) -> None:
    old, new = unique_email("old"), unique_email("new")
    session = supabase.auth.sign_up({"email": old, "password": PASSWORD}).session
    assert session is not None
    pending = supabase.auth.update_user({"email": new})
    assert pending.user.email == old
    assert pending.user.new_email == new
    token_hash = link_token(latest_email(pg, new, "email_change"))
    supabase.auth.verify_otp({"type": "email_change", "token_hash": token_hash})
    user = supabase.auth.get_user()
    assert user is not None
    assert user.user.email == new
    assert supabase.auth.sign_in_with_password({"email": new, "password": PASSWORD}).session


def test_email_change_to_a_taken_address_is_refused(supabase: Client) -> None:
    taken = unique_email("taken")
    _sign_up(supabase, taken)
    _sign_up(supabase, unique_email("mover"))
    with pytest.raises(AuthApiError) as refused:
        supabase.auth.update_user({"email": taken})
    assert (refused.value.status, refused.value.code) == (422, "email_exists")


def test_signup_with_email_confirmation(
    server_with: Callable[..., LiveServer], supabase_for: ClientFactory, pg: psycopg.Connection
) -> None:
    server = server_with(auth_autoconfirm=False)
    client = supabase_for(server)
    email = unique_email("confirm")
    response = client.auth.sign_up({"email": email, "password": PASSWORD})
    assert response.session is None
    assert response.user is not None
    assert response.user.email_confirmed_at is None
    assert response.user.confirmation_sent_at is not None
    with pytest.raises(AuthApiError) as unconfirmed:
        client.auth.sign_in_with_password({"email": email, "password": PASSWORD})
    assert unconfirmed.value.code == "email_not_confirmed"
    token_hash = link_token(latest_email(pg, email, "signup"))
    confirmed = client.auth.verify_otp({"type": "signup", "token_hash": token_hash})
    assert confirmed.user is not None
    assert confirmed.user.email_confirmed_at is not None
    assert client.auth.sign_in_with_password({"email": email, "password": PASSWORD}).session
    # Without autoconfirm a repeated signup must not reveal that the address is taken.
    again = client.auth.sign_up({"email": email, "password": "another-password"})
    assert again.user is not None
    assert again.user.id != confirmed.user.id
    assert again.session is None


def test_errors_follow_the_requested_api_version(live_server: LiveServer) -> None:
    url = f"{live_server.url}/auth/v1/token?grant_type=password"
    body = {"email": unique_email("shape"), "password": "whatever-123"}
    current = httpx.post(url, json=body, headers={"X-Supabase-Api-Version": "2024-01-01"})
    assert current.status_code == 400
    assert current.json() == {"code": "invalid_credentials", "message": "Invalid login credentials"}
    assert current.headers["x-supabase-api-version"] == "2024-01-01"
    legacy = httpx.post(url, json=body)
    assert legacy.json() == {
        "code": 400,
        "error_code": "invalid_credentials",
        "msg": "Invalid login credentials",
    }
    assert legacy.headers["x-sb-error-code"] == "invalid_credentials"
    broken = httpx.post(url, content=b"{not json", headers={"content-type": "application/json"})
    assert broken.status_code == 400
    assert broken.json()["error_code"] == "bad_json"
    unsupported = httpx.post(f"{live_server.url}/auth/v1/token?grant_type=magic", json={})
    assert unsupported.json()["msg"] == "unsupported_grant_type"


def test_user_endpoint_requires_a_valid_token(live_server: LiveServer) -> None:
    missing = httpx.get(
        f"{live_server.url}/auth/v1/user", headers={"X-Supabase-Api-Version": "2024-01-01"}
    )
    assert missing.status_code == 401
    assert missing.json()["code"] == "no_authorization"
    garbage = httpx.get(
        f"{live_server.url}/auth/v1/user",
        headers={"Authorization": "Bearer nope", "X-Supabase-Api-Version": "2024-01-01"},
    )
    assert garbage.status_code == 403
    assert garbage.json()["code"] == "bad_jwt"


def test_settings_health_and_jwks(live_server: LiveServer) -> None:
    base = f"{live_server.url}/auth/v1"
    settings = httpx.get(f"{base}/settings").json()
    assert settings["external"]["email"] is True
    assert settings["external"]["google"] is False
    assert settings["mailer_autoconfirm"] is True
    assert httpx.get(f"{base}/health").json()["name"] == "GoTrue"
    assert httpx.get(f"{base}/.well-known/jwks.json").json() == {"keys": []}


def test_redirects_only_go_to_the_site_or_the_allow_list(
    supabase: Client, live_server: LiveServer, pg: psycopg.Connection
) -> None:
    email = unique_email("redirect")
    _sign_up(supabase, email)
    supabase.auth.reset_password_for_email(email, {"redirect_to": "https://evil.example/x"})
    link = latest_email(pg, email, "recovery")["action_link"]
    location = httpx.get(link).headers["location"]
    assert location.startswith(f"{live_server.url}?code=")
