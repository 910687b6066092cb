"""FastAPI dependencies shared by routers, as typed aliases."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import BackgroundTasks, Depends, Request
from redis.asyncio import Redis
from sqlmodel.ext.asyncio.session import AsyncSession

from api.auth.tokens import AccessClaims, bearer_token, verify_access_token
from api.pages.cookies import request_session
from api.pages.csrf import CSRF_HEADER, SAFE_METHODS, require_csrf
from api.state import AppState
from core.analytics import Analytics, Event
from core.errors import Unauthorized, ValidationFailed
from core.logs import bind_business, bind_user
from core.profiles import profile_defaults
from core.security import TokenError, TokenExpired
from core.settings import Settings
from core.storable_text import has_unstorable
from store.events.pending import publish_committed
from store.repositories import businesses
from store.repositories.users import get_or_create_user
from store.tables.businesses import Business
from store.tables.users import User

# The dependencies that only read app state are `async def`: FastAPI runs a plain `def`
# dependency in its thread pool, a thread hop per request for an attribute read.


async def get_app_state(request: Request) -> AppState:
    """The state built by the lifespan."""
    state: AppState = request.app.state.chidi
    return state


AppStateDep = Annotated[AppState, Depends(get_app_state)]


async def refuse_unstorable_query(request: Request) -> None:
    """Every route's query parameters: text Postgres cannot compare or store (a NUL
    character) is refused with a 422 naming the parameter, before the handler runs (a
    search for one was a database error, 503)."""
    if not request.scope.get("query_string"):
        return
    refused = [
        {
            "field": f"query.{name}",
            "message": "must be text without NUL characters",
            "type": "value_error",
        }
        for name, value in request.query_params.multi_items()
        if has_unstorable(name) or has_unstorable(value)
    ]
    if refused:
        fields = ", ".join(entry["field"] for entry in refused)
        raise ValidationFailed(f"Some fields are invalid: {fields}.", details=refused)


async def get_settings_dep(state: AppStateDep) -> Settings:
    """The app's settings (those it was created with, not re-read)."""
    return state.settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


async def get_session(state: AppStateDep) -> AsyncIterator[AsyncSession]:
    """One session per request, committed when the handler returns without error; the live
    events of what it committed are published after the commit, never before."""
    async with state.sessionmaker() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise
        await publish_committed(session)


# scope="function": the commit happens before the response is sent, so a failed commit
# is the caller's error response rather than a 200 for data that was never stored.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


async def get_redis(state: AppStateDep) -> Redis:
    """The shared Redis client."""
    return state.redis


RedisDep = Annotated[Redis, Depends(get_redis)]


async def get_analytics(state: AppStateDep) -> Analytics:
    """Product analytics (PostHog, or nothing when unconfigured).

    Track from a `BackgroundTasks` task so an event is sent only once the request's
    transaction has committed.
    """
    return state.analytics


AnalyticsDep = Annotated[Analytics, Depends(get_analytics)]


_auth_log = logging.getLogger("chidi.auth")


class NotAuthenticated(Unauthorized):
    """No usable access token: 401 with a `WWW-Authenticate: Bearer` challenge (RFC 6750)."""

    def __init__(self, message: str, *, code: str, error: str | None = None) -> None:
        super().__init__(message, code=code)
        challenge = "Bearer" if error is None else f'Bearer error="{error}"'
        self.headers = {"WWW-Authenticate": challenge}
        _auth_log.info("access token refused", extra={"reason": code})


async def verified_claims(token: str, settings: Settings) -> AccessClaims:
    """The claims of a valid access token, or 401 `NotAuthenticated` saying why not."""
    try:
        return await verify_access_token(token, settings)
    except TokenExpired as exc:
        raise NotAuthenticated(str(exc), code="token_expired", error="invalid_token") from exc
    except TokenError as exc:
        raise NotAuthenticated(str(exc), code="invalid_token", error="invalid_token") from exc


async def profile_for(
    claims: AccessClaims, state: AppState, session: AsyncSession, background: BackgroundTasks
) -> User:
    """The public `users` row of a verified caller, created on their first call."""
    bind_user(str(claims.user_id))
    user, created = await get_or_create_user(
        session,
        user_id=claims.user_id,
        email=claims.email,
        defaults=profile_defaults(claims.user_metadata),
    )
    if created:  # the first authenticated call, whichever auth service signed the user up
        # A background task runs after the response, i.e. after the commit succeeded.
        background.add_task(state.analytics.track, Event.USER_SIGNED_UP, str(user.id))
    return user


async def get_current_user(
    request: Request,
    state: AppStateDep,
    settings: SettingsDep,
    session: SessionDep,
    background: BackgroundTasks,
) -> User:
    """The caller's profile, from a verified access token.

    The token is an `Authorization: Bearer` header, or else the web app's session cookie
    (`api.pages.cookies`); a cookie-authenticated request with an unsafe method must also
    carry the page's CSRF token (`api.pages.csrf`), since a browser sends cookies to us
    whichever site made it send the request. The token comes from the embedded auth
    service or from Supabase (see `api.auth.tokens`); the public `users` row is created
    on the first authenticated call.
    """
    token = bearer_token(request.headers.get("authorization"))
    from_cookie = False
    if token is None and (cookie := request_session(request)) is not None:
        token, from_cookie = cookie.access_token, True
    if token is None:
        raise NotAuthenticated(
            "Sign in first: send 'Authorization: Bearer <access token>'.", code="missing_token"
        )
    claims = await verified_claims(token, settings)
    if from_cookie and request.method not in SAFE_METHODS:
        require_csrf(request, settings, request.headers.get(CSRF_HEADER))
    return await profile_for(claims, state, session, background)


CurrentUser = Annotated[User, Depends(get_current_user)]


async def get_current_business(user: CurrentUser, session: SessionDep) -> Business:
    """The caller's business (one per owner), created empty on first use.

    Every catalog, inbox and settings query is scoped by this row's id, never by an id
    taken from a request.
    """
    business = await businesses.get_or_create_for_owner(session, user.id)
    bind_business(str(business.id))
    return business


CurrentBusiness = Annotated[Business, Depends(get_current_business)]
