"""Putting conversation work on the arq queue, from the API (after its commit) or a job.

Jobs are only ever enqueued after the rows they act on are committed, and losing an
enqueue (Redis down for a moment) loses nothing: the sweepers find waiting messages and
due outbox rows in Postgres and enqueue them again. So failures here are logged, not raised.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Sequence

from arq.connections import ArqRedis
from arq.constants import default_queue_name, expires_extra_ms, job_key_prefix
from arq.jobs import serialize_job
from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger("chidi.enqueue")

RESPOND_JOB = "process_inbound_message"
DELIVER_JOB = "deliver_outbox"


def job_queue(redis: Redis) -> ArqRedis:
    """An arq client over an existing Redis client's connection pool (nothing new opened)."""
    return ArqRedis(redis.connection_pool)


async def enqueue_replies(
    redis: Redis, awaiting: Sequence[tuple[uuid.UUID, uuid.UUID]], *, debounce_seconds: float
) -> bool:
    """Ask the responder to take up each (conversation, new message) once the customer has
    paused; one Redis round trip for all of them (this runs on every webhook).

    One job per stored message (`respond:<message id>`): a duplicate webhook stores nothing
    and so enqueues nothing, and within a burst only the newest message's job answers (see
    `store.conversations.batches.superseded`). The ids are unique by construction, so arq's
    existence check (two more round trips) is not needed. False if Redis is unreachable.
    """
    if not awaiting:
        return True
    now_ms = int(time.time() * 1000)
    run_at_ms = now_ms + int(debounce_seconds * 1000)
    try:
        async with redis.pipeline(transaction=True) as pipe:
            for conversation_id, message_id in awaiting:
                job_id = f"respond:{message_id}"
                job = serialize_job(
                    RESPOND_JOB,
                    (str(conversation_id), str(message_id)),
                    {},
                    None,
                    now_ms,
                    serializer=None,
                )
                pipe.psetex(job_key_prefix + job_id, run_at_ms - now_ms + expires_extra_ms, job)
                pipe.zadd(default_queue_name, {job_id: run_at_ms})
            await pipe.execute()
    except (RedisError, OSError) as exc:
        log.warning(
            "could not enqueue replies; the sweeper will",
            extra={"count": len(awaiting), "error": type(exc).__name__},
        )
        return False
    return True


async def enqueue_reply(redis: Redis, conversation_id: uuid.UUID, *, job_id: str) -> bool:
    """Ask the responder to take up a conversation now, under `job_id` (for sweepers: a job
    with no trigger message never steps aside for a newer one)."""
    try:
        await job_queue(redis).enqueue_job(RESPOND_JOB, str(conversation_id), None, _job_id=job_id)
    except (RedisError, OSError) as exc:
        log.warning(
            "could not enqueue a reply",
            extra={"conversation_id": str(conversation_id), "error": type(exc).__name__},
        )
        return False
    return True


async def enqueue_delivery(redis: Redis, outbox_id: uuid.UUID, *, attempt: int = 0) -> None:
    """Ask a sender to deliver an outbox row (its claim makes a repeated job harmless).

    The job id carries the row's attempt count, so a sweeper can re-drive a row whose
    earlier job is still parked in Redis (e.g. its worker was killed mid-send).
    """
    try:
        await job_queue(redis).enqueue_job(
            DELIVER_JOB, str(outbox_id), _job_id=f"deliver:{outbox_id}:{attempt}"
        )
    except (RedisError, OSError) as exc:
        log.warning(
            "could not enqueue a delivery; the sweeper will",
            extra={"outbox_id": str(outbox_id), "error": type(exc).__name__},
        )
