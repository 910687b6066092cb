"""A fixed-window request limiter in Redis, shared by every API process.

Each (bucket, identity) pair gets a counter per window: INCR, with the expiry set on the
first hit. Fixed windows can let up to twice the limit through around a window edge; for
brute-force protection on auth routes that is acceptable, and it costs one round trip.
If Redis is unreachable the request is let through (and logged): an outage of the limiter
must not lock every user out, and /readyz already reports Redis down.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger("chidi.ratelimit")


@dataclass(frozen=True)
class RateLimitDecision:
    """Whether a request may proceed, and if not, how many seconds until it may."""

    allowed: bool
    count: int
    limit: int
    retry_after_seconds: int


def window_key(bucket: str, identity: str, window_start: int) -> str:
    """The Redis key of one counter; the identity is hashed so no email sits in Redis."""
    digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
    return f"chidi:ratelimit:{bucket}:{digest}:{window_start}"


async def hit(
    redis: Redis, *, bucket: str, identity: str, limit: int, window_seconds: int = 60
) -> RateLimitDecision:
    """Count one request for `identity` in `bucket` and decide whether it is over `limit`."""
    now = time.time()
    window_start = int(now // window_seconds) * window_seconds
    key = window_key(bucket, identity, window_start)
    try:
        async with redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, window_seconds + 1, nx=True)
            count, _ = await pipe.execute()
    except (RedisError, OSError) as exc:
        log.warning(
            "rate limiter unavailable; request allowed",
            extra={"bucket": bucket, "error": type(exc).__name__},
        )
        return RateLimitDecision(True, 0, limit, 0)
    retry_after = max(1, int(window_start + window_seconds - now + 0.999))
    return RateLimitDecision(int(count) <= limit, int(count), limit, retry_after)
