"""What one reply costs the worker: CPU, wall time and SQL statements per message.

Run: `.venv/bin/python -m bench.bench_responder [--messages 300] [--concurrency 1,20]
[--profile PATH]`.

The webhooks are ingested by the real API (a uvicorn subprocess, no worker) into the
database `chidi_bench_responder` (emptied and migrated), for the shop and message mix of
`bench.bench_webhooks`. Then, in this process, the worker's own startup builds its ctx and
`process_inbound_message` — the job the worker runs: the responder graph with the local
brain, the commit, the inline delivery to the fake Graph API over HTTP — is called for
each waiting message: first one of each kind to warm up (not counted), then the rest one
at a time (cost per message by kind), then the remainder `--concurrency` at a time
(throughput). arq's own queueing is left out: this is the work per message, not the
queue.

CPU is `time.process_time()` (every thread of the process: the embedding model's too).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import statistics
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import psycopg
from arq.connections import RedisSettings, create_pool
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.bench_webhooks import (
    PRODUCTION_QUERY_CACHE,
    Connection,
    Target,
    _database_url,
    _dsn,
    clear_queue,
    customer_message,
    kind_of,
    request_bytes,
    seed,
)
from bench.cpu import machine_line
from core.settings import get_settings
from tests.fakes.graph_api import start_fake_graph
from tests.support.database import reset_and_migrate
from tests.support.live_server import free_port
from tests.support.processes import running, wait_until_healthy
from workers.jobs.inbound import process_inbound_message
from workers.runtime import shutdown, startup, worker_context

DATABASE = "chidi_bench_responder"


def job_ctx(ctx: dict[str, Any]) -> dict[str, Any]:
    """What arq hands a job: a copy of the startup ctx (what a job stores in it is lost)."""
    return {**ctx, "job_try": 1}


@dataclass
class Waiting:
    conversation_id: uuid.UUID
    message_id: uuid.UUID
    kind: str


@dataclass
class Costs:
    """Per-message figures of one kind of message."""

    cpu_ms: list[float] = field(default_factory=list)
    wall_ms: list[float] = field(default_factory=list)
    statements: list[int] = field(default_factory=list)
    commits: list[int] = field(default_factory=list)


class StatementCounter:
    """Counts statements sent through the worker's engines (ORM and driver-level alike),
    and the transactions committed."""

    def __init__(self, engines: list[AsyncEngine]) -> None:
        self.count = 0
        self.commits = 0
        self.recording: list[str] | None = None
        for engine in engines:
            event.listen(engine.sync_engine, "before_cursor_execute", self._seen)
            event.listen(engine.sync_engine, "commit", self._committed)

    def _committed(self, _conn: Any) -> None:
        self.commits += 1

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        self.count += 1
        if self.recording is not None:
            self.recording.append(" ".join(statement.split())[:160])


async def ingest(target: Target, count: int) -> None:
    """`count` new customers, one message each from the mix, through the webhook."""
    connection = await Connection.open(target)
    try:
        for index in range(count):
            _, text = customer_message(index)
            status = await connection.send(request_bytes(target, f"c-{uuid.uuid4().hex}", text))
            if status != 200:
                raise RuntimeError(f"webhook answered {status}")
    finally:
        connection.close()


def waiting_messages(database_url: str) -> list[Waiting]:
    with psycopg.connect(_dsn(database_url), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT conversation_id, id, text_content FROM messages "
            "WHERE handled_at IS NULL AND sender_type = 'customer' ORDER BY created_at"
        ).fetchall()
    return [Waiting(c, m, kind_of(text or "")) for c, m, text in rows]


@contextmanager
def profiled(path: str | None) -> Iterator[None]:
    # CPU of this thread only: waits (the database, the network, other processes taking
    # the CPU) are left out; the embedding threads are measured apart (--messages CPU).
    profile = cProfile.Profile(time.thread_time) if path else None
    if profile is not None:
        profile.enable()
    try:
        yield
    finally:
        if profile is not None and path:
            profile.disable()
            profile.dump_stats(path)


async def one_at_a_time(
    ctx: dict[str, Any], messages: list[Waiting], counter: StatementCounter
) -> dict[str, Costs]:
    costs: dict[str, Costs] = {}
    for waiting in messages:
        before_cpu, before_wall, before_sql, before_commits = (
            time.process_time(),
            time.perf_counter(),
            counter.count,
            counter.commits,
        )
        await process_inbound_message(
            job_ctx(ctx), str(waiting.conversation_id), str(waiting.message_id)
        )
        kind = costs.setdefault(waiting.kind, Costs())
        kind.cpu_ms.append((time.process_time() - before_cpu) * 1000)
        kind.wall_ms.append((time.perf_counter() - before_wall) * 1000)
        kind.statements.append(counter.count - before_sql)
        kind.commits.append(counter.commits - before_commits)
    return costs


async def concurrently(ctx: dict[str, Any], messages: list[Waiting], limit: int) -> float:
    """Messages handled per second with `limit` jobs at a time (arq's max_jobs)."""
    gate = asyncio.Semaphore(limit)

    async def handle(waiting: Waiting) -> None:
        async with gate:
            await process_inbound_message(
                job_ctx(ctx), str(waiting.conversation_id), str(waiting.message_id)
            )

    started = time.perf_counter()
    await asyncio.gather(*(handle(w) for w in messages))
    return len(messages) / (time.perf_counter() - started)


def _median(values: list[float] | list[int]) -> float:
    return statistics.median(values) if values else 0.0


def report(costs: dict[str, Costs]) -> None:
    every = Costs()
    for kind, c in sorted(costs.items()):
        every.cpu_ms += c.cpu_ms
        every.wall_ms += c.wall_ms
        every.statements += c.statements
        every.commits += c.commits
        print(
            f"  {kind:>12}: {len(c.cpu_ms):4d} messages; CPU p50 {_median(c.cpu_ms):6.1f} ms, "
            f"wall p50 {_median(c.wall_ms):6.1f} ms, SQL statements {_median(c.statements):.0f}, "
            f"transactions {_median(c.commits):.0f}"
        )
    cpu = sorted(every.cpu_ms)
    print(
        f"  {'all':>12}: {len(cpu):4d} messages; CPU p50 {_median(cpu):6.1f} ms, "
        f"p95 {cpu[int(0.95 * (len(cpu) - 1))]:.1f} ms, mean {statistics.fmean(cpu):.1f} ms "
        f"(= {1000 / statistics.fmean(cpu):.0f} messages per CPU-second); "
        f"SQL statements mean {statistics.fmean(every.statements):.1f}, transactions mean "
        f"{statistics.fmean(every.commits):.1f}"
    )


async def measure(
    database_url: str,
    messages: list[Waiting],
    concurrency: list[int],
    profile: str | None,
    trace_sql: bool,
) -> None:
    ctx: dict[str, Any] = {
        "redis": await create_pool(RedisSettings.from_dsn(os.environ["REDIS_URL"]))
    }
    await startup(ctx)
    typed = worker_context(ctx)
    counter = StatementCounter([typed["engine"], typed["vector_engine"]])
    try:
        warm: dict[str, Waiting] = {}
        for waiting in messages:
            warm.setdefault(waiting.kind, waiting)
        rest = [w for w in messages if w not in warm.values()]
        await one_at_a_time(ctx, list(warm.values()), counter)
        if trace_sql:
            for waiting in rest[: len(warm)]:
                counter.recording = []
                await process_inbound_message(
                    job_ctx(ctx), str(waiting.conversation_id), str(waiting.message_id)
                )
                print(f"-- {waiting.kind}: {len(counter.recording)} statements")
                print("\n".join(counter.recording))
                counter.recording = None
            rest = rest[len(warm) :]
        half = len(rest) // 2 if concurrency else len(rest)
        with profiled(profile):
            costs = await one_at_a_time(ctx, rest[:half], counter)
        print(machine_line())
        print(f"one at a time (warm), per message, load average {os.getloadavg()[0]:.1f}:")
        report(costs)
        remaining = rest[half:]
        share = max(1, len(remaining) // max(1, len(concurrency)))
        for index, limit in enumerate(concurrency):
            batch = remaining[index * share : (index + 1) * share]
            if batch:
                rate = await concurrently(ctx, batch, limit)
                print(f"  {limit:>3} jobs at a time: {len(batch)} messages, {rate:.1f} messages/s")
    finally:
        await shutdown(ctx)
        await ctx["redis"].aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--concurrency", default="1,20", help="comma-separated job limits")
    parser.add_argument("--database", default=DATABASE, help="emptied and migrated first")
    parser.add_argument("--profile", metavar="PATH", help="cProfile the one-at-a-time phase")
    parser.add_argument(
        "--query-cache",
        type=int,
        default=PRODUCTION_QUERY_CACHE,
        help="EMBEDDING_QUERY_CACHE_SIZE (as bench_webhooks)",
    )
    parser.add_argument(
        "--trace-sql", action="store_true", help="print the statements of one message per kind"
    )
    args = parser.parse_args()

    base = get_settings()
    database_url = _database_url(base, args.database)
    reset_and_migrate(database_url)
    clear_queue(base.redis_url)
    token, account, app_secret = seed(database_url, base)
    fake_server, _ = start_fake_graph()
    port = free_port()
    env = {
        "DATABASE_URL": database_url,
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "LOG_LEVEL": "WARNING",
        "META_GRAPH_BASE_URL": fake_server.url,
        "ENVIRONMENT": "development",
        "RESPONDER_DEBOUNCE_SECONDS": "0",
        "EMBEDDING_QUERY_CACHE_SIZE": str(args.query_cache),
        "CHANNEL_SEND_RATE_PER_SECOND": "1000",
        "CHANNEL_SEND_BURST": "200",
    }
    target = Target("127.0.0.1", port, f"/api/v1/webhooks/instagram/{token}", account, app_secret)
    try:
        api = ("uvicorn", "api.main:app", "--host", "127.0.0.1", "--port", str(port))
        with running(*api, "--no-access-log", env=env):
            wait_until_healthy(env["PUBLIC_URL"], 120)
            asyncio.run(ingest(target, args.messages))
        clear_queue(base.redis_url)  # the jobs are run here, by hand
        os.environ.update(env, REDIS_URL=base.redis_url)
        get_settings.cache_clear()
        limits = [int(n) for n in args.concurrency.split(",") if n]
        asyncio.run(
            measure(
                database_url, waiting_messages(database_url), limits, args.profile, args.trace_sql
            )
        )
    finally:
        fake_server.stop()


if __name__ == "__main__":
    main()
