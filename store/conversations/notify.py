"""Telling an owner something needs them: an in-app notification, and optionally an email.

Both are rows written in the caller's transaction (the email through the outbox), so an
owner is never told about an escalation or failure that was rolled back.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from store.conversations.sql import run
from store.events import model as live
from store.events.pending import announce
from store.repositories.mail import Email, send_email
from store.tables.ops import Notification


@dataclass(frozen=True)
class OwnerNotice:
    """What to tell the owner; `email_key` also emails it, once per key."""

    kind: str  # "escalation", "token_revoked", "window_closed", "delivery_failed", ...
    title: str
    body: str
    conversation_id: uuid.UUID | None = None
    email_key: str | None = None
    link: str | None = None


async def owner_email(session: AsyncSession, business_id: uuid.UUID) -> str | None:
    """The email address of the business's owner."""
    result = await run(
        session,
        "SELECT u.email FROM businesses b JOIN users u ON u.id = b.user_id "
        "WHERE b.id = :business_id",
        {"business_id": business_id},
    )
    email: str | None = result.scalar_one_or_none()
    return email


async def notify_owner(
    session: AsyncSession, business_id: uuid.UUID, notice: OwnerNotice
) -> uuid.UUID:
    """Record the notification (and queue the email); returns the notification's id."""
    notification = Notification(
        business_id=business_id,
        kind=notice.kind,
        title=notice.title,
        body=notice.body,
        conversation_id=notice.conversation_id,
    )
    session.add(notification)
    await session.flush()
    announce(
        session,
        live.notification(
            business_id,
            notification.id,
            kind=notice.kind,
            title=notice.title,
            body=notice.body,
            conversation_id=notice.conversation_id,
        ),
    )
    recipient = await owner_email(session, business_id) if notice.email_key else None
    if notice.email_key and recipient:
        body = f"{notice.body}\n\n{notice.link}" if notice.link else notice.body
        await send_email(
            session,
            Email(
                template=f"owner_{notice.kind}",
                recipient=recipient,
                subject=notice.title,
                text=body,
                action_link=notice.link,
            ),
            idempotency_key=notice.email_key,
            log_link=False,
            business_id=business_id,
        )
    return notification.id
