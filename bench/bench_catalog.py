"""Catalog latency at scale: SKU lookup, product get, list, search and stock moves.

Run: `.venv/bin/python -m bench.bench_catalog [--iterations 300] [--http] [--explain]`.

Seeds (once; `--reseed` to redo) the database `chidi_bench` on the configured server with
one business of 10,000 products / 100,000 SKUs among noise tenants, then times the
catalog service functions the API and the agents call, each in its own session and
transaction as a request would run them. `--http` also times the same operations through
the real app over HTTP (auth and business lookup included); `--explain` prints the
query plans of the statements each operation ran.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bench.catalog_seed import ADJECTIVES, NOUNS, Tenant, build_rows, write
from core.errors import Conflict
from core.security import TokenSubject, issue_access_token
from core.settings import Settings, get_settings
from store.catalog import items, products
from store.db import create_engine, create_sessionmaker
from store.repositories import catalog as repo
from store.repositories.catalog import ProductQuery, SortField, SortOrder
from tests.support.database import alembic_config, ensure_database, reset_and_migrate
from tests.support.live_server import free_port

ROOT = Path(__file__).resolve().parents[1]
MAIN = "Bench Main Store"
# p95 targets from issue 3; it sets none for stock moves.
TARGETS_MS: dict[str, float | None] = {
    "sku lookup": 10.0,
    "product get": 10.0,
    "list": 30.0,
    "list by stock": 30.0,
    "search": 30.0,
    "adjust stock": None,
}
SEARCH_TERMS = [
    *(a.lower() for a in ADJECTIVES),
    *(n.split()[0].lower() for n in NOUNS),
    "quality",
    "00042",
    "ankara dress 01",
]

Operation = Callable[[AsyncSession], Awaitable[object]]


@dataclass
class Catalog:
    """The main tenant's ids, for picking random targets."""

    business_id: Any
    user_id: Any
    product_ids: list[Any]
    skus: list[str]
    item_ids: list[Any]


def bench_settings(base: Settings, database: str) -> Settings:
    """`base` pointed at the benchmark database on the same server."""
    head, _, _ = base.database_url.rpartition("/")
    return base.model_copy(update={"database_url": f"{head}/{database}"})


def _load(conn: psycopg.Connection) -> Catalog | None:
    row = conn.execute("SELECT id, user_id FROM businesses WHERE name = %s", (MAIN,)).fetchone()
    if row is None:
        return None
    business_id, user_id = row
    product_ids = [
        r[0] for r in conn.execute("SELECT id FROM products WHERE business_id = %s", (business_id,))
    ]
    found = conn.execute(
        "SELECT sku, id FROM inventory_items WHERE business_id = %s", (business_id,)
    ).fetchall()
    return Catalog(business_id, user_id, product_ids, [r[0] for r in found], [r[1] for r in found])


def prepare(settings: Settings, args: argparse.Namespace) -> Catalog:
    """The seeded catalog, seeding it first if missing (or asked to)."""
    from alembic import command

    ensure_database(settings.database_url)
    if args.reseed:
        reset_and_migrate(settings.database_url)
    else:
        command.upgrade(alembic_config(settings.database_url), "head")
    with psycopg.connect(settings.database_url_sync_dsn) as conn:
        catalog = _load(conn)
        if catalog is not None and len(catalog.product_ids) == args.products:
            return catalog
        if catalog is not None:
            raise SystemExit("chidi_bench holds another size of catalog; pass --reseed")
        tenants = [Tenant(MAIN, args.products)] + [
            Tenant(f"Noise Tenant {i}", args.noise_products) for i in range(args.noise_tenants)
        ]
        started = time.perf_counter()
        rows = build_rows(tenants)
        write(conn, tenants, rows)
        print(
            f"seeded {len(rows.products):,} products / {len(rows.items):,} SKUs "
            f"in {len(tenants)} businesses in {time.perf_counter() - started:.1f}s"
        )
        catalog = _load(conn)
    assert catalog is not None
    return catalog


def operations(catalog: Catalog, rng: random.Random) -> dict[str, Operation]:
    """Each timed operation, picking its own random target per call."""
    bid = catalog.business_id
    sorts: list[SortField] = ["created_at", "name", "base_price", "updated_at"]
    orders: list[SortOrder] = ["asc", "desc"]

    async def sku_lookup(s: AsyncSession) -> object:
        return await repo.find_item_by_sku(s, bid, rng.choice(catalog.skus).lower())

    async def product_get(s: AsyncSession) -> object:
        return await products.get_product(s, bid, rng.choice(catalog.product_ids))

    async def listing(s: AsyncSession) -> object:
        return await products.list_products(
            s,
            bid,
            ProductQuery(
                page=rng.randint(1, 50), sort_by=rng.choice(sorts), order=rng.choice(orders)
            ),
        )

    async def list_by_stock(s: AsyncSession) -> object:
        return await products.list_products(
            s, bid, ProductQuery(page=rng.randint(1, 5), sort_by="total_stock")
        )

    async def search(s: AsyncSession) -> object:
        return await products.list_products(
            s, bid, ProductQuery(search_term=rng.choice(SEARCH_TERMS), sort_by="name", order="asc")
        )

    async def adjust(s: AsyncSession) -> object:
        # Mostly sales (-1), some restocks; a sale of the last unit is a timed 409.
        try:
            return await items.adjust_stock(
                s, bid, rng.choice(catalog.item_ids), change=-1 if rng.random() < 0.8 else 1
            )
        except Conflict as refused:
            return refused

    return {
        "sku lookup": sku_lookup,
        "product get": product_get,
        "list": listing,
        "list by stock": list_by_stock,
        "search": search,
        "adjust stock": adjust,
    }


