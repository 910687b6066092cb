"""The alert rules. Each looks at a snapshot and says which incidents are happening now;
an incident is identified by its rule and scope (a platform, a queue, or "all"), so one
that is still happening is the same incident on the next evaluation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from core.alerts.snapshot import Ratio, Snapshot, Thresholds

ALL = "all"


@dataclass(frozen=True)
class Finding:
    """One incident happening now."""

    rule: str
    scope: str
    summary: str
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def fingerprint(self) -> str:
        """The incident's identity, used to fire it once and resolve it once."""
        return f"{self.rule}:{self.scope}"


def _pct(value: float) -> str:
    return f"{value:.0%}"


def _rate_exceeded(ratio: Ratio, limit: float, minimum: int) -> bool:
    """Too few attempts prove nothing; otherwise the rate must reach the limit."""
    return ratio.total >= minimum and ratio.rate >= limit


def social_api_errors(snapshot: Snapshot, limits: Thresholds) -> list[Finding]:
    """A platform refusing or failing too many outbound messages."""
    return [
        Finding(
            "social_api_error_rate",
            platform,
            f"{platform}: {_pct(sends.rate)} of {sends.total} sends failed in the last "
            f"{snapshot.window_minutes} min (limit {_pct(limits.social_error_rate)}).",
            {"failed": sends.failed, "total": sends.total},
        )
        for platform, sends in sorted(snapshot.social_sends.items())
        if _rate_exceeded(sends, limits.social_error_rate, limits.social_min_sends)
    ]


def llm_errors(snapshot: Snapshot, limits: Thresholds) -> list[Finding]:
    """The model failing on too many decisions."""
    calls = snapshot.llm_calls
    if not _rate_exceeded(calls, limits.llm_error_rate, limits.llm_min_calls):
        return []
    return [
        Finding(
            "llm_error_rate",
            ALL,
            f"{_pct(calls.rate)} of {calls.total} model decisions failed in the last "
            f"{snapshot.window_minutes} min (limit {_pct(limits.llm_error_rate)}).",
            {"failed": calls.failed, "total": calls.total},
        )
    ]


def llm_latency(snapshot: Snapshot, limits: Thresholds) -> list[Finding]:
    """Model decisions slow at the 95th percentile."""
    p95 = snapshot.llm_p95_seconds
    if p95 is None or snapshot.llm_calls.total < limits.llm_min_calls:
        return []
    if p95 < limits.llm_p95_seconds:
        return []
    return [
        Finding(
            "llm_p95_latency",
            ALL,
            f"Model decisions took {p95:.1f}s at p95 over the last {snapshot.window_minutes} "
            f"min (limit {limits.llm_p95_seconds:.1f}s).",
            {"p95_seconds": round(p95, 3), "calls": snapshot.llm_calls.total},
        )
    ]


def low_confidence(snapshot: Snapshot, limits: Thresholds) -> list[Finding]:
    """Many decisions, and most of them, below the confidence floor: the brain is lost
    (a bad catalog sync, a model change), not one customer being unclear."""
    low = snapshot.low_confidence
    if low.failed < limits.low_confidence_turns or low.rate < 0.5:
        return []
    return [
        Finding(
            "low_confidence",
            ALL,
            f"{low.failed} of {low.total} decisions in the last {snapshot.window_minutes} min "
            f"had confidence below {limits.low_confidence:.2f}.",
            {"low": low.failed, "total": low.total},
        )
    ]


def queue_backlog(snapshot: Snapshot, limits: Thresholds) -> list[Finding]:
    """A queue too long, or a job waiting too long in it."""
    found = []
    for queue, state in sorted(snapshot.queues.items()):
        if (
            state.depth >= limits.queue_depth
            or state.oldest_age_seconds >= limits.queue_age_seconds
        ):
            found.append(
                Finding(
                    "queue_backlog",
                    queue,
                    f"{queue}: {state.depth} jobs waiting, the oldest for "
                    f"{state.oldest_age_seconds:.0f}s (limits {limits.queue_depth} jobs, "
                    f"{limits.queue_age_seconds:.0f}s).",
                    {"depth": state.depth, "oldest_age_seconds": round(state.oldest_age_seconds)},
                )
            )
    return found


def job_failures(snapshot: Snapshot, limits: Thresholds) -> list[Finding]:
    """Background jobs failing too often."""
    jobs = snapshot.jobs
    if not _rate_exceeded(jobs, limits.job_failure_rate, limits.job_min_runs):
        return []
    return [
        Finding(
            "job_failure_rate",
            ALL,
            f"{_pct(jobs.rate)} of {jobs.total} background job runs failed since the last "
            f"check (limit {_pct(limits.job_failure_rate)}).",
            {"failed": jobs.failed, "total": jobs.total},
        )
    ]


def database_latency(snapshot: Snapshot, limits: Thresholds) -> list[Finding]:
    """The database answering a trivial query slowly."""
    if snapshot.db_latency_ms < limits.db_latency_ms:
        return []
    return [
        Finding(
            "database_latency",
            ALL,
            f"The database took {snapshot.db_latency_ms:.0f} ms to answer a trivial query "
            f"(limit {limits.db_latency_ms:.0f} ms).",
            {"latency_ms": round(snapshot.db_latency_ms, 1)},
        )
    ]


def server_errors(snapshot: Snapshot, limits: Thresholds) -> list[Finding]:
    """The API answering too many requests with a 5xx."""
    requests = snapshot.http_requests
    if not _rate_exceeded(requests, limits.http_5xx_rate, limits.http_min_requests):
        return []
    return [
        Finding(
            "http_5xx_rate",
            ALL,
            f"{_pct(requests.rate)} of {requests.total} API requests failed with a 5xx since "
            f"the last check (limit {_pct(limits.http_5xx_rate)}).",
            {"failed": requests.failed, "total": requests.total},
        )
    ]


Rule = Callable[[Snapshot, Thresholds], list[Finding]]
RULES: tuple[Rule, ...] = (
    social_api_errors,
    llm_errors,
    llm_latency,
    low_confidence,
    queue_backlog,
    job_failures,
    database_latency,
    server_errors,
)


def evaluate(snapshot: Snapshot, limits: Thresholds) -> list[Finding]:
    """Every incident happening now, by every rule."""
    return [finding for rule in RULES for finding in rule(snapshot, limits)]


@dataclass(frozen=True)
class Changes:
    """What an evaluation changes: incidents to announce, to keep, and to resolve."""

    fired: list[Finding]
    ongoing: list[Finding]
    resolved: list[str]  # fingerprints of firing incidents no longer found


def reconcile(findings: list[Finding], firing: set[str]) -> Changes:
    """Compare what is happening with what is already firing: each incident is
    announced once, and resolved once when it is no longer found."""
    found = {finding.fingerprint for finding in findings}
    return Changes(
        fired=[f for f in findings if f.fingerprint not in firing],
        ongoing=[f for f in findings if f.fingerprint in firing],
        resolved=sorted(firing - found),
    )


def counter_delta(current: dict[str, float], previous: dict[str, float] | None) -> dict[str, float]:
    """How much cumulative counters grew since the last reading. A counter that went down
    was reset (a process restarted), so all of its current value is new."""
    if previous is None:
        return {key: 0.0 for key in current}
    return {
        key: value - previous.get(key, 0.0) if value >= previous.get(key, 0.0) else value
        for key, value in current.items()
    }
