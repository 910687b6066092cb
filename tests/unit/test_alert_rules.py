"""The alert rules (core.alerts): each fires on its condition only, with a stable
fingerprint, and reconcile announces an incident once and resolves it once."""

from __future__ import annotations

from dataclasses import replace

from core.alerts.rules import (
    counter_delta,
    database_latency,
    evaluate,
    job_failures,
    llm_errors,
    llm_latency,
    low_confidence,
    queue_backlog,
    reconcile,
    server_errors,
    social_api_errors,
)
from core.alerts.snapshot import QueueState, Ratio, Snapshot, Thresholds

LIMITS = Thresholds(
    social_error_rate=0.2,
    social_min_sends=10,
    llm_error_rate=0.2,
    llm_p95_seconds=20.0,
    llm_min_calls=10,
    low_confidence=0.3,
    low_confidence_turns=20,
    queue_depth=500,
    queue_age_seconds=120.0,
    job_failure_rate=0.2,
    job_min_runs=20,
    db_latency_ms=500.0,
    http_5xx_rate=0.05,
    http_min_requests=50,
)
HEALTHY = Snapshot(
    window_minutes=15,
    social_sends={"instagram": Ratio(1, 100), "whatsapp": Ratio(0, 40)},
    llm_calls=Ratio(1, 50),
    llm_p95_seconds=3.0,
    low_confidence=Ratio(5, 100),
    queues={"arq:queue": QueueState(3, 1.5)},
    jobs=Ratio(1, 200),
    db_latency_ms=2.0,
    http_requests=Ratio(0, 400),
)


def test_a_healthy_system_fires_nothing() -> None:
    assert evaluate(HEALTHY, LIMITS) == []


def test_social_api_errors_fire_per_platform_at_the_rate() -> None:
    snapshot = replace(
        HEALTHY, social_sends={"instagram": Ratio(20, 100), "whatsapp": Ratio(7, 40)}
    )
    [finding] = social_api_errors(snapshot, LIMITS)
    assert finding.fingerprint == "social_api_error_rate:instagram"
    assert "20%" in finding.summary


def test_social_api_errors_need_enough_sends() -> None:
    assert social_api_errors(replace(HEALTHY, social_sends={"whatsapp": Ratio(9, 9)}), LIMITS) == []


def test_llm_error_rate() -> None:
    assert [f.rule for f in llm_errors(replace(HEALTHY, llm_calls=Ratio(10, 40)), LIMITS)] == [
        "llm_error_rate"
    ]
    assert llm_errors(replace(HEALTHY, llm_calls=Ratio(7, 40)), LIMITS) == []
    assert llm_errors(replace(HEALTHY, llm_calls=Ratio(5, 5)), LIMITS) == []


def test_llm_p95_latency() -> None:
    slow = replace(HEALTHY, llm_p95_seconds=25.0)
    assert [f.fingerprint for f in llm_latency(slow, LIMITS)] == ["llm_p95_latency:all"]
    assert llm_latency(replace(slow, llm_calls=Ratio(0, 3)), LIMITS) == []
    assert llm_latency(replace(HEALTHY, llm_p95_seconds=None), LIMITS) == []


def test_low_confidence_needs_many_turns_and_most_of_them() -> None:
    assert [
        f.rule for f in low_confidence(replace(HEALTHY, low_confidence=Ratio(30, 40)), LIMITS)
    ] == ["low_confidence"]
    assert low_confidence(replace(HEALTHY, low_confidence=Ratio(30, 100)), LIMITS) == []
    assert low_confidence(replace(HEALTHY, low_confidence=Ratio(10, 10)), LIMITS) == []


def test_queue_backlog_by_length_or_age() -> None:
    long = replace(HEALTHY, queues={"arq:queue": QueueState(600, 1.0)})
    old = replace(HEALTHY, queues={"arq:queue": QueueState(2, 300.0)})
    for snapshot in (long, old):
        assert [f.fingerprint for f in queue_backlog(snapshot, LIMITS)] == [
            "queue_backlog:arq:queue"
        ]


def test_job_failure_rate() -> None:
    assert [f.rule for f in job_failures(replace(HEALTHY, jobs=Ratio(10, 30)), LIMITS)] == [
        "job_failure_rate"
    ]
    assert job_failures(replace(HEALTHY, jobs=Ratio(10, 15)), LIMITS) == []


def test_database_latency() -> None:
    assert [f.rule for f in database_latency(replace(HEALTHY, db_latency_ms=800), LIMITS)] == [
        "database_latency"
    ]


def test_server_error_rate() -> None:
    assert [
        f.rule for f in server_errors(replace(HEALTHY, http_requests=Ratio(10, 100)), LIMITS)
    ] == ["http_5xx_rate"]
    assert server_errors(replace(HEALTHY, http_requests=Ratio(4, 100)), LIMITS) == []


def test_reconcile_fires_once_and_resolves_once() -> None:
    [finding] = database_latency(replace(HEALTHY, db_latency_ms=800), LIMITS)
    first = reconcile([finding], set())
    assert (first.fired, first.ongoing, first.resolved) == ([finding], [], [])
    again = reconcile([finding], {finding.fingerprint})
    assert (again.fired, again.ongoing, again.resolved) == ([], [finding], [])
    cleared = reconcile([], {finding.fingerprint})
    assert (cleared.fired, cleared.ongoing, cleared.resolved) == ([], [], [finding.fingerprint])


def test_counter_growth_handles_first_readings_and_restarts() -> None:
    assert counter_delta({"a": 5.0}, None) == {"a": 0.0}
    assert counter_delta({"a": 8.0, "b": 2.0}, {"a": 5.0}) == {"a": 3.0, "b": 2.0}
    assert counter_delta({"a": 1.0}, {"a": 5.0}) == {"a": 1.0}  # the process restarted
