"""arq queues and worker metric snapshots, as Redis holds them.

arq keeps a queue as a sorted set of job ids scored by the time (ms) each is due; a job
leaves the set when a worker takes it. So the due members are the jobs waiting, and the
lowest due score says how long the oldest has waited.
"""

from __future__ import annotations

from dataclasses import dataclass

from arq.constants import default_queue_name
from redis.asyncio import Redis

QUEUES = (default_queue_name,)


@dataclass(frozen=True)
class QueueSample:
    """One queue at one moment: jobs due and waiting, and the oldest one's wait."""

    queue: str
    depth: int
    oldest_age_seconds: float


async def sample_queue(redis: Redis, queue: str, now_ms: int) -> QueueSample:
    """Depth and oldest wait of the due jobs in `queue` (deferred jobs are not waiting)."""
    depth = int(await redis.zcount(queue, "-inf", now_ms))
    oldest = await redis.zrangebyscore(queue, "-inf", now_ms, start=0, num=1, withscores=True)
    age = (now_ms - float(oldest[0][1])) / 1000 if oldest else 0.0
    return QueueSample(queue, depth, max(age, 0.0))


async def sample_queues(redis: Redis, now_ms: int) -> list[QueueSample]:
    """Every queue CHIDI uses."""
    return [await sample_queue(redis, queue, now_ms) for queue in QUEUES]
