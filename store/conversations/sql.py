"""Running hand-written SQL in a session's transaction, with as little overhead as possible.

The conversation paths (webhook ingestion above all, at up to a thousand deliveries a
second) are single statements with ON CONFLICT, RETURNING and row locks, clearest as SQL
text with `:name` parameters. Each runs on the session's connection (its transaction)
straight through the driver: the statement is converted once to psycopg's `%(name)s`
style and cached, which skips SQLAlchemy's per-call compilation and parameter processing.
JSON values are passed wrapped in `psycopg.types.json.Jsonb`. Independent statements
can be sent together (`first_rows`, psycopg's pipeline mode): one round trip for all.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from psycopg import AsyncConnection, AsyncCursor
from sqlalchemy import CursorResult
from sqlmodel.ext.asyncio.session import AsyncSession

# `:name`, but not the second colon of a `::type` cast.
_NAMED = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


@lru_cache(maxsize=256)
def driver_sql(sql: str) -> str:
    """`sql` with `:name` parameters in psycopg's `%(name)s` style (literal % doubled)."""
    return _NAMED.sub(r"%(\1)s", sql.replace("%", "%%"))


async def run(
    session: AsyncSession, sql: str, params: Mapping[str, Any] | None = None
) -> CursorResult[*tuple[Any, ...]]:
    """Execute `sql` with `params` in the session's transaction; its result."""
    await session.flush()  # like any query through the session, see its pending changes
    connection = await session.connection()
    return await connection.exec_driver_sql(driver_sql(sql), dict(params or {}))


Statement = tuple[str, Mapping[str, Any]]


async def first_rows(
    session: AsyncSession, statements: Sequence[Statement]
) -> list[tuple[Any, ...] | None]:
    """Execute `statements` in order in the session's transaction, sent together and
    answered together (one round trip instead of one each); the first row of each.

    Meant for statements that do not depend on each other's results. If one fails, the
    ones after it are not run and the error is raised (the transaction is then aborted).
    """
    await session.flush()
    connection = await session.connection()
    driver = (await connection.get_raw_connection()).driver_connection
    if not isinstance(driver, AsyncConnection):
        raise TypeError(f"first_rows needs psycopg's async driver, not {type(driver).__name__}")
    cursors: list[AsyncCursor[Any]] = []
    async with driver.pipeline():
        for sql, params in statements:
            cursor = driver.cursor()
            await cursor.execute(driver_sql(sql), dict(params))
            cursors.append(cursor)
    return [await cursor.fetchone() for cursor in cursors]
