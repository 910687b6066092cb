"""The alert job: every minute, judge the monitoring snapshot by the alert rules
(core.alerts), record incidents in the alerts table, and tell the operator once when an
incident fires and once when it clears — by email (the outbox) and, when configured, a
Slack-compatible webhook.

The alerts table is the deduplication: an incident firing for a rule and scope is not
announced again, however many evaluations still find it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession

from core.alerts.rules import Finding, evaluate, reconcile
from core.alerts.snapshot import Thresholds
from core.settings import Settings
from store.monitoring.snapshot import collect
from store.repositories import alerts
from store.repositories.mail import Email, send_email
from store.tables.base import utcnow
from store.tables.ops import Alert
from workers.runtime import job_session, worker_context

log = logging.getLogger("chidi.jobs.alerts")


@dataclass(frozen=True)
class Notice:
    """One announcement: an incident fired or resolved."""

    alert_id: str
    rule: str
    resolved: bool
    summary: str

    @property
    def subject(self) -> str:
        state = "RESOLVED" if self.resolved else "FIRING"
        return f"[CHIDI alert] {state}: {self.rule}"


async def evaluate_alerts(ctx: dict[str, Any]) -> int:
    """Evaluate every rule once; returns how many incidents fired or resolved."""
    context = worker_context(ctx)
    settings = context["settings"]
    now = utcnow()
    async with job_session(ctx) as session:
        snapshot = await collect(
            session,
            ctx["redis"],
            now=now,
            window_minutes=settings.alert_window_minutes,
            floor=settings.alert_low_confidence,
        )
        findings = evaluate(snapshot, Thresholds.from_settings(settings))
        notices = await record(session, settings, findings, now)
    for notice in notices:  # committed: a crash before this loses a Slack post, not an alert
        await post_to_webhook(context["http"], settings, notice)
    return len(notices)


async def record(
    session: AsyncSession, settings: Settings, findings: list[Finding], now: datetime
) -> list[Notice]:
    """Open, refresh and resolve incidents, queueing an email for each change."""
    open_now = await alerts.firing(session)
    changes = reconcile(findings, set(open_now))
    notices: list[Notice] = []
    for finding in changes.fired:
        alert = await alerts.open_incident(
            session,
            rule=finding.rule,
            fingerprint=finding.fingerprint,
            details={"scope": finding.scope, "summary": finding.summary, **finding.details},
            now=now,
        )
        if alert is not None:
            notices.append(Notice(str(alert.id), finding.rule, False, finding.summary))
    for finding in changes.ongoing:
        alerts.still_firing(
            open_now[finding.fingerprint],
            {"scope": finding.scope, "summary": finding.summary, **finding.details},
            now,
        )
    for fingerprint in changes.resolved:
        alert = open_now[fingerprint]
        alerts.resolve(alert, now)
        notices.append(Notice(str(alert.id), alert.rule, True, _resolved_summary(alert)))
    await session.flush()
    for notice in notices:
        await _email(session, settings, notice)
    if notices:
        log.warning("alerts changed", extra={"count": len(notices)})
    return notices


def _resolved_summary(alert: Alert) -> str:
    scope = alert.details.get("scope", "")
    fired = f"{alert.first_fired_at:%Y-%m-%d %H:%M} UTC"
    return f"{alert.rule} ({scope}) is back within its limit; it fired at {fired}."


async def _email(session: AsyncSession, settings: Settings, notice: Notice) -> None:
    if settings.alert_email is None:
        return
    await send_email(
        session,
        Email(
            template="alert",
            recipient=settings.alert_email,
            subject=notice.subject,
            text=notice.summary,
        ),
        idempotency_key=f"alert:{notice.alert_id}:{'resolved' if notice.resolved else 'fired'}",
        log_link=False,
    )


async def post_to_webhook(http: httpx.AsyncClient, settings: Settings, notice: Notice) -> None:
    """Post the notice as a Slack-compatible `{"text": ...}` message; a failure is logged
    (the email and the alerts row still carry the incident)."""
    if settings.alert_webhook_url is None:
        return
    try:
        response = await http.post(
            settings.alert_webhook_url,
            json={"text": f"{notice.subject}\n{notice.summary}"},
            timeout=10,
        )
        response.raise_for_status()
    except httpx.HTTPError as error:
        log.warning("alert webhook failed", extra={"error": type(error).__name__})
