"""Test fixtures over the real services: Postgres (migrated with Alembic) and Redis.

`make test` points DATABASE_URL and REDIS_URL at the test database and Redis db 1; the
defaults below do the same when pytest is run by hand after `make infra`.
"""

from __future__ import annotations

import os

os.environ.setdefault("ENVIRONMENT", "test")
os.environ.setdefault("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:55432/chidi_test")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:56379/1")
# Many tests sign up through the live server within a minute; the limiter itself is tested
# on a server of its own with a low limit.
os.environ.setdefault("AUTH_RATE_LIMIT_PER_MINUTE", "10000")

from collections.abc import AsyncIterator, Iterator

import psycopg
import pytest
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from core.settings import Settings, get_settings
from store.db import create_engine
from tests.support.database import reset_and_migrate
from tests.support.live_server import LiveServer, start_live_server

pytest_plugins = ["tests.support.openai_fixtures", "tests.support.browser"]


@pytest.fixture(scope="session")
def settings() -> Settings:
    """The test settings (from the environment set above)."""
    return get_settings()


@pytest.fixture(scope="session")
def migrated_database(settings: Settings) -> str:
    """The test database, emptied and migrated to head once per run; returns its DSN."""
    reset_and_migrate(settings.database_url)
    return settings.database_url


@pytest.fixture(scope="session")
async def engine(migrated_database: str, settings: Settings) -> AsyncIterator[AsyncEngine]:
    """An async engine on the migrated test database."""
    engine = create_engine(settings)
    yield engine
    await engine.dispose()


@pytest.fixture
async def db(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session inside a transaction rolled back after the test; commits become savepoints."""
    async with engine.connect() as conn:
        transaction = await conn.begin()
        session = AsyncSession(
            bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        try:
            yield session
        finally:
            await session.close()
            await transaction.rollback()


@pytest.fixture
def pg(migrated_database: str, settings: Settings) -> Iterator[psycopg.Connection]:
    """A plain autocommit psycopg connection to the test database, for checks in raw SQL."""
    with psycopg.connect(settings.database_url_sync_dsn, autocommit=True) as conn:
        yield conn


@pytest.fixture
async def redis(settings: Settings) -> AsyncIterator[Redis]:
    """A client on the test Redis database."""
    client = Redis.from_url(settings.redis_url)
    yield client
    await client.aclose()


@pytest.fixture(scope="session")
def live_server(migrated_database: str, settings: Settings) -> Iterator[LiveServer]:
    """The real app served by uvicorn on a free loopback port, for real-HTTP tests."""
    server = start_live_server(settings)
    yield server
    server.stop()
