"""FastAPI dependencies shared by routers, as typed aliases."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from redis.asyncio import Redis
from sqlmodel.ext.asyncio.session import AsyncSession

from api.state import AppState
from core.settings import Settings


def get_app_state(request: Request) -> AppState:
    """The state built by the lifespan."""
    state: AppState = request.app.state.chidi
    return state


AppStateDep = Annotated[AppState, Depends(get_app_state)]


def get_settings_dep(state: AppStateDep) -> Settings:
    """The app's settings (those it was created with, not re-read)."""
    return state.settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


async def get_session(state: AppStateDep) -> AsyncIterator[AsyncSession]:
    """One session per request, committed when the handler returns without error."""
    async with state.sessionmaker() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


# scope="function": the commit happens before the response is sent, so a failed commit
# is the caller's error response rather than a 200 for data that was never stored.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


def get_redis(state: AppStateDep) -> Redis:
    """The shared Redis client."""
    return state.redis


RedisDep = Annotated[Redis, Depends(get_redis)]
