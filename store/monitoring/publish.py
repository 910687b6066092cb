"""Processes publish their Prometheus text to Redis so others can read it: the API's
/metrics merges the workers' (core.metrics.merged_exposition), and the alert job reads
the API's and workers' counters (store.monitoring.snapshot)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import AsyncIterator, Callable

from redis.asyncio import Redis

log = logging.getLogger("chidi.monitoring")

WORKER_PREFIX = "chidi:metrics:worker:"
API_PREFIX = "chidi:metrics:api:"
# A dead process's numbers vanish this long after its last publish.
TTL_SECONDS = 60
PROCESS_ID = f"{socket.gethostname()}-{os.getpid()}"


async def publish(redis: Redis, prefix: str, text: bytes) -> None:
    """Store this process's text under `prefix` (expiring unless refreshed)."""
    await redis.set(prefix + PROCESS_ID, text, ex=TTL_SECONDS)


async def snapshots(redis: Redis, prefix: str) -> dict[str, str]:
    """The live processes' texts under `prefix`, by process id."""
    keys = [key async for key in redis.scan_iter(match=prefix + "*", count=100)]
    if not keys:
        return {}
    found: dict[str, str] = {}
    for key, value in zip(keys, await redis.mget(keys), strict=True):
        if value is not None:
            name = key.decode() if isinstance(key, bytes) else str(key)
            found[name.removeprefix(prefix)] = (
                value.decode() if isinstance(value, bytes) else str(value)
            )
    return found


@contextlib.asynccontextmanager
async def publishing(
    redis: Redis, prefix: str, text: Callable[[], bytes], every_seconds: float = 10.0
) -> AsyncIterator[None]:
    """Publish `text()` every `every_seconds` while the block runs (the API's lifespan)."""

    async def loop() -> None:
        while True:
            try:
                await publish(redis, prefix, text())
            except Exception:  # Redis down: metrics wait, serving does not
                log.warning("publishing metrics failed", exc_info=True)
            await asyncio.sleep(every_seconds)

    task = asyncio.create_task(loop())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
