"""Sessions of the embedded auth service: issuing, refreshing (with rotation), ending.

A session is one sign-in. It hands out a short-lived JWT and an opaque refresh token;
each refresh revokes the token it used and issues the next, so a stolen token that is
replayed after its owner used it (or vice versa) is detected, and the whole session ends.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any, Literal

from sqlmodel.ext.asyncio.session import AsyncSession

from api.auth.errors import GoTrueError, bad_request
from api.auth.schemas import IssuedSession, session_json, user_json
from core.security import TokenSubject, hash_token, issue_access_token, new_opaque_token
from core.settings import Settings
from store.repositories import auth as repo
from store.tables.auth import AuthSession, AuthUser
from store.tables.base import utcnow

LogoutScope = Literal["global", "local", "others"]


class RefreshTokenReused(GoTrueError):
    """A revoked refresh token came back: the session was ended, and that must be kept."""

    def __init__(self) -> None:
        super().__init__(400, "refresh_token_already_used", "Invalid Refresh Token: Already Used")


def _not_found() -> GoTrueError:
    return bad_request("refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found")


async def user_payload(db: AsyncSession, user: AuthUser, **extra: Any) -> dict[str, Any]:
    """The user as GoTrue returns it, identities included."""
    return user_json(user, await repo.list_identities(db, user.id), **extra)


async def start_session(
    db: AsyncSession, settings: Settings, user: AuthUser, method: str
) -> dict[str, Any]:
    """Sign `user` in (a new session) and return GoTrue's token response."""
    auth_session = await repo.create_session(db, user_id=user.id, method=method)
    user.last_sign_in_at = utcnow()
    await repo.save_user(db, user)
    return await _tokens(db, settings, user, auth_session)


async def refresh_session(
    db: AsyncSession, settings: Settings, refresh_token: str
) -> dict[str, Any]:
    """Trade a live refresh token for new tokens; raise `RefreshTokenReused` on replay."""
    token = await repo.find_refresh_token(db, hash_token(refresh_token))
    auth_session = None if token is None else await repo.get_active_session(db, token.session_id)
    if token is None or auth_session is None:
        raise _not_found()
    if token.expires_at <= utcnow():
        raise bad_request("session_expired", "Invalid Refresh Token: Session Expired")
    if not await repo.revoke_refresh_token(db, token.id):
        await repo.end_sessions(db, user_id=auth_session.user_id, only=auth_session.id)
        raise RefreshTokenReused()
    user = await repo.get_user(db, auth_session.user_id)
    if user is None:
        raise _not_found()
    return await _tokens(db, settings, user, auth_session)


async def end_sessions(
    db: AsyncSession, *, user_id: Any, current: AuthSession | None, scope: LogoutScope
) -> None:
    """Log out everywhere (`global`), this session only (`local`), or all but this one."""
    if current is None or scope == "global":
        await repo.end_sessions(db, user_id=user_id)
    elif scope == "local":
        await repo.end_sessions(db, user_id=user_id, only=current.id)
    else:
        await repo.end_sessions(db, user_id=user_id, keep=current.id)


async def _tokens(
    db: AsyncSession, settings: Settings, user: AuthUser, auth_session: AuthSession
) -> dict[str, Any]:
    refresh_token = new_opaque_token()
    await repo.add_refresh_token(
        db,
        session_id=auth_session.id,
        token_hash=hash_token(refresh_token),
        ttl=timedelta(days=settings.refresh_token_ttl_days),
    )
    subject = TokenSubject(
        user_id=user.id,
        email=user.email,
        session_id=auth_session.id,
        auth_method=auth_session.amr,
        authenticated_at=int(auth_session.created_at.timestamp()),
        app_metadata=user.raw_app_meta_data,
        user_metadata=user.raw_user_meta_data,
    )
    access_token, expires_at = issue_access_token(
        subject,
        secret=settings.jwt_secret.get_secret_value(),
        issuer=settings.auth_url,
        ttl_seconds=settings.access_token_ttl_seconds,
        now=int(time.time()),
    )
    issued = IssuedSession(
        access_token=access_token,
        refresh_token=refresh_token,
        expires_in=settings.access_token_ttl_seconds,
        expires_at=expires_at,
    )
    return session_json(issued, await user_payload(db, user))
