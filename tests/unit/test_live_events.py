"""Live events without Redis: ids, the replay rule, the fan-out wire format, the hub."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from redis.asyncio import Redis

from api.live.hub import LiveHub
from api.live.stream import opening
from store.events import model as live
from store.events.history import MAX_CLOCK_SKEW_MS, Snapshot, replay_is_complete
from store.events.model import event_id_key
from store.events.publish import encode, fanout_channel, parse_fanout

NOW_MS = 1_795_000_000_000
DAY_MS = 24 * 3600 * 1000


def test_event_ids_are_stream_ids_ordered_as_numbers() -> None:
    assert event_id_key("1795000000000-3") == (1_795_000_000_000, 3)
    assert event_id_key("99-10") > event_id_key("99-9")  # type: ignore[operator]
    for bad in ("", "abc", "1-", "-1", "1-2-3", "1.5-0", "12345678901234567890123-0"):
        assert event_id_key(bad) is None


def test_a_replay_is_complete_only_when_nothing_after_the_id_can_be_gone() -> None:
    recent = (NOW_MS - 60_000, 0)
    older, newer = (NOW_MS - 90_000, 0), (NOW_MS - 30_000, 0)

    def complete(after: tuple[int, int], oldest: tuple[int, int] | None, trimmed: bool) -> bool:
        return replay_is_complete(after, now_ms=NOW_MS, oldest_retained=oldest, trimmed=trimmed)

    # The oldest retained event is at or before the client's: nothing after it was trimmed.
    assert complete(recent, older, trimmed=True)
    assert complete(recent, recent, trimmed=True)
    # Trimmed past the client's id: what lay between may be lost.
    assert not complete(recent, newer, trimmed=True)
    # Never trimmed: the stream began after the client's id, so it holds everything since.
    assert complete(recent, newer, trimmed=False)
    # No stream and a recent id: nothing happened since (an event would have kept it alive).
    assert complete(recent, None, trimmed=False)
    # Older than the history's lifetime: it may have expired and been recreated since.
    assert not complete((NOW_MS - DAY_MS - 1, 0), (NOW_MS - 10, 0), trimmed=False)
    # From the future: made up (it would otherwise filter out every live event).
    assert not complete((NOW_MS + MAX_CLOCK_SKEW_MS + 1, 0), None, trimmed=False)


def test_events_travel_as_compact_json_with_ids_and_times_as_the_api_writes_them() -> None:
    business, conversation, message = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    event = live.new_message(
        business,
        conversation,
        message_id=message,
        sender_type="customer",
        text_content="hi there",
        platform_timestamp=datetime(2026, 11, 25, 9, 0, tzinfo=UTC),
    )
    data = json.loads(encode(event))
    assert data["conversation_id"] == str(conversation)
    assert data["message"]["id"] == str(message)
    assert data["message"]["platform_timestamp"] == "2026-11-25T09:00:00Z"
    wire = f"{business} 1795000000000-0 new_message {encode(event)}"
    parsed = parse_fanout(wire.encode())
    assert parsed is not None
    assert (parsed.business_id, parsed.id, parsed.kind) == (
        business,
        "1795000000000-0",
        "new_message",
    )
    assert json.loads(parsed.data) == data
    assert parse_fanout(b"not-a-uuid 1-0 new_message {}") is None
    assert parse_fanout(b"too few") is None


def test_the_fanout_channel_names_the_redis_database() -> None:
    assert fanout_channel(Redis.from_url("redis://127.0.0.1:1/7")) == "chidi:live:fanout:7"
    assert fanout_channel(Redis.from_url("redis://127.0.0.1:1")) == "chidi:live:fanout:0"


async def test_the_hub_routes_events_to_their_business_and_ends_streams_that_fall_behind() -> None:
    hub = LiveHub(Redis.from_url("redis://127.0.0.1:1/0"), capacity=2)
    mine, other = uuid.uuid4(), uuid.uuid4()
    async with hub.subscribe(mine) as first, hub.subscribe(mine) as second:
        async with hub.subscribe(other) as theirs:
            hub.dispatch(f"{mine} 1-0 notification {{}}".encode())
            assert hub.stream_count == 3
            assert (await first.next()) == (await second.next())
            hub.dispatch(f"{other} 2-0 notification {{}}")
            got = await theirs.next()  # the other business's event, not ours before it
            assert got is not None
            assert (got.event.business_id, got.key) == (other, (2, 0))
            assert got.frame == b"id: 2-0\r\nevent: notification\r\ndata: {}\r\n\r\n"
        hub.dispatch(b"garbage")  # ignored
        for n in range(3):  # `second` reads nothing: the third event overflows it
            hub.dispatch(f"{mine} {3 + n}-0 notification {{}}")
            assert await first.next() is not None
        assert hub.stream_count == 1
        assert [await second.next() for _ in range(3)][-1] is None  # told to end
    assert hub.stream_count == 0


def test_a_stream_opens_with_ready_or_resync() -> None:
    fresh = opening(Snapshot(NOW_MS, "5-0", complete=True, replay=[]), None)
    assert (fresh.event, fresh.id, json.loads(str(fresh.data))) == (
        "ready",
        "5-0",
        {"resumed": False, "replayed": 0},
    )
    lost = opening(Snapshot(NOW_MS, "9-0", complete=False, replay=[]), "1-0")
    assert (lost.event, lost.id, json.loads(str(lost.data))) == (
        "resync",
        "9-0",
        {"reason": "expired"},
    )
    made_up = opening(Snapshot(NOW_MS, "9-0", complete=False, replay=[]), "x")
    assert json.loads(str(made_up.data)) == {"reason": "unknown_event_id"}
