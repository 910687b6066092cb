"""The AI quality numbers: the owner's for their business, the operator's across all.

GET /api/v1/analytics/summary is the signed-in owner's; GET /api/v1/analytics/overall is
the operator's, behind the metrics token (it spans every business).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from api.deps import CurrentBusiness, SessionDep, SettingsDep
from api.routes.metrics import require_metrics_token
from api.schemas.conversations import DurationOut
from store.monitoring.quality import QualityNumbers, business_quality, overall_quality
from store.tables.base import utcnow

router = APIRouter(prefix="/api/v1/analytics", tags=["analytics"])
Days = Annotated[int, Query(ge=1, le=365)]


class QualityOut(BaseModel):
    """Responder decisions over the last `window_days` and how people followed up."""

    window_days: int
    since: datetime
    decisions: int
    auto_replied: int
    escalated: int
    auto_response_rate: float | None
    escalation_rate: float | None
    time_to_first_human_response: DurationOut
    time_to_resolve: DurationOut

    @classmethod
    def of(cls, numbers: QualityNumbers, *, window_days: int) -> QualityOut:
        """The wire form of the numbers."""
        return cls(
            window_days=window_days,
            since=numbers.since,
            decisions=numbers.decisions,
            auto_replied=numbers.auto_replied,
            escalated=numbers.escalated,
            auto_response_rate=numbers.auto_response_rate,
            escalation_rate=numbers.escalation_rate,
            time_to_first_human_response=DurationOut.of(numbers.first_human_response),
            time_to_resolve=DurationOut.of(numbers.resolution),
        )


@router.get("/summary")
async def summary(business: CurrentBusiness, session: SessionDep, days: Days = 30) -> QualityOut:
    """The business's AI auto-response and escalation rates and the human timings."""
    since = utcnow() - timedelta(days=days)
    return QualityOut.of(
        await business_quality(session, business.id, since=since), window_days=days
    )


@router.get("/overall", include_in_schema=False)
async def overall(
    request: Request, settings: SettingsDep, session: SessionDep, days: Days = 30
) -> QualityOut:
    """The same numbers across every business (operator only: send the metrics token)."""
    require_metrics_token(request, settings)
    since = utcnow() - timedelta(days=days)
    return QualityOut.of(await overall_quality(session, since=since), window_days=days)
