"""Dependencies of the GoTrue-compatible routes: rate limits and the signed-in user.

Both fail in GoTrue's error shape (see `api.auth.errors`), unlike CHIDI's own API.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request

from api import ratelimit
from api.auth.errors import GoTrueError, forbidden, rate_limited
from api.auth.google import oidc_client
from api.auth.tokens import AccessClaims, bearer_token, verify_access_token
from api.deps import RedisDep, SessionDep, SettingsDep
from core.logs import bind_user
from core.security import TokenError
from core.settings import Settings
from store.repositories import auth as repo
from store.tables.auth import AuthSession, AuthUser


def client_ip(request: Request) -> str:
    """The caller's address (uvicorn applies X-Forwarded-For from trusted proxies)."""
    return request.client.host if request.client else "unknown"


async def enforce_limit(redis: Any, settings: Settings, *, bucket: str, identity: str) -> None:
    """Count a request against `bucket` for `identity`; 429 when over the per-minute limit."""
    decision = await ratelimit.hit(
        redis, bucket=bucket, identity=identity, limit=settings.auth_rate_limit_per_minute
    )
    if not decision.allowed:
        raise rate_limited(decision.retry_after_seconds)


def limit_by_ip(bucket: str) -> Any:
    """A dependency limiting each client IP to `auth_rate_limit_per_minute` in `bucket`."""

    async def dependency(request: Request, redis: RedisDep, settings: SettingsDep) -> None:
        await enforce_limit(
            redis, settings, bucket=f"auth:{bucket}:ip", identity=client_ip(request)
        )

    return Depends(dependency)


async def limit_by_email(redis: Any, settings: Settings, bucket: str, email: str) -> None:
    """Limit attempts per account too, so rotating IPs cannot brute-force one password."""
    await enforce_limit(
        redis, settings, bucket=f"auth:{bucket}:email", identity=email.strip().lower()
    )


@dataclass(frozen=True)
class AuthContext:
    """The caller of an authenticated GoTrue endpoint."""

    user: AuthUser
    session: AuthSession | None
    claims: AccessClaims


async def require_user(request: Request, db: SessionDep, settings: SettingsDep) -> AuthContext:
    """GoTrue's `requireAuthentication`: a valid token whose user and session still exist."""
    token = bearer_token(request.headers.get("authorization"))
    if token is None:
        raise GoTrueError(401, "no_authorization", "This endpoint requires a valid Bearer token")
    try:
        claims = await verify_access_token(token, settings)
    except TokenError as exc:
        raise forbidden(
            "bad_jwt", f"invalid JWT: unable to parse or verify signature, {exc}"
        ) from exc
    user = await repo.get_user(db, claims.user_id)
    if user is None:
        raise forbidden("user_not_found", "User from sub claim in JWT does not exist")
    auth_session = None
    if claims.session_id is not None:
        auth_session = await repo.get_active_session(db, claims.session_id)
        if auth_session is None:
            raise forbidden(
                "session_not_found", "Session from session_id claim in JWT does not exist"
            )
    bind_user(str(user.id))
    return AuthContext(user=user, session=auth_session, claims=claims)


AuthContextDep = Annotated[AuthContext, Depends(require_user)]


def google_client(request: Request, settings: SettingsDep) -> Any:
    """The app's Google OIDC client, built once so discovery and keys stay cached."""
    client = getattr(request.app.state, "google_oidc", None)
    if client is None:
        client = oidc_client(settings)
        request.app.state.google_oidc = client
    return client
