"""The LangGraph checkpointer: graph threads saved in Postgres, in their own schema.

The checkpointer owns its tables (LangGraph migrates them with `setup()`), so they live in
the `langgraph` schema, away from Alembic's. It gets a psycopg pool of its own: its
connections are autocommit with no prepared statements, unlike SQLAlchemy's.

Nothing connects at start-up (the API must start, and report not ready, while the database
is down): the pool connects in the background and `ready()` migrates on first use.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Final

import psycopg
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from psycopg import AsyncConnection
from psycopg.rows import DictRow, dict_row
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from core.errors import ServiceUnavailable
from core.settings import Settings

SCHEMA: Final = "langgraph"
# Serialises `setup()` when several API processes start at once (its migrations are not).
_SETUP_LOCK: Final = 7_345_112_901
CONNECT_TIMEOUT_SECONDS: Final = 10.0


class Checkpoints:
    """A checkpointer on its own pool, migrated once, on first use."""

    def __init__(self, settings: Settings) -> None:
        self.pool: AsyncConnectionPool[AsyncConnection[DictRow]] = AsyncConnectionPool(
            settings.database_url_sync_dsn,
            min_size=1,
            max_size=max(2, settings.database_pool_size),  # setup() runs beside the lock
            open=False,
            timeout=CONNECT_TIMEOUT_SECONDS,
            # Checked when lent (one round trip), so connections a restarted or failed-over
            # Postgres dropped are replaced instead of failing the next requests.
            check=AsyncConnectionPool.check_connection,
            kwargs={
                "autocommit": True,
                "prepare_threshold": None,
                "row_factory": dict_row,
                "options": f"-c search_path={SCHEMA}",
            },
        )
        self.saver = AsyncPostgresSaver(self.pool)
        self._ready = False
        self._lock = asyncio.Lock()

    async def ready(self) -> AsyncPostgresSaver:
        """The checkpointer, its schema and tables created if this is the first use."""
        if self._ready:
            return self.saver
        async with self._lock:
            if not self._ready:
                try:
                    await self._setup()
                except (psycopg.OperationalError, PoolTimeout) as exc:
                    raise ServiceUnavailable(
                        "The database is unavailable right now; please retry shortly."
                    ) from exc
                self._ready = True
        return self.saver

    async def _setup(self) -> None:
        async with self.pool.connection() as conn:
            await conn.execute("SELECT pg_advisory_lock(%s)", (_SETUP_LOCK,))
            try:
                await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
                await self.saver.setup()
            finally:
                await conn.execute("SELECT pg_advisory_unlock(%s)", (_SETUP_LOCK,))


@asynccontextmanager
async def open_checkpoints(settings: Settings) -> AsyncIterator[Checkpoints]:
    """Checkpoints whose pool connects in the background and is closed when the block exits."""
    checkpoints = Checkpoints(settings)
    await checkpoints.pool.open(wait=False)
    try:
        yield checkpoints
    finally:
        await checkpoints.pool.close()
