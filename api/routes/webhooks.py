"""Meta webhooks: `GET|POST /api/v1/webhooks/{instagram|whatsapp}/{token}` (PRD §6.4.6).

The path token names one connection (unknown or disconnected: 404). GET is Meta's
subscription handshake: echo `hub.challenge` when `hub.verify_token` is the connection's.
POST checks `X-Hub-Signature-256` over the raw body with the connection's app secret
(missing: 401, wrong: 403, and nothing is stored), records the delivery in one
transaction (`store.conversations.ingest`), and only after the commit enqueues the
responder. A database failure answers 503 so Meta redelivers; redeliveries are harmless.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
import time
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from api.deps import AppStateDep, SessionDep
from api.routes.webhook_batches import WebhookWriter
from api.state import AppState
from channels import instagram, whatsapp
from channels.signature import HEADER, SignatureCheck, check
from core.analytics import Event
from core.errors import BadRequest, Forbidden, NotFound, PayloadTooLarge, Unauthorized
from core.inbound import ParsedWebhook
from core.metrics import WEBHOOK_ACK_SECONDS
from core.settings import Settings
from core.storable_text import storable
from store.conversations import connections
from store.conversations.ingest import ConnectionGone, Recording, WebhookSource
from store.tables.base import utcnow
from store.tables.enums import SocialPlatform
from store.tables.social import SocialConnection

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])
log = logging.getLogger("chidi.webhooks")

_PARSERS = {
    SocialPlatform.INSTAGRAM: instagram.parse_webhook,
    SocialPlatform.WHATSAPP: whatsapp.parse_webhook,
}
# Where a body may hold text Postgres cannot store (`core.storable_text`): a NUL or a
# surrogate, escaped, or a surrogate encoded raw (which `json.loads` lets through); most
# deliveries have none and skip the walk.
_MAYBE_UNSTORABLE = re.compile(rb"\\u0000|\\u[dD][89a-fA-F]|\xed[\xa0-\xbf]")
# Meta only checks for a 200; the body is what its own examples answer.
_ACK = "EVENT_RECEIVED"


class SignatureMissing(Unauthorized):
    """The delivery has no X-Hub-Signature-256 header."""

    code = "signature_missing"


class SignatureInvalid(Forbidden):
    """The signature does not match the body and the connection's app secret."""

    code = "signature_invalid"


def _platform(name: str) -> SocialPlatform:
    try:
        return SocialPlatform(name)
    except ValueError:
        raise NotFound("No webhook is registered at this address.") from None


async def _connection(
    session: AsyncSession, platform: SocialPlatform, token: str
) -> SocialConnection:
    connection = await connections.by_path_token(session, token)
    if connection is None or not connection.is_active or connection.platform is not platform:
        raise NotFound("No webhook is registered at this address.")
    return connection


def _app_secret(connection: SocialConnection, settings: Settings) -> str | None:
    """The connection's own app secret, else the CHIDI Meta app's (Instagram OAuth)."""
    keys = settings.encryption_key.get_secret_value()
    own = connections.secrets_of(connection, keys).app_secret
    if own:
        return own
    return settings.meta_app_secret.get_secret_value() if settings.meta_app_secret else None


_Key = tuple[SocialPlatform, str]


@dataclass(frozen=True)
class _Route:
    """What a delivery needs from its connection: where it goes and how it is signed."""

    source: WebhookSource
    app_secret: str | None


class RouteCache:
    """Path token → route, for a few seconds, so a delivery costs no lookup query.

    Safe to serve stale: recording a delivery re-checks in its own INSERT that the
    connection is still active (a disconnected one gets 404 and is evicted), and a
    signature that fails against a cached secret evicts it, so a rotated secret is read
    again on Meta's retry. Single-flight: when an entry expires under load, the concurrent
    deliveries for it share one lookup instead of each taking a pooled connection for it.
    """

    ttl_seconds = 10.0
    max_entries = 10_000

    def __init__(self) -> None:
        self._routes: dict[_Key, tuple[float, _Route | None]] = {}
        self._loading: dict[_Key, asyncio.Task[_Route | None]] = {}

    async def route(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings,
        platform: SocialPlatform,
        token: str,
    ) -> _Route:
        """The route for `token`, from memory or the database; 404 if there is none."""
        key = (platform, token)
        cached = self._routes.get(key)
        if cached is not None and cached[0] >= time.monotonic():
            route = cached[1]
        else:
            loading = self._loading.get(key)
            if loading is None:
                loading = asyncio.create_task(self._load(sessionmaker, settings, key))
                self._loading[key] = loading
            route = await asyncio.shield(loading)
        if route is None:
            raise NotFound("No webhook is registered at this address.")
        return route

    async def _load(
        self, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, key: _Key
    ) -> _Route | None:
        platform, token = key
        try:
            async with sessionmaker() as session:
                found = await connections.by_path_token(session, token)
        finally:
            del self._loading[key]
        route = None
        if found is not None and found.is_active and found.platform is platform:
            route = _Route(
                WebhookSource(found.id, found.business_id, platform.value),
                _app_secret(found, settings),
            )
        if len(self._routes) >= self.max_entries:
            self._routes.clear()
        self._routes[key] = (time.monotonic() + self.ttl_seconds, route)
        return route

    def evict(self, platform: SocialPlatform, token: str) -> None:
        """Forget a route (its connection changed)."""
        self._routes.pop((platform, token), None)


