"""The embedded auth service: Supabase Auth's (GoTrue's) REST API at /auth/v1.

The official Supabase clients work against it unchanged (`create_client(CHIDI_URL, key)`),
so the frontend and tests use the same code in embedded and in Supabase mode. Handlers are
thin: parse, rate-limit, call `api.auth.accounts` / `sessions` / `emails` / `google`.
The request's session commits when a handler returns; a failure rolls everything back.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse

from api.auth import accounts, google, pkce
from api.auth.deps import AuthContextDep, google_client, limit_by_email, limit_by_ip
from api.auth.emails import FLOW_METHODS, verify_token
from api.auth.errors import GoTrueError, GoTrueRoute, bad_request, validation_failed
from api.auth.schemas import (
    PkceParams,
    RecoverBody,
    SignupBody,
    TokenBody,
    UserUpdateBody,
    VerifyBody,
)
from api.auth.sessions import (
    RefreshTokenReused,
    end_sessions,
    refresh_session,
    start_session,
    user_payload,
)
from api.auth.urls import error_redirect, safe_redirect, with_fragment, with_query
from api.deps import RedisDep, SessionDep, SettingsDep
from core.security import PKCE_PREFIX, email_token_hash
from core.settings import Settings

router = APIRouter(prefix="/auth/v1", tags=["auth"], route_class=GoTrueRoute)
RedirectTo = Query(default=None, description="Where to send the browser afterwards.")


@router.get("/health")
async def health() -> dict[str, str]:
    """GoTrue's health answer."""
    return {
        "version": "chidi-embedded",
        "name": "GoTrue",
        "description": "CHIDI's embedded, GoTrue-compatible auth service",
    }


@router.get("/settings")
async def auth_settings(settings: SettingsDep) -> dict[str, Any]:
    """Which sign-in methods are on (frontends show or hide buttons from this)."""
    google_on = bool(settings.google_client_id and settings.google_client_secret)
    return {
        "external": {"email": True, "phone": False, "google": google_on, "anonymous_users": False},
        "disable_signup": False,
        "mailer_autoconfirm": settings.auth_autoconfirm,
        "phone_autoconfirm": False,
        "sms_provider": "",
        "saml_enabled": False,
        "passkeys_enabled": False,
    }


@router.get("/.well-known/jwks.json")
async def jwks() -> dict[str, list[Any]]:
    """No public keys: embedded tokens are HS256, and symmetric keys are never published."""
    return {"keys": []}


@router.post("/signup", dependencies=[limit_by_ip("signup")])
async def signup(
    body: SignupBody, db: SessionDep, settings: SettingsDep, redirect_to: str | None = RedirectTo
) -> dict[str, Any]:
    """Register with email and password (a session, or a confirmation email)."""
    return await accounts.signup(db, settings, body, safe_redirect(settings, redirect_to))


@router.post("/token", dependencies=[limit_by_ip("token")])
async def token(
    body: TokenBody,
    db: SessionDep,
    redis: RedisDep,
    settings: SettingsDep,
    grant_type: str = Query(default=""),
) -> dict[str, Any]:
    """Sign in (password), refresh a session (refresh_token), finish PKCE (pkce)."""
    if grant_type == "password":
        if body.email:
            await limit_by_email(redis, settings, "password", body.email)
        return await accounts.password_grant(db, settings, body)
    if grant_type == "refresh_token":
        if not body.refresh_token:
            raise validation_failed("Refresh token is not valid")
        try:
            return await refresh_session(db, settings, body.refresh_token)
        except RefreshTokenReused:
            await db.commit()  # the session ended by the reuse must stay ended
            raise
    if grant_type == "pkce":
        return await pkce.exchange_code(db, settings, body.auth_code, body.code_verifier)
    raise bad_request("invalid_credentials", "unsupported_grant_type")


@router.post("/logout", status_code=204)
async def logout(
    context: AuthContextDep, db: SessionDep, scope: str = Query(default="global")
) -> Response:
    """End this session (`local`), the others (`others`) or all of them (`global`)."""
    if scope not in ("global", "local", "others"):
        raise validation_failed(f'Unsupported logout scope "{scope}"')
    chosen: Literal["global", "local", "others"] = scope  # type: ignore[assignment]
    await end_sessions(db, user_id=context.user.id, current=context.session, scope=chosen)
    return Response(status_code=204)


@router.post("/recover", dependencies=[limit_by_ip("recover")])
async def recover(
    body: RecoverBody,
    db: SessionDep,
    redis: RedisDep,
    settings: SettingsDep,
    redirect_to: str | None = RedirectTo,
) -> dict[str, Any]:
    """Email a password-reset link; the answer is the same whether the account exists."""
    if body.email:
        await limit_by_email(redis, settings, "recover", body.email)
    await accounts.recover(db, settings, body, safe_redirect(settings, redirect_to))
    return {}


