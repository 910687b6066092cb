"""Fixtures for the auth tests: Supabase clients, extra servers, emails in the outbox.

Every test uses fresh email addresses: the live server commits, so rows outlive a test.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import psycopg
import pytest
from supabase import Client, ClientOptions, create_client
from supabase_auth import SyncMemoryStorage

from core.security import TokenSubject, issue_access_token
from core.settings import Settings
from tests.support.live_server import LiveServer, start_live_server

ANON_KEY = "anon-key-for-tests"
PASSWORD = "correct-horse-battery"


def unique_email(label: str = "user") -> str:
    """An address no other test (or earlier run) has used."""
    return f"{label}-{uuid.uuid4().hex[:12]}@example.com"


ClientFactory = Callable[..., Client]


@pytest.fixture
def supabase_for() -> ClientFactory:
    """Make an official Supabase client for a server (PKCE by default, like supabase-py)."""

    def make(
        server: LiveServer, flow_type: str = "pkce", headers: dict[str, str] | None = None
    ) -> Client:
        options = ClientOptions(
            storage=SyncMemoryStorage(),
            auto_refresh_token=False,
            flow_type=flow_type,  # type: ignore[arg-type]
            headers=headers or {},
        )
        return create_client(server.url, ANON_KEY, options)

    return make


@pytest.fixture
def supabase(live_server: LiveServer, supabase_for: ClientFactory) -> Client:
    """An official Supabase client pointed at the live server."""
    return supabase_for(live_server)


@pytest.fixture
def server_with(settings: Settings) -> Iterator[Callable[..., LiveServer]]:
    """Start extra live servers with settings overrides; all stopped after the test."""
    started: list[LiveServer] = []

    def start(**overrides: Any) -> LiveServer:
        server = start_live_server(settings.model_copy(update=overrides))
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def latest_email(pg: psycopg.Connection, recipient: str, template: str) -> dict[str, Any]:
    """The payload of the newest outbox email of `template` to `recipient`."""
    row = pg.execute(
        "SELECT payload FROM outbox WHERE kind = 'email' AND recipient = %s "
        "AND payload->>'template' = %s ORDER BY created_at DESC LIMIT 1",
        (recipient, template),
    ).fetchone()
    assert row is not None, f"no {template} email to {recipient} in the outbox"
    payload: dict[str, Any] = row[0]
    return payload


def link_token(payload: dict[str, Any]) -> str:
    """The `token` query parameter of an email's action link."""
    link = str(payload["action_link"])
    return parse_qs(urlsplit(link).query)["token"][0]


def emailed_code(payload: dict[str, Any]) -> str:
    """The 6-digit code in an email's text."""
    found = re.search(r"enter this code: (\d{6})", payload["text"])
    assert found is not None
    return str(found.group(1))


def fragment(location: str) -> dict[str, str]:
    """The parameters in a redirect URL's fragment."""
    return {
        key: values[0]
        for key, values in parse_qs(urlsplit(location).fragment, keep_blank_values=True).items()
    }


def access_token_for(
    settings: Settings,
    server: LiveServer,
    *,
    user_id: uuid.UUID | None = None,
    email: str | None = None,
    now: int | None = None,
    ttl: int = 3600,
    user_metadata: dict[str, Any] | None = None,
) -> str:
    """An HS256 access token as the embedded service at `server` would sign it."""
    subject = TokenSubject(
        user_id=user_id or uuid.uuid4(),
        email=email or unique_email("token"),
        session_id=uuid.uuid4(),
        auth_method="password",
        authenticated_at=int(time.time()),
        user_metadata=user_metadata or {},
    )
    token, _ = issue_access_token(
        subject,
        secret=settings.jwt_secret.get_secret_value(),
        issuer=f"{server.url}/auth/v1",
        ttl_seconds=ttl,
        now=now if now is not None else int(time.time()),
    )
    return token
