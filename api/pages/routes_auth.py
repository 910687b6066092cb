"""Sign-in pages: /login, /signup, /forgot-password, /callback, Google, and logout.

Forms post back to their own page (CSRF-checked) and the handler calls the auth service
(`api.pages.gotrue`); on success the tokens go into the session cookie and the browser
moves on with a 303, on failure the form comes back with the message beside its field.

Links in emails (sign-up confirmation, password reset) land on /callback with the session
in the URL fragment, which only the browser sees: `callback.js` posts it to
/callback/session (with the CSRF token) to be stored in the cookie. Google returns to
/callback with a PKCE code, exchanged here with the verifier kept in a short-lived cookie.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import secrets
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from api.auth.deps import client_ip
from api.deps import NotAuthenticated, SessionDep, SettingsDep, verified_claims
from api.pages.auth import PageUser, landing_path
from api.pages.cookies import (
    SessionTokens,
    clear_session_cookie,
    request_session,
    set_private_cookie,
    set_session_cookie,
)
from api.pages.csrf import CSRF_COOKIE, CSRF_HEADER, csrf_valid, require_csrf
from api.pages.csrf import csrf_token as signed_csrf_token
from api.pages.gotrue import AuthGateway, AuthRefused, AuthUnavailable, IssuedTokens
from api.pages.links import safe_next
from api.pages.messages import UNAVAILABLE, FormError, auth_error, password_mismatch
from api.pages.render import render
from core.settings import Settings
from store.repositories import businesses

router = APIRouter(include_in_schema=False)

PKCE_COOKIE = "chidi_pkce"
_PKCE_MAX_AGE_SECONDS = 600
FORM_EXPIRED = FormError("form", "This form expired. Please try again.")

FormText = Annotated[str, Form()]
NextField = Annotated[str, Form(alias="next")]
CsrfField = Annotated[str, Form()]


def _gateway(request: Request, settings: Settings) -> AuthGateway:
    return AuthGateway(settings, request.app, client_ip(request))


def _callback_url(settings: Settings) -> str:
    return settings.public_url.rstrip("/") + "/callback"


def _form(
    request: Request,
    template: str,
    values: dict[str, Any],
    error: FormError | None = None,
    *,
    status_code: int = 200,
) -> Response:
    errors = {error.field: error.message} if error else {}
    return render(request, template, {"values": values, "errors": errors}, status_code=status_code)


def _refused(request: Request, template: str, values: dict[str, Any], exc: Exception) -> Response:
    """The form again, saying why the auth service refused (or could not be reached)."""
    if isinstance(exc, AuthRefused):
        status = exc.status if 400 <= exc.status < 500 else 400
        return _form(request, template, values, auth_error(exc), status_code=status)
    return _form(request, template, values, FormError("form", UNAVAILABLE), status_code=503)


async def _signed_in(
    settings: Settings, session: SessionDep, tokens: IssuedTokens, next_path: str | None
) -> RedirectResponse:
    """Store the session in the cookie and go on: `next`, else onboarding or the dashboard."""
    claims = await verified_claims(tokens.access_token, settings)
    business = await businesses.get_for_owner(session, claims.user_id)
    response = RedirectResponse(next_path or landing_path(business), status_code=303)
    set_session_cookie(response, settings, SessionTokens(tokens.access_token, tokens.refresh_token))
    return response


async def _current_landing(request: Request, settings: Settings, session: SessionDep) -> str | None:
    """Where an already signed-in browser belongs, or None when it is signed out."""
    tokens = request_session(request)
    if tokens is None:
        return None
    try:
        claims = await verified_claims(tokens.access_token, settings)
    except NotAuthenticated:
        return None
    return landing_path(await businesses.get_for_owner(session, claims.user_id))


# --- log in -------------------------------------------------------------------------------


@router.get("/login")
async def login_page(
    request: Request,
    settings: SettingsDep,
    session: SessionDep,
    next_path: Annotated[str | None, Query(alias="next")] = None,
) -> Response:
    """The login form (or straight on, when already signed in)."""
    if (landing := await _current_landing(request, settings, session)) is not None:
        return RedirectResponse(safe_next(next_path) or landing, status_code=303)
    return _form(request, "auth/login.html", {"email": "", "next": safe_next(next_path)})


@router.post("/login")
async def login(
    request: Request,
    settings: SettingsDep,
    session: SessionDep,
    email: FormText = "",
    password: FormText = "",
    next_path: NextField = "",
    csrf_token: CsrfField = "",
) -> Response:
    """Sign in with email and password."""
    target = safe_next(next_path)
    values = {"email": email.strip(), "next": target}
    if not csrf_valid(request, settings, csrf_token):
        return _form(request, "auth/login.html", values, FORM_EXPIRED, status_code=403)
    try:
        tokens = await _gateway(request, settings).sign_in(email.strip(), password)
    except (AuthRefused, AuthUnavailable) as exc:
        return _refused(request, "auth/login.html", values, exc)
    return await _signed_in(settings, session, tokens, target)


# --- sign up ------------------------------------------------------------------------------


@router.get("/signup")
async def signup_page(request: Request, settings: SettingsDep, session: SessionDep) -> Response:
    """The sign-up form."""
    if (landing := await _current_landing(request, settings, session)) is not None:
        return RedirectResponse(landing, status_code=303)
    return _form(request, "auth/signup.html", {"email": ""})


@router.post("/signup")
async def signup(
    request: Request,
    settings: SettingsDep,
    session: SessionDep,
    email: FormText = "",
    password: FormText = "",
    confirm_password: FormText = "",
    csrf_token: CsrfField = "",
) -> Response:
    """Create an account: signed in at once, or asked to confirm the email first."""
    values: dict[str, Any] = {"email": email.strip()}
    if not csrf_valid(request, settings, csrf_token):
        return _form(request, "auth/signup.html", values, FORM_EXPIRED, status_code=403)
    if password != confirm_password:
        return _form(request, "auth/signup.html", values, password_mismatch(), status_code=400)
    gateway = _gateway(request, settings)
    try:
        tokens = await gateway.sign_up(values["email"], password, _callback_url(settings))
    except (AuthRefused, AuthUnavailable) as exc:
        return _refused(request, "auth/signup.html", values, exc)
    if tokens is None:
        return _form(request, "auth/signup.html", {**values, "sent_to": values["email"]})
    return await _signed_in(settings, session, tokens, None)


# --- forgotten password -------------------------------------------------------------------


@router.get("/forgot-password")
async def forgot_password_page(request: Request) -> Response:
    """Ask for a password-reset link."""
    return _form(request, "auth/forgot_password.html", {"email": ""})


@router.post("/forgot-password")
async def forgot_password(
    request: Request, settings: SettingsDep, email: FormText = "", csrf_token: CsrfField = ""
) -> Response:
    """Email a reset link; the answer is the same whether or not the account exists."""
    values: dict[str, Any] = {"email": email.strip()}
    template = "auth/forgot_password.html"
    if not csrf_valid(request, settings, csrf_token):
        return _form(request, template, values, FORM_EXPIRED, status_code=403)
    try:
        await _gateway(request, settings).recover(values["email"], _callback_url(settings))
    except (AuthRefused, AuthUnavailable) as exc:
        return _refused(request, template, values, exc)
    return _form(request, template, {**values, "sent": True})


# --- callback: Google, emailed links, the new password ------------------------------------


@router.get("/callback")
async def callback(
    request: Request,
    settings: SettingsDep,
    session: SessionDep,
    code: str | None = None,
    error_description: str | None = None,
) -> Response:
    """Where Google and emailed links send the browser back to."""
    if error_description:
        return render(
            request, "auth/callback.html", {"mode": "error", "message": error_description}
        )
    if code is None:  # an emailed link: the session is in the fragment, for callback.js
        return render(request, "auth/callback.html", {"mode": "working"})
    verifier = request.cookies.get(PKCE_COOKIE)
    if not verifier:
        message = "This sign-in was started in another browser or expired. Please try again."
        return render(request, "auth/callback.html", {"mode": "error", "message": message})
    try:
        tokens = await _gateway(request, settings).exchange_code(code, verifier)
    except (AuthRefused, AuthUnavailable) as exc:
        message = exc.message if isinstance(exc, AuthRefused) else UNAVAILABLE
        return render(request, "auth/callback.html", {"mode": "error", "message": message})
    response = await _signed_in(settings, session, tokens, None)
    response.delete_cookie(PKCE_COOKIE, path="/callback")
    return response


class CallbackSession(BaseModel):
    """The session an emailed link put in the URL fragment."""

    model_config = ConfigDict(extra="ignore")

    access_token: str = Field(min_length=1, max_length=8192)
    refresh_token: str = Field(min_length=1, max_length=1024)
    type: str | None = Field(default=None, max_length=40)


@router.post("/callback/session")
async def callback_session(
    request: Request, body: CallbackSession, settings: SettingsDep, session: SessionDep
) -> JSONResponse:
    """Keep the session from an emailed link in the cookie; say where to go next."""
    require_csrf(request, settings, request.headers.get(CSRF_HEADER))
    claims = await verified_claims(body.access_token, settings)
    recovering = body.type == "recovery"
    target = (
        None
        if recovering
        else landing_path(await businesses.get_for_owner(session, claims.user_id))
    )
    # The page's CSRF token was bound to no sign-in; the next form needs one for this one.
    token = signed_csrf_token(
        settings.jwt_secret.get_secret_value(),
        request.cookies.get(CSRF_COOKIE, ""),
        str(claims.session_id or ""),
    )
    response = JSONResponse({"reset_password": recovering, "next": target, "csrf_token": token})
    set_session_cookie(response, settings, SessionTokens(body.access_token, body.refresh_token))
    return response


@router.post("/callback/reset-password")
async def reset_password(
    request: Request,
    user: PageUser,
    settings: SettingsDep,
    session: SessionDep,
    password: FormText = "",
    confirm_password: FormText = "",
    csrf_token: CsrfField = "",
) -> Response:
    """Set the new password of the signed-in (recovering) owner."""
    context: dict[str, Any] = {"mode": "reset", "errors": {}}
    tokens = request_session(request)
    assert tokens is not None  # PageUser checked it
    error: FormError | None = None
    status = 400
    if not csrf_valid(request, settings, csrf_token):
        error, status = FORM_EXPIRED, 403
    elif password != confirm_password:
        error = password_mismatch()
    else:
        try:
            await _gateway(request, settings).update_password(tokens.access_token, password)
        except AuthRefused as exc:
            error = auth_error(exc)
        except AuthUnavailable:
            error, status = FormError("form", UNAVAILABLE), 503
    if error is not None:
        context["errors"] = {error.field: error.message}
        return render(request, "auth/callback.html", context, user=user, status_code=status)
    landing = landing_path(await businesses.get_for_owner(session, user.id))
    return RedirectResponse(f"{landing}?{urlencode({'notice': 'password-updated'})}", 303)


# --- Google -------------------------------------------------------------------------------


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@router.get("/login/google")
async def google_sign_in(request: Request, settings: SettingsDep) -> Response:
    """Off to Google through the auth service, with a PKCE challenge for the way back."""
    if not settings.google_enabled:
        return render(request, "errors/not_found.html", status_code=404)
    verifier = secrets.token_urlsafe(48)
    query = urlencode(
        {
            "provider": "google",
            "redirect_to": _callback_url(settings),
            "code_challenge": _challenge(verifier),
            "code_challenge_method": "s256",
        }
    )
    response = RedirectResponse(f"{settings.auth_url}/authorize?{query}", status_code=303)
    set_private_cookie(
        response, settings, PKCE_COOKIE, verifier, max_age=_PKCE_MAX_AGE_SECONDS, path="/callback"
    )
    return response


# --- log out ------------------------------------------------------------------------------


@router.post("/logout")
async def logout(request: Request, settings: SettingsDep, csrf_token: CsrfField = "") -> Response:
    """End the sign-in at the auth service and forget the cookie."""
    if not csrf_valid(request, settings, csrf_token):
        message = "This form expired. Go back, reload the page and try again."
        return render(request, "errors/error.html", {"message": message}, status_code=403)
    tokens = request_session(request)
    if tokens is not None:
        # Unreachable auth: the cookie goes anyway, and the refresh token expires on its own.
        with contextlib.suppress(AuthUnavailable):
            await _gateway(request, settings).sign_out(tokens.access_token)
    response = RedirectResponse("/login?notice=signed-out", status_code=303)
    clear_session_cookie(response, settings)
    return response
