"""The owner's numbers, from the status history: how fast escalations get a person, and
how fast they are resolved.

Each escalation in the window (a history row to `escalated_human_needed`) is paired with
the first later move to `active_human` (a person replied or took over) and the first later
resolution, each only before the conversation's next escalation, so a conversation
escalated twice counts twice. The SQL pairs them; `summarize` (pure) reduces durations to
median and 90th percentile.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from store.conversations.sql import run
from store.tables.enums import ConversationStatus


@dataclass(frozen=True)
class DurationSummary:
    """How long something took across escalations (seconds); None when nothing to measure."""

    count: int
    median_seconds: float | None
    p90_seconds: float | None


@dataclass(frozen=True)
class InboxStats:
    """The owner's numbers over a window, and the current count of conversations by status."""

    since: datetime
    escalations: int
    awaiting_human: int
    first_human_response: DurationSummary
    resolution: DurationSummary
    by_status: dict[ConversationStatus, int]


def percentile(ordered: list[float], fraction: float) -> float:
    """The `fraction` percentile of ascending `ordered` values, interpolated linearly
    between the nearest ranks (as Postgres's percentile_cont)."""
    if not ordered:
        raise ValueError("no values")
    position = (len(ordered) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summarize(durations: list[float]) -> DurationSummary:
    """Count, median and 90th percentile of `durations`."""
    if not durations:
        return DurationSummary(0, None, None)
    ordered = sorted(durations)
    return DurationSummary(len(ordered), percentile(ordered, 0.5), percentile(ordered, 0.9))


_ESCALATIONS = """
WITH escalations AS (
    SELECT conversation_id, created_at AS escalated_at,
           lead(created_at) OVER (PARTITION BY conversation_id ORDER BY created_at) AS next_at
    FROM conversation_status_history
    WHERE business_id = :business_id AND to_status = 'escalated_human_needed'
      AND created_at >= :since
)
SELECT
    (SELECT extract(epoch FROM min(h.created_at) - e.escalated_at)
     FROM conversation_status_history h
     WHERE h.business_id = :business_id AND h.conversation_id = e.conversation_id
       AND h.to_status = 'active_human' AND h.created_at > e.escalated_at
       AND (e.next_at IS NULL OR h.created_at < e.next_at)),
    (SELECT extract(epoch FROM min(h.created_at) - e.escalated_at)
     FROM conversation_status_history h
     WHERE h.business_id = :business_id AND h.conversation_id = e.conversation_id
       AND h.to_status IN ('resolved_by_human', 'resolved_by_ai') AND h.created_at > e.escalated_at
       AND (e.next_at IS NULL OR h.created_at < e.next_at))
FROM escalations e
"""


async def inbox_stats(
    session: AsyncSession, business_id: uuid.UUID, *, since: datetime
) -> InboxStats:
    """The business's numbers for escalations since `since`, and its status counts now."""
    rows = (await run(session, _ESCALATIONS, {"business_id": business_id, "since": since})).all()
    responses = [float(row[0]) for row in rows if row[0] is not None]
    resolutions = [float(row[1]) for row in rows if row[1] is not None]
    counted = await run(
        session,
        "SELECT status::text, count(*) FROM conversations WHERE business_id = :business_id "
        "GROUP BY status",
        {"business_id": business_id},
    )
    by_status = dict.fromkeys(ConversationStatus, 0)
    for row in counted.all():
        by_status[ConversationStatus(str(row[0]))] = int(row[1])
    return InboxStats(
        since=since,
        escalations=len(rows),
        awaiting_human=len(rows) - len(responses),
        first_human_response=summarize(responses),
        resolution=summarize(resolutions),
        by_status=by_status,
    )
