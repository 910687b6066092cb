"""Sign in with Google in embedded mode, against a local fake OpenID provider.

The browser is played by an httpx client that keeps cookies and follows each redirect by
hand, so every hop (CHIDI -> provider -> CHIDI callback -> app) is checked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import psycopg
import pytest
from pydantic import SecretStr
from supabase import Client

from tests.fakes.oidc_provider import (
    CLIENT_ID,
    CLIENT_SECRET,
    Account,
    FakeOidcProvider,
    running_oidc_provider,
)
from tests.integration.auth.conftest import PASSWORD, ClientFactory, fragment, unique_email
from tests.support.live_server import LiveServer


@pytest.fixture
def provider() -> Iterator[FakeOidcProvider]:
    """The fake Google."""
    with running_oidc_provider() as fake:
        yield fake


@pytest.fixture
def server(server_with: Callable[..., LiveServer], provider: FakeOidcProvider) -> LiveServer:
    """CHIDI with Google sign-in configured against the fake provider."""
    return server_with(
        google_client_id=CLIENT_ID,
        google_client_secret=SecretStr(CLIENT_SECRET),
        google_discovery_url=provider.discovery_url,
    )


def _browse(start: str, *, stop_at: str, browser: httpx.Client | None = None) -> str:
    """Follow redirects from `start` until one leaves for `stop_at`; return that URL."""
    browser = browser or httpx.Client()
    url = start
    for _ in range(6):
        response = browser.get(url)
        assert response.status_code in (302, 303), response.text
        url = response.headers["location"]
        if url.startswith(stop_at):
            return url
    raise AssertionError("too many redirects")


def _me(server: LiveServer, token: str) -> httpx.Response:
    return httpx.get(f"{server.url}/api/v1/users/me", headers={"Authorization": f"Bearer {token}"})


def test_google_sign_in_returns_tokens_in_the_fragment(
    server: LiveServer, provider: FakeOidcProvider, pg: psycopg.Connection
) -> None:
    provider.account = Account(email=unique_email("google"), name="Chioma Eze")
    app = f"{server.url}/welcome"
    landed = _browse(
        f"{server.url}/auth/v1/authorize?provider=google&redirect_to={app}", stop_at=app
    )
    params = fragment(landed)
    assert landed.startswith(f"{app}#")
    assert params["token_type"] == "bearer"
    assert int(params["expires_in"]) == 3600
    assert params["provider_token"].startswith("ya29.")
    sent = provider.authorize_requests[-1]
    assert sent["scope"] == "openid email profile"
    assert sent["code_challenge_method"] == "S256"
    assert sent["redirect_uri"] == f"{server.url}/auth/v1/callback"
    assert sent["state"]
    assert sent["nonce"]
    profile = _me(server, params["access_token"])
    assert profile.status_code == 200
    assert profile.json()["email"] == provider.account.email
    assert profile.json()["full_name"] == "Chioma Eze"
    assert profile.json()["avatar_url"] == provider.account.picture
    identity = pg.execute(
        "SELECT i.provider_id, u.encrypted_password IS NULL, u.email_confirmed_at IS NOT NULL "
        "FROM chidi_auth.identities i JOIN chidi_auth.users u ON u.id = i.user_id "
        "WHERE i.provider = 'google' AND u.email = %s",
        (provider.account.email,),
    ).fetchone()
    assert identity == (provider.account.sub, True, True)
    again = fragment(
        _browse(f"{server.url}/auth/v1/authorize?provider=google&redirect_to={app}", stop_at=app)
    )
    assert _me(server, again["access_token"]).json()["id"] == profile.json()["id"]


def test_google_links_to_an_existing_account_with_that_email(
    server: LiveServer, provider: FakeOidcProvider, supabase_for: ClientFactory
) -> None:
    client = supabase_for(server)
    email = unique_email("linked")
    signed_up = client.auth.sign_up({"email": email, "password": PASSWORD})
    assert signed_up.user is not None
    provider.account = Account(email=email.upper())
    landed = _browse(f"{server.url}/auth/v1/authorize?provider=google", stop_at=server.url + "#")
    token = fragment(landed)["access_token"]
    assert _me(server, token).json()["id"] == signed_up.user.id
    user = client.auth.get_user(token)
    assert user is not None
    assert sorted(user.user.app_metadata["providers"]) == ["email", "google"]
    assert {i.provider for i in user.user.identities or []} == {"email", "google"}
    assert client.auth.sign_in_with_password({"email": email, "password": PASSWORD}).session


def test_supabase_client_pkce_sign_in_with_google(
    server: LiveServer, provider: FakeOidcProvider, supabase_for: ClientFactory
) -> None:
    client: Client = supabase_for(server)
    provider.account = Account(email=unique_email("pkce-google"))
    app = f"{server.url}/auth/callback-page"
    start = client.auth.sign_in_with_oauth({"provider": "google", "options": {"redirect_to": app}})
    assert "code_challenge=" in start.url
    landed = _browse(start.url, stop_at=app)
    code = parse_qs(urlsplit(landed).query)["code"][0]
    session = client.auth.exchange_code_for_session({"auth_code": code})
    assert session.user is not None
    assert session.user.email == provider.account.email
    claims = client.auth.get_claims()
    assert claims is not None
    assert claims["claims"]["amr"][0]["method"] == "oauth"


def test_callback_with_a_forged_state_is_refused(
    server: LiveServer, provider: FakeOidcProvider
) -> None:
    browser = httpx.Client()
    to_provider = browser.get(f"{server.url}/auth/v1/authorize?provider=google")
    assert to_provider.status_code == 302
    back = httpx.get(to_provider.headers["location"]).headers["location"]
    forged = back.replace("state=", "state=forged")
    landed = browser.get(forged).headers["location"]
    assert fragment(landed)["error_code"] == "bad_oauth_state"
    # Without the browser's state cookie (login CSRF) the callback is refused too.
    stranger = httpx.get(back).headers["location"]
    assert fragment(stranger)["error_code"] == "bad_oauth_state"


@pytest.mark.parametrize(
    "overrides",
    [{"nonce": "replayed"}, {"aud": "another-client"}, {"iss": "https://impostor.example"}],
)
def test_id_tokens_with_wrong_claims_are_refused(
    server: LiveServer, provider: FakeOidcProvider, overrides: dict[str, str]
) -> None:
    provider.id_token_overrides = overrides
    landed = _browse(f"{server.url}/auth/v1/authorize?provider=google", stop_at=server.url + "#")
    params = fragment(landed)
    assert params["error_code"] == "unexpected_failure"
    assert "access_token" not in params


def test_unverified_google_email_is_refused(server: LiveServer, provider: FakeOidcProvider) -> None:
    provider.account = Account(email=unique_email("unverified"), email_verified=False)
    landed = _browse(f"{server.url}/auth/v1/authorize?provider=google", stop_at=server.url + "#")
    assert fragment(landed)["error_code"] == "provider_email_needs_verification"


def test_google_is_off_without_client_settings(live_server: LiveServer) -> None:
    for provider_name in ("google", "github"):
        response = httpx.get(
            f"{live_server.url}/auth/v1/authorize?provider={provider_name}",
            headers={"X-Supabase-Api-Version": "2024-01-01"},
        )
        assert response.status_code == 400
        assert response.json() == {
            "code": "validation_failed",
            "message": "Unsupported provider: provider is not enabled",
        }
