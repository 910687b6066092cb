"""Meta's Graph API, faked over real HTTP for tests and the benchmark.

The app is CHIDI's own embedded fake (`channels.fake_graph`, what `/fake-graph` serves in
embedded mode), run here as a standalone server so a test can script failures and read
what was sent. Usage::

    async def test_retry(fake_graph):
        fake_graph.controller.script(GraphFailure(code=130429, message="Rate limit hit"))
        ...  # code configured with META_GRAPH_BASE_URL = fake_graph.url
        assert len(fake_graph.controller.sends_to("customer-1")) == 1

Outcomes: `GraphFailure(code, status, subcode, message, type)` answers with Meta's error
body; `Delay(seconds, accept=True)` records the message and answers late (a client
timeout then leaves the send uncertain); `Delay(seconds, accept=False)` hangs without
recording. `controller.revoked_tokens.add(token)` makes that token fail with code 190.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

import pytest

from channels.fake_graph import (
    Delay,
    FakeGraphController,
    GraphFailure,
    RecordedSend,
    create_fake_graph_app,
)
from tests.support.live_server import LiveServer, free_port, serve_in_thread

__all__ = ["Delay", "FakeGraph", "GraphFailure", "RecordedSend", "start_fake_graph"]


class FakeGraph(NamedTuple):
    """The running fake: its base URL (what META_GRAPH_BASE_URL is set to) and controller."""

    url: str
    controller: FakeGraphController


def start_fake_graph() -> tuple[LiveServer, FakeGraphController]:
    """Serve a fresh fake Graph API on a free loopback port."""
    controller = FakeGraphController()
    server = serve_in_thread(
        create_fake_graph_app(controller),
        port=free_port(),
        ready_path="/_fake/sends",
        graceful_shutdown_seconds=1,
    )
    return server, controller


@pytest.fixture(scope="session")
def fake_graph_server() -> Iterator[FakeGraph]:
    """One fake Graph API for the whole run."""
    server, controller = start_fake_graph()
    yield FakeGraph(server.url, controller)
    server.stop()


@pytest.fixture
def fake_graph(fake_graph_server: FakeGraph) -> Iterator[FakeGraph]:
    """The fake with no scripts or recorded sends; left clean after the test."""
    fake_graph_server.controller.reset()
    yield fake_graph_server
    fake_graph_server.controller.reset()
