"""All SQL for the embedded auth service's tables (schema `chidi_auth`).

Functions flush, never commit: the request that calls them owns the transaction. Steps
that must not race (rotating a refresh token, spending a one-time token or an auth code)
are single conditional statements, so two concurrent requests cannot both succeed.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, insert, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from store.tables.auth import (
    AuthFlowState,
    AuthIdentity,
    AuthOneTimeToken,
    AuthRefreshToken,
    AuthSession,
    AuthUser,
)
from store.tables.base import utcnow

# --- users --------------------------------------------------------------------------------


async def get_user(session: AsyncSession, user_id: uuid.UUID) -> AuthUser | None:
    """The user with this id."""
    return await session.get(AuthUser, user_id)


async def get_user_by_email(session: AsyncSession, email: str) -> AuthUser | None:
    """The user with this (already lower-cased) email."""
    result = await session.exec(select(AuthUser).where(AuthUser.email == email))
    return result.first()


async def create_user(
    session: AsyncSession,
    *,
    email: str,
    password_hash: str | None,
    app_metadata: dict[str, Any],
    user_metadata: dict[str, Any],
    confirmed: bool,
) -> AuthUser | None:
    """A new user, or None when the email is already taken (even by a concurrent signup)."""
    now = utcnow()
    statement = (
        pg_insert(AuthUser)
        .values(
            id=uuid.uuid4(),
            email=email,
            encrypted_password=password_hash,
            email_confirmed_at=now if confirmed else None,
            raw_app_meta_data=app_metadata,
            raw_user_meta_data=user_metadata,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing()
        .returning(col(AuthUser.id))
    )
    new_id = (await session.exec(statement)).scalar_one_or_none()
    return None if new_id is None else await session.get(AuthUser, new_id)


async def save_user(session: AsyncSession, user: AuthUser) -> AuthUser:
    """Write a user's changed attributes (its `updated_at` moves on)."""
    user.updated_at = utcnow()
    session.add(user)
    await session.flush()
    return user


# --- identities ---------------------------------------------------------------------------


async def find_identity(
    session: AsyncSession, provider: str, provider_id: str
) -> AuthIdentity | None:
    """The link from a provider account (e.g. a Google `sub`) to a user, if any."""
    result = await session.exec(
        select(AuthIdentity).where(
            AuthIdentity.provider == provider, AuthIdentity.provider_id == provider_id
        )
    )
    return result.first()


async def list_identities(session: AsyncSession, user_id: uuid.UUID) -> list[AuthIdentity]:
    """A user's identities, oldest first."""
    result = await session.exec(
        select(AuthIdentity)
        .where(AuthIdentity.user_id == user_id)
        .order_by(col(AuthIdentity.created_at))
    )
    return list(result.all())


async def save_identity(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    provider: str,
    provider_id: str,
    data: dict[str, Any],
) -> AuthIdentity:
    """Create the identity, or refresh its data when the link already exists."""
    identity = await find_identity(session, provider, provider_id)
    if identity is None:
        identity = AuthIdentity(
            user_id=user_id, provider=provider, provider_id=provider_id, identity_data=data
        )
    else:
        identity.identity_data = {**identity.identity_data, **data}
        identity.updated_at = utcnow()
    session.add(identity)
    await session.flush()
    return identity


# --- sessions and refresh tokens ----------------------------------------------------------


async def create_session(session: AsyncSession, *, user_id: uuid.UUID, method: str) -> AuthSession:
    """A new sign-in; `method` becomes the access token's `amr` entry."""
    row = AuthSession(user_id=user_id, amr=method)
    session.add(row)
    await session.flush()
    return row


async def get_active_session(session: AsyncSession, session_id: uuid.UUID) -> AuthSession | None:
    """The session, unless it does not exist or has been ended."""
    row = await session.get(AuthSession, session_id)
    return row if row is not None and row.ended_at is None else None


async def end_sessions(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    only: uuid.UUID | None = None,
    keep: uuid.UUID | None = None,
) -> None:
    """End a user's sessions (all, `only` one, or all but `keep`) and revoke their tokens."""
    condition = [col(AuthSession.user_id) == user_id, col(AuthSession.ended_at).is_(None)]
    if only is not None:
        condition.append(col(AuthSession.id) == only)
    if keep is not None:
        condition.append(col(AuthSession.id) != keep)
    ended = await session.exec(
        update(AuthSession)
        .where(*condition)
        .values(ended_at=utcnow())
        .returning(col(AuthSession.id))
    )
    session_ids: list[uuid.UUID] = list(ended.scalars().all())
    if session_ids:
        await session.exec(
            update(AuthRefreshToken)
            .where(col(AuthRefreshToken.session_id).in_(session_ids))
            .values(revoked=True)
        )


async def add_refresh_token(
    session: AsyncSession, *, session_id: uuid.UUID, token_hash: str, ttl: timedelta
) -> None:
    """Store the hash of a newly issued refresh token."""
    await session.exec(
        insert(AuthRefreshToken).values(
            id=uuid.uuid4(),
            session_id=session_id,
            token_hash=token_hash,
            revoked=False,
            expires_at=utcnow() + ttl,
            created_at=utcnow(),
        )
    )