@router.post("/verify", dependencies=[limit_by_ip("verify")])
async def verify(body: VerifyBody, db: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    """Sign in with an emailed link's `token_hash`, or with the emailed code and address."""
    if bool(body.token) == bool(body.token_hash):
        raise validation_failed("Verify requires either a token or a token hash")
    if body.token_hash:
        if body.email or body.phone or body.redirect_to:
            raise validation_failed("Only the token_hash and type should be provided")
        user, _ = await verify_token(db, verify_type=body.type or "", token_hash=body.token_hash)
    else:
        if body.phone or not body.email:
            raise validation_failed(
                "Only an email address or phone number should be provided on verify"
            )
        email = accounts.normalize_email(body.email)
        user, _ = await verify_token(
            db,
            verify_type=body.type or "",
            email=email,
            token_hash=email_token_hash(email, body.token or ""),
        )
    return await start_session(db, settings, user, "otp")


@router.get("/verify", dependencies=[limit_by_ip("verify")], response_class=RedirectResponse)
async def verify_link(
    db: SessionDep,
    settings: SettingsDep,
    token: str = Query(default=""),
    type: str = Query(default=""),
    redirect_to: str | None = RedirectTo,
) -> RedirectResponse:
    """Follow an emailed link: back to `redirect_to` signed in (fragment) or with `?code=`."""
    if not type:
        raise validation_failed("Verify requires a verification type")
    if not token:
        raise validation_failed("Verify requires a token or a token hash")
    target = safe_redirect(settings, redirect_to)
    is_pkce = token.startswith(PKCE_PREFIX)
    try:
        user, effective = await verify_token(db, verify_type=type, token_hash=token)
        if is_pkce:
            code = await pkce.issue_code(db, user_id=user.id, method=FLOW_METHODS[effective])
            return RedirectResponse(with_query(target, {"code": code}), status_code=303)
        session = await start_session(db, settings, user, "otp")
    except GoTrueError as exc:
        await db.rollback()
        return RedirectResponse(
            error_redirect(
                target,
                status=exc.status,
                error_code=exc.error_code,
                description=exc.message,
                pkce=is_pkce,
            ),
            status_code=303,
        )
    return RedirectResponse(
        with_fragment(target, {**_fragment(session), "type": type}), status_code=303
    )


@router.get("/user")
async def get_user(context: AuthContextDep, db: SessionDep) -> dict[str, Any]:
    """The signed-in user."""
    return await user_payload(db, context.user)


@router.put("/user", dependencies=[limit_by_ip("user")])
async def update_user(
    body: UserUpdateBody,
    context: AuthContextDep,
    db: SessionDep,
    settings: SettingsDep,
    redirect_to: str | None = RedirectTo,
) -> dict[str, Any]:
    """Change password, metadata or email of the signed-in user."""
    return await accounts.update_user(
        db, settings, context.user, context.session, body, safe_redirect(settings, redirect_to)
    )


@router.get("/authorize", dependencies=[limit_by_ip("oauth")], response_class=RedirectResponse)
async def authorize(
    request: Request,
    settings: SettingsDep,
    provider: str = Query(default=""),
    redirect_to: str | None = RedirectTo,
    code_challenge: str = Query(default=""),
    code_challenge_method: str = Query(default=""),
) -> RedirectResponse:
    """Start "Sign in with Google": off to Google with state, nonce and PKCE."""
    if provider != google.PROVIDER:
        raise validation_failed("Unsupported provider: provider is not enabled")
    client = google_client(request, settings)
    pkce.pkce_requested(
        PkceParams(code_challenge=code_challenge, code_challenge_method=code_challenge_method)
    )
    url, cookie = await google.authorization_url(
        client,
        settings,
        redirect_to=safe_redirect(settings, redirect_to),
        code_challenge=code_challenge,
        code_challenge_method=code_challenge_method,
    )
    response = RedirectResponse(url, status_code=302)
    response.set_cookie(
        google.STATE_COOKIE,
        cookie,
        max_age=google.STATE_MAX_AGE_SECONDS,
        path="/auth/v1",
        httponly=True,
        samesite="lax",
        secure=settings.public_url.startswith("https://"),
    )
    return response


@router.get("/callback", dependencies=[limit_by_ip("oauth")], response_class=RedirectResponse)
async def callback(request: Request, db: SessionDep, settings: SettingsDep) -> RedirectResponse:
    """Google sent the browser back: verify, sign in, and return to the app."""
    pending = google.read_pending(settings, request.cookies.get(google.STATE_COOKIE))
    target = pending.redirect_to if pending else safe_redirect(settings, None)
    is_pkce = bool(pending and pending.code_challenge)
    try:
        if pending is None:
            raise bad_request("bad_oauth_state", "OAuth state cookie is missing or expired")
        location = await _finish_google(request, db, settings, pending)
    except GoTrueError as exc:
        await db.rollback()
        location = error_redirect(
            target,
            status=exc.status,
            error_code=exc.error_code,
            description=exc.message,
            pkce=is_pkce,
        )
    response = RedirectResponse(location, status_code=302)
    response.delete_cookie(google.STATE_COOKIE, path="/auth/v1")
    return response


async def _finish_google(
    request: Request, db: SessionDep, settings: Settings, pending: google.PendingSignIn
) -> str:
    account = await google.finish(
        google_client(request, settings), settings, pending, dict(request.query_params)
    )
    user = await google.sign_in_user(db, account.claims)
    if pending.code_challenge:
        code = await pkce.issue_code_now(
            db,
            user_id=user.id,
            provider_type=google.PROVIDER,
            method="oauth",
            challenge=pending.code_challenge,
            challenge_method=pending.code_challenge_method,
        )
        return with_query(pending.redirect_to, {"code": code})
    session = await start_session(db, settings, user, "oauth")
    return with_fragment(
        pending.redirect_to, {**_fragment(session), "provider_token": account.provider_token}
    )


def _fragment(session: dict[str, Any]) -> dict[str, str]:
    """GoTrue's implicit-flow redirect parameters for an issued session."""
    return {
        "access_token": session["access_token"],
        "token_type": "bearer",
        "expires_in": str(session["expires_in"]),
        "expires_at": str(session["expires_at"]),
        "refresh_token": session["refresh_token"],
        "sb": "",
    }
