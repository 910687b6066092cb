"""Group commit for webhook deliveries: many concurrent deliveries, one transaction.

Under load most of a delivery's cost is the transaction around it (a pooled connection,
BEGIN, COMMIT) and the round trips, not its one INSERT statement. Deliveries arriving
while a transaction is in flight therefore wait and are written together in the next one
(their statements sent to Postgres together, `store.conversations.ingest.record_all`),
then their replies are enqueued in one Redis pipeline; each request still gets its answer
only after its own rows are committed. With no concurrency a batch is a single delivery
and nothing waits.

A delivery whose connection is gone writes nothing (its statements check that first) and
fails alone. Any other failure aborts the shared transaction, so its deliveries are
retried one by one, each in its own transaction, and only the failing one fails (a
database error answers 503, so Meta redelivers).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from store.conversations.ingest import Ingested, Recording, record_all
from store.db import session_scope
from workers.enqueue import enqueue_replies

log = logging.getLogger("chidi.webhooks")


@dataclass
class _Pending:
    recording: Recording
    done: asyncio.Future[Ingested] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class WebhookWriter:
    """Writes deliveries in shared transactions; at most `max_batch` per transaction."""

    max_batch = 64

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        redis: Redis,
        *,
        debounce_seconds: float,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._redis = redis
        self._debounce = debounce_seconds
        self._queue: list[_Pending] = []
        self._drainer: asyncio.Task[None] | None = None

    async def write(self, recording: Recording) -> Ingested:
        """Record a delivery in a committed transaction (shared with concurrent deliveries)
        and enqueue the replies it asks for; what it changed."""
        pending = _Pending(recording)
        self._queue.append(pending)
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.get_running_loop().create_task(self._drain())
        return await pending.done

    async def _drain(self) -> None:
        while self._queue:
            batch, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch :]
            await self._write_batch(batch)

    async def _write_batch(self, batch: list[_Pending]) -> None:
        results: list[Ingested | BaseException]
        try:
            async with session_scope(self._sessionmaker) as session:
                results = [*await record_all(session, [p.recording for p in batch])]
        except Exception as exc:  # isolated below, one delivery at a time
            log.warning(
                "a shared webhook transaction failed; writing one by one",
                extra={"deliveries": len(batch), "error": type(exc).__name__},
            )
            results = [await self._alone(pending) for pending in batch]
        except BaseException as exc:  # cancelled (shutdown): tell every waiting request
            for pending in batch:
                if not pending.done.done():
                    pending.done.set_exception(exc)
            raise
        await enqueue_replies(
            self._redis,
            [
                (a.conversation_id, a.message_id)
                for r in results
                if isinstance(r, Ingested)
                for a in r.awaiting
            ],
            debounce_seconds=self._debounce,
        )
        for pending, result in zip(batch, results, strict=True):
            if pending.done.done():
                continue
            if isinstance(result, BaseException):
                pending.done.set_exception(result)
            else:
                pending.done.set_result(result)

    async def _alone(self, pending: _Pending) -> Ingested | BaseException:
        try:
            async with session_scope(self._sessionmaker) as session:
                return await pending.recording.record(session)
        except Exception as exc:  # handed to that delivery's request
            return exc
