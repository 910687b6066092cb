"""Social connections over real HTTP: WhatsApp setup, Instagram OAuth, list, disconnect."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import psycopg
import pytest
from pydantic import SecretStr

from core.crypto import decrypt_secret
from core.settings import Settings
from tests.fakes.graph_api import FakeGraph
from tests.support.catalog_api import Owner, access_token, owner, rival
from tests.support.conversations import one, rows
from tests.support.live_server import LiveServer, start_live_server

__all__ = ["owner", "rival"]  # fixtures

SETUP = {
    "phone_number_id": "106540352242922",
    "waba_id": "102290129340398",
    "access_token": "EAAG-whatsapp-access-token-123",
    "app_secret": "whatsapp-app-secret",
}


@pytest.fixture(scope="module")
def meta_server(settings: Settings, fake_graph_server: FakeGraph) -> Iterator[LiveServer]:
    """The API configured with a Meta app, its Graph API being the standalone fake."""
    server = start_live_server(
        settings.model_copy(
            update={
                "meta_graph_base_url": fake_graph_server.url,
                "meta_app_id": "1234567890",
                "meta_app_secret": SecretStr("meta-app-secret"),
                "meta_retry_initial_seconds": 0.01,
            }
        )
    )
    yield server
    server.stop()


@pytest.fixture
async def meta_owner(settings: Settings, meta_server: LiveServer) -> AsyncIterator[Owner]:
    user_id = uuid.uuid4()
    token = access_token(settings, meta_server, user_id=user_id, email=f"{user_id.hex}@example.com")
    async with httpx.AsyncClient(
        base_url=meta_server.url, timeout=30, headers={"Authorization": f"Bearer {token}"}
    ) as client:
        yield Owner(client)


def _decrypt(settings: Settings, ciphertext: str | None) -> str | None:
    return (
        decrypt_secret(ciphertext, settings.encryption_key.get_secret_value())
        if (ciphertext)
        else None
    )


async def test_whatsapp_setup_stores_secrets_encrypted_and_never_returns_them(
    owner: Owner, pg: psycopg.Connection, settings: Settings, live_server: LiveServer
) -> None:
    response = await owner.client.post("/api/v1/social_connections/whatsapp", json=SETUP)
    assert response.status_code == 201, response.text
    created = response.json()
    connection = created["connection"]
    assert connection["platform"] == "whatsapp"
    assert connection["platform_account_id"] == SETUP["phone_number_id"]
    assert connection["whatsapp_waba_id"] == SETUP["waba_id"]
    assert connection["display_name"] == "Fake Business"  # confirmed with the Graph API
    assert created["webhook_url"].startswith(f"{live_server.url}/api/v1/webhooks/whatsapp/")
    assert len(created["verify_token"]) >= 24

    stored = rows(
        pg,
        "SELECT access_token_encrypted, app_secret_encrypted, "
        "verify_token_encrypted FROM social_connections WHERE id = %s",
        connection["id"],
    )[0]
    plain = (SETUP["access_token"], SETUP["app_secret"], created["verify_token"])
    assert all(
        column != secret and secret not in column
        for column, secret in zip(stored, plain, strict=True)
    )
    assert tuple(_decrypt(settings, c) for c in stored) == plain

    listed = await owner.client.get("/api/v1/social_connections")
    assert [c["id"] for c in listed.json()] == [connection["id"]]
    for secret in plain:
        assert secret not in listed.text
        assert secret not in response.text.replace(created["verify_token"], "")

    handshake = await owner.client.get(
        created["webhook_url"],
        params={
            "hub.mode": "subscribe",
            "hub.verify_token": created["verify_token"],
            "hub.challenge": "42",
        },
    )
    assert handshake.text == "42"


async def test_whatsapp_setup_validates_its_fields(owner: Owner) -> None:
    bad = await owner.client.post(
        "/api/v1/social_connections/whatsapp", json={**SETUP, "phone_number_id": "not-digits"}
    )
    extra = await owner.client.post(
        "/api/v1/social_connections/whatsapp", json={**SETUP, "surprise": 1}
    )
    assert (bad.status_code, extra.status_code) == (422, 422)
    assert "phone_number_id" in bad.json()["error"]["message"]
    assert "surprise" in extra.json()["error"]["message"]


async def test_a_token_meta_refuses_is_not_saved(meta_owner: Owner, fake_graph: FakeGraph) -> None:
    fake_graph.controller.revoked_tokens.add(SETUP["access_token"])
    response = await meta_owner.client.post("/api/v1/social_connections/whatsapp", json=SETUP)
    assert response.status_code == 422
    assert response.json()["error"]["message"] == "Meta refused this access token."
    assert (await meta_owner.client.get("/api/v1/social_connections")).json() == []


async def test_disconnecting_stops_webhooks_and_forgets_the_secrets(
    owner: Owner, pg: psycopg.Connection
) -> None:
    created = (
        await owner.client.post(
            "/api/v1/social_connections/whatsapp",
            json={**SETUP, "verify_token": "my-own-verify-token"},
        )
    ).json()
    assert created["verify_token"] == "my-own-verify-token"
    connection_id = created["connection"]["id"]
    assert (
        await owner.client.delete(f"/api/v1/social_connections/{connection_id}")
    ).status_code == 204
    assert (await owner.client.get("/api/v1/social_connections")).json() == []
    handshake = await owner.client.get(
        created["webhook_url"],
        params={
            "hub.mode": "subscribe",
            "hub.verify_token": "my-own-verify-token",
            "hub.challenge": "1",
        },
    )
    assert handshake.status_code == 404
    assert rows(
        pg,
        "SELECT is_active, access_token_encrypted, app_secret_encrypted FROM "
        "social_connections WHERE id = %s",
        connection_id,
    ) == [(False, None, None)]
    assert (
        await owner.client.delete(f"/api/v1/social_connections/{connection_id}")
    ).status_code == 404


async def _handshake(owner: Owner, url: str, verify_token: str) -> int:
    answer = await owner.client.get(
        url,
        params={"hub.mode": "subscribe", "hub.verify_token": verify_token, "hub.challenge": "7"},
    )
    return answer.status_code


async def test_a_new_verify_token_replaces_the_old_one_for_the_handshake(
    owner: Owner, rival: Owner, settings: Settings, pg: psycopg.Connection
) -> None:
    created = (
        await owner.client.post(
            "/api/v1/social_connections/whatsapp", json={**SETUP, "verify_token": "first-token"}
        )
    ).json()
    connection_id = created["connection"]["id"]
    path = f"/api/v1/social_connections/{connection_id}/verify_token"
    refused = await rival.client.post(path)
    assert (refused.status_code, refused.json()["error"]["code"]) == (404, "not_found")
    assert await _handshake(owner, created["webhook_url"], "first-token") == 200

    renewed = await owner.client.post(path)
    assert renewed.status_code == 200
    body = renewed.json()
    assert body["webhook_url"] == created["webhook_url"]
    assert body["verify_token"] not in ("first-token", "")
    [(stored,)] = rows(
        pg, "SELECT verify_token_encrypted FROM social_connections WHERE id = %s", connection_id
    )
    assert body["verify_token"] not in stored
    assert _decrypt(settings, stored) == body["verify_token"]
    assert await _handshake(owner, created["webhook_url"], "first-token") == 403
    assert await _handshake(owner, created["webhook_url"], body["verify_token"]) == 200
    listed = (await owner.client.get("/api/v1/social_connections")).json()
    assert body["verify_token"] not in str(listed)

    await owner.client.delete(f"/api/v1/social_connections/{connection_id}")
    assert (await owner.client.post(path)).status_code == 404
    assert (
        await owner.client.post("/api/v1/social_connections/not-a-uuid/verify_token")
    ).status_code == 422


async def test_another_business_cannot_see_or_delete_a_connection(
    owner: Owner, rival: Owner
) -> None:
    created = (await owner.client.post("/api/v1/social_connections/whatsapp", json=SETUP)).json()
    connection_id = created["connection"]["id"]
    assert (await rival.client.get("/api/v1/social_connections")).json() == []
    deleted = await rival.client.delete(f"/api/v1/social_connections/{connection_id}")
    assert (deleted.status_code, deleted.json()["error"]["code"]) == (404, "not_found")
    simulated = await rival.client.post(
        f"/api/v1/simulator/{connection_id}/messages", json={"customer_id": "1", "text": "hi"}
    )
    assert simulated.status_code == 404
    assert len((await owner.client.get("/api/v1/social_connections")).json()) == 1


async def test_the_same_number_again_refreshes_the_connection(
    owner: Owner, pg: psycopg.Connection, settings: Settings
) -> None:
    first = (await owner.client.post("/api/v1/social_connections/whatsapp", json=SETUP)).json()
    again = (
        await owner.client.post(
            "/api/v1/social_connections/whatsapp",
            json={**SETUP, "access_token": "EAAG-rotated-token-456"},
        )
    ).json()
    assert again["connection"]["id"] == first["connection"]["id"]
    assert again["webhook_url"] == first["webhook_url"]  # Meta's configuration stays valid
    stored = one(
        pg,
        "SELECT access_token_encrypted FROM social_connections WHERE id = %s",
        first["connection"]["id"],
    )
    assert _decrypt(settings, stored) == "EAAG-rotated-token-456"


# --- Instagram OAuth -----------------------------------------------------------------------


# A caller of the callback that wants JSON rather than the browser's redirect to the page.
API_CALLER = {"Accept": "application/json"}
# What Chromium sends when Meta's dialog redirects it.
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


async def _consent(authorization_url: str) -> str:
    """Follow Meta's dialog (the fake consents at once); the callback URL it redirects to."""
    async with httpx.AsyncClient() as browser:
        dialog = await browser.get(authorization_url)
    assert dialog.status_code == 302
    return dialog.headers["location"]


