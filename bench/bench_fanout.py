"""Live-event fan-out: latency from a worker's publish to the owners' SSE clients.

Run: `.venv/bin/python -m bench.bench_fanout [--streams 500] [--businesses 100]
[--api-workers 1] [--rate 50] [--seconds 20]`.

Starts the API (`uvicorn api.main:app --workers N`) as a subprocess on the database
`chidi_bench_fanout` (emptied and migrated each run), opens `--streams` authenticated SSE
streams to `GET /api/v1/events` spread evenly over `--businesses` owners (a small raw
HTTP/1.1 reader per stream, so the clients are cheap), and publishes events with the
worker's own publisher (`store.events.publish.RedisEventPublisher`: XADD to the business's
history + PUBLISH on the fan-out channel, one Lua script) at `--rate` events per second,
each to a random business. Every event carries its publish time (`time.perf_counter`, this
process's clock, like the receive time), so the latency of each delivery is receive time
minus the moment before the publish call; an event reaches every stream of its business.

Two scenarios by default: the spread (`--businesses`, e.g. 5 streams per owner) and the
broadcast (all streams on one business: each event is delivered `--streams` times at once).
It also reports how many Redis subscriptions serve the streams (PUBSUB NUMSUB on the
fan-out channel: one per API process, however many streams), and the API processes' CPU
time per delivery while publishing (from /proc: a figure that does not depend on what else
the machine is running, unlike the latencies).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import time
import uuid
from dataclasses import dataclass, field

import psycopg
from redis.asyncio import Redis

from core.settings import Settings, get_settings
from store.events import model as live
from store.events.publish import RedisEventPublisher, fanout_channel
from tests.support.catalog_api import issue_token
from tests.support.database import reset_and_migrate
from tests.support.live_server import free_port
from tests.support.processes import running, wait_until_healthy

DATABASE = "chidi_bench_fanout"


@dataclass
class Results:
    """Deliveries seen by the clients: latency per delivery, and how many were expected."""

    latencies: list[float] = field(default_factory=list)
    expected: int = 0
    sent_at: dict[int, float] = field(default_factory=dict)


def _database_url(base: Settings) -> str:
    prefix, _, _ = base.database_url.rpartition("/")
    return f"{prefix}/{DATABASE}"


def seed_owners(database_url: str, count: int) -> list[tuple[uuid.UUID, uuid.UUID, str]]:
    """`count` owners with a business each: (user id, business id, email)."""
    dsn = database_url.replace("postgresql+psycopg://", "postgresql://", 1)
    owners = []
    with psycopg.connect(dsn, autocommit=True) as conn:
        for n in range(count):
            user_id, business_id = uuid.uuid4(), uuid.uuid4()
            email = f"fanout-{n}-{user_id.hex[:8]}@example.com"
            conn.execute("INSERT INTO users (id, email) VALUES (%s, %s)", (user_id, email))
            conn.execute(
                "INSERT INTO businesses (id, user_id, name) VALUES (%s, %s, 'Bench')",
                (business_id, user_id),
            )
            owners.append((user_id, business_id, email))
    return owners


async def open_stream(port: int, token: str, results: Results, ready: asyncio.Event) -> None:
    """One SSE client: read events, record each bench event's latency."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 20)
    writer.write(
        (
            f"GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Authorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n"
        ).encode()
    )
    await writer.drain()
    try:
        while line := await reader.readline():
            if line.startswith(b"event: ready"):
                ready.set()
            elif line.startswith(b"data: ") and b"bench_seq" in line:
                received = time.perf_counter()
                seq = json.loads(line[6:])["unread_count"]
                results.latencies.append(received - results.sent_at[seq])
    finally:
        writer.close()


