"""The owner's live event stream: `GET /api/v1/events` (text/event-stream).

Protocol (docs/inbox.md has the client side):

- The first message sets `retry: 3000` (reconnect after 3 s).
- `new_message`, `new_conversation`, `conversation_updated`, `notification`: changes to
  the owner's inbox, each with an `id` (a Redis stream id, ordered per business) and a
  JSON `data` (see `store.events.model`).
- `ready` {"resumed", "replayed"}: the stream is live. After a reconnect with
  Last-Event-ID it follows the `replayed` events the client missed; its id is the
  stream's position, so a browser that reconnects before any event still resumes here.
- `resync` {"reason"}: what the client missed can no longer be replayed (history trimmed
  or expired, or an unknown id); refetch the inbox, then carry on from this event's id.
- `error` {"error": {...}}: the history could not be read; the stream ends and the
  client reconnects.
- Comment lines (`: ping ...`) every `LIVE_HEARTBEAT_SECONDS` keep proxies from closing
  an idle stream.

The stream subscribes to the process's hub before it reads the history, so an event
committed while it connects is in the replay or arrives live (and is sent once: live
events at or before the position are skipped).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Mapping

from redis.exceptions import RedisError
from sse_starlette import ServerSentEvent

from api.live.hub import LiveHub, sse_frame
from core.errors import ServiceUnavailable
from store.events.history import HistoryReader, Snapshot
from store.events.model import event_id_key

RETRY_MILLISECONDS = 3000


def _json(data: Mapping[str, object]) -> str:
    return json.dumps(data, separators=(",", ":"))


def opening(snapshot: Snapshot, last_event_id: str | None) -> ServerSentEvent:
    """`ready` when the client has everything (or asked for nothing), else `resync`."""
    if not snapshot.complete:
        reason = "unknown_event_id" if event_id_key(last_event_id or "") is None else "expired"
        return ServerSentEvent(event="resync", id=snapshot.position, data=_json({"reason": reason}))
    data = {"resumed": last_event_id is not None, "replayed": len(snapshot.replay)}
    return ServerSentEvent(event="ready", id=snapshot.position, data=_json(data))


async def owner_events(
    hub: LiveHub, history: HistoryReader, business_id: uuid.UUID, last_event_id: str | None
) -> AsyncIterator[ServerSentEvent | bytes]:
    """The business's events from `last_event_id` on (or from now), until disconnected."""
    yield ServerSentEvent(comment="connected", retry=RETRY_MILLISECONDS)
    async with hub.subscribe(business_id) as subscription:
        try:
            snapshot = await history.snapshot(business_id, last_event_id)
        except (RedisError, OSError):
            failure = ServiceUnavailable("Live updates are unavailable right now; reconnecting.")
            yield ServerSentEvent(event="error", data=_json(failure.to_body()))
            return
        for missed in snapshot.replay:
            yield sse_frame(missed)
        yield opening(snapshot, last_event_id)
        cursor = event_id_key(snapshot.position) or (0, 0)
        while (delivery := await subscription.next()) is not None:
            if delivery.key > cursor:
                cursor = delivery.key
                yield delivery.frame
