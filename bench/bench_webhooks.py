"""Webhook ingestion and the reply loop under load, on loopback, with real processes.

Run: `.venv/bin/python -m bench.bench_webhooks [--rates 500,1000] [--seconds 10] [--workers 2]`.

Starts the API (`uvicorn api.main:app --workers N`) and, for the end-to-end part, the arq
worker as subprocesses on the database `chidi_bench_webhooks` (`--database`; emptied and
migrated each run), with the fake Graph API in this process. The business is a small
fashion shop (`bench.catalog_seed.seed_shop`: totes, a shirt and sandals with variants,
some sold out; delivery, returns and payment policies and two facts, embedded), so the
responder really decides with the local brain. Then:

1. ack: signed Instagram webhooks sent open-loop at a fixed rate over keep-alive
   connections (a small raw HTTP/1.1 client, so the load generator is not the bottleneck);
   latency is measured from each request's *scheduled* time, so a stalled server cannot
   hide queueing (no coordinated omission). No worker runs, so this is ingestion alone.
2. capacity: the same, closed-loop with a fixed number of connections, for the sustained
   maximum.
3. end to end: new customers at a fixed rate with the worker running, each sending one
   message from a fixed mix (`MESSAGES`: price, availability in and out of stock, policy,
   greeting, complaint), introduced by the customer's name so that no two texts of a run
   are the same (`customer_message`; the worker keeps the production embedding cache,
   which then only serves a message's own second lookup); the latency is from sending the
   webhook to the fake Graph API recording the reply (the answer, or the holding message
   of an escalation), plus the count of customers with no reply (lost) and with more than
   one (duplicated). The decisions are then read back from `ai_responses_log`: how many
   were answered or escalated per kind of message, and the decision time
   (`processing_time_ms`) with the median of each graph step (`timings`). Run with the
   reply debounce off (`--debounce 0`, default) to measure the pipeline, or with e.g.
   `--debounce 2` to see what the burst window adds.

Each phase also prints the CPU time the API, Postgres, Redis, the load generator and (end
to end) the worker used, per request and in cores busy (`bench.cpu`).

`--profile-api PATH` / `--profile-worker PATH` run the API (as one process) or the worker
under cProfile, for where the CPU goes; cProfile inflates Python-heavy code several times,
so confirm a finding by comparing throughput without it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import statistics
import time
import uuid
from collections.abc import Coroutine
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

import psycopg
import redis
import uvloop  # installed with uvicorn[standard], as the API's own event loop

from bench.catalog_seed import seed_shop
from bench.cpu import CpuMeter, Finder, machine_line, named, per_item, this_process, tree
from channels import instagram
from channels.fake_graph import FakeGraphController
from channels.signature import HEADER, sign
from core.crypto import encrypt_secret
from core.settings import Settings, get_settings
from store.tables.base import utcnow
from tests.fakes.graph_api import start_fake_graph
from tests.support.database import reset_and_migrate
from tests.support.live_server import free_port
from tests.support.processes import running, wait_until_healthy

DATABASE = "chidi_bench_webhooks"
PRODUCTION_QUERY_CACHE: int = Settings.model_fields["embedding_query_cache_size"].default
# What the end-to-end customers say, one each, in turn: (kind, text), each introduced by
# its customer (`customer_message`) so that no two messages of a run are the same text.
MESSAGES: tuple[tuple[str, str], ...] = (
    ("availability", "Do you have the leather tote in black?"),
    ("price", "How much is the canvas tote?"),
    ("sold out", "is the linen shirt available in size M?"),
    ("policy", "do you deliver? how long does it take?"),
    ("greeting", "Hello, good morning"),
    ("complaint", "My order came late and the strap is already broken. Very disappointed!"),
    ("availability", "is the tan leather tote in stock"),
    ("price", "price of the ankara sandals pls"),
    ("sold out", "do you have the leather tote in brown"),
    ("policy", "can i return an item if it doesn't fit?"),
    ("greeting", "hi there"),
    ("complaint", "I paid two weeks ago and still nothing. This is terrible service"),
    ("availability", "any linen shirt in large?"),
    ("price", "how much for the linen shirt size S"),
    ("sold out", "Brown leather tote available?"),
    ("policy", "what payment methods do you accept?"),
    ("greeting", "good evening"),
    ("complaint", "the sandals you sent me are the wrong size and nobody is answering me"),
)


# Who introduces a message and how: 40 names x 3 openers x 2 endings = 240 introductions,
# so the first 240 x len(MESSAGES) = 4,320 messages of a run are all different texts. None
# names a product, colour or size of the seeded shop.
_NAMES = tuple(
    """
    Ada Bola Emeka Funmi Gbenga Ifeoma Jide Kemi Lola Musa Ngozi Obi Segun Tolu Uche
    Yemi Zainab Amaka Dayo Efe Femi Halima Ibrahim Kunle Nkechi Ola Sade Tunde Wale
    Aisha Bayo Chioma Dami Eniola Fatima Hassan Ikenna Jumoke Kelechi Lanre
    """.split()
)
_OPENERS = ("Hi, it's {name}.", "{name} here.", "Hello, this is {name}.")
_ENDINGS = ("", " Thanks")


def customer_message(index: int) -> tuple[str, str]:
    """The `index`-th message of a run, (kind, text): the mix in turn, each with its own
    introduction, so an embedding cache cannot answer a message from an earlier one (a
    production-like mix of first messages, not a flattering one)."""
    kind, text = MESSAGES[index % len(MESSAGES)]
    turn = index // len(MESSAGES)
    name = _NAMES[turn % len(_NAMES)]
    opener = _OPENERS[turn // len(_NAMES) % len(_OPENERS)]
    ending = _ENDINGS[turn // (len(_NAMES) * len(_OPENERS)) % len(_ENDINGS)]
    return kind, f"{opener.format(name=name)} {text}{ending}"


def kind_of(text: str) -> str:
    """Which kind of message of the mix `text` is (see `customer_message`)."""
    return next((kind for kind, said in MESSAGES if said in text), "other")


@dataclass(frozen=True)
class Target:
    """The seeded connection the load is sent to."""

    host: str
    port: int
    path: str
    account_id: str
    app_secret: str


def _database_url(base: Settings, database: str) -> str:
    prefix, _, _ = base.database_url.rpartition("/")
    return f"{prefix}/{database}"


def seed(database_url: str, settings: Settings) -> tuple[str, str, str]:
    """The shop with one Instagram connection; (path token, account id, app secret)."""
    token, account, app_secret = secrets.token_urlsafe(24), "ig-bench", secrets.token_urlsafe(24)
    keys = settings.encryption_key.get_secret_value()
    dsn = _dsn(database_url)
    user_id, business_id = uuid.uuid4(), uuid.uuid4()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO users (id, email) VALUES (%s, %s)",
            (user_id, f"bench-{user_id.hex[:8]}@example.com"),
        )
        conn.execute(
            "INSERT INTO businesses (id, user_id, name) VALUES (%s, %s, 'Bench')",
            (business_id, user_id),
        )
        conn.execute(
            "INSERT INTO social_connections (id, business_id, platform, platform_account_id, "
            "webhook_path_token, access_token_encrypted, app_secret_encrypted, "
            "verify_token_encrypted) VALUES (%s, %s, 'instagram', %s, %s, %s, %s, %s)",
            (
                uuid.uuid4(),
                business_id,
                account,
                token,
                encrypt_secret("bench-token", keys),
                encrypt_secret(app_secret, keys),
                encrypt_secret("verify", keys),
            ),
        )
    asyncio.run(seed_shop(settings.model_copy(update={"database_url": database_url}), business_id))
    return token, account, app_secret


def request_bytes(target: Target, customer: str, text: str = MESSAGES[0][1]) -> bytes:
    """One signed webhook delivery as raw HTTP/1.1 (keep-alive)."""
    payload = instagram.message_webhook(
        account_id=target.account_id,
        customer_id=customer,
        text_body=text,
        mid="m_bench_" + secrets.token_urlsafe(18),
        sent_at=utcnow(),
    )
    body = json.dumps(payload).encode()
    head = (
        f"POST {target.path} HTTP/1.1\r\nHost: {target.host}:{target.port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        f"{HEADER}: {sign(body, target.app_secret)}\r\n\r\n"
    )
    return head.encode() + body


class Connection:
    """A keep-alive HTTP/1.1 connection that sends one request at a time."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, target: Target) -> Connection:
        reader, writer = await asyncio.open_connection(target.host, target.port)
        return cls(reader, writer)

    async def send(self, request: bytes) -> int:
        """Send and read the whole response; its status code."""
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        await self.reader.readexactly(length)
        return status

    def close(self) -> None:
        self.writer.close()


