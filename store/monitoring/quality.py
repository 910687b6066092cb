"""The AI quality numbers (PRD §6.5): how often CHIDI answers by itself, how often it
hands over, and how fast people respond and resolve — for one business (the owner's
summary) or across all of them (the operator's).

Per business, the human timings are `store.conversations.stats.inbox_stats`; across
businesses they are the same pairing of each escalation with the first later human
response and resolution, without the business filter.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from store.conversations.sql import run
from store.conversations.stats import DurationSummary, inbox_stats, summarize


@dataclass(frozen=True)
class QualityNumbers:
    """Decisions in the window by what they did, and the human timings."""

    since: datetime
    decisions: int
    auto_replied: int
    escalated: int
    first_human_response: DurationSummary
    resolution: DurationSummary

    @property
    def auto_response_rate(self) -> float | None:
        return self.auto_replied / self.decisions if self.decisions else None

    @property
    def escalation_rate(self) -> float | None:
        return self.escalated / self.decisions if self.decisions else None


_DECISIONS = """
SELECT count(*),
       count(*) FILTER (WHERE action_taken = 'responded_auto'),
       count(*) FILTER (WHERE action_taken IN ('escalated', 'holding_message_sent'))
FROM ai_responses_log
WHERE created_at >= :since
  AND (CAST(:business_id AS uuid) IS NULL OR business_id = :business_id)
"""

# As store.conversations.stats, across every business (operator view).
_ALL_ESCALATIONS = """
WITH escalations AS (
    SELECT conversation_id, created_at AS escalated_at,
           lead(created_at) OVER (PARTITION BY conversation_id ORDER BY created_at) AS next_at
    FROM conversation_status_history
    WHERE to_status = 'escalated_human_needed' AND created_at >= :since
)
SELECT
    (SELECT extract(epoch FROM min(h.created_at) - e.escalated_at)
     FROM conversation_status_history h
     WHERE h.conversation_id = e.conversation_id
       AND h.to_status = 'active_human' AND h.created_at > e.escalated_at
       AND (e.next_at IS NULL OR h.created_at < e.next_at)),
    (SELECT extract(epoch FROM min(h.created_at) - e.escalated_at)
     FROM conversation_status_history h
     WHERE h.conversation_id = e.conversation_id
       AND h.to_status IN ('resolved_by_human', 'resolved_by_ai') AND h.created_at > e.escalated_at
       AND (e.next_at IS NULL OR h.created_at < e.next_at))
FROM escalations e
"""


async def _decisions(
    session: AsyncSession, since: datetime, business_id: uuid.UUID | None
) -> tuple[int, int, int]:
    row = (await run(session, _DECISIONS, {"since": since, "business_id": business_id})).one()
    return int(row[0]), int(row[1]), int(row[2])


async def business_quality(
    session: AsyncSession, business_id: uuid.UUID, *, since: datetime
) -> QualityNumbers:
    """One business's numbers since `since`."""
    decisions, auto, escalated = await _decisions(session, since, business_id)
    stats = await inbox_stats(session, business_id, since=since)
    return QualityNumbers(
        since, decisions, auto, escalated, stats.first_human_response, stats.resolution
    )


async def overall_quality(session: AsyncSession, *, since: datetime) -> QualityNumbers:
    """Every business's numbers together since `since`."""
    decisions, auto, escalated = await _decisions(session, since, None)
    rows = (await run(session, _ALL_ESCALATIONS, {"since": since})).all()
    return QualityNumbers(
        since,
        decisions,
        auto,
        escalated,
        summarize([float(r[0]) for r in rows if r[0] is not None]),
        summarize([float(r[1]) for r in rows if r[1] is not None]),
    )