async def publish(
    redis: Redis, streams: dict[uuid.UUID, int], *, rate: float, seconds: float, results: Results
) -> None:
    """Publish `rate` events per second for `seconds`, each to a random business of
    `streams` (business -> its open streams)."""
    publisher = RedisEventPublisher(redis)
    businesses = list(streams)
    interval = 1 / rate
    start = time.perf_counter()
    for seq in range(int(rate * seconds)):
        await asyncio.sleep(max(0.0, start + seq * interval - time.perf_counter()))
        business = random.choice(businesses)
        results.expected += streams[business]
        event = live.conversation_updated(
            business, uuid.uuid4(), unread_count=seq, tags=["bench_seq"]
        )
        results.sent_at[seq] = time.perf_counter()
        await publisher.publish([event])


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of process `pid` and its children so far (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the command: state, ppid, ..., utime (12th) and stime (13th).
        if int(entry) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def scenario(
    name: str,
    api_pid: int,
    port: int,
    settings: Settings,
    public_url: str,
    owners: list[tuple[uuid.UUID, uuid.UUID, str]],
    *,
    streams: int,
    rate: float,
    seconds: float,
) -> None:
    """Open `streams` streams over `owners` (round robin), publish, and report."""
    redis = Redis.from_url(settings.redis_url)
    results = Results()
    per_business: dict[uuid.UUID, int] = {}
    tasks, readies = [], []
    opened = time.perf_counter()
    for n in range(streams):
        user_id, business_id, email = owners[n % len(owners)]
        per_business[business_id] = per_business.get(business_id, 0) + 1
        token = issue_token(settings, public_url, user_id=user_id, email=email)
        ready = asyncio.Event()
        readies.append(ready)
        tasks.append(asyncio.create_task(open_stream(port, token, results, ready)))
        if n % 50 == 49:
            await asyncio.sleep(0.05)  # connect in waves, like dashboards opening over time
    await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), 180)
    connect_seconds = time.perf_counter() - opened
    subscriptions = (await redis.pubsub_numsub(fanout_channel(redis)))[0][1]
    cpu_before, client_before, wall_before = cpu_seconds(api_pid), time.process_time(), time.time()
    await publish(redis, per_business, rate=rate, seconds=seconds, results=results)
    await asyncio.sleep(2)  # the last deliveries
    api_cpu = cpu_seconds(api_pid) - cpu_before
    client_cpu, wall = time.process_time() - client_before, time.time() - wall_before
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await redis.aclose()
    latencies_ms = [1000 * value for value in results.latencies]
    events = int(rate * seconds)
    print(
        f"\n{name}: {streams} streams over {len(per_business)} businesses "
        f"(opened in {connect_seconds:.1f} s), {events} events at {rate:g}/s, "
        f"Redis subscriptions for the fan-out channel: {subscriptions}"
    )
    if not latencies_ms:
        print("  no deliveries")
        return
    print(
        f"  deliveries {len(latencies_ms)} of {results.expected}: "
        f"p50 {statistics.median(latencies_ms):.1f} ms, "
        f"p95 {_percentile(latencies_ms, 0.95):.1f} ms, "
        f"p99 {_percentile(latencies_ms, 0.99):.1f} ms, max {max(latencies_ms):.1f} ms"
    )
    print(
        f"  CPU while publishing ({wall:.0f} s): API {api_cpu:.1f} s "
        f"({1e6 * api_cpu / len(latencies_ms):.0f} µs per delivery), "
        f"clients and publisher {client_cpu:.1f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--streams", type=int, default=500)
    parser.add_argument("--businesses", type=int, default=100)
    parser.add_argument("--api-workers", type=int, default=1)
    parser.add_argument("--rate", type=float, default=50.0, help="events per second")
    parser.add_argument(
        "--broadcast-rate", type=float, default=10.0, help="events per second, broadcast"
    )
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--scenarios", default="spread,broadcast")
    args = parser.parse_args()

    base = get_settings()
    database_url = _database_url(base)
    reset_and_migrate(database_url)
    owners = seed_owners(database_url, args.businesses)
    port = free_port()
    public_url = f"http://127.0.0.1:{port}"
    settings = base.model_copy(update={"database_url": database_url, "public_url": public_url})
    env = {
        "DATABASE_URL": database_url,
        "PUBLIC_URL": public_url,
        "LOG_LEVEL": "WARNING",
        "DATABASE_POOL_SIZE": "20",
    }
    api = ("uvicorn", "api.main:app", "--host", "127.0.0.1", "--port", str(port))
    workers = ("--workers", str(args.api_workers), "--no-access-log")
    with running(*api, *workers, env=env) as server:
        wait_until_healthy(public_url, seconds=240)
        for name, scenario_owners, rate in (
            (f"spread ({args.streams // args.businesses} per business)", owners, args.rate),
            ("broadcast (all on one business)", owners[:1], args.broadcast_rate),
        ):
            if name.split()[0] not in args.scenarios.split(","):
                continue
            asyncio.run(
                scenario(
                    name,
                    server.pid,
                    port,
                    settings,
                    public_url,
                    scenario_owners,
                    streams=args.streams,
                    rate=rate,
                    seconds=args.seconds,
                )
            )


if __name__ == "__main__":
    main()
