"""What a worker process builds once and hands to every job through arq's `ctx`.

Jobs stay thin: they open a session from `ctx`, call a function that takes the session,
and commit at the end (see `job_session`).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, TypedDict, cast

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from core.logs import configure_logging
from core.sentry import init_sentry
from core.settings import Settings, get_settings
from store.db import create_engine, create_sessionmaker, session_scope

log = logging.getLogger("chidi.worker")


class WorkerContext(TypedDict):
    """The typed part of arq's ctx dict (arq adds its own keys: redis, job_id, ...)."""

    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    # One pooled HTTP client for calls to Meta (connections and TLS sessions are reused).
    http: httpx.AsyncClient


def worker_context(ctx: dict[str, Any]) -> WorkerContext:
    """View arq's ctx through its typed keys."""
    return cast(WorkerContext, ctx)


async def startup(ctx: dict[str, Any]) -> None:
    """Build the engine once per worker process."""
    settings = get_settings()
    configure_logging(settings.log_level)
    init_sentry(settings, "worker")
    engine = create_engine(settings)
    ctx.update(
        settings=settings,
        engine=engine,
        sessionmaker=create_sessionmaker(engine),
        http=httpx.AsyncClient(timeout=settings.meta_http_timeout_seconds),
    )
    log.info("worker started")


async def shutdown(ctx: dict[str, Any]) -> None:
    """Release the engine's and the HTTP client's connections."""
    await worker_context(ctx)["http"].aclose()
    await worker_context(ctx)["engine"].dispose()
    log.info("worker stopped")


@asynccontextmanager
async def job_session(ctx: dict[str, Any]) -> AsyncIterator[AsyncSession]:
    """A session for one job: committed when the job's block succeeds, else rolled back."""
    async with session_scope(worker_context(ctx)["sessionmaker"]) as session:
        yield session
