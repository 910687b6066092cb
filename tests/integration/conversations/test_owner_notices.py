"""Owner notices: the in-app notification and the email are rows of the caller's
transaction, filed under the business they are about."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from store.conversations.notify import OwnerNotice, notify_owner
from store.tables.ops import Notification, OutboxMessage
from tests.support.catalog import new_business


async def test_an_emailed_notice_is_filed_under_its_business(db: AsyncSession) -> None:
    business = await new_business(db)
    notice = OwnerNotice(
        kind="escalation", title="Ada needs a reply", body="...", email_key="notice:test-1"
    )
    notification_id = await notify_owner(db, business.id, notice)
    await notify_owner(db, business.id, notice)  # same key: one email

    notification = await db.get(Notification, notification_id)
    assert notification is not None
    assert notification.business_id == business.id
    emails = (
        await db.exec(
            select(OutboxMessage).where(col(OutboxMessage.idempotency_key) == "notice:test-1")
        )
    ).all()
    assert [email.business_id for email in emails] == [business.id]
    assert emails[0].payload["subject"] == "Ada needs a reply"


async def test_a_notice_without_an_email_key_sends_no_email(db: AsyncSession) -> None:
    business = await new_business(db)
    await notify_owner(db, business.id, OwnerNotice(kind="new_message", title="t", body="b"))
    emails = (
        await db.exec(select(OutboxMessage).where(col(OutboxMessage.business_id) == business.id))
    ).all()
    assert emails == []
