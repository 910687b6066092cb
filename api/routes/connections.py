"""Social connections (PRD §6.4.6): list, disconnect, WhatsApp setup, Instagram OAuth.

Every route is scoped to the caller's business; another business's connection answers
404. Secrets go straight into encrypted columns and never come back out. The Instagram
OAuth callback is reached by a browser redirect from Meta (no bearer token), so the
business travels in a signed, expiring, single-use `state`; the browser is sent on to the
integrations page with the outcome (`api/pages/instagram_outcome.py`).
"""

from __future__ import annotations

import logging
import secrets
import uuid
from dataclasses import dataclass
from typing import Annotated

import httpx
from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import RedirectResponse
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from redis.asyncio import Redis
from sqlmodel.ext.asyncio.session import AsyncSession

from api.deps import AppStateDep, CurrentBusiness, RedisDep, SessionDep
from api.pages.instagram_outcome import connected_url, failed_url, wants_json
from api.schemas.connections import (
    ConnectionCreated,
    ConnectionPublic,
    InstagramConnected,
    OAuthStart,
    WhatsAppSetup,
    webhook_url,
)
from channels import oauth
from channels.errors import FailureKind, GraphCallFailed
from channels.graph import GraphClient, GraphConfig
from core.errors import AppError, BadRequest, NotFound, ValidationFailed
from core.settings import Settings
from store.conversations import connections
from store.conversations.connections import ConnectionDraft
from store.tables.enums import SocialPlatform
from store.tables.social import SocialConnection

router = APIRouter(prefix="/api/v1/social_connections", tags=["social connections"])
log = logging.getLogger("chidi.connections")

OAUTH_STATE_TTL_SECONDS = 600
_STATE_SALT = "chidi.instagram-oauth.v1"
_CALLBACK_PATH = "/api/v1/social_connections/instagram/oauth/callback"
_EMBEDDED_CLIENT_ID = "chidi-embedded-app"


class ProviderError(AppError):
    """Meta refused or failed a call CHIDI needed to complete the request."""

    status_code = 502
    code = "provider_error"


def _graph(settings: Settings, http: httpx.AsyncClient, token: str | None = None) -> GraphClient:
    return GraphClient(
        http,
        GraphConfig(
            base_url=settings.graph_base_url,
            version=settings.meta_graph_version,
            timeout_seconds=settings.meta_http_timeout_seconds,
            max_attempts=settings.meta_send_max_attempts,
            retry_initial_seconds=settings.meta_retry_initial_seconds,
            retry_budget_seconds=30.0,
        ),
        access_token=token,
    )


def _client_credentials(settings: Settings) -> tuple[str, str]:
    if settings.meta_app_id and settings.meta_app_secret:
        return settings.meta_app_id, settings.meta_app_secret.get_secret_value()
    return _EMBEDDED_CLIENT_ID, "embedded-app-secret"


def _created(connection: SocialConnection, verify_token: str, public_url: str) -> ConnectionCreated:
    return ConnectionCreated(
        connection=ConnectionPublic.of(connection, public_url),
        webhook_url=webhook_url(public_url, connection),
        verify_token=verify_token,
    )


@router.get("", response_model=list[ConnectionPublic])
async def list_connections(
    business: CurrentBusiness, session: SessionDep, state: AppStateDep
) -> list[ConnectionPublic]:
    """The business's connected accounts (never their tokens or secrets)."""
    rows = await connections.list_active(session, business.id)
    return [ConnectionPublic.of(row, state.settings.public_url) for row in rows]