async def time_operation(
    sessions: async_sessionmaker[AsyncSession], operation: Operation, iterations: int
) -> list[float]:
    """Milliseconds per call, each in a fresh session committed at the end."""
    timings = []
    for index in range(iterations + 20):
        started = time.perf_counter()
        async with sessions() as session:
            await operation(session)
            await session.commit()
        if index >= 20:  # the first calls warm caches and the pool
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def report(title: str, results: dict[str, list[float]]) -> None:
    """A table of p50/p95 against the targets."""
    print(f"\n{title}")
    print(f"  {'operation':<15} {'p50 ms':>8} {'p95 ms':>8} {'target':>8}  ")
    for name, timings in results.items():
        cuts = statistics.quantiles(timings, n=100)
        target = TARGETS_MS[name]
        if target is None:
            shown, verdict = "-", ""
        else:
            shown, verdict = f"<{target:g}", "ok" if cuts[94] < target else "MISSED"
        print(f"  {name:<15} {cuts[49]:>8.2f} {cuts[94]:>8.2f} {shown:>8}  {verdict}")


async def explain(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], ops: dict[str, Operation]
) -> None:
    """Run each operation once, capture its SQL, and print EXPLAIN ANALYZE for each."""
    captured: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        captured.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", capture)
    try:
        for name, operation in ops.items():
            captured.clear()
            async with sessions() as session:
                await operation(session)
                await session.rollback()
            print(f"\n=== {name}")
            async with engine.connect() as conn:
                for statement, parameters in list(captured):
                    result = await conn.exec_driver_sql(
                        "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + statement, parameters
                    )
                    print("\n".join(f"  {row[0]}" for row in result))
                    print("  ---")
                await conn.rollback()
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", capture)


@contextmanager
def api_process(settings: Settings) -> Iterator[str]:
    """The real app under uvicorn in its own process (so the client's timing loop does
    not share a GIL with it); yields its base URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "PUBLIC_URL": url,
        "LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "api.main:app",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with suppress(httpx.TransportError):
                if httpx.get(f"{url}/healthz", timeout=0.5).status_code == 200:
                    break
            time.sleep(0.1)
        else:
            raise RuntimeError("the API did not start within 30s")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def _bearer(settings: Settings, url: str, catalog: Catalog) -> str:
    now = int(time.time())
    subject = TokenSubject(
        user_id=catalog.user_id,
        session_id=uuid.uuid4(),
        email=f"{catalog.user_id.hex}@bench.example.com",
        auth_method="password",
        authenticated_at=now,
    )
    token, _ = issue_access_token(
        subject,
        secret=settings.jwt_secret.get_secret_value(),
        issuer=f"{url}/auth/v1",
        ttl_seconds=3600,
        now=now,
    )
    return token


async def time_http(
    settings: Settings, catalog: Catalog, rng: random.Random, iterations: int
) -> dict[str, list[float]]:
    """The same operations through the real app over HTTP, one request at a time."""
    calls: dict[str, Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]] = {
        "sku lookup": lambda c: c.post(
            "/api/v1/skus/validate", json={"sku": rng.choice(catalog.skus)}
        ),
        "product get": lambda c: c.get(f"/api/v1/products/{rng.choice(catalog.product_ids)}"),
        "list": lambda c: c.get("/api/v1/products", params={"page": rng.randint(1, 50)}),
        "list by stock": lambda c: c.get(
            "/api/v1/products", params={"page": rng.randint(1, 5), "sort_by": "total_stock"}
        ),
        "search": lambda c: c.get(
            "/api/v1/products", params={"search_term": rng.choice(SEARCH_TERMS)}
        ),
        "adjust stock": lambda c: c.post(
            f"/api/v1/inventory_items/{rng.choice(catalog.item_ids)}/adjust_stock",
            json={"change": 1},
        ),
    }
    results: dict[str, list[float]] = {}
    with api_process(settings) as url:
        headers = {"Authorization": f"Bearer {_bearer(settings, url, catalog)}"}
        async with httpx.AsyncClient(base_url=url, headers=headers) as client:
            for name, call in calls.items():
                timings = []
                for index in range(iterations + 20):
                    started = time.perf_counter()
                    response = await call(client)
                    response.raise_for_status()
                    if index >= 20:
                        timings.append((time.perf_counter() - started) * 1000)
                results[name] = timings
    return results


async def run(args: argparse.Namespace) -> None:
    """Prepare, then time every operation and print the figures."""
    settings = bench_settings(get_settings(), args.database)
    catalog = prepare(settings, args)
    print(
        f"main business: {len(catalog.product_ids):,} products, "
        f"{len(catalog.skus):,} SKUs; {args.iterations} timed calls per operation"
    )
    engine = create_engine(settings)
    sessions = create_sessionmaker(engine)
    rng = random.Random(42)
    ops = operations(catalog, rng)
    try:
        if args.explain:
            await explain(engine, sessions, ops)
        results = {
            name: await time_operation(sessions, op, args.iterations) for name, op in ops.items()
        }
        report("service functions (one session + commit per call)", results)
    finally:
        await engine.dispose()
    if args.http:
        report(
            "over HTTP (uvicorn in its own process; auth, business lookup, JSON)",
            await time_http(settings, catalog, rng, args.iterations),
        )


def main() -> None:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="chidi_bench")
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--noise-tenants", type=int, default=9)
    parser.add_argument("--noise-products", type=int, default=2_000)
    parser.add_argument("--iterations", type=int, default=300)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--http", action="store_true")
    parser.add_argument("--explain", action="store_true")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
