"""The sender's side of the outbox: claim a row, record parts, record the outcome.

A sender claims the row (`sending`, with a lease), calls the platform, and records what
happened. The claim is committed before the call, so a worker killed mid-send leaves a
`sending` row whose lease runs out; whoever re-claims it knows the earlier attempt's
outcome is unknown (`Claimed.uncertain`). See docs/conversations.md for the guarantees.

Every function is one statement: the claim returns, with the row, everything deciding the
send needs (the conversation's customer-service window, the connection's platform, token
and ids), and each outcome updates the outbox row and its message together. Delivering a
reply costs two statements besides the platform call.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg.types.json import Jsonb
from sqlmodel.ext.asyncio.session import AsyncSession

from store.conversations.connections import SendingAccount
from store.conversations.sql import run
from store.tables.enums import OutboxKind, OutboxStatus, SocialPlatform, TokenStatus


@dataclass(frozen=True)
class OutboxRow:
    """The claimed outbox row, as the sender needs it."""

    id: uuid.UUID
    kind: OutboxKind
    business_id: uuid.UUID | None
    conversation_id: uuid.UUID | None
    message_id: uuid.UUID | None
    idempotency_key: str
    recipient: str | None
    payload: dict[str, Any]
    attempts: int


@dataclass(frozen=True)
class Claimed:
    """An outbox row this worker now owns; `uncertain`: an earlier claim ran out mid-send.

    `account` is the connection of the row's conversation (None for a row that belongs to
    no conversation, e.g. an email); `last_customer_message_at` opens the platform's window.
    """

    row: OutboxRow
    uncertain: bool
    last_customer_message_at: datetime | None
    account: SendingAccount | None


_CLAIM = """
    WITH claimed AS (
        UPDATE outbox o SET status = 'sending', attempts = o.attempts + 1,
               next_attempt_at = now() + make_interval(secs => :lease), updated_at = now()
        FROM (SELECT id, status FROM outbox WHERE id = :id FOR UPDATE) previous
        WHERE o.id = previous.id AND COALESCE(o.next_attempt_at, '-infinity') <= now()
          AND o.status IN ('pending', 'failed', 'sending')
        RETURNING o.id, o.kind, o.business_id, o.conversation_id, o.message_id,
                  o.idempotency_key, o.recipient, o.payload, o.attempts,
                  previous.status = 'sending' AS uncertain
    )
    SELECT claimed.id, claimed.kind, claimed.business_id, claimed.conversation_id,
           claimed.message_id, claimed.idempotency_key, claimed.recipient, claimed.payload,
           claimed.attempts, claimed.uncertain, c.last_customer_message_at,
           s.id, s.business_id, s.platform, s.platform_account_id, s.whatsapp_phone_number_id,
           s.access_token_encrypted, s.token_status, s.is_active, s.permissions
    FROM claimed
    LEFT JOIN conversations c ON c.id = claimed.conversation_id
    LEFT JOIN social_connections s ON s.id = c.social_connection_id
"""


async def claim(
    session: AsyncSession, outbox_id: uuid.UUID, *, lease_seconds: int
) -> Claimed | None:
    """Take the row for sending if it is due: pending, failed and due for retry, or sending
    with an expired lease. None when it is sent, dead, not yet due, or held by a live claim.
    """
    found = (await run(session, _CLAIM, {"id": outbox_id, "lease": lease_seconds})).first()
    return None if found is None else claimed_from(tuple(found))


def claimed_from(values: Sequence[Any]) -> Claimed:
    """A `Claimed` from one row of the claim statement (columns in its SELECT's order)."""
    (outbox_id, kind, business_id, conversation_id, message_id, key, recipient, payload) = values[
        :8
    ]
    attempts, uncertain, last_customer_message_at = values[8:11]
    row = OutboxRow(
        outbox_id,
        OutboxKind(kind),
        business_id,
        conversation_id,
        message_id,
        key,
        recipient,
        payload,
        attempts,
    )
    return Claimed(row, bool(uncertain), last_customer_message_at, _account(values[11:]))


def _account(values: Sequence[Any]) -> SendingAccount | None:
    """The connection columns of a claim row; None when the row has no conversation."""
    (connection_id, business_id, platform, account_id, phone_id, token, status, active, perms) = (
        values
    )
    if connection_id is None:
        return None
    return SendingAccount(
        id=connection_id,
        business_id=business_id,
        platform=SocialPlatform(platform),
        platform_account_id=account_id,
        whatsapp_phone_number_id=phone_id,
        access_token_encrypted=token,
        token_status=TokenStatus(status),
        is_active=bool(active),
        permissions=perms,
    )


async def record_progress(
    session: AsyncSession, outbox_id: uuid.UUID, provider_ids: list[str]
) -> None:
    """Remember the parts of a split message already accepted (never resent)."""
    await run(
        session,
        """
        UPDATE outbox SET payload = jsonb_set(payload, '{provider_message_ids}', :ids),
               updated_at = now()
        WHERE id = :id AND status = 'sending'
    """,
        {"ids": Jsonb(provider_ids), "id": outbox_id},
    )


async def record_sent(session: AsyncSession, outbox_id: uuid.UUID, provider_ids: list[str]) -> None:
    """The row is delivered; its message takes the platform's id (for receipts and echoes).
    Both rows in one statement; a row sent without a platform id (an email) leaves its
    message, if any, as it is."""
    await run(
        session,
        """
        WITH sent AS (
            UPDATE outbox SET status = 'sent', sent_at = now(), last_error = NULL,
                   provider_message_id = :first, updated_at = now(),
                   payload = jsonb_set(payload, '{provider_message_ids}', :ids)
            WHERE id = :id
            RETURNING message_id
        )
        UPDATE messages m SET platform_message_id = :first, updated_at = now(),
               delivery_status = CASE WHEN m.delivery_status IN ('pending', 'failed')
                                      THEN 'sent' ELSE m.delivery_status END
        FROM sent
        WHERE m.id = sent.message_id AND CAST(:first AS text) IS NOT NULL
    """,
        {
            "first": provider_ids[0] if provider_ids else None,
            "ids": Jsonb(provider_ids),
            "id": outbox_id,
        },
    )


async def record_failure(
    session: AsyncSession, outbox_id: uuid.UUID, *, error: str, retry_at: datetime | None
) -> None:
    """A failed attempt: retried at `retry_at`, or (None) given up for good (`dead`, and
    its message `failed`), in one statement."""
    status = OutboxStatus.FAILED if retry_at is not None else OutboxStatus.DEAD
    await run(
        session,
        """
        WITH failed AS (
            UPDATE outbox SET status = :status, last_error = :error, updated_at = now(),
                   next_attempt_at = COALESCE(:retry_at, next_attempt_at)
            WHERE id = :id
            RETURNING message_id, status
        )
        UPDATE messages m SET delivery_status = 'failed', updated_at = now()
        FROM failed
        WHERE m.id = failed.message_id AND failed.status = 'dead'
    """,
        {"status": status.value, "error": error[:1000], "retry_at": retry_at, "id": outbox_id},
    )