@dataclass
class Run:
    """Latencies (seconds) and statuses of one load phase."""

    latencies: list[float]
    statuses: dict[int, int]
    elapsed: float
    cpu: dict[str, float] = field(default_factory=dict)

    def report(self, label: str) -> None:
        lat = sorted(self.latencies)

        def pct(p: float) -> float:
            return lat[min(len(lat) - 1, int(p / 100 * len(lat)))] * 1000

        print(
            f"{label}: {len(lat)} requests in {self.elapsed:.1f}s = "
            f"{len(lat) / self.elapsed:.0f}/s; ack p50 {pct(50):.1f} ms, p95 {pct(95):.1f} "
            f"ms, p99 {pct(99):.1f} ms, max {lat[-1] * 1000:.1f} ms; statuses {self.statuses}"
        )
        if self.cpu:
            print("  " + per_item(self.cpu, len(lat), self.elapsed))


async def open_loop(
    target: Target, *, rate: float, seconds: float, connections: int, customers: list[str]
) -> Run:
    """Requests scheduled at a fixed rate; latency counted from the scheduled time."""
    pool = [await Connection.open(target) for _ in range(connections)]
    queue: asyncio.Queue[tuple[float, bytes] | None] = asyncio.Queue()
    latencies: list[float] = []
    statuses: dict[int, int] = {}

    async def sender(connection: Connection) -> None:
        while (item := await queue.get()) is not None:
            scheduled, request = item
            status = await connection.send(request)
            latencies.append(time.perf_counter() - scheduled)
            statuses[status] = statuses.get(status, 0) + 1

    tasks = [asyncio.create_task(sender(c)) for c in pool]
    # Signed ahead: the load generator shares the two cores with the server.
    requests = [
        request_bytes(target, customers[index % len(customers)])
        for index in range(int(rate * seconds))
    ]
    started = time.perf_counter()
    for index, request in enumerate(requests):
        scheduled = started + index / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        queue.put_nowait((scheduled, request))
    for _ in pool:
        queue.put_nowait(None)
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - started
    for connection in pool:
        connection.close()
    return Run(latencies, statuses, elapsed)


