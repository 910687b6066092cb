"""The alert job end to end: each rule fired by simulating its condition in Postgres or
Redis, announced once (email in the outbox, a post to a local Slack-style webhook),
recorded in the alerts table, not announced again while it lasts, and resolved once."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import psycopg
import pytest
from arq.constants import default_queue_name
from psycopg import sql
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from core.settings import Settings
from store.db import create_sessionmaker
from store.monitoring.publish import API_PREFIX, WORKER_PREFIX
from store.monitoring.snapshot import COUNTERS_KEY
from tests.support.conversations import SeededConnection, one, rows
from tests.support.live_server import LiveServer, free_port, serve_in_thread
from tests.support.workers import clear_job_queue
from workers.jobs.alerts import evaluate_alerts

OPERATOR = "ops@example.com"
# Thresholds no test data reaches: each test lowers only the one rule it exercises.
NEVER: dict[str, Any] = {
    "alert_social_min_sends": 10**9,
    "alert_llm_min_calls": 10**9,
    "alert_low_confidence_turns": 10**9,
    "alert_queue_depth": 10**9,
    "alert_queue_age_seconds": 10.0**9,
    "alert_job_min_runs": 10**9,
    "alert_db_latency_ms": 10.0**9,
    "alert_http_min_requests": 10**9,
}


@pytest.fixture(scope="module")
def slack() -> Iterator[tuple[LiveServer, list[dict[str, Any]]]]:
    """A Slack-compatible incoming webhook that keeps what it receives."""
    received: list[dict[str, Any]] = []

    async def hook(request: Request) -> JSONResponse:
        received.append(json.loads(await request.body()))
        return JSONResponse({"ok": True})

    async def ready(_: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    app = Starlette(routes=[Route("/hook", hook, methods=["POST"]), Route("/ready", ready)])
    server = serve_in_thread(app, port=free_port(), ready_path="/ready")
    yield server, received
    server.stop()


@pytest.fixture
async def redis(settings: Settings) -> AsyncIterator[Redis]:
    client = Redis.from_url(settings.redis_url)
    await client.delete(COUNTERS_KEY)
    yield client
    await client.aclose()


@pytest.fixture
async def alerting(
    settings: Settings,
    engine: AsyncEngine,
    redis: Redis,
    slack: tuple[LiveServer, list[dict[str, Any]]],
    pg: psycopg.Connection,
) -> AsyncIterator[Alerting]:
    pg.execute("UPDATE alerts SET status = 'resolved', resolved_at = now() WHERE status = 'firing'")
    slack[1].clear()
    async with httpx.AsyncClient() as http:
        yield Alerting(settings, engine, redis, http, slack[0].url + "/hook", slack[1], pg)


class Alerting:
    """Runs the job with chosen thresholds and reads back what it did."""

    def __init__(
        self,
        settings: Settings,
        engine: AsyncEngine,
        redis: Redis,
        http: httpx.AsyncClient,
        hook_url: str,
        posts: list[dict[str, Any]],
        pg: psycopg.Connection,
    ) -> None:
        self.base = settings.model_copy(
            update={**NEVER, "alert_email": OPERATOR, "alert_webhook_url": hook_url}
        )
        self.ctx: dict[str, Any] = {
            "sessionmaker": create_sessionmaker(engine),
            "engine": engine,
            "redis": redis,
            "http": http,
        }
        self.posts = posts
        self.pg = pg
        # Incidents of earlier tests (resolved by the fixture) are not this test's.
        self.since = one(pg, "SELECT clock_timestamp()")

    async def run(self, **thresholds: Any) -> int:
        self.ctx["settings"] = self.base.model_copy(update=thresholds)
        return await evaluate_alerts(self.ctx)

    def incidents(self, rule: str, scope: str) -> list[tuple[str, str]]:
        """This rule's incidents for `scope` since the test began: a worker started by
        another test may have run the same rule, with the default thresholds, on what that
        test left behind (e.g. an incident from deliberately failed sends)."""
        return [
            (str(r[0]), str(r[1]))
            for r in rows(
                self.pg,
                "SELECT status, fingerprint FROM alerts WHERE rule = %s AND fingerprint = %s "
                "AND first_fired_at >= %s ORDER BY first_fired_at",
                rule,
                f"{rule}:{scope}",
                self.since,
            )
        ]

    def emails(self, rule: str) -> list[str]:
        return [
            str(r[0])
            for r in rows(
                self.pg,
                "SELECT payload->>'subject' FROM outbox WHERE kind = 'email' AND recipient = %s "
                "AND payload->>'subject' LIKE %s AND created_at >= %s ORDER BY created_at",
                OPERATOR,
                f"%: {rule}",
                self.since,
            )
        ]

    def posted(self, rule: str) -> list[str]:
        return [post["text"].split("\n")[0] for post in self.posts if f": {rule}" in post["text"]]

    def assert_lifecycle(self, rule: str, scope: str, fired: int, again: int, cleared: int) -> None:
        """Announced once when fired, silent while it lasts, announced once when cleared."""
        assert (fired, again, cleared) == (1, 0, 1)
        assert self.incidents(rule, scope) == [("resolved", f"{rule}:{scope}")]
        firing, resolved = f"[CHIDI alert] FIRING: {rule}", f"[CHIDI alert] RESOLVED: {rule}"
        assert self.emails(rule) == [firing, resolved]
        assert self.posted(rule) == [firing, resolved]


async def test_database_latency(alerting: Alerting) -> None:
    fired = await alerting.run(alert_db_latency_ms=0.000001)
    again = await alerting.run(alert_db_latency_ms=0.000001)
    cleared = await alerting.run()
    alerting.assert_lifecycle("database_latency", "all", fired, again, cleared)


async def test_queue_backlog(alerting: Alerting, settings: Settings, redis: Redis) -> None:
    clear_job_queue(settings)
    await redis.zadd(default_queue_name, {"stuck-job": int(time.time() * 1000) - 600_000})
    fired = await alerting.run(alert_queue_age_seconds=300.0)
    again = await alerting.run(alert_queue_age_seconds=300.0)
    clear_job_queue(settings)
    cleared = await alerting.run(alert_queue_age_seconds=300.0)
    alerting.assert_lifecycle("queue_backlog", default_queue_name, fired, again, cleared)


async def test_social_api_error_rate(alerting: Alerting, pg: psycopg.Connection) -> None:
    marker = uuid.uuid4().hex
    for index in range(60):
        pg.execute(
            "INSERT INTO outbox (id, kind, idempotency_key, payload, status, attempts) "
            "VALUES (%s, 'whatsapp_message', %s, '{}', 'dead', 5)",
            (uuid.uuid4(), f"{marker}:{index}"),
        )
    limits = {"alert_social_min_sends": 50, "alert_social_error_rate": 0.5}
    fired = await alerting.run(**limits)
    again = await alerting.run(**limits)
    pg.execute(
        "UPDATE outbox SET updated_at = now() - interval '1 day' WHERE idempotency_key LIKE %s",
        (f"{marker}:%",),
    )
    cleared = await alerting.run(**limits)
    alerting.assert_lifecycle("social_api_error_rate", "whatsapp", fired, again, cleared)


def _decisions(
    pg: psycopg.Connection, connection: SeededConnection, count: int, **columns: Any
) -> str:
    """`count` responder log rows with `columns`, under a new conversation; its id."""
    conversation_id = uuid.uuid4()
    pg.execute(
        "INSERT INTO conversations (id, business_id, social_connection_id, "
        "customer_platform_id, last_message_at) VALUES (%s, %s, %s, %s, now())",
        (conversation_id, connection.business_id, connection.id, f"cust-{conversation_id.hex}"),
    )
    statement = sql.SQL(
        "INSERT INTO ai_responses_log (id, conversation_id, business_id, "
        "final_prompt_sent_to_llm, {names}) VALUES (%s, %s, %s, '', {marks})"
    ).format(
        names=sql.SQL(", ").join(map(sql.Identifier, columns)),
        marks=sql.SQL(", ").join(sql.Placeholder() * len(columns)),
    )
    for _ in range(count):
        pg.execute(
            statement, (uuid.uuid4(), conversation_id, connection.business_id, *columns.values())
        )
    return str(conversation_id)


def _age_decisions(pg: psycopg.Connection, conversation_id: str) -> None:
    pg.execute(
        "UPDATE ai_responses_log SET created_at = now() - interval '1 day' "
        "WHERE conversation_id = %s",
        (conversation_id,),
    )


async def test_llm_error_rate(
    alerting: Alerting, pg: psycopg.Connection, instagram: SeededConnection
) -> None:
    conversation = _decisions(
        pg,
        instagram,
        40,
        brain="openai",
        error_details="understand: the model failed (APITimeoutError)",
        processing_time_ms=900,
    )
    limits = {"alert_llm_min_calls": 30, "alert_llm_error_rate": 0.5}
    fired = await alerting.run(**limits)
    again = await alerting.run(**limits)
    _age_decisions(pg, conversation)
    cleared = await alerting.run(**limits)
    alerting.assert_lifecycle("llm_error_rate", "all", fired, again, cleared)


async def test_llm_p95_latency(
    alerting: Alerting, pg: psycopg.Connection, instagram: SeededConnection
) -> None:
    conversation = _decisions(pg, instagram, 40, brain="openai", processing_time_ms=3_600_000)
    limits = {"alert_llm_min_calls": 30, "alert_llm_p95_seconds": 1800.0}
    fired = await alerting.run(**limits)
    again = await alerting.run(**limits)
    _age_decisions(pg, conversation)
    cleared = await alerting.run(**limits)
    alerting.assert_lifecycle("llm_p95_latency", "all", fired, again, cleared)


async def test_low_confidence_across_many_turns(
    alerting: Alerting, pg: psycopg.Connection, instagram: SeededConnection
) -> None:
    total = rows(
        pg,
        "SELECT count(*) FROM ai_responses_log WHERE created_at > now() - interval '15 minutes'",
    )[0][0]
    conversation = _decisions(pg, instagram, total + 30, brain="local", confidence_score=0.05)
    limits = {"alert_low_confidence_turns": total + 30, "alert_low_confidence": 0.1}
    fired = await alerting.run(**limits)
    again = await alerting.run(**limits)
    _age_decisions(pg, conversation)
    cleared = await alerting.run(**limits)
    alerting.assert_lifecycle("low_confidence", "all", fired, again, cleared)


def _counters(job_ok: int, job_error: int) -> str:
    return (
        "# TYPE chidi_job_runs_total counter\n"
        f'chidi_job_runs_total{{function="deliver_outbox",outcome="ok"}} {job_ok}\n'
        f'chidi_job_runs_total{{function="deliver_outbox",outcome="error"}} {job_error}\n'
    )


def _http(requests: int, errors: int) -> str:
    return (
        "# TYPE chidi_http_request_duration_seconds histogram\n"
        f'chidi_http_request_duration_seconds_count{{route="/x",method="GET",status_class="5xx"}} '
        f"{requests}\n"
        "# TYPE chidi_http_server_errors_total counter\n"
        f'chidi_http_server_errors_total{{route="/x"}} {errors}\n'
    )


async def test_job_failure_rate_from_the_workers_counters(alerting: Alerting, redis: Redis) -> None:
    key = WORKER_PREFIX + "alert-test-worker"
    limits = {"alert_job_min_runs": 20, "alert_job_failure_rate": 0.5}
    await redis.set(key, _counters(100, 0), ex=60)
    assert await alerting.run(**limits) == 0  # the first reading is the baseline
    await redis.set(key, _counters(110, 30), ex=60)
    fired = await alerting.run(**limits)
    await redis.set(key, _counters(110, 60), ex=60)
    again = await alerting.run(**limits)
    await redis.set(key, _counters(200, 60), ex=60)
    cleared = await alerting.run(**limits)
    await redis.delete(key)
    alerting.assert_lifecycle("job_failure_rate", "all", fired, again, cleared)


async def test_5xx_rate_from_the_api_counters(alerting: Alerting, redis: Redis) -> None:
    key = API_PREFIX + "alert-test-api"
    limits = {"alert_http_min_requests": 50, "alert_http_5xx_rate": 0.1}
    await redis.set(key, _http(1000, 0), ex=60)
    await alerting.run(**limits)
    await redis.set(key, _http(1100, 40), ex=60)
    fired = await alerting.run(**limits)
    await redis.set(key, _http(1200, 80), ex=60)
    again = await alerting.run(**limits)
    await redis.set(key, _http(1400, 80), ex=60)
    cleared = await alerting.run(**limits)
    await redis.delete(key)
    alerting.assert_lifecycle("http_5xx_rate", "all", fired, again, cleared)
