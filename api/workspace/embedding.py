"""Asking the worker to (re-)embed a business's context after the profile changed.

Sent only after the transaction that changed the profile has committed, so the job reads
the new values. The job is idempotent and re-chunks only what changed, so a repeated or
lost enqueue costs little: the next change (or a PUT of the same values) embeds again.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from typing import Final

from arq.connections import ArqRedis
from redis.exceptions import RedisError

log = logging.getLogger("chidi.workspace")

EMBED_CONTEXT_JOB: Final = "embed_business_context"


async def enqueue_context_embedding(
    jobs: ArqRedis, business_id: uuid.UUID, fields: Sequence[str]
) -> bool:
    """Queue the embedding job for `fields` of the business; False if Redis is unreachable."""
    if not fields:
        return True
    try:
        await jobs.enqueue_job(EMBED_CONTEXT_JOB, str(business_id))
    except (RedisError, OSError) as exc:
        log.warning(
            "could not enqueue context embedding",
            extra={"business_id": str(business_id), "error": type(exc).__name__},
        )
        return False
    return True
