"""Running hand-written SQL in a session's transaction.

The hot paths (webhook ingestion, outbox claims) are single statements with ON CONFLICT,
RETURNING and row locks, clearest as SQL text. sqlmodel's `exec` runs them (autoflushing
the session first, like any query) but its overloads only type ORM statements; this one
place says so.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import CursorResult, TextClause
from sqlmodel.ext.asyncio.session import AsyncSession


async def run(session: AsyncSession, statement: TextClause) -> CursorResult[*tuple[Any, ...]]:
    """Execute `statement` (with its bound parameters) and return its result."""
    result: CursorResult[*tuple[Any, ...]] = await session.exec(statement)  # type: ignore[call-overload]
    return result
