"""The archiving sweep: resolved conversations idle for `INBOX_ARCHIVE_AFTER_DAYS` (30)
are archived, in small batches, each its own transaction (so owners' dashboards hear of
each batch as it commits, and a long backlog never holds locks for long)."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from store.conversations.archive import archive_idle
from store.tables.base import utcnow
from workers.runtime import job_session, worker_context

log = logging.getLogger("chidi.jobs.archive")
BATCH_SIZE = 500
# Bounded per run: a huge backlog is worked off over a few runs, not in one long job.
MAX_BATCHES = 40


async def archive_idle_conversations(ctx: dict[str, Any]) -> int:
    """Archive resolved conversations idle past the cut-off; how many were archived."""
    settings = worker_context(ctx)["settings"]
    cutoff = utcnow() - timedelta(days=settings.inbox_archive_after_days)
    total = 0
    for _ in range(MAX_BATCHES):
        async with job_session(ctx) as session:
            archived = await archive_idle(session, cutoff=cutoff, limit=BATCH_SIZE)
        total += len(archived)
        if len(archived) < BATCH_SIZE:
            break
    if total:
        log.info("idle conversations archived", extra={"count": total})
    return total
