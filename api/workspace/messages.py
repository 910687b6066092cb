"""Storing a turn's messages, and one turn at a time per thread.

Both workspace conversations store every owner and CHIDI message in
`workspace_chat_messages`, and serialise turns on the same thread with a transaction-scoped
advisory lock, so two tabs posting at once cannot both answer one pending question.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from store.repositories import workspace_messages
from store.tables.enums import WorkspaceSenderType, WorkspaceThread
from store.tables.workspace import WorkspaceChatMessage


async def lock_thread(session: AsyncSession, thread_id: str) -> None:
    """Wait for any other turn on `thread_id`; held until this transaction ends."""
    await session.exec(  # type: ignore[call-overload]
        text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))").bindparams(key=thread_id)
    )


async def store_user_message(
    session: AsyncSession,
    business_id: uuid.UUID,
    thread: WorkspaceThread,
    content: str,
    metadata: dict[str, Any] | None = None,
) -> WorkspaceChatMessage:
    """The owner's message."""
    return await workspace_messages.add_message(
        session,
        business_id=business_id,
        thread=thread,
        sender=WorkspaceSenderType.USER,
        content=content,
        metadata=metadata,
    )


async def store_ai_message(
    session: AsyncSession,
    business_id: uuid.UUID,
    thread: WorkspaceThread,
    content: str,
    metadata: dict[str, Any],
    *,
    after: datetime | None,
) -> WorkspaceChatMessage:
    """CHIDI's message, ordered after the owner's message it answers."""
    return await workspace_messages.add_message(
        session,
        business_id=business_id,
        thread=thread,
        sender=WorkspaceSenderType.AI,
        content=content,
        metadata=metadata,
        after=after,
    )


def message_event(message: WorkspaceChatMessage) -> dict[str, Any]:
    """The stored message as the `ai_message` event's common fields."""
    return {
        "id": str(message.id),
        "thread": message.thread.value,
        "text": message.content,
        "created_at": message.timestamp.isoformat(),
    }