def _writer(request: Request, state: AppState) -> WebhookWriter:
    writer: WebhookWriter | None = getattr(request.app.state, "webhook_writer", None)
    if writer is None:
        writer = WebhookWriter(
            state.sessionmaker,
            state.redis,
            debounce_seconds=state.settings.responder_debounce_seconds,
        )
        request.app.state.webhook_writer = writer
    return writer


def _route_cache(request: Request) -> RouteCache:
    cache: RouteCache | None = getattr(request.app.state, "webhook_routes", None)
    if cache is None:
        cache = RouteCache()
        request.app.state.webhook_routes = cache
    return cache


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body, refused (413) as soon as it is known to exceed `limit` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(
            f"Webhook bodies are limited to {limit} bytes.", details={"max_bytes": limit}
        )
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise PayloadTooLarge(
                f"Webhook bodies are limited to {limit} bytes.", details={"max_bytes": limit}
            )
    return bytes(body)


def _verified(body: bytes, header: str | None, app_secret: str | None) -> None:
    if not header:
        raise SignatureMissing(f"The {HEADER} header is required.")
    if app_secret is None or check(body, header, app_secret) is not SignatureCheck.VALID:
        raise SignatureInvalid(f"The {HEADER} signature does not match this webhook.")


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(body)
    except ValueError:
        raise BadRequest("The webhook body is not JSON.") from None
    if not isinstance(payload, dict):
        raise BadRequest("The webhook body must be a JSON object.")
    # Stored, not refused: Meta would redeliver a refused delivery until it gave up.
    return storable(payload) if _MAYBE_UNSTORABLE.search(body) else payload


@router.get(
    "/{platform}/{token}",
    response_class=PlainTextResponse,
    summary="Meta's webhook verification handshake",
)
async def verify_subscription(
    platform: str,
    token: str,
    state: AppStateDep,
    session: SessionDep,
    mode: Annotated[str | None, Query(alias="hub.mode")] = None,
    verify_token: Annotated[str | None, Query(alias="hub.verify_token")] = None,
    challenge: Annotated[str | None, Query(alias="hub.challenge")] = None,
) -> PlainTextResponse:
    """Echo `hub.challenge` when `hub.mode=subscribe` and the verify token is this
    connection's; 403 otherwise."""
    connection = await _connection(session, _platform(platform), token)
    expected = connections.secrets_of(
        connection, state.settings.encryption_key.get_secret_value()
    ).verify_token
    if (
        mode != "subscribe"
        or not verify_token
        or not expected
        or not hmac.compare_digest(verify_token.encode(), expected.encode())
    ):
        raise Forbidden(
            "The verify token does not match this connection's.", code="verify_token_mismatch"
        )
    await connections.set_webhook_status(session, connection.id, "verified")
    return PlainTextResponse(challenge or "")


@router.post(
    "/{platform}/{token}",
    response_class=PlainTextResponse,
    summary="Receive an Instagram or WhatsApp webhook delivery",
)
async def receive(
    platform: str, token: str, request: Request, state: AppStateDep
) -> PlainTextResponse:
    """Verify, record in one transaction, then enqueue the responder; 200 when stored."""
    started = time.perf_counter()
    kind = _platform(platform)
    settings = state.settings
    body = await read_body(request, settings.webhook_max_body_bytes)
    routes = _route_cache(request)
    route = await routes.route(state.sessionmaker, settings, kind, token)
    try:
        _verified(body, request.headers.get(HEADER), route.app_secret)
    except SignatureInvalid:
        routes.evict(kind, token)
        raise
    payload = _json_object(body)
    parsed: ParsedWebhook = _PARSERS[kind](payload, received_at=utcnow())
    try:
        result = await _writer(request, state).write(
            Recording(route.source, payload, dict(request.headers), parsed)
        )
    except ConnectionGone:
        routes.evict(kind, token)
        raise
    log.info(
        "webhook recorded",
        extra={
            "platform": kind.value,
            "connection_id": str(route.source.connection_id),
            "stored": result.stored,
            "duplicates": result.duplicates,
            "receipts": result.receipts,
            "takeovers": result.takeovers,
            "ignored": parsed.ignored,
        },
    )
    for conversation_id in result.started:  # committed: the writer's transaction is done
        state.analytics.track(
            Event.CONVERSATION_STARTED,
            str(route.source.business_id),
            conversation_id=str(conversation_id),
            platform=kind.value,
        )
    WEBHOOK_ACK_SECONDS.labels(platform=kind.value).observe(time.perf_counter() - started)
    return PlainTextResponse(_ACK)