async def closed_loop(
    target: Target, *, seconds: float, connections: int, customers: list[str]
) -> Run:
    """Each connection sends its next request as soon as the last one is answered."""
    pool = [await Connection.open(target) for _ in range(connections)]
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    deadline = time.perf_counter() + seconds

    async def sender(connection: Connection, offset: int) -> None:
        index = offset
        while time.perf_counter() < deadline:
            request = request_bytes(target, customers[index % len(customers)])
            sent = time.perf_counter()
            status = await connection.send(request)
            latencies.append(time.perf_counter() - sent)
            statuses[status] = statuses.get(status, 0) + 1
            index += connections

    started = time.perf_counter()
    await asyncio.gather(*(sender(c, i) for i, c in enumerate(pool)))
    elapsed = time.perf_counter() - started
    for connection in pool:
        connection.close()
    return Run(latencies, statuses, elapsed)


async def end_to_end(
    target: Target, fake: FakeGraphController, *, rate: float, seconds: float, drain_seconds: float
) -> int:
    """New customers at `rate`; time from webhook to the reply recorded at the fake Graph."""
    customers = [f"e2e-{uuid.uuid4().hex[:12]}" for _ in range(int(rate * seconds))]
    sent_at: dict[str, float] = {}
    pool = [await Connection.open(target) for _ in range(16)]
    queue: asyncio.Queue[tuple[str, str] | None] = asyncio.Queue()
    failures = 0

    async def sender(connection: Connection) -> None:
        nonlocal failures
        while (item := await queue.get()) is not None:
            customer, text = item
            sent_at[customer] = time.time()
            if await connection.send(request_bytes(target, customer, text)) != 200:
                failures += 1

    tasks = [asyncio.create_task(sender(c)) for c in pool]
    started = time.perf_counter()
    for index, customer in enumerate(customers):
        delay = started + index / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        queue.put_nowait((customer, customer_message(index)[1]))
    for _ in pool:
        queue.put_nowait(None)
    await asyncio.gather(*tasks)
    wanted = set(customers)
    deadline = time.monotonic() + drain_seconds
    while time.monotonic() < deadline:
        if wanted <= {s.recipient for s in list(fake.sends)}:
            break
        await asyncio.sleep(0.25)
    await asyncio.sleep(2.0)  # late duplicates would show up now
    replies: dict[str, list[float]] = {}
    for send in list(fake.sends):
        if send.recipient in wanted:
            replies.setdefault(send.recipient, []).append(send.received_at)
    latencies = sorted(min(times) - sent_at[c] for c, times in replies.items())
    lost = len(wanted) - len(replies)
    duplicated = sum(1 for times in replies.values() if len(times) > 1)
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0] * 99
    print(
        f"end to end at {rate:.0f} msg/s for {seconds:.0f}s: {len(customers)} messages, "
        f"{len(replies)} replied; receive→reply p50 {quantiles[49] * 1000:.0f} ms, "
        f"p95 {quantiles[94] * 1000:.0f} ms, p99 {quantiles[98] * 1000:.0f} ms; "
        f"lost {lost}, duplicated {duplicated}, webhook errors {failures}"
    )
    for connection in pool:
        connection.close()
    return len(customers)


