"""What every tool call runs with, besides its arguments: the tools' run-time context.

The business id and the database come from here — the graph passes a `ToolContext` as
its run-time context (`graph.invoke(..., context=ToolContext(...))`, compiled with
`context_schema=ToolContext` or a subclass) and each tool reads it through its injected
`ToolRuntime`. They are never tool arguments, so a model cannot name another business.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from core.catalog_match import Catalog
from store.context.vectors import ContextStore
from store.db import session_scope
from store.tables.businesses import Business
from tools.product_vectors import ProductVectors

Audience = Literal["responder", "assistant"]
SessionSource = Callable[[], AbstractAsyncContextManager[AsyncSession]]


def sessions_from(sessionmaker: async_sessionmaker[AsyncSession]) -> SessionSource:
    """A session per tool call, committed when the call succeeds.

    For graphs run by a job or request that holds no session of its own: tool calls of
    one model turn run concurrently, and an `AsyncSession` must not be shared by
    concurrent tasks.
    """

    def open_session() -> AbstractAsyncContextManager[AsyncSession]:
        return session_scope(sessionmaker)

    return open_session


def shared_session(session: AsyncSession) -> SessionSource:
    """Every tool call uses the caller's session, one call at a time; the caller commits.

    For a graph run inside a request or job that already owns a transaction (so tool
    reads see its uncommitted rows, and its writes commit or roll back with it). Each
    call runs in a savepoint: a call that fails half-way (a profile edit whose
    re-embedding failed) leaves nothing behind for the caller to commit.
    """
    lock = asyncio.Lock()

    @asynccontextmanager
    async def use_session() -> AsyncIterator[AsyncSession]:
        async with lock, session.begin_nested():
            yield session

    return use_session


@dataclass
class Prefetched:
    """What the graph's first step already read, for the tools of the same run to reuse.

    Filled once, by that step, before any tool runs (None: the tools read the database):
    the business row (the profile) and a snapshot of its active catalog, which the
    catalog tools read instead of the same rows again (`tools.catalog_source`).
    """

    business: Business | None = None
    catalog: Catalog | None = None


@dataclass(frozen=True)
class ToolContext:
    """Run-time context of the tools: whose data, how to reach it, and for whom.

    - `business_id`: the tenant every tool is scoped to;
    - `sessions`: where tool calls get a database session (`sessions_from` or
      `shared_session`);
    - `context_store`: the business-context vectors (None: context search reports that
      it is unavailable, and profile edits are not re-embedded);
    - `product_vectors`: cached product embeddings for `find_products`' semantic
      fallback (None: no semantic fallback);
    - `audience`: "assistant" (the owner) may change the profile, "responder" (customers)
      may not;
    - `prefetched`: rows this run has read already (see `Prefetched`).
    """

    business_id: uuid.UUID
    sessions: SessionSource
    context_store: ContextStore | None = None
    product_vectors: ProductVectors | None = None
    audience: Audience = "responder"
    prefetched: Prefetched = field(default_factory=Prefetched)