async def test_instagram_oauth_connects_the_granted_account(
    meta_owner: Owner,
    meta_server: LiveServer,
    fake_graph: FakeGraph,
    pg: psycopg.Connection,
    settings: Settings,
) -> None:
    start = await meta_owner.client.get("/api/v1/social_connections/instagram/oauth/initiate")
    assert start.status_code == 200
    url = urlsplit(start.json()["authorization_url"])
    query = parse_qs(url.query)
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{fake_graph.url}/v21.0/dialog/oauth"
    assert query["client_id"] == ["1234567890"]
    assert query["redirect_uri"] == [
        f"{meta_server.url}/api/v1/social_connections/instagram/oauth/callback"
    ]
    assert "instagram_manage_messages" in query["scope"][0]

    callback = await _consent(start.json()["authorization_url"])
    async with httpx.AsyncClient(headers=API_CALLER) as caller:  # no bearer token
        connected = await caller.get(callback)
        replayed = await caller.get(callback)
    assert connected.status_code == 200, connected.text
    [created] = connected.json()["connections"]
    assert created["connection"]["platform"] == "instagram"
    assert created["connection"]["display_name"] == "@fake_shop"
    assert created["webhook_url"].startswith(f"{meta_server.url}/api/v1/webhooks/instagram/")
    token = one(
        pg,
        "SELECT access_token_encrypted FROM social_connections WHERE id = %s",
        created["connection"]["id"],
    )
    assert str(_decrypt(settings, token)).startswith("page-")  # the Page token, sealed
    listed = (await meta_owner.client.get("/api/v1/social_connections")).json()
    assert [c["id"] for c in listed] == [created["connection"]["id"]]
    assert (replayed.status_code, replayed.json()["error"]["code"]) == (400, "oauth_state_used")


