"""A local stand-in for Sentry's ingest endpoint: stores the envelopes the real SDK sends.

DSN: f"http://public@127.0.0.1:{port}/1" — the SDK posts to /api/1/envelope/.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route


@dataclass
class SentryInbox:
    """What the fake received: every envelope item, decoded."""

    items: list[dict[str, Any]] = field(default_factory=list)

    def events(self) -> list[dict[str, Any]]:
        """The error events (not sessions or client reports)."""
        return [item["payload"] for item in self.items if item["type"] == "event"]


def _decode(body: bytes) -> list[dict[str, Any]]:
    lines = body.split(b"\n")
    items, index = [], 1  # line 0 is the envelope header
    while index + 1 < len(lines):
        header = json.loads(lines[index])
        payload = lines[index + 1]
        items.append({"type": header.get("type"), "payload": json.loads(payload or b"{}")})
        index += 2
    return items


def sentry_app(inbox: SentryInbox) -> Starlette:
    """The ASGI app: the envelope endpoint plus a readiness probe."""

    async def envelope(request: Request) -> JSONResponse:
        body = await request.body()
        if request.headers.get("content-encoding") == "gzip":
            body = gzip.decompress(body)
        inbox.items.extend(_decode(body))
        return JSONResponse({"id": "0" * 32})

    async def ready(_: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    return Starlette(
        routes=[
            Route("/api/{project}/envelope/", envelope, methods=["POST"]),
            Route("/ready", ready),
        ]
    )
