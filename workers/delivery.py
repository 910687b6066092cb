"""Delivering one outbox row: claim it, check it may go out, send it, record the outcome.

Three short transactions, so the platform call happens outside any open transaction:

1. claim (`sending`, lease; the same statement reads everything the plan needs) —
   committed before anything is sent;
2. the send itself (parts of a split message are recorded as they are accepted);
3. record `sent`, or a failure: `failed` with a retry time, or `dead` with a reason the
   owner is told about (revoked token, closed window, permanent refusal).

Exactly-once: a repeated or concurrent job finds the row already claimed or sent and does
nothing. A worker killed mid-send leaves a `sending` row; once its lease runs out the
sweeper re-drives it, and the send is repeated only where that cannot deliver twice — the
provider honours the idempotency key (the fakes do), so the repeat returns the first
answer. Against Meta, which does not, such a row is given up (`dead`, owner told): at most
once, never twice. Uncertain in-process retries follow the same rule (see channels.graph).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import httpx
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from channels.errors import FailureKind, GraphCallFailed, GraphError, token_status_for
from channels.graph import GraphClient, GraphConfig, SendLimiter
from channels.send import InstagramSender, TextSender, WhatsAppSender
from channels.text import split_message
from channels.windows import InstagramPermit, can_send_free_text, instagram_permit
from core.metrics import SEND_FAILURES
from core.settings import Settings
from store.conversations import connections, outbox, sending
from store.conversations.connections import SendingAccount
from store.conversations.notify import OwnerNotice, notify_owner
from store.conversations.sending import Claimed, OutboxRow
from store.db import session_scope
from store.tables.base import utcnow
from store.tables.enums import (
    ConversationSenderType,
    OutboxKind,
    SocialPlatform,
    TokenStatus,
)

log = logging.getLogger("chidi.delivery")


class Delivery(StrEnum):
    """What one delivery job did."""

    SENT = "sent"
    NOT_DUE = "not_due"  # sent, dead, not yet due, or claimed by a live worker
    RETRY_LATER = "retry_later"
    GAVE_UP = "gave_up"


@dataclass(frozen=True)
class DeliveryDeps:
    """What a sender needs: the database, settings, an HTTP client and the rate limiter."""

    sessionmaker: async_sessionmaker[AsyncSession]
    settings: Settings
    http: httpx.AsyncClient
    limiter: SendLimiter | None = None


@dataclass(frozen=True)
class _Refusal:
    """The row must not be sent; `notice` tells the owner why (None: already told)."""

    reason: str
    notice: OwnerNotice | None


@dataclass(frozen=True)
class _SendPlan:
    connection: SendingAccount
    sender: TextSender
    recipient: str
    parts: list[str]
    human_agent: bool
    honours_idempotency: bool


def retry_delay(attempts: int) -> timedelta:
    """How long a row waits after its `attempts`-th transient failure: 15 s, doubling, up
    to 30 minutes."""
    return timedelta(seconds=min(15 * 2 ** max(attempts - 1, 0), 1800))


async def deliver(deps: DeliveryDeps, outbox_id: uuid.UUID) -> Delivery:
    """Deliver the row once (see the module docstring for the guarantees)."""
    settings = deps.settings
    async with session_scope(deps.sessionmaker) as session:
        claimed = await sending.claim(
            session, outbox_id, lease_seconds=settings.outbox_sending_lease_seconds
        )
    if claimed is None:
        return Delivery.NOT_DUE
    row = claimed.row
    plan = None if row.kind is OutboxKind.EMAIL else _plan(deps, claimed)
    if plan is None:
        return await _deliver_email(deps, row)
    if isinstance(plan, _Refusal):
        return await _give_up(deps, row, plan)
    # Stop well inside the lease, so no other worker can re-claim a send still in flight.
    budget = settings.outbox_sending_lease_seconds * 0.8
    try:
        async with asyncio.timeout(budget):
            provider_ids = await _send_parts(deps, row, plan)
    except GraphCallFailed as failure:
        return await _failed(deps, row, plan, failure.kind, failure.error)
    except TimeoutError:
        error = GraphError(status=0, message=f"the send took longer than {budget:.0f}s")
        return await _failed(deps, row, plan, FailureKind.UNCERTAIN, error)
    async with session_scope(deps.sessionmaker) as session:
        await sending.record_sent(session, row.id, provider_ids)
    log.info("message delivered", extra={"outbox_id": str(row.id), "parts": len(provider_ids)})
    return Delivery.SENT


async def _deliver_email(deps: DeliveryDeps, row: OutboxRow) -> Delivery:
    """Embedded mode has no mail server: the outbox row and this log line are the email."""
    async with session_scope(deps.sessionmaker) as session:
        await sending.record_sent(session, row.id, [])
    log.info(
        "email delivered to the log (no mail provider configured)",
        extra={"outbox_id": str(row.id), "template": row.payload.get("template")},
    )
    return Delivery.SENT


def _plan(deps: DeliveryDeps, claimed: Claimed) -> _SendPlan | _Refusal:
    """Decide, before calling anyone, whether and how this message may be sent (from what
    the claim read: no further queries)."""
    row, connection = claimed.row, claimed.account
    if row.kind not in outbox.MESSAGE_KINDS or connection is None or row.conversation_id is None:
        return _Refusal(f"Nothing can send an outbox row of kind {row.kind}.", None)
    refusal = _connection_refusal(connection) or _uncertain_refusal(
        deps.settings, connection, row.conversation_id, claimed.uncertain
    )
    if refusal is not None:
        return refusal
    human = row.payload.get("sender") == ConversationSenderType.BUSINESS_HUMAN.value
    permit = _permit(
        connection,
        row.conversation_id,
        claimed.last_customer_message_at,
        utcnow(),
        human=human,
    )
    if isinstance(permit, _Refusal):
        return permit
    sender = _sender(deps, connection)
    return _SendPlan(
        connection=connection,
        sender=sender,
        recipient=row.recipient or "",
        parts=split_message(outbox.payload_text(row), sender.max_text_bytes),
        human_agent=permit is InstagramPermit.HUMAN_AGENT,
        honours_idempotency=_honours_idempotency(deps.settings, connection),
    )


def _connection_refusal(connection: SendingAccount) -> _Refusal | None:
    if not connection.is_active or not connection.access_token_encrypted:
        return _Refusal("The account was disconnected from CHIDI.", None)
    if connection.token_status is not TokenStatus.VALID:
        return _Refusal(
            f"The {connection.platform} access token is "
            f"{connection.token_status}; reconnect the account.",
            None,
        )
    return None


def _uncertain_refusal(
    settings: Settings, connection: SendingAccount, conversation_id: uuid.UUID, uncertain: bool
) -> _Refusal | None:
    if not uncertain or _honours_idempotency(settings, connection):
        return None
    reason = (
        "A worker stopped while sending this message, so it may or may not have "
        "reached the customer; it is not sent again, to never send it twice."
    )
    return _Refusal(
        reason,
        OwnerNotice(
            kind="delivery_uncertain",
            title="Please check a reply",
            body=reason,
            conversation_id=conversation_id,
        ),
    )


def _permit(
    connection: SendingAccount,
    conversation_id: uuid.UUID,
    last: datetime | None,
    now: datetime,
    *,
    human: bool,
) -> InstagramPermit | _Refusal:
    """How the platform's customer-service window (opened by the customer's `last` message)
    lets this message out, if at all."""
    if connection.platform is SocialPlatform.WHATSAPP:
        if can_send_free_text(last, now):
            return InstagramPermit.RESPONSE
        window = "24 hours"
    else:
        permit = instagram_permit(last, now, written_by_human=human)
        if permit is not InstagramPermit.CLOSED:
            return permit
        window = "7 days" if human else "24 hours"
    reason = (
        f"The customer last wrote more than {window} ago, so {connection.platform} "
        "does not allow a free-form message now. Wait for them to write again."
    )
    return _Refusal(
        reason,
        OwnerNotice(
            kind="window_closed",
            title="A reply was not sent",
            body=reason,
            conversation_id=conversation_id,
        ),
    )


def _honours_idempotency(settings: Settings, connection: SendingAccount) -> bool:
    return connections.is_simulated(connection) or settings.graph_honours_idempotency


def _sender(deps: DeliveryDeps, connection: SendingAccount) -> TextSender:
    settings = deps.settings
    simulated = connections.is_simulated(connection)
    config = GraphConfig(
        base_url=settings.fake_graph_url if simulated else settings.graph_base_url,
        version=settings.meta_graph_version,
        timeout_seconds=settings.meta_http_timeout_seconds,
        max_attempts=settings.meta_send_max_attempts,
        retry_initial_seconds=settings.meta_retry_initial_seconds,
        retry_budget_seconds=settings.outbox_sending_lease_seconds * 0.6,
        honours_idempotency=_honours_idempotency(settings, connection),
    )
    client = GraphClient(
        deps.http,
        config,
        access_token=connections.access_token_of(
            connection, settings.encryption_key.get_secret_value()
        ),
        limiter=deps.limiter,
        limiter_key=str(connection.id),
    )
    if connection.platform is SocialPlatform.WHATSAPP:
        return WhatsAppSender(
            client, connection.whatsapp_phone_number_id or connection.platform_account_id
        )
    return InstagramSender(client)


async def _send_parts(deps: DeliveryDeps, row: OutboxRow, plan: _SendPlan) -> list[str]:
    """Send each part not yet accepted; each part has its own idempotency key."""
    done = row.payload.get("provider_message_ids")
    provider_ids = [str(i) for i in done] if isinstance(done, list) else []
    for index, part in enumerate(plan.parts):
        if index < len(provider_ids):
            continue
        provider_ids.append(
            await plan.sender.send_text(
                plan.recipient,
                part,
                idempotency_key=f"{row.idempotency_key}:{index}",
                human_agent=plan.human_agent,
            )
        )
        if index < len(plan.parts) - 1:
            async with session_scope(deps.sessionmaker) as session:
                await sending.record_progress(session, row.id, provider_ids)
    return provider_ids


async def _give_up(deps: DeliveryDeps, row: OutboxRow, refusal: _Refusal) -> Delivery:
    async with session_scope(deps.sessionmaker) as session:
        await sending.record_failure(session, row.id, error=refusal.reason, retry_at=None)
        if refusal.notice is not None and row.business_id is not None:
            await notify_owner(session, row.business_id, refusal.notice)
    log.warning("message not sent", extra={"outbox_id": str(row.id), "reason": refusal.reason})
    return Delivery.GAVE_UP


async def _failed(
    deps: DeliveryDeps, row: OutboxRow, plan: _SendPlan, kind: FailureKind, error: GraphError
) -> Delivery:
    """Record a failed send: retry later if it can still succeed, else give up and say why."""
    SEND_FAILURES.labels(platform=plan.connection.platform.value, error_class=kind.value).inc()
    retryable = kind in (FailureKind.TRANSIENT, FailureKind.RATE_LIMITED) or (
        kind is FailureKind.UNCERTAIN and plan.honours_idempotency
    )
    if retryable and row.attempts < deps.settings.outbox_max_attempts:
        async with session_scope(deps.sessionmaker) as session:
            await sending.record_failure(
                session,
                row.id,
                error=error.describe(),
                retry_at=utcnow() + retry_delay(row.attempts),
            )
        log.warning(
            "send failed; will retry",
            extra={"outbox_id": str(row.id), "kind": kind.value, "attempts": row.attempts},
        )
        return Delivery.RETRY_LATER
    if kind is FailureKind.TOKEN_INVALID:
        return await _token_refused(deps, row, plan.connection, error)
    return await _give_up(
        deps,
        row,
        _Refusal(
            _reason(kind, error),
            OwnerNotice(
                kind="window_closed" if kind is FailureKind.WINDOW_CLOSED else "delivery_failed",
                title="A reply was not sent",
                body=_reason(kind, error),
                conversation_id=row.conversation_id,
            ),
        ),
    )


def _reason(kind: FailureKind, error: GraphError) -> str:
    if kind is FailureKind.WINDOW_CLOSED:
        return (
            "The customer-service window is closed (the customer last wrote too long "
            f"ago); the platform refused the message: {error.describe()}"
        )
    if kind is FailureKind.UNCERTAIN:
        return (
            "The platform did not answer, so the message may or may not have been "
            f"delivered; it is not sent again: {error.describe()}"
        )
    return f"The platform refused the message: {error.describe()}"


async def _token_refused(
    deps: DeliveryDeps, row: OutboxRow, connection: SendingAccount, error: GraphError
) -> Delivery:
    """Mark the connection's token unusable and tell the owner (once) to reconnect."""
    status = TokenStatus(token_status_for(error))
    reason = (
        f"Meta refused the {connection.platform} access token ({status}): "
        f"{error.describe()}. Reconnect the account in Settings → Integrations."
    )
    async with session_scope(deps.sessionmaker) as session:
        await sending.record_failure(session, row.id, error=reason, retry_at=None)
        changed = await connections.mark_token_refused(
            session, connection.business_id, connection.id, status, error.describe()
        )
        if changed:
            await notify_owner(
                session,
                connection.business_id,
                OwnerNotice(
                    kind="token_revoked",
                    title=f"Reconnect your {connection.platform} account",
                    body=reason,
                    conversation_id=row.conversation_id,
                    email_key=f"token_refused:{connection.id}:{row.id}",
                ),
            )
    log.warning(
        "access token refused", extra={"connection_id": str(connection.id), "status": status.value}
    )
    return Delivery.GAVE_UP
