"""The numbers the alert rules judge, gathered over one window (see store.monitoring)."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.settings import Settings


@dataclass(frozen=True)
class Ratio:
    """`failed` out of `total` attempts in the window."""

    failed: int
    total: int

    @property
    def rate(self) -> float:
        return self.failed / self.total if self.total else 0.0


@dataclass(frozen=True)
class QueueState:
    """Jobs due and waiting in one queue, and the oldest one's wait."""

    depth: int
    oldest_age_seconds: float


@dataclass(frozen=True)
class Snapshot:
    """Everything the rules look at, for the last `window_minutes`."""

    window_minutes: int
    social_sends: dict[str, Ratio] = field(default_factory=dict)  # by platform
    llm_calls: Ratio = Ratio(0, 0)
    llm_p95_seconds: float | None = None
    low_confidence: Ratio = Ratio(0, 0)  # decisions below the floor, of all decisions
    queues: dict[str, QueueState] = field(default_factory=dict)
    jobs: Ratio = Ratio(0, 0)
    db_latency_ms: float = 0.0
    http_requests: Ratio = Ratio(0, 0)  # 5xx responses of all responses


@dataclass(frozen=True)
class Thresholds:
    """When each rule fires (ALERT_* settings)."""

    social_error_rate: float
    social_min_sends: int
    llm_error_rate: float
    llm_p95_seconds: float
    llm_min_calls: int
    low_confidence: float
    low_confidence_turns: int
    queue_depth: int
    queue_age_seconds: float
    job_failure_rate: float
    job_min_runs: int
    db_latency_ms: float
    http_5xx_rate: float
    http_min_requests: int

    @classmethod
    def from_settings(cls, settings: Settings) -> Thresholds:
        return cls(
            social_error_rate=settings.alert_social_error_rate,
            social_min_sends=settings.alert_social_min_sends,
            llm_error_rate=settings.alert_llm_error_rate,
            llm_p95_seconds=settings.alert_llm_p95_seconds,
            llm_min_calls=settings.alert_llm_min_calls,
            low_confidence=settings.alert_low_confidence,
            low_confidence_turns=settings.alert_low_confidence_turns,
            queue_depth=settings.alert_queue_depth,
            queue_age_seconds=settings.alert_queue_age_seconds,
            job_failure_rate=settings.alert_job_failure_rate,
            job_min_runs=settings.alert_job_min_runs,
            db_latency_ms=settings.alert_db_latency_ms,
            http_5xx_rate=settings.alert_http_5xx_rate,
            http_min_requests=settings.alert_http_min_requests,
        )
