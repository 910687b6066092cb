"""What the worker's startup puts in arq's ctx, built over a test's engine and settings,
for calling a job in-process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from agents.responder import ResponderServices
from core.analytics import Analytics
from core.embeddings import LocalEmbeddings
from core.settings import Settings
from store.db import create_sessionmaker


@asynccontextmanager
async def job_context(settings: Settings, engine: AsyncEngine) -> AsyncIterator[dict[str, Any]]:
    """A ctx like the worker's (see `workers.runtime.WorkerContext`), closed afterwards."""
    analytics = Analytics(settings)
    redis = Redis.from_url(settings.redis_url)
    embeddings = LocalEmbeddings()
    try:
        async with httpx.AsyncClient() as http:
            yield {
                "settings": settings,
                "engine": engine,
                "sessionmaker": create_sessionmaker(engine),
                "http": http,
                "embeddings": embeddings,
                "responder_services": ResponderServices.build(
                    settings, embeddings=embeddings, engine=engine
                ),
                "analytics": analytics,
                "redis": redis,
            }
    finally:
        analytics.shutdown()
        await redis.aclose()