async def test_instagram_oauth_refuses_bad_states_and_denials(
    meta_owner: Owner, meta_server: LiveServer
) -> None:
    callback = f"{meta_server.url}/api/v1/social_connections/instagram/oauth/callback"
    start = (
        await meta_owner.client.get("/api/v1/social_connections/instagram/oauth/initiate")
    ).json()
    state = parse_qs(urlsplit(start["authorization_url"]).query)["state"][0]
    async with httpx.AsyncClient(headers=API_CALLER) as caller:
        forged = await caller.get(callback, params={"code": "x", "state": state + "x"})
        denied = await caller.get(
            callback,
            params={
                "error": "access_denied",
                "error_description": "Permissions error",
                "state": state,
            },
        )
    assert (forged.status_code, forged.json()["error"]["code"]) == (400, "oauth_state_invalid")
    assert (denied.status_code, denied.json()["error"]["code"]) == (400, "oauth_denied")


async def test_embedded_instagram_oauth_runs_on_the_built_in_fake(
    owner: Owner, live_server: LiveServer
) -> None:
    start = (await owner.client.get("/api/v1/social_connections/instagram/oauth/initiate")).json()
    assert start["authorization_url"].startswith(f"{live_server.url}/fake-graph/")
    async with httpx.AsyncClient(headers=API_CALLER) as caller:
        connected = await caller.get(await _consent(start["authorization_url"]))
    assert connected.status_code == 200, connected.text
    assert connected.json()["connections"][0]["connection"]["simulated"] is True


