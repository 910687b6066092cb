"""Pure rules: the send token bucket, outbox retry delays, and burst debouncing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from channels.ratelimit import Bucket, take_token
from store.conversations.batches import Waiting, superseded
from workers.delivery import retry_delay

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
MAX_WAIT = timedelta(seconds=10)


def test_a_full_bucket_allows_a_burst_then_paces() -> None:
    bucket = None
    waits = []
    for _ in range(5):
        bucket, wait = take_token(bucket, 100.0, rate=2.0, burst=3)
        waits.append(wait)
    assert waits[:3] == [0.0, 0.0, 0.0]
    assert waits[3] == 0.5  # one token refills in 1/rate seconds
    refilled, wait = take_token(Bucket(tokens=0.0, counted_at=100.0), 101.0, rate=2.0, burst=3)
    assert wait == 0.0
    assert refilled.tokens == 1.0
    capped, _ = take_token(Bucket(tokens=3.0, counted_at=0.0), 1000.0, rate=2.0, burst=3)
    assert capped.tokens == 2.0  # never more than the burst


def test_retry_delay_doubles_up_to_half_an_hour() -> None:
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [15, 30, 60, 120]
    assert retry_delay(20) == timedelta(minutes=30)


def _waiting(*ages: float) -> list[Waiting]:
    return [Waiting(uuid.uuid4(), NOW - timedelta(seconds=age)) for age in ages]


def test_only_the_newest_messages_job_answers_a_burst() -> None:
    burst = _waiting(3.0, 2.0, 1.0)
    oldest, middle, newest = burst
    assert superseded(burst, oldest.id, NOW, max_wait=MAX_WAIT)
    assert superseded(burst, middle.id, NOW, max_wait=MAX_WAIT)
    assert not superseded(burst, newest.id, NOW, max_wait=MAX_WAIT)


def test_a_handled_trigger_leaves_newer_messages_to_their_jobs() -> None:
    assert superseded(_waiting(1.0), uuid.uuid4(), NOW, max_wait=MAX_WAIT)
    assert not superseded([], uuid.uuid4(), NOW, max_wait=MAX_WAIT)


def test_a_customer_who_keeps_typing_is_answered_after_the_max_wait() -> None:
    burst = _waiting(11.0, 1.0)
    assert not superseded(burst, burst[0].id, NOW, max_wait=MAX_WAIT)


def test_a_sweeper_job_never_steps_aside() -> None:
    assert not superseded(_waiting(3.0, 1.0), None, NOW, max_wait=MAX_WAIT)
