"""Live events on one API process: published after commit, streamed per business over SSE,
resumed with Last-Event-ID, authenticated by bearer token or single-use ticket."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import psycopg
import pytest
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from api.pages.cookies import SESSION_COOKIE, SessionTokens, encode_session
from core.settings import Settings
from store.conversations.status import change_status
from store.db import create_sessionmaker, session_scope
from store.events import model as live
from store.events.pending import announce, configure_publisher
from store.events.publish import HISTORY_MAX_EVENTS, RedisEventPublisher, stream_key
from store.tables.enums import ConversationStatus, StatusActor
from tests.integration.inbox.support import (
    Shop,
    event_of,
    event_stream,
    open_shop,
    seed_conversation,
)
from tests.support.conversations import customer_message, new_customer, one, post_webhook
from tests.support.live_server import LiveServer, start_live_server


async def test_events_are_published_only_once_their_transaction_commits(
    engine: AsyncEngine, redis: Redis, shop: Shop, pg: psycopg.Connection
) -> None:
    conversation = seed_conversation(pg, shop)
    sessionmaker = create_sessionmaker(engine)
    configure_publisher(sessionmaker, RedisEventPublisher(redis))
    key = stream_key(shop.business_id)

    async def move(to: ConversationStatus) -> None:
        async with session_scope(sessionmaker) as session:
            await change_status(
                session,
                business_id=shop.business_id,
                conversation_id=conversation,
                to=to,
                actor=StatusActor.HUMAN,
                reason="test",
            )
            assert await redis.xlen(key) == 0  # announced, not yet published
            if to is ConversationStatus.ARCHIVED:
                raise RuntimeError("the request failed after the change")

    with pytest.raises(RuntimeError):
        await move(ConversationStatus.ARCHIVED)
    assert await redis.xlen(key) == 0  # rolled back: never announced
    await move(ConversationStatus.ACTIVE_HUMAN)
    [(_event_id, fields)] = await redis.xrange(key)
    assert fields[b"e"] == b"conversation_updated"
    assert live.EventKind(fields[b"e"].decode()) is live.EventKind.CONVERSATION_UPDATED
    assert b'"status":"active_human"' in fields[b"d"]
    assert b'"previous_status":"active_ai"' in fields[b"d"]
    assert one(pg, "SELECT status::text FROM conversations WHERE id = %s", conversation) == (
        "active_human"
    )
    # A session without a publisher (a script, a test's session) publishes nothing.
    async with session_scope(create_sessionmaker(engine)) as session:
        announce(session, live.conversation_updated(shop.business_id, conversation, tags=["x"]))
    assert await redis.xlen(key) == 1


async def test_an_owner_sees_their_changes_live_and_never_another_business_s(
    live_server: LiveServer,
    owner_api: httpx.AsyncClient,
    shop: Shop,
    rival: Shop,
    pg: psycopg.Connection,
) -> None:
    conversation = seed_conversation(pg, shop, status="escalated_human_needed")
    theirs = seed_conversation(pg, rival)
    async with (
        event_stream(live_server.url, headers=shop.auth) as mine,
        event_stream(live_server.url, headers=rival.auth) as rivals,
    ):
        ready = await mine.wait_for(event_of("ready"))
        assert ready.json() == {"resumed": False, "replayed": 0}
        await rivals.wait_for(event_of("ready"))
        sent = await owner_api.post(
            f"/api/v1/conversations/{conversation}/messages", json={"text_content": "On it!"}
        )
        assert sent.status_code == 201
        new_message = await mine.wait_for(event_of("new_message", conversation))
        assert new_message.json()["message"] == {
            **sent.json(),
            "platform_timestamp": new_message.json()["message"]["platform_timestamp"],
        }
        updated = await mine.wait_for(
            lambda e: e.event == "conversation_updated" and "status" in e.json()
        )
        assert updated.json()["status"] == "active_human"
        assert updated.json()["previous_status"] == "escalated_human_needed"
        assert int(updated.id.split("-")[0]) >= int(new_message.id.split("-")[0])  # type: ignore[union-attr]

        async with rival.client(live_server.url) as rival_api:
            await rival_api.put(f"/api/v1/conversations/{theirs}/tags", json={"tags": ["theirs"]})
        own = await rivals.wait_for(event_of("conversation_updated"))
        assert own.json() == {"conversation_id": str(theirs), "tags": ["theirs"]}
        # The rival's stream carried its own event and nothing of the first shop's.
        assert [e.event for e in rivals.events] == ["ready", "conversation_updated"]
        assert all(e.json().get("conversation_id") != str(theirs) for e in mine.events[1:])


async def test_a_webhook_s_new_conversation_and_message_are_announced(
    live_server: LiveServer, shop: Shop
) -> None:
    customer = new_customer()
    async with event_stream(live_server.url, headers=shop.auth) as stream:
        await stream.wait_for(event_of("ready"))
        async with httpx.AsyncClient(base_url=live_server.url) as meta:
            posted = await post_webhook(
                meta,
                shop.connection,
                customer_message(shop.connection, customer, "Hi, open today?"),
            )
        assert posted.status_code == 200
        started = await stream.wait_for(event_of("new_conversation"))
        assert (started.json()["platform"], started.json()["status"]) == ("instagram", "active_ai")
        message = await stream.wait_for(event_of("new_message"))
        assert message.json()["conversation_id"] == started.json()["conversation_id"]
        assert message.json()["message"]["sender_type"] == "customer"
        assert message.json()["message"]["text_content"] == "Hi, open today?"
        assert stream.events.index(started) < stream.events.index(message)


async def test_a_reconnect_with_last_event_id_gets_what_it_missed(
    live_server: LiveServer, owner_api: httpx.AsyncClient, shop: Shop, pg: psycopg.Connection
) -> None:
    conversation = seed_conversation(pg, shop)
    base = f"/api/v1/conversations/{conversation}"
    async with event_stream(live_server.url, headers=shop.auth) as first:
        last_seen = (await first.wait_for(event_of("ready"))).id
    assert last_seen is not None
    await owner_api.post(f"{base}/notes", json={"text": "while you were away"})
    await owner_api.put(f"{base}/tags", json={"tags": ["missed"]})

    async with event_stream(
        live_server.url, headers={**shop.auth, "Last-Event-ID": last_seen}
    ) as resumed:
        ready = await resumed.wait_for(event_of("ready"))
        assert ready.json() == {"resumed": True, "replayed": 2}
        replayed = resumed.events[:2]
        assert [sorted(e.json()) for e in replayed] == [
            ["conversation_id", "notes"],
            ["conversation_id", "tags"],
        ]
        await owner_api.put(f"{base}/tags", json={"tags": ["live"]})
        live_event = await resumed.wait_for(
            lambda e: e.event == "conversation_updated" and e.json().get("tags") == ["live"]
        )
    # The query parameter works the same (for a dashboard reconnecting by itself).
    async with event_stream(
        live_server.url, headers=shop.auth, params={"last_event_id": replayed[0].id or ""}
    ) as again:
        assert (await again.wait_for(event_of("ready"))).json() == {"resumed": True, "replayed": 2}
        assert [e.id for e in again.events[:2]] == [replayed[1].id, live_event.id]


async def test_a_reconnect_that_cannot_be_replayed_is_told_to_resync(
    live_server: LiveServer, shop: Shop, redis: Redis
) -> None:
    publisher = RedisEventPublisher(redis)
    events = [
        live.conversation_updated(shop.business_id, uuid.uuid4(), unread_count=n)
        for n in range(HISTORY_MAX_EVENTS + 150)
    ]
    await publisher.publish(events[:1])
    [(oldest, _)] = await redis.xrange(stream_key(shop.business_id), count=1)
    await publisher.publish(events[1:])  # the history keeps ~1,000: `oldest` is trimmed

    for last_event_id, reason in (
        (oldest.decode(), "expired"),
        ("1000-0", "expired"),  # older than the history's lifetime
        ("not-an-id", "unknown_event_id"),
        ("99999999999999-0", "expired"),  # from the future
    ):
        async with event_stream(
            live_server.url, headers={**shop.auth, "Last-Event-ID": last_event_id}
        ) as stream:
            resync = await stream.wait_for(lambda e: e.event in {"ready", "resync"})
            assert (resync.event, resync.json()) == ("resync", {"reason": reason})
            assert stream.events == [resync]  # nothing replayed: the client refetches


async def _script_exists_calls(redis: Redis) -> int:
    stats = await redis.info("commandstats")
    return int(stats.get("cmdstat_script|exists", {}).get("calls", 0))


async def test_publishing_is_one_round_trip_and_survives_a_script_flush(
    shop: Shop, redis: Redis
) -> None:
    publisher = RedisEventPublisher(redis)
    key = stream_key(shop.business_id)
    asked = await _script_exists_calls(redis)
    await redis.script_flush()  # as after a Redis restart: the script must be loaded again
    for unread in (1, 2):
        await publisher.publish(
            [live.conversation_updated(shop.business_id, uuid.uuid4(), unread_count=unread)]
        )
    assert await redis.xlen(key) == 2
    # No SCRIPT EXISTS before each pipeline (redis-py's way): EVALSHA, reloaded on NOSCRIPT.
    assert await _script_exists_calls(redis) == asked


async def test_a_browser_opens_the_stream_with_a_single_use_ticket(
    live_server: LiveServer, owner_api: httpx.AsyncClient, shop: Shop
) -> None:
    issued = await owner_api.post("/api/v1/events/ticket")
    assert issued.status_code == 201
    body = issued.json()
    assert body["expires_in_seconds"] == 60
    assert body["stream_url"].startswith("/api/v1/events?ticket=")
    async with event_stream(live_server.url, params={"ticket": body["ticket"]}) as stream:
        assert stream.status_code == 200
        await stream.wait_for(event_of("ready"))
    async with event_stream(live_server.url, params={"ticket": body["ticket"]}) as replayed:
        assert replayed.status_code == 401
        assert '"code":"ticket_used"' in replayed.error_body
    forged = body["ticket"][:-4] + ("AAAA" if not body["ticket"].endswith("AAAA") else "BBBB")
    for params, code in (({"ticket": forged}, "ticket_invalid"), ({}, "missing_token")):
        async with event_stream(live_server.url, params=params) as refused:
            assert refused.status_code == 401
            assert f'"code":"{code}"' in refused.error_body
    async with httpx.AsyncClient(base_url=live_server.url) as anonymous:
        assert (await anonymous.post("/api/v1/events/ticket")).status_code == 401


async def test_the_web_app_s_event_source_is_authenticated_by_its_session_cookie(
    live_server: LiveServer, shop: Shop, pg: psycopg.Connection
) -> None:
    conversation = seed_conversation(pg, shop)
    cookie = encode_session(SessionTokens(shop.token, "refresh-token-unused"))
    async with event_stream(
        live_server.url, headers={"Cookie": f"{SESSION_COOKIE}={cookie}"}
    ) as stream:
        await stream.wait_for(event_of("ready"))
        async with shop.client(live_server.url) as owner_api:
            await owner_api.put(f"/api/v1/conversations/{conversation}/tags", json={"tags": ["a"]})
        await stream.wait_for(event_of("conversation_updated", conversation))


@pytest.fixture(scope="module")
def chatty_server(settings: Settings, migrated_database: str) -> Iterator[LiveServer]:
    """An API whose streams send a heartbeat every 0.3 s."""
    server = start_live_server(settings.model_copy(update={"live_heartbeat_seconds": 0.3}))
    yield server
    server.stop()


async def test_idle_streams_get_heartbeats(
    chatty_server: LiveServer, pg: psycopg.Connection, settings: Settings
) -> None:
    shop = open_shop(pg, settings, issuer_url=chatty_server.url)
    async with event_stream(chatty_server.url, headers=shop.auth) as stream:
        await stream.wait_for(event_of("ready"))
        assert await stream.wait_for_comment("ping", within=5)
        assert stream.comments[0] == "connected"
