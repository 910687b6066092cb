"""Owners talking to the workspace API over real HTTP, reading its SSE streams.

`Owner` wraps an httpx client signed in as a fresh owner; `onboarding` and `chat` post a
turn and parse the `text/event-stream` answer into `SseEvent`s, the way a browser's
EventSource would (comments such as pings skipped, multi-line data joined).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from core.settings import Settings
from tests.support.catalog_api import access_token
from tests.support.live_server import LiveServer

ONBOARDING = "/api/v1/workspaces/onboarding"
CHAT = "/api/v1/workspaces/chat"


@dataclass(frozen=True)
class SseEvent:
    """One server-sent event: its name, its JSON data, and when it arrived."""

    event: str
    data: Any
    at: float


@dataclass
class Turn:
    """Everything one turn streamed."""

    events: list[SseEvent] = field(default_factory=list)
    started: float = 0.0

    def named(self, name: str) -> list[SseEvent]:
        """The events called `name`, in order."""
        return [event for event in self.events if event.event == name]

    @property
    def text(self) -> str:
        """The reply as the `token` events spelled it."""
        return "".join(event.data["text"] for event in self.named("token"))

    @property
    def message(self) -> dict[str, Any]:
        """The `ai_message` event's data (asserts there is exactly one)."""
        found = self.named("ai_message")
        assert len(found) == 1, [e.event for e in self.events]
        data: dict[str, Any] = found[0].data
        return data

    @property
    def progress(self) -> dict[str, Any]:
        """The `progress_update` event's data."""
        found = self.named("progress_update")
        assert len(found) == 1, [e.event for e in self.events]
        data: dict[str, Any] = found[0].data
        return data

    @property
    def asking(self) -> str | None:
        """The field the pending question is about."""
        value: str | None = self.message["asking"]
        return value

    @property
    def first_event_ms(self) -> float:
        """Milliseconds from sending the request to the first event."""
        return (self.events[0].at - self.started) * 1000

    @property
    def total_ms(self) -> float:
        """Milliseconds from sending the request to the last event."""
        return (self.events[-1].at - self.started) * 1000


def parse_sse(lines: list[str]) -> list[tuple[str, str]]:
    """(event, data) pairs from SSE lines (the default event name is "message")."""
    parsed: list[tuple[str, str]] = []
    name, data = "message", list[str]()
    for line in lines:
        if not line:
            if data:
                parsed.append((name, "\n".join(data)))
            name, data = "message", list[str]()
        elif line.startswith(":"):
            continue
        else:
            key, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if key == "event":
                name = value
            elif key == "data":
                data.append(value)
    return parsed


async def stream_turn(client: httpx.AsyncClient, path: str, body: dict[str, Any]) -> Turn:
    """POST a turn and collect its events until the server closes the stream."""
    turn = Turn(started=time.perf_counter())
    async with client.stream("POST", path, json=body) as response:
        if response.status_code != 200:
            await response.aread()
            raise AssertionError(f"{response.status_code}: {response.text}")
        assert response.headers["content-type"].startswith("text/event-stream")
        pending: list[str] = []
        async for line in response.aiter_lines():
            pending.append(line)
            if line == "":
                for name, data in parse_sse(pending):
                    turn.events.append(SseEvent(name, json.loads(data), time.perf_counter()))
                pending = []
    return turn


@dataclass
class Owner:
    """A signed-in owner with a client on a live server."""

    client: httpx.AsyncClient

    async def onboarding(self, message: str | None = None, action: str | None = None) -> Turn:
        """One onboarding turn."""
        return await stream_turn(self.client, ONBOARDING, {"message": message, "action": action})

    async def chat(self, message: str) -> Turn:
        """One assistant turn."""
        return await stream_turn(self.client, CHAT, {"message": message})

    async def context(self) -> dict[str, Any]:
        """GET the business profile."""
        response = await self.client.get("/api/v1/workspaces/context")
        assert response.status_code == 200, response.text
        profile: dict[str, Any] = response.json()
        return profile


def owner_client(settings: Settings, server: LiveServer, user_id: uuid.UUID) -> httpx.AsyncClient:
    """A client for `server` signed in as `user_id` (the same owner on any server)."""
    token = access_token(settings, server, user_id=user_id, email=f"{user_id.hex}@example.com")
    return httpx.AsyncClient(
        base_url=server.url, timeout=30, headers={"Authorization": f"Bearer {token}"}
    )


async def signed_in(
    settings: Settings, server: LiveServer, user_id: uuid.UUID | None = None
) -> AsyncIterator[Owner]:
    """An `Owner` on `server` (a new user unless `user_id` is given)."""
    async with owner_client(settings, server, user_id or uuid.uuid4()) as client:
        yield Owner(client)
