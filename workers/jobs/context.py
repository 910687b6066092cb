"""The `embed_business_context` job: re-chunk and re-embed a business's profile fields.

Thin on purpose: it opens a session and calls `store.context.sync.embed_business_context`,
which is idempotent, so a retried or duplicated job does no harm (and no embedding work
when nothing changed). Enqueue it after the profile change has committed.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import asdict
from typing import Any, Final

from redis.asyncio import Redis
from redis.exceptions import RedisError

from store.context import sync
from workers.enqueue import job_queue
from workers.runtime import job_session, worker_context

log = logging.getLogger("chidi.jobs.context")

EMBED_CONTEXT_JOB: Final = "embed_business_context"


async def embed_business_context(
    ctx: dict[str, Any], business_id: str, fields: list[str] | None = None
) -> dict[str, Any]:
    """Bring the business's context chunks and vectors in step with its profile.

    `fields` None re-chunks every profile field (and re-checks the facts' vectors).
    """
    store = worker_context(ctx)["context_store"]
    async with job_session(ctx) as session:
        result = await sync.embed_business_context(session, store, uuid.UUID(business_id), fields)
    return asdict(result)


async def enqueue_embed_business_context(
    redis: Redis, business_id: uuid.UUID, fields: list[str] | None = None
) -> bool:
    """Put an `embed_business_context` job on the queue; False if Redis is unreachable.

    No fixed job id: a job already running may have read the profile before this change,
    and a duplicate run is harmless (the job is idempotent).
    """
    try:
        await job_queue(redis).enqueue_job(EMBED_CONTEXT_JOB, str(business_id), fields)
    except (RedisError, OSError):
        log.warning("could not enqueue context embedding", extra={"business_id": str(business_id)})
        return False
    return True
