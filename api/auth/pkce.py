"""PKCE for email links and OAuth: the browser comes back with `?code=`, which only the
client holding the code verifier can turn into a session (POST /token?grant_type=pkce).

supabase-py (and supabase-js) use this flow by default.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from api.auth.errors import GoTrueError, bad_request, unprocessable, validation_failed
from api.auth.schemas import PkceParams
from api.auth.sessions import start_session
from core.security import (
    code_challenge_problem,
    code_verifier_matches,
    hash_token,
    new_opaque_token,
)
from core.settings import Settings
from store.repositories import auth as repo
from store.tables.base import utcnow

# How long a code handed to the browser can be exchanged (GoTrue's flow state expiry).
AUTH_CODE_TTL = timedelta(minutes=5)


def pkce_requested(params: PkceParams) -> bool:
    """Whether the client is in PKCE mode; refuses malformed PKCE parameters."""
    problem = code_challenge_problem(
        params.code_challenge or "", params.code_challenge_method or ""
    )
    if problem:
        raise validation_failed(problem)
    return bool(params.code_challenge)


async def remember_challenge(
    db: AsyncSession, *, user_id: uuid.UUID, provider_type: str, method: str, params: PkceParams
) -> None:
    """Keep the client's challenge until the emailed link is followed."""
    await repo.create_flow_state(
        db,
        user_id=user_id,
        provider_type=provider_type,
        authentication_method=method,
        code_challenge=params.code_challenge or "",
        code_challenge_method=params.code_challenge_method or "",
    )


async def issue_code(db: AsyncSession, *, user_id: uuid.UUID, method: str) -> str:
    """A code for the user's waiting flow state (the emailed link was followed)."""
    code = new_opaque_token()
    if not await repo.issue_auth_code(
        db, user_id=user_id, authentication_method=method, auth_code_hash=hash_token(code)
    ):
        raise unprocessable("flow_state_not_found", "No valid flow state found for user.")
    return code


async def issue_code_now(
    db: AsyncSession,
    *,
    user_id: uuid.UUID,
    provider_type: str,
    method: str,
    challenge: str,
    challenge_method: str,
) -> str:
    """A code for a flow that finishes right away (an OAuth callback)."""
    code = new_opaque_token()
    await repo.create_flow_state(
        db,
        user_id=user_id,
        provider_type=provider_type,
        authentication_method=method,
        code_challenge=challenge,
        code_challenge_method=challenge_method,
        auth_code_hash=hash_token(code),
    )
    return code


async def exchange_code(
    db: AsyncSession, settings: Settings, auth_code: str | None, code_verifier: str | None
) -> dict[str, Any]:
    """Trade a code and its verifier for a session (each code works once)."""
    if not auth_code or not code_verifier:
        raise validation_failed(
            "invalid request: both auth code and code verifier should be non-empty"
        )
    flow_state = await repo.take_flow_state(db, hash_token(auth_code))
    if flow_state is None:
        raise GoTrueError(
            404, "flow_state_not_found", "invalid flow state, no valid flow state found"
        )
    issued_at = flow_state.auth_code_issued_at
    if issued_at is None or utcnow() - issued_at > AUTH_CODE_TTL:
        raise unprocessable("flow_state_expired", "invalid flow state, flow state has expired")
    if not code_verifier_matches(
        code_verifier, flow_state.code_challenge, flow_state.code_challenge_method
    ):
        raise bad_request(
            "bad_code_verifier", "code challenge does not match previously saved code verifier"
        )
    user = await repo.get_user(db, flow_state.user_id)
    if user is None:
        raise GoTrueError(404, "user_not_found", "User not found")
    return await start_session(db, settings, user, flow_state.authentication_method)