@router.delete("/{connection_id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response)
async def disconnect(
    connection_id: uuid.UUID, business: CurrentBusiness, session: SessionDep
) -> Response:
    """Disconnect an account: its webhooks answer 404 and nothing more is sent on it."""
    if not await connections.deactivate(session, business.id, connection_id):
        raise NotFound("No such connection.")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{connection_id}/verify_token", response_model=ConnectionCreated)
async def new_verify_token(
    connection_id: uuid.UUID, business: CurrentBusiness, session: SessionDep, state: AppStateDep
) -> ConnectionCreated:
    """A fresh verify token for Meta's webhook handshake, shown only in this answer. Only
    the handshake uses it (deliveries are checked by their signature), so messages keep
    flowing; the old token stops verifying."""
    settings = state.settings
    verify_token = secrets.token_urlsafe(24)
    replaced = await connections.replace_verify_token(
        session,
        business.id,
        connection_id,
        verify_token,
        settings.encryption_key.get_secret_value(),
    )
    if replaced is None:
        raise NotFound("No such connection.")
    return _created(replaced, verify_token, settings.public_url)


@router.post("/whatsapp", response_model=ConnectionCreated, status_code=201)
async def connect_whatsapp(
    setup: WhatsAppSetup, business: CurrentBusiness, session: SessionDep, state: AppStateDep
) -> ConnectionCreated:
    """Connect a WhatsApp Business number; the answer holds the webhook URL and verify token
    to paste into Meta's dashboard (WhatsApp → Configuration)."""
    settings = state.settings
    token = setup.access_token.get_secret_value()
    async with httpx.AsyncClient() as http:
        try:
            number = await oauth.whatsapp_phone_number(
                _graph(settings, http, token), setup.phone_number_id
            )
        except GraphCallFailed as exc:
            if exc.kind is FailureKind.TOKEN_INVALID:
                raise ValidationFailed(
                    "Meta refused this access token.",
                    details=[{"field": "access_token", "message": str(exc)}],
                ) from exc
            raise ProviderError(f"Meta did not confirm the phone number: {exc}") from exc
    verify_token = setup.verify_token or secrets.token_urlsafe(24)
    saved = await connections.save(
        session,
        business.id,
        ConnectionDraft(
            platform=SocialPlatform.WHATSAPP,
            platform_account_id=setup.phone_number_id,
            display_name=number.verified_name or number.display_phone_number,
            access_token=token,
            app_secret=setup.app_secret.get_secret_value(),
            verify_token=verify_token,
            webhook_path_token=secrets.token_urlsafe(32),
            whatsapp_phone_number_id=setup.phone_number_id,
            whatsapp_waba_id=setup.waba_id,
            permissions={"messages": True, "simulated": settings.meta_embedded},
        ),
        settings.encryption_key.get_secret_value(),
    )
    return _created(saved, verify_token, settings.public_url)


def _state_signer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.jwt_secret.get_secret_value(), salt=_STATE_SALT)


@router.get("/instagram/oauth/initiate", response_model=OAuthStart)
async def instagram_oauth_initiate(business: CurrentBusiness, state: AppStateDep) -> OAuthStart:
    """The Meta consent dialog URL to send the owner to (valid for 10 minutes)."""
    settings = state.settings
    signed = _state_signer(settings).dumps(
        {"business_id": str(business.id), "nonce": secrets.token_urlsafe(16)}
    )
    client_id, _ = _client_credentials(settings)
    url = oauth.authorization_url(
        settings.oauth_dialog_url,
        client_id=client_id,
        state=signed,
        redirect_uri=settings.public_url.rstrip("/") + _CALLBACK_PATH,
        scopes=settings.instagram_oauth_scopes,
    )
    return OAuthStart(authorization_url=url, expires_in_seconds=OAUTH_STATE_TTL_SECONDS)


async def _redeem_state(signed: str | None, settings: Settings, redis: RedisDep) -> uuid.UUID:
    """The business a callback is for; each state works once, within its lifetime."""
    try:
        data = _state_signer(settings).loads(signed or "", max_age=OAUTH_STATE_TTL_SECONDS)
    except SignatureExpired:
        raise BadRequest(
            "The Instagram connection took too long; please start again.",
            code="oauth_state_expired",
        ) from None
    except BadSignature:
        raise BadRequest(
            "The Instagram callback's state is invalid.", code="oauth_state_invalid"
        ) from None
    first_use = await redis.set(
        f"chidi:oauth-state:{data['nonce']}", b"1", nx=True, ex=OAUTH_STATE_TTL_SECONDS + 60
    )
    if not first_use:
        raise BadRequest(
            "This Instagram callback was already used; please start again.", code="oauth_state_used"
        )
    return uuid.UUID(data["business_id"])


