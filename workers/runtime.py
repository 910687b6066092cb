"""What a worker process builds once and hands to every job through arq's `ctx`.

Jobs stay thin: they open a session from `ctx`, call a function that takes the session,
and commit at the end (see `job_session`).
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, TypedDict, cast

import httpx
from arq.cron import CronJob
from arq.typing import WorkerCoroutine
from arq.worker import Function
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from agents.responder.context import ResponderServices
from core.analytics import Analytics
from core.brain.intents import example_index
from core.embeddings import ProviderEmbeddings, QueryCache, get_embeddings
from core.heap import freeze_startup_heap
from core.logs import configure_logging
from core.metrics import observe_job, snapshot
from core.sentry import init_sentry
from core.settings import Settings, get_settings
from core.tracing import configure_tracing
from store.context.vectors import ContextStore
from store.db import create_engine, create_sessionmaker, session_scope
from store.events.pending import configure_publisher
from store.events.publish import RedisEventPublisher
from store.monitoring.publish import WORKER_PREFIX, publish

log = logging.getLogger("chidi.worker")


class WorkerContext(TypedDict):
    """The typed part of arq's ctx dict (arq adds its own keys: redis, job_id, ...)."""

    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    # One pooled HTTP client for calls to Meta (connections and TLS sessions are reused).
    http: httpx.AsyncClient
    # The embedding provider, built once per process (the local model loads on first use).
    embeddings: ProviderEmbeddings
    # The pgvector context store, on an engine of its own (see `startup`); the key is the
    # one `workers.jobs.context.context_store` reads.
    context_store: ContextStore
    vector_engine: AsyncEngine
    # The responder's models and in-process caches (catalogs, product vectors). Built
    # here because arq hands each job a copy of this dict: anything a job stores in its
    # ctx is gone with the job, so a cache kept there would start empty every time.
    responder_services: ResponderServices
    # Product analytics (queued and sent from the SDK's thread: never blocks a job).
    analytics: Analytics


def worker_context(ctx: dict[str, Any]) -> WorkerContext:
    """View arq's ctx through its typed keys."""
    return cast(WorkerContext, ctx)


async def startup(ctx: dict[str, Any]) -> None:
    """Build the engine once per worker process."""
    settings = get_settings()
    configure_logging(settings.log_level)
    init_sentry(settings, "worker")
    configure_tracing(settings)
    engine = create_engine(settings)
    sessionmaker = create_sessionmaker(engine)
    # Jobs' committed changes reach owners' dashboards as live events (store.events).
    configure_publisher(sessionmaker, RedisEventPublisher(ctx["redis"]))
    embeddings = get_embeddings(settings)
    if settings.embedding_query_cache_size:
        # Replies embed their message more than once, and customers repeat themselves.
        embeddings = QueryCache(embeddings, settings.embedding_query_cache_size)
    # A responder job holds a pooled connection (its session, with the conversation's row
    # lock) while its context search takes another. On the same pool, max_jobs jobs
    # holding every connection would each wait for a second one until the pool timeout
    # (measured: the retrieve step's median was 33 s at 20 msg/s). Searches never wait on
    # anything while holding theirs, so a pool of their own cannot deadlock.
    vector_engine = create_engine(settings)
    context_store = ContextStore(vector_engine, embeddings)
    ctx.update(
        settings=settings,
        engine=engine,
        sessionmaker=sessionmaker,
        http=httpx.AsyncClient(timeout=settings.meta_http_timeout_seconds),
        embeddings=embeddings,
        context_store=context_store,
        vector_engine=vector_engine,
        responder_services=ResponderServices.build(
            settings, embeddings=embeddings, context_store=context_store
        ),
        analytics=Analytics(settings),
    )
    await warm_up(embeddings)
    await publish_metrics(ctx["redis"], force=True)
    freeze_startup_heap()
    log.info("worker started")


async def warm_up(embeddings: ProviderEmbeddings) -> None:
    """Load the embedding model and embed the local brain's intent examples now.

    Done lazily, the first `max_jobs` responder jobs would each embed all the examples at
    once (the cache keeps one result, but each job computes its own): measured 4.6 s of
    CPU each on this 2-core machine, so ~90 s of CPU before the first replies. A failure
    (a remote provider down) only leaves the work to the first job.
    """
    started = time.perf_counter()
    try:
        await example_index(embeddings)
    except Exception:  # a remote provider may be down now; the first job will try again
        log.warning("warming up the brain failed", exc_info=True)
        return
    log.info("brain warmed up", extra={"seconds": round(time.perf_counter() - started, 2)})


async def shutdown(ctx: dict[str, Any]) -> None:
    """Release the engine's and the HTTP client's connections."""
    await worker_context(ctx)["http"].aclose()
    await worker_context(ctx)["engine"].dispose()
    await worker_context(ctx)["vector_engine"].dispose()
    worker_context(ctx)["analytics"].shutdown()
    log.info("worker stopped")


@asynccontextmanager
async def job_session(ctx: dict[str, Any]) -> AsyncIterator[AsyncSession]:
    """A session for one job: committed when the job's block succeeds, else rolled back."""
    async with session_scope(worker_context(ctx)["sessionmaker"]) as session:
        yield session


# --- Metrics of the worker process (see core.metrics.merged_exposition) --------------------

_PUBLISH_EVERY_SECONDS = 1.0
_last_published = 0.0


async def publish_metrics(redis: Redis, *, force: bool = False) -> None:
    """Put this process's metrics where the API's /metrics reads them (at most once a
    second: the 2-second outbox sweep keeps the snapshot fresh between busier moments)."""
    global _last_published
    now = time.monotonic()
    if not force and now - _last_published < _PUBLISH_EVERY_SECONDS:
        return
    _last_published = now
    await publish(redis, WORKER_PREFIX, snapshot())


async def after_job(ctx: dict[str, Any]) -> None:
    """arq's after_job_end hook: refresh the metrics snapshot."""
    try:
        await publish_metrics(ctx["redis"])
    except Exception:  # metrics must never fail a job
        log.warning("publishing worker metrics failed", exc_info=True)


def observed(job: WorkerCoroutine) -> WorkerCoroutine:
    """`job`, counting its runs (ok or error) and retries. arq names jobs by
    `__qualname__`, which `functools.wraps` keeps."""

    @functools.wraps(job)
    async def run(ctx: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        job_try = int(ctx.get("job_try") or 1)
        try:
            result = await job(ctx, *args, **kwargs)
        except BaseException:
            observe_job(job.__qualname__, ok=False, job_try=job_try)
            raise
        observe_job(job.__qualname__, ok=True, job_try=job_try)
        return result

    return run


def observed_functions(functions: list[Any]) -> list[Any]:
    """The worker's job list with every job wrapped by `observed`."""
    return [
        dataclasses.replace(f, coroutine=observed(f.coroutine))
        if isinstance(f, Function)
        else observed(f)
        for f in functions
    ]


def observed_cron_jobs(jobs: list[CronJob]) -> list[CronJob]:
    """The worker's cron jobs with every job wrapped by `observed`."""
    return [dataclasses.replace(job, coroutine=observed(job.coroutine)) for job in jobs]
