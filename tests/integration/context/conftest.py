"""Fixtures for the business-context store tests: the local model's store, committed data.

The store writes vectors through its own connections (they commit at once), and the
`embed_business_context` job runs in sessions of its own, so these tests commit their
businesses instead of using the rolled-back `db` session; every test makes new ones.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any, LiteralString

import pytest
from psycopg import sql
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from core.embeddings import LocalEmbeddings
from store.context.vectors import ContextStore
from store.db import create_sessionmaker, session_scope
from store.tables.businesses import Business
from tests.support.catalog import new_business

NewBusiness = Callable[..., Coroutine[Any, Any, Business]]


def on_table(query: LiteralString, table: str) -> sql.Composed:
    """`query` with `{table}` filled in as a quoted identifier (vector tables are named
    at run time)."""
    return sql.SQL(query).format(table=sql.Identifier(table))


@pytest.fixture(scope="session")
def local_embeddings() -> LocalEmbeddings:
    """The offline model, loaded once for the run."""
    return LocalEmbeddings()


@pytest.fixture(scope="session")
async def context_store(engine: AsyncEngine, local_embeddings: LocalEmbeddings) -> ContextStore:
    """The local model's context store on the test database, its table ready."""
    store = ContextStore(engine, local_embeddings)
    await store.ensure_ready()
    return store


@pytest.fixture(scope="session")
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that commit for real (see the module docstring)."""
    return create_sessionmaker(engine)


@pytest.fixture
def committed_business(sessions: async_sessionmaker[AsyncSession]) -> NewBusiness:
    """`await committed_business(**profile_fields)`: a new owner's business, committed."""

    async def create(**profile: Any) -> Business:
        async with session_scope(sessions) as session:
            business = await new_business(session, name=profile.pop("name", None))
            for field, value in profile.items():
                setattr(business, field, value)
            session.add(business)
        return business

    return create


@pytest.fixture
async def session(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A plain session on the test database; the test commits what it means to keep."""
    async with sessions() as opened:
        yield opened