async def _granted_accounts(
    settings: Settings, http: httpx.AsyncClient, code: str
) -> list[oauth.InstagramAccount]:
    client_id, client_secret = _client_credentials(settings)
    short = await oauth.exchange_code(
        _graph(settings, http),
        client_id=client_id,
        client_secret=client_secret,
        redirect_uri=settings.public_url.rstrip("/") + _CALLBACK_PATH,
        code=code,
    )
    long_lived = await oauth.long_lived_token(
        _graph(settings, http),
        client_id=client_id,
        client_secret=client_secret,
        short_lived=short.access_token,
    )
    accounts = await oauth.instagram_accounts(_graph(settings, http, long_lived.access_token))
    for account in accounts:
        await oauth.subscribe_page(
            _graph(settings, http, account.page_access_token), account.page_id
        )
    return accounts


@dataclass(frozen=True)
class _MetaAnswer:
    """The query Meta's dialog redirects back with."""

    code: str | None
    state: str | None
    error: str | None
    error_description: str | None


@router.get(
    "/instagram/oauth/callback",
    response_model=InstagramConnected,
    responses={
        303: {
            "description": "A browser (the default): sent to /settings/integrations with "
            "the outcome (`?instagram=connected&account=<id>…` or "
            "`?instagram=failed&reason=<code>`)."
        }
    },
)
async def instagram_oauth_callback(
    request: Request,
    session: SessionDep,
    state: AppStateDep,
    redis: RedisDep,
    code: str | None = None,
    oauth_state: Annotated[str | None, Query(alias="state")] = None,
    error: str | None = None,
    error_description: str | None = None,
) -> InstagramConnected | Response:
    """Meta redirects here after consent: exchange the code for a long-lived token and
    connect every Instagram professional account linked to the owner's Pages.

    The owner's browser is sent back to the integrations page with the outcome; a caller
    that asks for `Accept: application/json` gets the connections (with their verify
    tokens) or the error as JSON instead."""
    answer = _MetaAnswer(code, oauth_state, error, error_description)
    if wants_json(request.headers.get("accept")):
        return await _connect_instagram(session, state.settings, redis, answer)
    try:
        connected = await _connect_instagram(session, state.settings, redis, answer)
    except AppError as exc:
        await session.rollback()
        log.info("instagram not connected", extra={"code": exc.code})
        return RedirectResponse(failed_url(exc.code), status.HTTP_303_SEE_OTHER)
    ids = [created.connection.id for created in connected.connections]
    return RedirectResponse(connected_url(ids), status.HTTP_303_SEE_OTHER)


async def _connect_instagram(
    session: AsyncSession, settings: Settings, redis: Redis, answer: _MetaAnswer
) -> InstagramConnected:
    """Redeem the state, trade the code for tokens and save every granted account."""
    business_id = await _redeem_state(answer.state, settings, redis)
    code = answer.code
    if answer.error or not code:
        reason = answer.error_description or answer.error or "no code"
        raise BadRequest(f"Instagram was not connected: {reason}.", code="oauth_denied")
    async with httpx.AsyncClient() as http:
        try:
            accounts = await _granted_accounts(settings, http, code)
        except GraphCallFailed as exc:
            raise ProviderError(f"Meta refused the Instagram connection: {exc}") from exc
    if not accounts:
        raise BadRequest(
            "No Instagram professional account is linked to your Facebook Pages.",
            code="no_instagram_account",
        )
    keys = settings.encryption_key.get_secret_value()
    app_secret = (
        settings.meta_app_secret.get_secret_value()
        if settings.meta_app_secret
        else secrets.token_urlsafe(32)
    )
    created = []
    for account in accounts:
        verify_token = secrets.token_urlsafe(24)
        saved = await connections.save(
            session,
            business_id,
            ConnectionDraft(
                platform=SocialPlatform.INSTAGRAM,
                platform_account_id=account.instagram_id,
                display_name=f"@{account.username}" if account.username else None,
                access_token=account.page_access_token,
                app_secret=app_secret,
                verify_token=verify_token,
                webhook_path_token=secrets.token_urlsafe(32),
                permissions={
                    "messages": True,
                    "page_id": account.page_id,
                    "simulated": settings.meta_embedded,
                },
            ),
            keys,
        )
        created.append(_created(saved, verify_token, settings.public_url))
    return InstagramConnected(connections=created)
