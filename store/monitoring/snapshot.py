"""The alert rules' snapshot (core.alerts.snapshot), read from Postgres and Redis.

Rates over the window come from the tables (outbox, ai_responses_log); queue state from
arq's sorted set; job and HTTP failure rates from the counters the API and worker
processes publish (store.monitoring.publish), as growth since the previous evaluation.
"""

from __future__ import annotations

import json
import statistics
import time
from datetime import datetime, timedelta

from redis.asyncio import Redis
from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from core.alerts.rules import counter_delta
from core.alerts.snapshot import QueueState, Ratio, Snapshot
from core.metrics import counter_totals
from store.monitoring.publish import API_PREFIX, WORKER_PREFIX, snapshots
from store.monitoring.queues import sample_queues

# Where the previous evaluation's counter readings are kept, to compute growth.
COUNTERS_KEY = "chidi:alerts:counters"
JOB_RUNS = "chidi_job_runs_total"
HTTP_REQUESTS = "chidi_http_request_duration_seconds_count"
HTTP_5XX = "chidi_http_server_errors_total"

_SOCIAL = text(
    """
    SELECT replace(kind, '_message', '') AS platform,
           count(*) FILTER (WHERE status IN ('failed', 'dead')) AS failed,
           count(*) AS total
    FROM outbox
    WHERE kind IN ('instagram_message', 'whatsapp_message')
      AND status IN ('sent', 'failed', 'dead') AND updated_at >= :since
    GROUP BY 1
    """
)
# The responder records a model failure in error_details as "<step>: the model failed".
_DECISIONS = text(
    """
    SELECT count(*) FILTER (WHERE brain = 'openai') AS llm_total,
           count(*) FILTER (WHERE brain = 'openai'
                            AND error_details LIKE '%the model failed%') AS llm_failed,
           percentile_cont(0.95) WITHIN GROUP (ORDER BY processing_time_ms)
               FILTER (WHERE brain = 'openai') / 1000.0 AS llm_p95_seconds,
           count(*) FILTER (WHERE confidence_score < :floor) AS low,
           count(*) AS total
    FROM ai_responses_log
    WHERE created_at >= :since
    """
)


async def collect(
    session: AsyncSession, redis: Redis, *, now: datetime, window_minutes: int, floor: float
) -> Snapshot:
    """Everything the rules look at, now."""
    since = now - timedelta(minutes=window_minutes)
    connection = await session.connection()
    social = (await connection.execute(_SOCIAL, {"since": since})).all()
    decisions = (await connection.execute(_DECISIONS, {"since": since, "floor": floor})).one()
    queues = await sample_queues(redis, int(now.timestamp() * 1000))
    growth = await counter_growth(redis)
    return Snapshot(
        window_minutes=window_minutes,
        social_sends={row.platform: Ratio(row.failed, row.total) for row in social},
        llm_calls=Ratio(decisions.llm_failed, decisions.llm_total),
        llm_p95_seconds=(
            float(decisions.llm_p95_seconds) if decisions.llm_p95_seconds is not None else None
        ),
        low_confidence=Ratio(decisions.low, decisions.total),
        queues={q.queue: QueueState(q.depth, q.oldest_age_seconds) for q in queues},
        jobs=Ratio(
            int(growth.get(f"{JOB_RUNS}:error", 0)),
            int(growth.get(f"{JOB_RUNS}:error", 0) + growth.get(f"{JOB_RUNS}:ok", 0)),
        ),
        db_latency_ms=await database_latency_ms(session),
        http_requests=Ratio(int(growth.get(HTTP_5XX, 0)), int(growth.get(HTTP_REQUESTS, 0))),
    )


async def database_latency_ms(session: AsyncSession, samples: int = 3) -> float:
    """The median time of a trivial query (one slow round trip is not an incident)."""
    connection = await session.connection()
    timings = []
    for _ in range(samples):
        started = time.perf_counter()
        await connection.execute(text("SELECT 1"))
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


async def counter_growth(redis: Redis) -> dict[str, float]:
    """How much the published job and HTTP counters grew since the last call, summed over
    processes (each process's counters compared with its own previous reading)."""
    current: dict[str, float] = {}
    for prefix, names in ((WORKER_PREFIX, (JOB_RUNS,)), (API_PREFIX, (HTTP_REQUESTS, HTTP_5XX))):
        for process, body in (await snapshots(redis, prefix)).items():
            for key, value in counter_totals(body, names).items():
                current[f"{prefix}{process}|{key}"] = value
    stored = await redis.get(COUNTERS_KEY)
    previous: dict[str, float] | None = json.loads(stored) if stored else None
    await redis.set(COUNTERS_KEY, json.dumps(current))
    growth: dict[str, float] = {}
    for key, value in counter_delta(current, previous).items():
        name = key.split("|", 1)[1]
        growth[name] = growth.get(name, 0.0) + value
    return growth