def _dsn(database_url: str) -> str:
    return database_url.replace("postgresql+psycopg://", "postgresql://", 1)


def report_decisions(database_url: str) -> None:
    """Answered vs escalated per kind of message, the decision time and its slowest steps,
    from the end-to-end phase's `ai_responses_log` rows."""
    with psycopg.connect(_dsn(database_url), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT m.text_content, l.action_taken, l.processing_time_ms, l.timings "
            "FROM ai_responses_log l JOIN messages m ON m.id = l.incoming_message_id"
        ).fetchall()
    by_kind: dict[str, dict[str, int]] = {}
    steps: dict[str, list[int]] = {}
    for text, action, _, timings in rows:
        counts = by_kind.setdefault(kind_of(text or ""), {})
        counts[str(action)] = counts.get(str(action), 0) + 1
        for step, ms in (timings or {}).items():
            steps.setdefault(step, []).append(int(ms))
    for kind, counts in sorted(by_kind.items()):
        print(f"  {kind:>12}: " + ", ".join(f"{a} {n}" for a, n in sorted(counts.items())))
    times = sorted(int(r[2]) for r in rows if r[2] is not None)
    if len(times) > 1:
        q = statistics.quantiles(times, n=100)
        print(f"  decision time p50 {q[49]:.0f} ms, p95 {q[94]:.0f} ms, max {times[-1]} ms")
    medians = ", ".join(
        f"{step} {statistics.median(ms):.0f}/{max(ms)}" for step, ms in sorted(steps.items())
    )
    print(f"  steps, median/max ms: {medians}")


def settle(database_url: str) -> None:
    """Mark the ack phase's messages answered, so the worker's sweeper leaves them alone."""
    with psycopg.connect(_dsn(database_url), autocommit=True) as conn:
        conn.execute("UPDATE messages SET handled_at = now() WHERE handled_at IS NULL")


