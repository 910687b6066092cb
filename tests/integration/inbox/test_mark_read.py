"""Marking a conversation read over real HTTP: what the inbox does when the owner opens it."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import psycopg
from redis.asyncio import Redis

from api.pages.cookies import SESSION_COOKIE, SessionTokens, encode_session
from store.events.publish import stream_key
from tests.integration.inbox.support import Shop, seed_conversation
from tests.support.conversations import one
from tests.support.live_server import LiveServer


def _unread(pg: psycopg.Connection, conversation: uuid.UUID) -> int:
    count: int = one(pg, "SELECT unread_count FROM conversations WHERE id = %s", conversation)
    return count


async def _events(redis: Redis, shop: Shop) -> list[tuple[str, dict[str, Any]]]:
    """The shop's live events so far: (kind, data)."""
    return [
        (fields[b"e"].decode(), json.loads(fields[b"d"]))
        for _id, fields in await redis.xrange(stream_key(shop.business_id))
    ]


async def test_reading_a_conversation_clears_its_unread_count_once(
    owner_api: httpx.AsyncClient, shop: Shop, pg: psycopg.Connection, redis: Redis
) -> None:
    conversation = seed_conversation(pg, shop)
    other = seed_conversation(pg, shop)
    pg.execute(
        "UPDATE conversations SET unread_count = 3 WHERE business_id = %s", (shop.business_id,)
    )
    path = f"/api/v1/conversations/{conversation}/read"

    read = await owner_api.post(path)
    assert read.status_code == 200, read.text
    assert (read.json()["id"], read.json()["unread_count"]) == (str(conversation), 0)
    assert (_unread(pg, conversation), _unread(pg, other)) == (0, 3)
    updates = [data for kind, data in await _events(redis, shop) if kind == "conversation_updated"]
    assert updates == [{"conversation_id": str(conversation), "unread_count": 0}]

    # Again: still read, nothing more announced (open tabs have nothing to refresh).
    again = await owner_api.post(path)
    assert (again.status_code, again.json()["unread_count"]) == (200, 0)
    assert len(await _events(redis, shop)) == 1
    listed = (await owner_api.get("/api/v1/conversations")).json()["items"]
    assert {item["id"]: item["unread_count"] for item in listed} == {
        str(conversation): 0,
        str(other): 3,
    }


async def test_another_business_s_conversation_cannot_be_marked_read(
    owner_api: httpx.AsyncClient, rival: Shop, pg: psycopg.Connection, redis: Redis
) -> None:
    theirs = seed_conversation(pg, rival)
    pg.execute("UPDATE conversations SET unread_count = 2 WHERE id = %s", (theirs,))
    for target in (theirs, uuid.uuid4()):
        refused = await owner_api.post(f"/api/v1/conversations/{target}/read")
        assert refused.status_code == 404, refused.text
        assert refused.json()["error"]["code"] == "not_found"
    assert _unread(pg, theirs) == 2
    assert await _events(redis, rival) == []


async def test_the_web_app_marks_read_with_its_cookie_and_csrf_token(
    live_server: LiveServer, shop: Shop, pg: psycopg.Connection
) -> None:
    conversation = seed_conversation(pg, shop)
    pg.execute("UPDATE conversations SET unread_count = 1 WHERE id = %s", (conversation,))
    cookie = encode_session(SessionTokens(access_token=shop.token, refresh_token="unused"))
    async with httpx.AsyncClient(
        base_url=live_server.url, cookies={SESSION_COOKIE: cookie}, timeout=30
    ) as browser:
        forged = await browser.post(f"/api/v1/conversations/{conversation}/read")
    async with httpx.AsyncClient(base_url=live_server.url, timeout=30) as stranger:
        anonymous = await stranger.post(f"/api/v1/conversations/{conversation}/read")
    assert (forged.status_code, forged.json()["error"]["code"]) == (403, "csrf_failed")
    assert anonymous.status_code == 401
    assert _unread(pg, conversation) == 1
