"""The settings pages: /settings/integrations (connected accounts) and /settings/account.

Integrations is a shell `integrations.js` fills from the social-connections API (connect
WhatsApp by form, Instagram through Meta's OAuth dialog, disconnect); Meta's dialog comes
back here through the OAuth callback, whose outcome the page states
(`instagram_outcome.py`). The account page
changes the name through `PUT /api/v1/users/me` (`account.js`) and the password by a form
post here, through the same auth service as every other client (`AuthGateway`): the
current password is checked by signing in with it (that extra session is ended at once),
then `PUT /auth/v1/user` sets the new one.
"""

from __future__ import annotations

import contextlib
from typing import Any, Final
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.responses import Response

from api.auth.deps import client_ip
from api.deps import SessionDep, SettingsDep
from api.pages.auth import PageBusiness, PageUser
from api.pages.cookies import request_session
from api.pages.csrf import csrf_valid
from api.pages.gotrue import AuthGateway, AuthRefused, AuthUnavailable
from api.pages.instagram_outcome import Notice, notice_for, read_outcome
from api.pages.messages import UNAVAILABLE, FormError, auth_error, password_mismatch
from api.pages.render import render
from api.pages.routes_auth import FORM_EXPIRED, FormText
from store.conversations import connections
from store.tables.businesses import Business
from store.tables.users import User

router = APIRouter(include_in_schema=False)

WRONG_CURRENT: Final = FormError("current_password", "That is not your current password.")


@router.get("/settings")
async def settings_home(user: PageUser) -> Response:
    """The settings area opens on the integrations."""
    return RedirectResponse("/settings/integrations", 303)


async def _instagram_notice(
    request: Request, session: AsyncSession, business: Business
) -> Notice | None:
    """What the page says about the Instagram connection it was sent back from, if any."""
    query = request.query_params
    outcome = read_outcome(query.get("instagram"), query.getlist("account"), query.get("reason"))
    if outcome is None:
        return None
    wanted = set(outcome.account_ids)
    rows = await connections.list_active(session, business.id) if wanted else []
    names = [row.display_name or row.platform_account_id for row in rows if row.id in wanted]
    return notice_for(outcome, names)


@router.get("/settings/integrations")
async def integrations(
    request: Request,
    user: PageUser,
    business: PageBusiness,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    """The connected accounts, with the forms to connect more, and the outcome of an
    Instagram connection when Meta's dialog sent the owner back here."""
    context = {
        "embedded": settings.meta_embedded,
        "instagram_notice": await _instagram_notice(request, session, business),
    }
    return render(request, "settings/integrations.html", context, user=user)


def _account(request: Request, user: User, error: FormError | None, status: int) -> Response:
    context: dict[str, Any] = {"errors": {error.field: error.message} if error else {}}
    return render(request, "settings/account.html", context, user=user, status_code=status)


@router.get("/settings/account")
async def account(request: Request, user: PageUser) -> Response:
    """The owner's name and email, and the password form."""
    return _account(request, user, None, 200)


async def _change_password(
    gateway: AuthGateway, user: User, access_token: str, current: str, new: str
) -> FormError | None:
    """Check `current`, then set `new`; the form error, if any."""
    try:
        check = await gateway.sign_in(user.email, current)
    except AuthRefused as exc:
        return WRONG_CURRENT if exc.code == "invalid_credentials" else auth_error(exc)
    # Signing in to check the password made a session of its own: it must not linger.
    with contextlib.suppress(AuthRefused, AuthUnavailable):
        await gateway.sign_out(check.access_token)
    try:
        await gateway.update_password(access_token, new)
    except AuthRefused as exc:
        return auth_error(exc)
    return None


@router.post("/settings/account/password")
async def change_password(
    request: Request,
    user: PageUser,
    settings: SettingsDep,
    current_password: FormText = "",
    password: FormText = "",
    confirm_password: FormText = "",
    csrf_token: FormText = "",
) -> Response:
    """Change the signed-in owner's password."""
    tokens = request_session(request)
    assert tokens is not None  # PageUser checked it
    if not csrf_valid(request, settings, csrf_token):
        return _account(request, user, FORM_EXPIRED, 403)
    if password != confirm_password:
        return _account(request, user, password_mismatch(), 400)
    gateway = AuthGateway(settings, request.app, client_ip(request))
    try:
        error = await _change_password(
            gateway, user, tokens.access_token, current_password, password
        )
    except AuthUnavailable:
        return _account(request, user, FormError("form", UNAVAILABLE), 503)
    if error is not None:
        return _account(request, user, error, 400)
    query = urlencode({"notice": "password-updated"})
    return RedirectResponse(f"/settings/account?{query}", 303)
