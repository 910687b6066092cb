"""What live updates need for the life of the API process, built once in the lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from api.live.hub import LiveHub
from core.settings import Settings
from store.events.history import HistoryReader
from store.events.pending import configure_publisher
from store.events.publish import RedisEventPublisher


@dataclass(frozen=True)
class LiveRuntime:
    """The process's hub (its one subscription) and the history reader streams start from."""

    hub: LiveHub
    history: HistoryReader


@asynccontextmanager
async def open_live(
    settings: Settings, redis: Redis, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[LiveRuntime]:
    """Make the app's sessions publish what they commit, and start listening.

    The hub listens on a Redis client of its own: its connection blocks on the
    subscription, so it has no read timeout, and a periodic health check instead.
    """
    configure_publisher(sessionmaker, RedisEventPublisher(redis))
    listener = Redis.from_url(
        settings.redis_url, socket_connect_timeout=2, health_check_interval=10
    )
    hub = LiveHub(listener)
    hub.start()
    try:
        yield LiveRuntime(hub=hub, history=HistoryReader(redis))
    finally:
        await hub.stop()
        await listener.aclose()


async def get_live(request: Request) -> LiveRuntime:
    """The live runtime built by the lifespan (async: no thread-pool hop for a read)."""
    runtime: LiveRuntime = request.app.state.live
    return runtime


LiveDep = Annotated[LiveRuntime, Depends(get_live)]
