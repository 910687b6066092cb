"""Email is "sent" by writing it to the outbox, in the transaction of the change behind it.

The outbox sender (SMTP/SendGrid when configured) delivers it later; a rolled-back request
therefore never emails anyone. Outside production the action link is also logged, so a
developer running the embedded defaults can follow a reset link without a mail server.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel.ext.asyncio.session import AsyncSession

from store.tables.enums import OutboxKind, OutboxStatus
from store.tables.ops import OutboxMessage

log = logging.getLogger("chidi.mail")


@dataclass(frozen=True)
class Email:
    """One email: who gets it, what it says, and the link it is about (if any)."""

    template: str  # "recovery", "signup", "email_change", ...
    recipient: str
    subject: str
    text: str
    action_link: str | None = None


async def send_email(
    session: AsyncSession,
    email: Email,
    *,
    idempotency_key: str,
    log_link: bool,
    business_id: uuid.UUID | None = None,
) -> None:
    """Queue `email` in the outbox once per `idempotency_key` and log that it was queued.

    `log_link` puts the action link in the log line: only for development, since the link
    signs its holder in. `business_id` files an email about a business (an escalation)
    under it, so the business's outbox rows go with it; account emails have none.
    """
    payload = {
        "template": email.template,
        "subject": email.subject,
        "text": email.text,
        "action_link": email.action_link,
    }
    await session.exec(
        pg_insert(OutboxMessage)
        .values(
            id=uuid.uuid4(),
            kind=OutboxKind.EMAIL.value,
            business_id=business_id,
            idempotency_key=idempotency_key,
            recipient=email.recipient,
            payload=payload,
            status=OutboxStatus.PENDING.value,
        )
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
    )
    extra = {"template": email.template, "idempotency_key": idempotency_key}
    if log_link and email.action_link:
        extra["action_link"] = email.action_link
    log.info("email queued", extra=extra)
