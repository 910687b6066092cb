"""Seeding for the monitoring tests."""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from store.tables.base import utcnow
from store.tables.conversations import Conversation, Message
from store.tables.enums import ConversationSenderType, SocialPlatform
from store.tables.social import SocialConnection
from tests.support.catalog import new_business
from tests.support.conversations import new_customer


async def escalating_conversation(db: AsyncSession) -> uuid.UUID:
    """A new business's conversation whose customer asks for a person (the responder
    escalates it with either brain)."""
    business = await new_business(db, name="Monitored Styles")
    connection = SocialConnection(
        business_id=business.id,
        platform=SocialPlatform.INSTAGRAM,
        platform_account_id=f"ig-{uuid.uuid4().hex[:10]}",
        webhook_path_token=uuid.uuid4().hex,
    )
    db.add(connection)
    await db.flush()
    conversation = Conversation(
        business_id=business.id,
        social_connection_id=connection.id,
        customer_platform_id=new_customer("ig"),
        last_message_at=utcnow(),
    )
    db.add(conversation)
    await db.flush()
    db.add(
        Message(
            conversation_id=conversation.id,
            business_id=business.id,
            platform_message_id=f"mid-{uuid.uuid4().hex}",
            sender_type=ConversationSenderType.CUSTOMER,
            text_content="can I speak to a real person please",
            platform_timestamp=utcnow(),
        )
    )
    await db.flush()
    return conversation.id
