"""LangSmith tracing: with LANGSMITH_API_KEY set, a graph run is posted to LangSmith (a
local fake speaking its ingest API) through the real client; without it nothing is."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import SecretStr
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from agents.responder import respond_to_conversation
from core.settings import Settings
from core.tracing import configure_tracing
from tests.fakes.langsmith_server import LangSmithStore, langsmith_app
from tests.integration.monitoring.seed import escalating_conversation
from tests.support.live_server import LiveServer, free_port, serve_in_thread

KEY = "lsv2_test_key"


def _with_run_ingest(store: LangSmithStore) -> Any:
    """The fake plus the batched ingest endpoints the tracer uses (multipart and batch)."""
    app = langsmith_app(store)

    async def multipart(request: Request) -> JSONResponse:
        store.requests.append((request.method, request.url.path, request.headers.get("x-api-key")))
        form = await request.form()
        for name, value in form.multi_items():
            parts = name.split(".")
            if parts[0] == "post" and len(parts) == 2:  # a run; its inputs come as post.<id>.*
                raw = value if isinstance(value, str) else await value.read()
                store.runs.append(json.loads(raw))
        return JSONResponse({})

    async def batch(request: Request) -> JSONResponse:
        store.requests.append((request.method, request.url.path, request.headers.get("x-api-key")))
        store.runs.extend(json.loads(await request.body()).get("post", []))
        return JSONResponse({})

    async def patch(_: Request) -> JSONResponse:
        return JSONResponse({})

    app.router.routes[:0] = [
        Route("/runs/multipart", multipart, methods=["POST"]),
        Route("/runs/batch", batch, methods=["POST"]),
        Route("/runs/{run_id}", patch, methods=["PATCH"]),
    ]
    return app


@pytest.fixture
def langsmith(settings: Settings) -> Iterator[tuple[LiveServer, LangSmithStore]]:
    store = LangSmithStore()
    server = serve_in_thread(_with_run_ingest(store), port=free_port(), ready_path="/ready")
    yield server, store
    configure_tracing(settings)  # tracing off again for the rest of the run
    server.stop()


async def test_a_graph_run_is_traced_when_a_key_is_set(
    db: AsyncSession, settings: Settings, langsmith: tuple[LiveServer, LangSmithStore]
) -> None:
    server, store = langsmith
    traced = settings.model_copy(
        update={"langsmith_api_key": SecretStr(KEY), "langsmith_endpoint": server.url}
    )
    client = configure_tracing(traced)
    assert client is not None
    conversation_id = await escalating_conversation(db)
    outcome = await respond_to_conversation(db, traced, conversation_id)
    assert outcome.action == "escalated"
    client.flush()
    roots = [run for run in store.runs if not run.get("parent_run_id")]
    assert roots, store.requests
    assert any(run.get("session_name") == traced.langsmith_project for run in roots)
    assert len(store.runs) > len(roots)  # the nodes are traced under the graph run
    assert {key for _, _, key in store.requests if key} == {KEY}


async def test_nothing_is_sent_without_a_key(
    db: AsyncSession, settings: Settings, langsmith: tuple[LiveServer, LangSmithStore]
) -> None:
    _, store = langsmith
    assert configure_tracing(settings) is None
    await respond_to_conversation(db, settings, await escalating_conversation(db))
    assert store.requests == []