def clear_queue(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    keys = [*client.scan_iter("arq:*"), *client.scan_iter("chidi:send-bucket:*")]
    if keys:
        client.delete(*keys)
    client.close()


def wait_for_workers(redis_url: str, timeout: float) -> None:
    """Wait until a worker has finished its startup and polls the queue: arq writes its
    health-check key on its first poll. Sending earlier would measure the worker's
    import and warm-up time as queueing."""
    client = redis.Redis.from_url(redis_url)
    deadline = time.monotonic() + timeout
    try:
        while not client.exists("arq:queue:health-check"):
            if time.monotonic() > deadline:
                raise TimeoutError("no arq worker started polling")
            time.sleep(0.2)
    finally:
        client.close()
    time.sleep(1)  # other worker processes finish their startup about together


def metered(groups: dict[str, Finder], phase: Coroutine[Any, Any, Run]) -> Run:
    """Run a load phase, with the CPU each group of processes used during it."""
    meter = CpuMeter(groups)
    meter.start()
    run = uvloop.run(phase)  # the cheapest client loop: less of the CPU the server needs
    run.cpu = meter.used()
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--rates", default="500,1000", help="open-loop ack phases, webhooks/s, comma-separated"
    )
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--e2e-rate", type=float, default=100.0)
    parser.add_argument("--e2e-seconds", type=float, default=20.0)
    parser.add_argument("--debounce", type=float, default=0.0)
    parser.add_argument("--worker-processes", type=int, default=1)
    parser.add_argument(
        "--query-cache",
        type=int,
        default=PRODUCTION_QUERY_CACHE,
        help="EMBEDDING_QUERY_CACHE_SIZE for the worker (default: the production default; "
        "every message is a new text, so only a message's own second lookup hits it)",
    )
    parser.add_argument("--skip-e2e", action="store_true")
    parser.add_argument("--skip-ack", action="store_true")
    parser.add_argument("--database", default=DATABASE, help="emptied and migrated first")
    parser.add_argument(
        "--profile-worker", metavar="PATH", help="run the worker under cProfile, stats to PATH"
    )
    parser.add_argument(
        "--profile-api",
        metavar="PATH",
        help="run the API (one process) under cProfile, stats to PATH",
    )
    args = parser.parse_args()

    base = get_settings()
    database_url = _database_url(base, args.database)
    reset_and_migrate(database_url)
    clear_queue(base.redis_url)
    token, account, app_secret = seed(database_url, base)
    fake_server, fake = start_fake_graph()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        "DATABASE_URL": database_url,
        "PUBLIC_URL": url,
        "LOG_LEVEL": "WARNING",
        "META_GRAPH_BASE_URL": fake_server.url,
        "ENVIRONMENT": "development",
        "RESPONDER_DEBOUNCE_SECONDS": str(args.debounce),
        "EMBEDDING_QUERY_CACHE_SIZE": str(args.query_cache),
        "CHANNEL_SEND_RATE_PER_SECOND": "1000",
        "CHANNEL_SEND_BURST": "200",
    }
    target = Target("127.0.0.1", port, f"/api/v1/webhooks/instagram/{token}", account, app_secret)
    customers = [f"cust-{i}" for i in range(2000)]
    print(
        f"{machine_line()}\nAPI: uvicorn --workers {args.workers}; arq worker processes: "
        f"{args.worker_processes}; LOG_LEVEL=WARNING; "
        f"debounce {args.debounce}s; query cache {args.query_cache}"
    )
    try:
        api: tuple[str, ...] = (
            "uvicorn",
            "api.main:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
            "--no-access-log",
        )
        if args.profile_api:
            api = ("python", "-m", "cProfile", "-o", args.profile_api, "-m", *api[:-3], *api[-1:])
        with running(*api, env=env) as api_process:
            wait_until_healthy(url, 120)  # imports take long on a loaded machine
            groups: dict[str, Finder] = {
                "API": tree(api_process.pid),
                "Postgres": named("postgres"),
                "Redis": named("redis-server"),
                "load generator": this_process(),
            }
            # Warm-up at full concurrency: both workers' connection pools and prepared
            # statements exist before anything is measured.
            asyncio.run(
                closed_loop(target, seconds=3, connections=args.connections, customers=customers)
            )
            for rate in () if args.skip_ack else (float(r) for r in args.rates.split(",")):
                metered(
                    groups,
                    open_loop(
                        target,
                        rate=rate,
                        seconds=args.seconds,
                        connections=args.connections,
                        customers=customers,
                    ),
                ).report(f"ack, open loop at {rate:.0f}/s")
            if not args.skip_ack:
                metered(
                    groups,
                    closed_loop(
                        target,
                        seconds=args.seconds,
                        connections=args.connections,
                        customers=customers,
                    ),
                ).report(f"capacity, closed loop, {args.connections} connections")
            clear_queue(base.redis_url)
            settle(database_url)
            if not args.skip_e2e:
                with ExitStack() as workers:
                    worker: tuple[str, ...] = ("arq", "workers.settings.WorkerSettings")
                    if args.profile_worker:
                        worker = (
                            "python",
                            "-m",
                            "cProfile",
                            "-o",
                            args.profile_worker,
                            "-m",
                            *worker,
                        )
                    pids = [
                        workers.enter_context(running(*worker, env=env)).pid
                        for _ in range(args.worker_processes)
                    ]
                    wait_for_workers(base.redis_url, timeout=180)
                    meter = CpuMeter(
                        {**groups, "worker": lambda: [p for pid in pids for p in tree(pid)()]}
                    )
                    meter.start()
                    started = time.perf_counter()
                    messages = asyncio.run(
                        end_to_end(
                            target,
                            fake,
                            rate=args.e2e_rate,
                            seconds=args.e2e_seconds,
                            drain_seconds=120,
                        )
                    )
                    print("  " + per_item(meter.used(), messages, time.perf_counter() - started))
                report_decisions(database_url)
    finally:
        fake_server.stop()


if __name__ == "__main__":
    main()
