"""GET /metrics for Prometheus, behind a bearer token (METRICS_TOKEN).

Without METRICS_TOKEN the endpoint answers 404: metrics reveal traffic shapes and are off
unless an operator turns them on.
"""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api.deps import SettingsDep
from core.errors import NotFound, Unauthorized
from core.metrics import REGISTRY

router = APIRouter(tags=["monitoring"])


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request, settings: SettingsDep) -> Response:
    """The Prometheus text exposition of this process's metrics."""
    expected = settings.metrics_token
    if expected is None:
        raise NotFound("Metrics are not enabled on this server (set METRICS_TOKEN).")
    given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), expected.get_secret_value().encode()):
        error = Unauthorized("Send 'Authorization: Bearer <METRICS_TOKEN>'.", code="unauthorized")
        error.headers = {"WWW-Authenticate": "Bearer"}
        raise error
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
