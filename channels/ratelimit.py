"""Per-connection send rate limiting: a token bucket kept in Redis, shared by all workers.

Meta throttles each Instagram account and WhatsApp number; staying under a configured rate
avoids the throttling errors (and the backoff they cost) in the first place. The bucket
refills at `rate` tokens per second up to `burst`; a send takes one token or waits for it.
The arithmetic is `take_token` below; the Lua script is the same rule run atomically in
Redis with Redis's clock, so workers on different machines agree.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import RedisError

from channels.errors import FailureKind, GraphCallFailed, GraphError

log = logging.getLogger("chidi.channels.ratelimit")


@dataclass(frozen=True)
class Bucket:
    """The tokens left and when they were counted (seconds)."""

    tokens: float
    counted_at: float


def take_token(
    bucket: Bucket | None, now: float, *, rate: float, burst: int
) -> tuple[Bucket, float]:
    """Refill, then take one token: (new bucket, seconds to wait; 0 = taken now)."""
    if bucket is None:
        tokens = float(burst)
    else:
        tokens = min(float(burst), bucket.tokens + max(0.0, now - bucket.counted_at) * rate)
    if tokens >= 1:
        return Bucket(tokens - 1, now), 0.0
    return Bucket(tokens, now), (1 - tokens) / rate


_BUCKET_SCRIPT = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
if tokens == nil then
  tokens = burst
else
  tokens = math.min(burst, tokens + math.max(0, now - tonumber(state[2])) * rate)
end
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 1)
return tostring(wait)
"""


class RedisTokenBucket:
    """A `SendLimiter` (see `channels.graph`) over Redis; waits at most `max_wait` seconds."""

    def __init__(self, redis: Redis, *, rate: float, burst: int, max_wait: float = 10.0) -> None:
        self._redis = redis
        self._rate = rate
        self._burst = burst
        self._max_wait = max_wait
        self._script = redis.register_script(_BUCKET_SCRIPT)

    async def acquire(self, key: str) -> None:
        """Take a token for `key`, sleeping until one is free; give up after `max_wait`."""
        waited = 0.0
        while True:
            try:
                wait = float(
                    await self._script(
                        keys=[f"chidi:send-bucket:{key}"], args=[self._rate, self._burst]
                    )
                )
            except (RedisError, OSError) as exc:
                # An outage of the limiter must not stop replies; Meta still throttles.
                log.warning(
                    "send rate limiter unavailable; sending anyway",
                    extra={"error": type(exc).__name__},
                )
                return
            if wait <= 0:
                return
            if waited + wait > self._max_wait:
                raise GraphCallFailed(
                    FailureKind.RATE_LIMITED,
                    GraphError(status=0, message=f"local send rate limit for {key}"),
                )
            await asyncio.sleep(wait)
            waited += wait
