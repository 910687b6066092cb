"""One Redis subscription per API process, fanned out in memory to its open streams.

Every committed event is published once on the fan-out channel (`store.events.publish`).
Each API process holds a single subscription to it, on a Redis connection of its own, and
hands each event to the streams of that event's business, so 500 open dashboards cost one
Redis connection, not 500, and each event is encoded to its SSE frame once, however many
streams it goes to. A stream that cannot keep up (its queue is full) is ended rather
than allowed to fall behind silently; so is every stream when the subscription drops. Both
reconnect with Last-Event-ID and are replayed what they missed from the business's history.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sse_starlette import ServerSentEvent

from store.events.model import StoredEvent, event_id_key
from store.events.publish import fanout_channel, parse_fanout

log = logging.getLogger("chidi.live")

QUEUE_CAPACITY = 256
_RECONNECT_SECONDS = (0.2, 0.5, 1.0, 2.0, 5.0)


def sse_frame(event: StoredEvent) -> bytes:
    """A stored event as an SSE message (its data is already JSON)."""
    return ServerSentEvent(data=event.data, event=event.kind, id=event.id).encode()


@dataclass(frozen=True)
class Delivery:
    """A live event as the streams of this process send it."""

    event: StoredEvent
    # Its id as a sortable key (streams skip what they already sent), and its SSE frame.
    key: tuple[int, int]
    frame: bytes


class Subscription:
    """The live events waiting for one open stream; `None` means the stream must end."""

    def __init__(self, business_id: uuid.UUID, capacity: int) -> None:
        self.business_id = business_id
        self._queue: asyncio.Queue[Delivery | None] = asyncio.Queue(capacity + 1)
        self._capacity = capacity

    def offer(self, delivery: Delivery) -> bool:
        """Queue `delivery`; False when the stream is too far behind to take more."""
        if self._queue.qsize() >= self._capacity:
            return False
        self._queue.put_nowait(delivery)
        return True

    def end(self) -> None:
        """Tell the stream to finish (the slot beyond capacity is kept for this)."""
        with contextlib.suppress(asyncio.QueueFull):
            self._queue.put_nowait(None)

    async def next(self) -> Delivery | None:
        """The next event, waiting for one; None once the stream must end."""
        return await self._queue.get()


class LiveHub:
    """Receives the fan-out channel and routes each event to its business's streams."""

    def __init__(self, redis: Redis, *, capacity: int = QUEUE_CAPACITY) -> None:
        self._redis = redis
        self._channel = fanout_channel(redis)
        self._capacity = capacity
        self._streams: dict[uuid.UUID, set[Subscription]] = {}
        self._listening = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def stream_count(self) -> int:
        """Open streams in this process."""
        return sum(len(streams) for streams in self._streams.values())

    def start(self) -> None:
        """Start listening in the background (reconnecting whenever Redis drops)."""
        self._task = asyncio.get_running_loop().create_task(self._listen_forever())

    async def stop(self) -> None:
        """Stop listening and end every stream."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._end_all()

    async def wait_listening(self, seconds: float) -> bool:
        """Whether the subscription is up (waiting up to `seconds` for it)."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._listening.wait()
        return self._listening.is_set()

    @contextlib.asynccontextmanager
    async def subscribe(self, business_id: uuid.UUID) -> AsyncIterator[Subscription]:
        """A subscription to the business's events for the duration of the block."""
        subscription = Subscription(business_id, self._capacity)
        self._streams.setdefault(business_id, set()).add(subscription)
        try:
            yield subscription
        finally:
            self._forget(subscription)

    def dispatch(self, message: bytes | str) -> None:
        """Hand one fan-out message to the streams of its business."""
        event = parse_fanout(message)
        key = event_id_key(event.id) if event is not None else None
        if event is None or key is None:
            log.warning("malformed live event ignored")
            return
        streams = self._streams.get(event.business_id)
        if not streams:
            return
        delivery = Delivery(event, key, sse_frame(event))
        for subscription in list(streams):
            if not subscription.offer(delivery):
                log.warning(
                    "a live stream fell behind; ending it (it will resume)",
                    extra={"business_id": str(event.business_id)},
                )
                self._forget(subscription)
                subscription.end()

    def _forget(self, subscription: Subscription) -> None:
        streams = self._streams.get(subscription.business_id)
        if streams is not None:
            streams.discard(subscription)
            if not streams:
                del self._streams[subscription.business_id]

    def _end_all(self) -> None:
        for streams in list(self._streams.values()):
            for subscription in streams:
                subscription.end()
        self._streams.clear()

    async def _listen_forever(self) -> None:
        failures = 0
        while True:
            try:
                await self._listen()
            except (RedisError, OSError) as exc:
                log.warning("live event subscription lost", extra={"error": repr(exc)})
            finally:
                failures = 0 if self._listening.is_set() else failures + 1
                self._listening.clear()
                # Events may have been missed while down: every stream resumes from history.
                self._end_all()
            await asyncio.sleep(_RECONNECT_SECONDS[min(failures, len(_RECONNECT_SECONDS) - 1)])

    async def _listen(self) -> None:
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(self._channel)
            self._listening.set()
            log.info("listening for live events", extra={"channel": self._channel})
            while True:
                # A bounded wait, so the connection's health check (a PING) runs when idle.
                message = await pubsub.get_message(timeout=1.0)
                if message is not None and message.get("type") == "message":
                    self.dispatch(message["data"])
        finally:
            with contextlib.suppress(RedisError, OSError):
                await pubsub.aclose()  # type: ignore[no-untyped-call]  # redis-py is untyped here