async def find_refresh_token(session: AsyncSession, token_hash: str) -> AuthRefreshToken | None:
    """The refresh token with this hash, revoked or not."""
    result = await session.exec(
        select(AuthRefreshToken).where(AuthRefreshToken.token_hash == token_hash)
    )
    return result.first()


async def revoke_refresh_token(session: AsyncSession, token_id: uuid.UUID) -> bool:
    """Revoke a token that is still live; False if it was already revoked (a reuse)."""
    result = await session.exec(
        update(AuthRefreshToken)
        .where(col(AuthRefreshToken.id) == token_id, col(AuthRefreshToken.revoked).is_(False))
        .values(revoked=True)
        .returning(col(AuthRefreshToken.id))
    )
    return result.scalar_one_or_none() is not None


# --- one-time tokens (links and codes sent by email) --------------------------------------


async def replace_one_time_token(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    token_type: str,
    token_hash: str,
    relates_to: str,
    ttl: timedelta,
) -> AuthOneTimeToken:
    """Store a new token of this type for the user; earlier unused ones stop working."""
    await session.exec(
        delete(AuthOneTimeToken).where(
            col(AuthOneTimeToken.user_id) == user_id,
            col(AuthOneTimeToken.token_type) == token_type,
            col(AuthOneTimeToken.used_at).is_(None),
        )
    )
    token = AuthOneTimeToken(
        user_id=user_id,
        token_type=token_type,
        token_hash=token_hash,
        relates_to=relates_to,
        expires_at=utcnow() + ttl,
    )
    session.add(token)
    await session.flush()
    return token


async def consume_one_time_token(
    session: AsyncSession,
    *,
    token_hash: str,
    token_types: tuple[str, ...],
    relates_to: str | None = None,
) -> AuthOneTimeToken | None:
    """Spend a live token of one of `token_types` (single use); None if none matches.

    `relates_to` also requires the address it was sent to (a typed code comes with one).
    """
    condition = [
        col(AuthOneTimeToken.token_hash) == token_hash,
        col(AuthOneTimeToken.token_type).in_(token_types),
        col(AuthOneTimeToken.used_at).is_(None),
        col(AuthOneTimeToken.expires_at) > func.now(),
    ]
    if relates_to is not None:
        condition.append(col(AuthOneTimeToken.relates_to) == relates_to)
    result = await session.exec(
        update(AuthOneTimeToken)
        .where(*condition)
        .values(used_at=utcnow())
        .returning(AuthOneTimeToken)
    )
    token: AuthOneTimeToken | None = result.scalars().first()
    return token


async def clear_one_time_tokens(session: AsyncSession, user_id: uuid.UUID) -> None:
    """Drop every unused token of a user (after a password change nothing old should work)."""
    await session.exec(
        delete(AuthOneTimeToken).where(
            col(AuthOneTimeToken.user_id) == user_id, col(AuthOneTimeToken.used_at).is_(None)
        )
    )


# --- PKCE flow states ---------------------------------------------------------------------


async def create_flow_state(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    provider_type: str,
    authentication_method: str,
    code_challenge: str,
    code_challenge_method: str,
    auth_code_hash: str | None = None,
) -> AuthFlowState:
    """Remember a PKCE client's challenge; with `auth_code_hash` the code is issued at once."""
    row = AuthFlowState(
        user_id=user_id,
        provider_type=provider_type,
        authentication_method=authentication_method,
        code_challenge=code_challenge,
        code_challenge_method=code_challenge_method.lower(),
        auth_code_hash=auth_code_hash,
        auth_code_issued_at=utcnow() if auth_code_hash else None,
    )
    session.add(row)
    await session.flush()
    return row


async def issue_auth_code(
    session: AsyncSession, *, user_id: uuid.UUID, authentication_method: str, auth_code_hash: str
) -> bool:
    """Attach a code to the user's newest waiting flow state of this kind; False if none."""
    waiting = (
        select(AuthFlowState.id)
        .where(
            AuthFlowState.user_id == user_id,
            AuthFlowState.authentication_method == authentication_method,
            col(AuthFlowState.auth_code_hash).is_(None),
        )
        .order_by(col(AuthFlowState.created_at).desc())
        .limit(1)
        .scalar_subquery()
    )
    result = await session.exec(
        update(AuthFlowState)
        .where(col(AuthFlowState.id) == waiting)
        .values(auth_code_hash=auth_code_hash, auth_code_issued_at=utcnow())
        .returning(col(AuthFlowState.id))
    )
    return result.scalar_one_or_none() is not None


async def take_flow_state(session: AsyncSession, auth_code_hash: str) -> AuthFlowState | None:
    """Remove and return the flow state holding this code: a code works once."""
    result = await session.exec(
        delete(AuthFlowState)
        .where(col(AuthFlowState.auth_code_hash) == auth_code_hash)
        .returning(AuthFlowState)
    )
    flow_state: AuthFlowState | None = result.scalars().first()
    return flow_state
