"""Fixtures for the monitoring tests: the API with metrics on, a scraper, the fake Graph."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import psycopg
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from core.metrics import WORKER_LABEL
from core.settings import Settings
from tests.fakes.graph_api import fake_graph, fake_graph_server
from tests.support.conversations import SeededConnection, seed_connection
from tests.support.live_server import LiveServer, start_live_server

__all__ = ["fake_graph", "fake_graph_server"]

METRICS_TOKEN = "metrics-token-for-monitoring-tests"


class Scraper:
    """Scrapes the live API's /metrics and reads sample values from the text."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server

    def text(self) -> str:
        response = httpx.get(
            f"{self.server.url}/metrics",
            headers={"Authorization": f"Bearer {METRICS_TOKEN}"},
            timeout=10,
        )
        assert response.status_code == 200, response.text
        return response.text

    def value(self, sample: str, *, worker: bool = False, **labels: str) -> float:
        """The sample's value (0 when absent); this process's own series unless `worker`."""
        total = 0.0
        for family in text_string_to_metric_families(self.text()):
            for s in family.samples:
                if s.name != sample or (WORKER_LABEL in s.labels) != worker:
                    continue
                if all(s.labels.get(k) == v for k, v in labels.items()):
                    total += s.value
        return total


@pytest.fixture(scope="module")
def metered(migrated_database: str, settings: Settings) -> Iterator[LiveServer]:
    """The real API with METRICS_TOKEN set."""
    server = start_live_server(
        settings.model_copy(update={"metrics_token": SecretStr(METRICS_TOKEN)})
    )
    yield server
    server.stop()


@pytest.fixture
def scrape(metered: LiveServer) -> Scraper:
    return Scraper(metered)


@pytest.fixture
def instagram(pg: psycopg.Connection, settings: Settings) -> SeededConnection:
    """A fresh business with an Instagram connection."""
    return seed_connection(pg, settings, platform="instagram")


@pytest.fixture(autouse=True)
def settled_outbox(pg: psycopg.Connection) -> Iterator[None]:
    """Leave no deliverable outbox rows behind: a later test's worker would otherwise
    sweep them up and send them to its fake Graph API."""
    started = pg.execute("SELECT now()").fetchone()
    yield
    assert started is not None
    pg.execute(
        "UPDATE outbox SET status = 'dead' "
        "WHERE status IN ('pending', 'failed', 'sending') AND created_at >= %s",
        (started[0],),
    )
