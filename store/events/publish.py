"""Publishing committed events: the business's bounded history, then the fan-out channel.

One Lua script per event, all pipelined in one round trip, appends the event to its
business's stream (`XADD ... MAXLEN ~ HISTORY_MAX_EVENTS`, which assigns the event's id)
and publishes `<business id> <event id> <kind> <json>` on the fan-out channel. Being one
script, the two happen together and in the same order for every event, so the order a
browser sees live is the order a reconnect replays. The stream expires a day after its
last event, so idle businesses hold no memory.

Publishing never raises: the change is committed in Postgres whatever Redis does, and a
dashboard that missed an event is told to refetch when it reconnects.
"""

from __future__ import annotations

import logging
import uuid

from pydantic_core import to_json
from redis.asyncio import Redis
from redis.exceptions import NoScriptError, RedisError

from store.events.model import LiveEvent, StoredEvent

log = logging.getLogger("chidi.live")

HISTORY_MAX_EVENTS = 1000
HISTORY_TTL_SECONDS = 24 * 3600
_MAX_EVENTS_ARG = str(HISTORY_MAX_EVENTS)
_TTL_MS_ARG = str(HISTORY_TTL_SECONDS * 1000)

_APPEND_AND_PUBLISH = """
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'e', ARGV[3], 'd', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PUBLISH', ARGV[5], ARGV[6] .. ' ' .. id .. ' ' .. ARGV[3] .. ' ' .. ARGV[4])
return id
"""


def stream_key(business_id: uuid.UUID) -> str:
    """The Redis stream holding a business's recent events."""
    return f"chidi:live:{business_id}"


def fanout_channel(redis: Redis) -> str:
    """The pub/sub channel every API process listens on. Pub/sub ignores Redis database
    numbers, so the channel names the database (test runs on other databases stay apart)."""
    database = redis.connection_pool.connection_kwargs.get("db", 0)
    return f"chidi:live:fanout:{database}"


def encode(live_event: LiveEvent) -> str:
    """An event's data as compact JSON (UUIDs and datetimes as the API writes them)."""
    return to_json(live_event.data).decode()


def parse_fanout(message: bytes | str) -> StoredEvent | None:
    """A fan-out channel message as an event; None for anything malformed."""
    text = message.decode() if isinstance(message, bytes) else message
    parts = text.split(" ", 3)
    if len(parts) != 4:
        return None
    business, event_id, kind, data = parts
    try:
        business_id = uuid.UUID(business)
    except ValueError:
        return None
    return StoredEvent(id=event_id, business_id=business_id, kind=kind, data=data)


class RedisEventPublisher:
    """Publishes committed events through Redis (the `Publisher` the sessions use)."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._script = redis.register_script(_APPEND_AND_PUBLISH)
        self._channel = fanout_channel(redis)

    async def publish(self, events: list[LiveEvent]) -> None:
        """Append and announce `events`, in order, in one round trip; log a failure."""
        if not events:
            return
        try:
            try:
                await self._send(events)
            except NoScriptError:  # Redis restarted or flushed its scripts: load it again
                await self._redis.script_load(self._script.script)
                await self._send(events)
        except (RedisError, OSError) as exc:
            log.warning(
                "live events not published", extra={"count": len(events), "error": repr(exc)}
            )

    async def _send(self, events: list[LiveEvent]) -> None:
        # EVALSHA by hand: a redis-py pipeline running a registered script first asks
        # SCRIPT EXISTS, a second round trip on every publish.
        async with self._redis.pipeline(transaction=False) as pipe:
            for live_event in events:
                pipe.evalsha(
                    self._script.sha,
                    1,
                    stream_key(live_event.business_id),
                    _MAX_EVENTS_ARG,
                    _TTL_MS_ARG,
                    live_event.kind.value,
                    encode(live_event),
                    self._channel,
                    str(live_event.business_id),
                )
            await pipe.execute()
