"""The probes and the error shape, over real HTTP against the real services."""

from __future__ import annotations

import httpx

from tests.support.live_server import LiveServer


def test_healthz_answers_ok(live_server: LiveServer) -> None:
    response = httpx.get(f"{live_server.url}/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_checks_database_and_redis(live_server: LiveServer) -> None:
    response = httpx.get(f"{live_server.url}/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "redis": "ok"}


def test_unknown_route_uses_the_error_shape(live_server: LiveServer) -> None:
    response = httpx.get(f"{live_server.url}/no-such-page")
    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_found", "message": "Not Found", "details": None}
    }


def test_request_id_is_echoed_or_generated(live_server: LiveServer) -> None:
    echoed = httpx.get(f"{live_server.url}/healthz", headers={"X-Request-ID": "abc-123"})
    assert echoed.headers["x-request-id"] == "abc-123"
    generated = httpx.get(f"{live_server.url}/healthz", headers={"X-Request-ID": "bad id!"})
    assert generated.headers["x-request-id"] not in ("", "bad id!")
    assert len(generated.headers["x-request-id"]) == 32


def test_oversized_body_is_refused_with_413(live_server: LiveServer) -> None:
    response = httpx.post(f"{live_server.url}/healthz", content=b"x" * 2_000_000)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
