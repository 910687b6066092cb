"""/metrics: off without a token, refused with a wrong one, counting requests by route."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from pydantic import SecretStr

from core.settings import Settings
from tests.support.live_server import LiveServer, start_live_server

TOKEN = "metrics-token-for-tests"


@pytest.fixture(scope="module")
def metered(migrated_database: str, settings: Settings) -> Iterator[LiveServer]:
    server = start_live_server(settings.model_copy(update={"metrics_token": SecretStr(TOKEN)}))
    yield server
    server.stop()


def _scrape(server: LiveServer) -> str:
    response = httpx.get(f"{server.url}/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


def _count(text: str, route: str, status_class: str) -> float:
    pattern = (
        r'chidi_http_request_duration_seconds_count\{method="GET",route="'
        + re.escape(route)
        + r'",status_class="'
        + status_class
        + r'"\} (\S+)'
    )
    match = re.search(pattern, text)
    return float(match.group(1)) if match else 0.0


def test_metrics_are_off_without_a_token(live_server: LiveServer) -> None:
    response = httpx.get(f"{live_server.url}/metrics")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_metrics_refuse_a_wrong_token(metered: LiveServer) -> None:
    for headers in ({}, {"Authorization": "Bearer nope"}):
        response = httpx.get(f"{metered.url}/metrics", headers=headers)
        assert response.status_code == 401


def test_requests_are_counted_by_route_template(metered: LiveServer) -> None:
    before = _scrape(metered)
    for _ in range(3):
        httpx.get(f"{metered.url}/healthz")
    for product_id in (
        "00000000-0000-0000-0000-000000000001",
        "00000000-0000-0000-0000-000000000002",
    ):
        httpx.get(f"{metered.url}/api/v1/products/{product_id}")
    after = _scrape(metered)
    assert _count(after, "/healthz", "2xx") - _count(before, "/healthz", "2xx") == 3
    templated = "/api/v1/products/{product_id}"
    assert _count(after, templated, "4xx") - _count(before, templated, "4xx") == 2
    assert "00000000-0000-0000-0000-000000000001" not in after
