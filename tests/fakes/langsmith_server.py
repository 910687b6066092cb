"""A local stand-in for the LangSmith REST API: the endpoints the `langsmith` client calls
to record an eval run as an experiment, with what it stored kept for the test to read.

Datasets (`GET/POST /datasets`), examples (`GET /examples`, `POST /examples/bulk`),
projects a.k.a. sessions (`GET/POST /sessions`, `PATCH /sessions/{id}`), runs
(`POST /runs`), feedback (`POST /feedback`) and `GET /info`. Every request is also logged
with its API key, so a test can assert that nothing at all was sent.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

TENANT_ID = "00000000-0000-4000-8000-00000000000a"


@dataclass
class LangSmithStore:
    """Everything the fake received."""

    requests: list[tuple[str, str, str | None]] = field(default_factory=list)
    """(method, path, x-api-key) of every request."""
    datasets: dict[str, dict[str, Any]] = field(default_factory=dict)
    examples: dict[str, dict[str, Any]] = field(default_factory=dict)
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    runs: list[dict[str, Any]] = field(default_factory=list)
    feedback: list[dict[str, Any]] = field(default_factory=list)


def _now() -> str:
    return datetime.now(UTC).isoformat()


def langsmith_app(store: LangSmithStore) -> Starlette:
    """The fake API over `store`."""

    async def body_of(request: Request) -> Any:
        store.requests.append((request.method, request.url.path, request.headers.get("x-api-key")))
        raw = await request.body()
        return json.loads(raw) if raw else None

    async def info(request: Request) -> JSONResponse:
        await body_of(request)
        return JSONResponse({"version": "0.10.0", "instance_flags": {}, "batch_ingest_config": {}})

    async def datasets(request: Request) -> JSONResponse:
        body = await body_of(request)
        if request.method == "GET":
            name = request.query_params.get("name")
            return JSONResponse([d for d in store.datasets.values() if d["name"] == name])
        dataset = {**body, "id": str(uuid.uuid4()), "created_at": _now()}
        store.datasets[dataset["id"]] = dataset
        return JSONResponse(dataset)

    async def examples(request: Request) -> JSONResponse:
        await body_of(request)
        wanted = request.query_params.get("dataset")
        offset = int(request.query_params.get("offset", 0))
        limit = int(request.query_params.get("limit", 100))
        found = [e for e in store.examples.values() if e["dataset_id"] == wanted]
        return JSONResponse(found[offset : offset + limit])

    async def bulk_examples(request: Request) -> JSONResponse:
        created = []
        for example in await body_of(request):
            example = {**example, "id": str(example.get("id") or uuid.uuid4())}
            store.examples[example["id"]] = example
            created.append(example)
        return JSONResponse(created)

    async def sessions(request: Request) -> JSONResponse:
        body = await body_of(request)
        if request.method == "GET":
            return JSONResponse(list(store.sessions.values())[:1])
        session = {**body, "tenant_id": TENANT_ID, "start_time": _now()}
        store.sessions[session["id"]] = session
        return JSONResponse(session)

    async def session(request: Request) -> JSONResponse:
        body = await body_of(request)
        found = store.sessions[request.path_params["session_id"]]
        found.update({k: v for k, v in body.items() if v is not None})
        return JSONResponse(found)

    async def runs(request: Request) -> JSONResponse:
        store.runs.append(await body_of(request))
        return JSONResponse({})

    async def feedback(request: Request) -> JSONResponse:
        store.feedback.append(await body_of(request))
        return JSONResponse({})

    async def ready(_: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    return Starlette(
        routes=[
            Route("/info", info),
            Route("/datasets", datasets, methods=["GET", "POST"]),
            Route("/examples", examples),
            Route("/examples/bulk", bulk_examples, methods=["POST"]),
            Route("/sessions", sessions, methods=["GET", "POST"]),
            Route("/sessions/{session_id}", session, methods=["PATCH"]),
            Route("/runs", runs, methods=["POST"]),
            Route("/feedback", feedback, methods=["POST"]),
            Route("/ready", ready),
        ]
    )
