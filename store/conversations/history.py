"""Earlier customer messages of a conversation, for reading a follow-up in context.

"How much is it?" after "do you have the leather tote?" refers to the tote: the
responder reads the newest messages with the few before them. Only customer text is
returned (the bot's own replies would name products the customer never asked about).
"""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from store.conversations.sql import run
from store.tables.conversations import Conversation, Message


async def earlier_customer_texts(
    session: AsyncSession, conversation: Conversation, before: Message, *, limit: int
) -> list[str]:
    """The texts of the customer's last `limit` messages sent before `before`, oldest first."""
    found = await run(
        session,
        """
        SELECT text_content FROM messages
        WHERE conversation_id = :conversation_id AND business_id = :business_id
          AND sender_type = 'customer' AND text_content IS NOT NULL AND id <> :before_id
          AND (platform_timestamp, created_at) < (:before_at, :before_created)
        ORDER BY platform_timestamp DESC, created_at DESC
        LIMIT :limit
    """,
        {
            "conversation_id": conversation.id,
            "business_id": conversation.business_id,
            "before_id": before.id,
            "before_at": before.platform_timestamp,
            "before_created": before.created_at,
            "limit": limit,
        },
    )
    return [row[0] for row in reversed(found.all())]
