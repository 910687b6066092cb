"""Housekeeping SQL for the embedded auth tables: drop what can never be used again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from store.tables.auth import AuthFlowState, AuthOneTimeToken, AuthRefreshToken, AuthSession

# Revoked refresh tokens are kept a while: reuse of a revoked token is how a stolen token
# is detected (and its session ended), so they must outlive the window a thief would use.
REVOKED_TOKEN_RETENTION = timedelta(days=7)
FLOW_STATE_LIFETIME = timedelta(hours=1)


@dataclass(frozen=True)
class PurgeCounts:
    """How many rows each purge removed."""

    refresh_tokens: int
    one_time_tokens: int
    sessions: int
    flow_states: int


async def purge_expired(session: AsyncSession, now: datetime) -> PurgeCounts:
    """Delete expired or long-revoked tokens, ended sessions and abandoned PKCE flows."""
    refresh = await session.exec(
        delete(AuthRefreshToken).where(
            or_(
                col(AuthRefreshToken.expires_at) < now,
                col(AuthRefreshToken.revoked)
                & (col(AuthRefreshToken.created_at) < now - REVOKED_TOKEN_RETENTION),
            )
        )
    )
    one_time = await session.exec(
        delete(AuthOneTimeToken).where(
            or_(col(AuthOneTimeToken.expires_at) < now, col(AuthOneTimeToken.used_at).is_not(None))
        )
    )
    sessions = await session.exec(
        delete(AuthSession).where(col(AuthSession.ended_at) < now - REVOKED_TOKEN_RETENTION)
    )
    flows = await session.exec(
        delete(AuthFlowState).where(col(AuthFlowState.created_at) < now - FLOW_STATE_LIFETIME)
    )
    return PurgeCounts(
        refresh_tokens=refresh.rowcount,
        one_time_tokens=one_time.rowcount,
        sessions=sessions.rowcount,
        flow_states=flows.rowcount,
    )