# --- The callback in a browser (the default) -----------------------------------------------


def _outcome(response: httpx.Response) -> dict[str, list[str]]:
    """Where the callback sent the browser: the integrations page and its query."""
    assert response.status_code == 303, response.text
    location = urlsplit(response.headers["location"])
    assert (location.scheme, location.netloc, location.path) == ("", "", "/settings/integrations")
    return parse_qs(location.query)


async def test_a_browser_is_sent_back_to_the_integrations_page_with_what_was_connected(
    meta_owner: Owner, pg: psycopg.Connection
) -> None:
    start = (
        await meta_owner.client.get("/api/v1/social_connections/instagram/oauth/initiate")
    ).json()
    callback = await _consent(start["authorization_url"])
    async with httpx.AsyncClient(headers=BROWSER) as browser:
        connected = _outcome(await browser.get(callback))
        replayed = _outcome(await browser.get(callback))
    [account] = connected.pop("account")
    assert connected == {"instagram": ["connected"]}
    assert one(pg, "SELECT platform::text FROM social_connections WHERE id = %s", account) == (
        "instagram"
    )
    listed = (await meta_owner.client.get("/api/v1/social_connections")).json()
    assert [c["id"] for c in listed] == [account]
    assert replayed == {"instagram": ["failed"], "reason": ["oauth_state_used"]}


async def test_a_browser_is_told_why_instagram_was_not_connected(
    meta_owner: Owner, meta_server: LiveServer
) -> None:
    callback = f"{meta_server.url}/api/v1/social_connections/instagram/oauth/callback"

    async def state() -> str:
        start = await meta_owner.client.get("/api/v1/social_connections/instagram/oauth/initiate")
        url: str = start.json()["authorization_url"]
        return parse_qs(urlsplit(url).query)["state"][0]

    async with httpx.AsyncClient() as browser:  # no Accept header at all: still a browser
        denied = await browser.get(
            callback,
            params={
                "error": "access_denied",
                "error_description": "<b>x</b>",
                "state": await state(),
            },
        )
        forged = await browser.get(callback, params={"code": "x", "state": (await state()) + "x"})
        refused = await browser.get(
            callback, params={"code": "never-issued", "state": await state()}
        )
    assert _outcome(denied) == {"instagram": ["failed"], "reason": ["oauth_denied"]}
    assert _outcome(forged) == {"instagram": ["failed"], "reason": ["oauth_state_invalid"]}
    assert _outcome(refused) == {"instagram": ["failed"], "reason": ["provider_error"]}
    listed = (await meta_owner.client.get("/api/v1/social_connections")).json()
    assert listed == []
