"""Sentry through the real SDK transport: scrubbed events reach a local ingest server,
and the app keeps serving when Sentry is unreachable."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
import sentry_sdk
from fastapi import FastAPI

from api.app import create_app
from core.sentry import REDACTED, scrub_event
from core.settings import Settings
from tests.fakes.sentry_server import SentryInbox, sentry_app
from tests.support.live_server import LiveServer, free_port, serve_in_thread

CUSTOMER_EMAIL = "ada.customer@example.com"
CUSTOMER_PHONE = "+234 803 555 0199"


def _failing_app(settings: Settings, port: int) -> FastAPI:
    app = create_app(settings.model_copy(update={"public_url": f"http://127.0.0.1:{port}"}))

    @app.post("/boom")
    async def boom() -> None:
        raise RuntimeError(f"could not reply to {CUSTOMER_EMAIL} at {CUSTOMER_PHONE}")

    return app


@pytest.fixture
def sentry_inbox() -> Iterator[tuple[str, SentryInbox]]:
    inbox = SentryInbox()
    port = free_port()
    server = serve_in_thread(sentry_app(inbox), port=port, ready_path="/ready")
    yield f"http://public@127.0.0.1:{port}/1", inbox
    server.stop()


@pytest.fixture(autouse=True)
def _sentry_off_afterwards() -> Iterator[None]:
    yield
    sentry_sdk.get_client().close(timeout=1)
    sentry_sdk.init()  # back to a client without a DSN: nothing is sent


def _serve(settings: Settings) -> LiveServer:
    port = free_port()
    return serve_in_thread(_failing_app(settings, port), port=port, ready_path="/healthz")


def test_unhandled_errors_reach_sentry_without_personal_data(
    settings: Settings, sentry_inbox: tuple[str, SentryInbox]
) -> None:
    dsn, inbox = sentry_inbox
    server = _serve(settings.model_copy(update={"sentry_dsn": dsn}))
    try:
        response = httpx.post(
            f"{server.url}/boom",
            json={"text": "my card number is 4111 1111 1111 1111"},
            headers={"Authorization": "Bearer secret-access-token", "X-Request-ID": "rid-9"},
        )
        assert response.status_code == 500
        sentry_sdk.flush(timeout=5)
        deadline = time.monotonic() + 5
        while not inbox.events() and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        server.stop()
    events = inbox.events()
    assert len(events) == 1
    raw = str(events[0])
    assert "RuntimeError" in raw
    for secret in (CUSTOMER_EMAIL, "803 555", "secret-access-token", "4111"):
        assert secret not in raw
    assert REDACTED in raw
    assert events[0]["environment"] == "test"
    assert events[0]["tags"]["request_id"] == "rid-9"


def test_app_keeps_serving_when_sentry_is_unreachable(settings: Settings) -> None:
    dead_dsn = f"http://public@127.0.0.1:{free_port()}/1"
    server = _serve(settings.model_copy(update={"sentry_dsn": dead_dsn}))
    try:
        for _ in range(3):
            assert httpx.post(f"{server.url}/boom").status_code == 500
            assert httpx.get(f"{server.url}/healthz").status_code == 200
    finally:
        server.stop()


def test_scrub_event_keeps_context_and_drops_bodies_and_identifiers() -> None:
    event = scrub_event(
        {
            "message": f"reply to {CUSTOMER_EMAIL} failed",
            "request": {
                "url": "http://x/api",
                "data": {"password": "p"},
                "cookies": {"a": "b"},
                "headers": {"Authorization": "Bearer t", "User-Agent": "ua"},
            },
            "extra": {"access_token": "EAAG", "conversation_id": "c-1", "text_content": "hi"},
            "contexts": {"runtime": {"name": "CPython"}},
            "user": {"id": "u1", "email": CUSTOMER_EMAIL, "ip_address": "10.0.0.1"},
        }
    )
    assert CUSTOMER_EMAIL not in str(event)
    assert "data" not in event["request"]
    assert "cookies" not in event["request"]
    assert event["request"]["headers"] == {"User-Agent": "ua"}
    assert event["extra"] == {
        "access_token": REDACTED,
        "conversation_id": "c-1",
        "text_content": REDACTED,
    }
    assert event["contexts"] == {"runtime": {"name": "CPython"}}
    assert "email" not in event["user"]
    assert "ip_address" not in event["user"]
