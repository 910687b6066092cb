"""What the API process builds once at start-up and shares with every request."""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from api.workspace.runtime import WorkspaceRuntime
from core.analytics import Analytics
from core.settings import Settings


@dataclass(frozen=True)
class AppState:
    """Engines and clients owned by the app's lifespan."""

    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    redis: Redis
    analytics: Analytics
    # Checkpointed graphs, chat model and job client of the workspace (onboarding, assistant).
    workspace: WorkspaceRuntime
