"""A local stand-in for PostHog's capture API: stores the events the real SDK sends."""

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
class PostHogInbox:
    """Every event received, as PostHog's batch API carries it."""

    events: list[dict[str, Any]] = field(default_factory=list)

    def named(self, name: str) -> list[dict[str, Any]]:
        """The events called `name`."""
        return [event for event in self.events if event.get("event") == name]


def posthog_app(inbox: PostHogInbox) -> Starlette:
    """POST /batch/ (what posthog-python uses) and a readiness probe."""

    async def batch(request: Request) -> JSONResponse:
        body = await request.body()
        if request.headers.get("content-encoding") == "gzip":
            body = gzip.decompress(body)
        inbox.events.extend(json.loads(body).get("batch", []))
        return JSONResponse({"status": 1})

    async def ready(_: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    return Starlette(routes=[Route("/batch/", batch, methods=["POST"]), Route("/ready", ready)])
