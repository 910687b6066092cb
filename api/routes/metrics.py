"""GET /metrics for Prometheus, behind a bearer token (METRICS_TOKEN).

Without METRICS_TOKEN the endpoint answers 404: metrics reveal traffic shapes and are off
unless an operator turns them on.
"""

from __future__ import annotations

import hmac
import logging
import time

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST
from redis.exceptions import RedisError

from api.deps import RedisDep, SettingsDep
from core.errors import NotFound, Unauthorized
from core.metrics import merged_exposition, observe_queue
from core.settings import Settings
from store.monitoring.publish import WORKER_PREFIX, snapshots
from store.monitoring.queues import sample_queues

log = logging.getLogger("chidi.metrics")
router = APIRouter(tags=["monitoring"])


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request, settings: SettingsDep, redis: RedisDep) -> Response:
    """This process's metrics, the queues sampled now, and every live worker's snapshot."""
    require_metrics_token(request, settings)
    workers: dict[str, str] = {}
    try:
        for sample in await sample_queues(redis, int(time.time() * 1000)):
            observe_queue(sample.queue, sample.depth, sample.oldest_age_seconds)
        workers = await snapshots(redis, WORKER_PREFIX)
    except RedisError:  # Redis down: still serve this process's own numbers
        log.warning("metrics: Redis unavailable; queue and worker metrics left out")
    return Response(merged_exposition(workers), media_type=CONTENT_TYPE_LATEST)


def require_metrics_token(request: Request, settings: Settings) -> None:
    """404 when metrics are off, 401 unless the caller sends the metrics token (also
    guards the operator's analytics numbers)."""
    expected = settings.metrics_token
    if expected is None:
        raise NotFound("Metrics are not enabled on this server (set METRICS_TOKEN).")
    given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), expected.get_secret_value().encode()):
        error = Unauthorized("Send 'Authorization: Bearer <METRICS_TOKEN>'.", code="unauthorized")
        error.headers = {"WWW-Authenticate": "Bearer"}
        raise error
