"""Helpers for the inbox tests: shops with signed-in owners, seeded conversations, and an
SSE client that reads an event stream over real HTTP in the background."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
import psycopg

from core.settings import Settings
from store.tables.base import utcnow
from tests.support.catalog_api import issue_token
from tests.support.conversations import (
    SeededConnection,
    new_customer,
    new_mid,
    one,
    seed_connection,
)


@dataclass(frozen=True)
class Shop:
    """A business with one connection, and its owner's bearer token."""

    connection: SeededConnection
    owner_id: uuid.UUID
    token: str

    @property
    def business_id(self) -> uuid.UUID:
        """The shop's business."""
        return self.connection.business_id

    @property
    def auth(self) -> dict[str, str]:
        """The owner's Authorization header."""
        return {"Authorization": f"Bearer {self.token}"}

    def client(self, base_url: str) -> httpx.AsyncClient:
        """An HTTP client acting as the owner on the API at `base_url`."""
        return httpx.AsyncClient(base_url=base_url, timeout=30, headers=self.auth)


def open_shop(
    pg: psycopg.Connection, settings: Settings, *, issuer_url: str, platform: str = "instagram"
) -> Shop:
    """A new business with a connection, and a token for its owner."""
    connection = seed_connection(pg, settings, platform=platform)
    owner_id = one(pg, "SELECT user_id FROM businesses WHERE id = %s", connection.business_id)
    token = issue_token(settings, issuer_url, user_id=owner_id, email=connection.owner_email)
    return Shop(connection=connection, owner_id=owner_id, token=token)


def seed_conversation(
    pg: psycopg.Connection,
    shop: Shop,
    *,
    name: str | None = None,
    status: str = "active_ai",
    messages: list[tuple[str, str, datetime]] | None = None,
    customer: str | None = None,
    last_customer_message_at: datetime | None = None,
) -> uuid.UUID:
    """A committed conversation with `messages` (sender, text, sent at), oldest first."""
    messages = messages or [("customer", "hello", utcnow())]
    last_at = max(at for _, _, at in messages)
    conversation_id = one(
        pg,
        "INSERT INTO conversations (id, business_id, social_connection_id, customer_platform_id, "
        "customer_name, status, last_message_at, last_message_snippet, last_customer_message_at) "
        "VALUES (gen_random_uuid(), %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
        shop.business_id,
        shop.connection.id,
        customer or new_customer(),
        name,
        status,
        last_at,
        messages[-1][1][:200],
        last_customer_message_at or last_at,
    )
    for sender, text, at in messages:
        pg.execute(
            "INSERT INTO messages (id, conversation_id, business_id, platform_message_id, "
            "sender_type, text_content, platform_timestamp, handled_at) "
            "VALUES (gen_random_uuid(), %s, %s, %s, %s, %s, %s, now())",
            (conversation_id, shop.business_id, new_mid(), sender, text, at),
        )
    return uuid.UUID(str(conversation_id))


@dataclass(frozen=True)
class SseEvent:
    """One server-sent event (comments are kept apart, as heartbeats)."""

    event: str
    data: str
    id: str | None

    def json(self) -> Any:
        """The event's data, parsed."""
        return json.loads(self.data)


def event_of(
    kind: str, conversation: uuid.UUID | str | None = None, *, sender: str | None = None
) -> Callable[[SseEvent], bool]:
    """Matches events of `kind` (about `conversation`; for messages, from `sender`)."""

    def matches(event: SseEvent) -> bool:
        if event.event != kind:
            return False
        data = event.json()
        if conversation is not None and data.get("conversation_id") != str(conversation):
            return False
        return sender is None or data.get("message", {}).get("sender_type") == sender

    return matches


@dataclass
class SseReader:
    """The events of one open stream, read in the background as they arrive."""

    status_code: int = 0
    failure: BaseException | None = None
    events: list[SseEvent] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    error_body: str = ""
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)

    def _add(self, event: SseEvent | None, comment: str | None = None) -> None:
        if event is not None:
            self.events.append(event)
        if comment is not None:
            self.comments.append(comment)
        self._arrived.set()

    async def wait_for(
        self, matches: Callable[[SseEvent], bool], *, within: float = 20.0
    ) -> SseEvent:
        """The first event so far (or to come) that `matches`."""
        deadline = time.monotonic() + within
        while True:
            for event in self.events:
                if matches(event):
                    return event
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                seen = [(e.event, e.data[:120]) for e in self.events]
                raise AssertionError(f"no matching event within {within}s; saw {seen}")
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), remaining)

    async def wait_for_comment(self, prefix: str, *, within: float) -> str:
        """The first comment line starting with `prefix`."""
        deadline = time.monotonic() + within
        while not any(c.startswith(prefix) for c in self.comments):
            if time.monotonic() > deadline:
                raise AssertionError(f"no '{prefix}' comment within {within}s")
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), 0.2)
        return next(c for c in self.comments if c.startswith(prefix))

    def of_kind(self, kind: str) -> list[SseEvent]:
        """The events of one kind so far."""
        return [e for e in self.events if e.event == kind]


async def _read(response: httpx.Response, reader: SseReader) -> None:
    fields: dict[str, str] = {}
    async for line in response.aiter_lines():
        if line == "":
            if "event" in fields or "data" in fields:
                reader._add(
                    SseEvent(
                        fields.get("event", "message"), fields.get("data", ""), fields.get("id")
                    )
                )
            fields = {}
        elif line.startswith(":"):
            reader._add(None, line[1:].strip())
        else:
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            fields[name] = (
                f"{fields[name]}\n{value}" if name == "data" and name in fields else value
            )


@contextlib.asynccontextmanager
async def event_stream(
    base_url: str,
    *,
    headers: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
) -> AsyncIterator[SseReader]:
    """`GET /api/v1/events` read in the background for the duration of the block; a
    refused stream is still yielded, with its status code and body."""
    reader = SseReader()
    opened = asyncio.Event()

    async def consume() -> None:
        try:
            async with (
                httpx.AsyncClient(base_url=base_url, timeout=httpx.Timeout(30, read=None)) as http,
                http.stream("GET", "/api/v1/events", headers=headers, params=params) as response,
            ):
                reader.status_code = response.status_code
                if response.status_code != 200:
                    reader.error_body = (await response.aread()).decode()
                    return
                opened.set()
                await _read(response, reader)
        except Exception as exc:  # handed to the test below
            reader.failure = exc
        finally:
            opened.set()

    task = asyncio.get_running_loop().create_task(consume())
    try:
        await asyncio.wait_for(opened.wait(), 15)
        if reader.failure is not None:
            raise reader.failure
        yield reader
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, httpx.HTTPError):
            await task
