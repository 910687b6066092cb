"""Who is looking at a page: the session cookie's user, or a redirect to the login page.

Pages authenticate exactly as the API does (`api.deps.verified_claims` and `profile_for`),
but a missing or refused token sends the browser to `/login?next=<this page>` instead of
answering 401 JSON.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import BackgroundTasks, Depends, Request
from fastapi.responses import RedirectResponse

from api.deps import (
    AppStateDep,
    NotAuthenticated,
    SessionDep,
    SettingsDep,
    profile_for,
    verified_claims,
)
from api.pages.cookies import clear_session_cookie, request_session
from api.pages.links import safe_next
from core.logs import bind_business
from store.repositories import businesses
from store.tables.businesses import Business
from store.tables.users import User

ONBOARDING_PATH = "/workspace/onboarding"
DASHBOARD_PATH = "/"


class LoginRequired(Exception):
    """The page needs a signed-in browser; `next` is where to come back to."""

    def __init__(self, next_path: str, *, had_session: bool) -> None:
        super().__init__(next_path)
        self.next_path = next_path
        self.had_session = had_session


def login_url(next_path: str | None) -> str:
    """The login page, returning to `next_path` afterwards when it is a page of ours."""
    target = safe_next(next_path)
    return "/login" if target in (None, DASHBOARD_PATH) else "/login?" + urlencode({"next": target})


def login_redirect(request: Request, error: LoginRequired) -> RedirectResponse:
    """Off to the login page (dropping a session cookie that no longer works)."""
    response = RedirectResponse(login_url(error.next_path), status_code=303)
    if error.had_session:
        clear_session_cookie(response, request.app.state.chidi.settings)
    return response


def _here(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


async def page_user(
    request: Request,
    state: AppStateDep,
    settings: SettingsDep,
    session: SessionDep,
    background: BackgroundTasks,
) -> User:
    """The signed-in owner, from the session cookie; else `LoginRequired`."""
    tokens = request_session(request)
    if tokens is None:
        raise LoginRequired(_here(request), had_session=False)
    try:
        claims = await verified_claims(tokens.access_token, settings)
    except NotAuthenticated as exc:
        raise LoginRequired(_here(request), had_session=True) from exc
    return await profile_for(claims, state, session, background)


PageUser = Annotated[User, Depends(page_user)]


async def page_business(user: PageUser, session: SessionDep) -> Business:
    """The signed-in owner's business (created empty on first use, as in the API)."""
    business = await businesses.get_or_create_for_owner(session, user.id)
    bind_business(str(business.id))
    return business


PageBusiness = Annotated[Business, Depends(page_business)]


def landing_path(business: Business | None) -> str:
    """Where a freshly signed-in owner starts: onboarding until it is complete."""
    if business is None or business.onboarding_completed_at is None:
        return ONBOARDING_PATH
    return DASHBOARD_PATH
