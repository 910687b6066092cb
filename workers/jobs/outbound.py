"""The sender job and its sweeper: every outbox row is delivered once (workers/delivery.py).

`deliver_outbox` is enqueued right after a row is committed; `sweep_outbox` re-drives
rows nobody took up, rows due for retry, and rows whose sender died mid-send.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from typing import Any

from channels.ratelimit import RedisTokenBucket
from store.conversations.outbox import due
from workers.delivery import DeliveryDeps, deliver
from workers.enqueue import enqueue_delivery
from workers.runtime import job_session, worker_context

log = logging.getLogger("chidi.jobs.outbound")
# A pending row's own job normally takes it within milliseconds; after this the sweeper does.
PENDING_GRACE_SECONDS = 5.0


def delivery_deps(ctx: dict[str, Any]) -> DeliveryDeps:
    """The sender's dependencies from the worker's context."""
    context = worker_context(ctx)
    settings = context["settings"]
    limiter = RedisTokenBucket(
        ctx["redis"], rate=settings.channel_send_rate_per_second, burst=settings.channel_send_burst
    )
    return DeliveryDeps(
        sessionmaker=context["sessionmaker"],
        settings=settings,
        http=context["http"],
        limiter=limiter,
    )


async def deliver_outbox(ctx: dict[str, Any], outbox_id: str) -> str:
    """Deliver one outbox row (a no-op if it is sent, dead, or claimed by a live worker)."""
    return (await deliver(delivery_deps(ctx), uuid.UUID(outbox_id))).value


async def deliver_now(ctx: dict[str, Any], outbox_ids: Iterable[uuid.UUID]) -> None:
    """Deliver rows a job has just committed, in that job: a reply goes out without waiting
    for another job to be picked up. If that fails unexpectedly (not a send failure, which
    `deliver` records), a `deliver_outbox` job takes over."""
    deps = delivery_deps(ctx)
    for outbox_id in outbox_ids:
        try:
            await deliver(deps, outbox_id)
        except Exception:
            log.exception(
                "inline delivery failed; handing it to a job", extra={"outbox_id": str(outbox_id)}
            )
            await enqueue_delivery(ctx["redis"], outbox_id)


async def sweep_outbox(ctx: dict[str, Any]) -> int:
    """Enqueue every outbox row that is due and that no live job is delivering."""
    async with job_session(ctx) as session:
        rows = await due(session, pending_grace_seconds=PENDING_GRACE_SECONDS, limit=500)
    for outbox_id, attempts in rows:
        await enqueue_delivery(ctx["redis"], outbox_id, attempt=attempts)
    if rows:
        log.info("outbox rows re-driven", extra={"count": len(rows)})
    return len(rows)
