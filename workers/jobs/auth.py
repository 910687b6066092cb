"""Auth housekeeping, run hourly by the worker."""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

from store.repositories.auth_maintenance import purge_expired
from store.tables.base import utcnow
from workers.runtime import job_session

log = logging.getLogger("chidi.jobs.auth")


async def purge_expired_auth_tokens(ctx: dict[str, Any]) -> dict[str, int]:
    """Delete tokens, sessions and sign-in flows that can no longer be used."""
    async with job_session(ctx) as session:
        counts = asdict(await purge_expired(session, utcnow()))
    log.info("purged expired auth rows", extra=counts)
    return counts
