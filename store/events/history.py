"""Where a connecting stream starts, and what a reconnecting one missed.

`snapshot` reads, atomically (one Lua script), Redis's clock, the business's latest event
id, its oldest retained event and whether any was ever trimmed, and the events after the
client's Last-Event-ID. Whether that replay is everything the client missed is
`replay_is_complete`: the history is trimmed from the front and expires a day after its
last event, so a replay is complete only when nothing after the client's id can have been
trimmed or expired. Otherwise the client is told to refetch (`resync`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from store.events.model import StoredEvent, event_id_key
from store.events.publish import HISTORY_TTL_SECONDS, stream_key

# Ids a little ahead of Redis's clock are accepted (ids come from the clock of the Redis
# that issued them; a failover may move it a little); further ahead is a made-up id.
MAX_CLOCK_SKEW_MS = 5_000
_LARGEST_SEQUENCE = 2**64 - 1

_SNAPSHOT = """
local clock = redis.call('TIME')
local now_ms = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
if redis.call('EXISTS', KEYS[1]) == 0 then
  return {tostring(now_ms), false, false, 0, {}}
end
local info = redis.call('XINFO', 'STREAM', KEYS[1])
local last, first, length, added = false, false, 0, 0
for i = 1, #info, 2 do
  if info[i] == 'last-generated-id' then last = info[i + 1] end
  if info[i] == 'first-entry' and info[i + 1] then first = info[i + 1][1] end
  if info[i] == 'length' then length = info[i + 1] end
  if info[i] == 'entries-added' then added = info[i + 1] end
end
local entries = {}
if ARGV[1] ~= '' then entries = redis.call('XRANGE', KEYS[1], '(' .. ARGV[1], '+') end
return {tostring(now_ms), last, first, added - length, entries}
"""


@dataclass(frozen=True)
class Snapshot:
    """A business's history as a stream sees it when it connects."""

    now_ms: int
    # The id a stream starts after: the latest event's, or (no history) just before now.
    position: str
    # Whether the replay holds every event after the client's id (True without one).
    complete: bool
    replay: list[StoredEvent]


def replay_is_complete(
    after: tuple[int, int],
    *,
    now_ms: int,
    oldest_retained: tuple[int, int] | None,
    trimmed: bool,
    ttl_ms: int = HISTORY_TTL_SECONDS * 1000,
) -> bool:
    """Whether the retained history holds every event after id `after`.

    No when `after` is from the future (made up), older than the history's lifetime (the
    stream may have expired and been recreated since), or older than the oldest retained
    event of a stream that has been trimmed (what lay between may be gone). A missing
    stream with a recent `after` had no events since: any would have kept it alive.
    """
    if after[0] > now_ms + MAX_CLOCK_SKEW_MS or now_ms - after[0] > ttl_ms:
        return False
    return not trimmed or oldest_retained is None or oldest_retained <= after


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _stored(business_id: uuid.UUID, entry: Any) -> StoredEvent:
    event_id, flat = entry
    fields = {_text(flat[i]): _text(flat[i + 1]) for i in range(0, len(flat), 2)}
    return StoredEvent(
        id=_text(event_id), business_id=business_id, kind=fields["e"], data=fields["d"]
    )


class HistoryReader:
    """Reads businesses' event histories (one registered script per Redis client)."""

    def __init__(self, redis: Redis) -> None:
        self._script = redis.register_script(_SNAPSHOT)

    async def snapshot(self, business_id: uuid.UUID, after: str | None) -> Snapshot:
        """The stream's starting point for a client that last saw `after` (or nothing)."""
        after_key = event_id_key(after) if after else None
        now_ms, last, first, trimmed, entries = await self._script(
            keys=[stream_key(business_id)], args=[after if after and after_key else ""]
        )
        now = int(_text(now_ms))
        position = _text(last) if last else f"{now - 1}-{_LARGEST_SEQUENCE}"
        if after is None:
            return Snapshot(now, position, complete=True, replay=[])
        complete = after_key is not None and replay_is_complete(
            after_key,
            now_ms=now,
            oldest_retained=event_id_key(_text(first)) if first else None,
            trimmed=int(trimmed) > 0,
        )
        replay = [_stored(business_id, entry) for entry in entries] if complete else []
        return Snapshot(now, position, complete=complete, replay=replay)
