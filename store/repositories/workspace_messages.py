"""SQL for the workspace chat history (`workspace_chat_messages`), scoped to one business.

History pages go newest first with a keyset cursor on (timestamp, id): stable while new
messages arrive, and each page is one index range scan however deep the owner scrolls.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.errors import ValidationFailed
from store.tables.base import utcnow
from store.tables.enums import WorkspaceSenderType, WorkspaceThread
from store.tables.workspace import WorkspaceChatMessage


@dataclass(frozen=True)
class MessageCursor:
    """A position in the history: the messages strictly older than this one."""

    timestamp: datetime
    message_id: uuid.UUID

    def encode(self) -> str:
        """An opaque, URL-safe token for the client to send back as `before`."""
        raw = f"{self.timestamp.isoformat()}|{self.message_id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> MessageCursor:
        """Parse a token from `encode`; a malformed one is the caller's 422."""
        try:
            padded = token + "=" * (-len(token) % 4)
            stamp, _, message_id = base64.urlsafe_b64decode(padded).decode().partition("|")
            timestamp = datetime.fromisoformat(stamp)
            if timestamp.tzinfo is None:
                raise ValueError("naive timestamp")
            return cls(timestamp=timestamp, message_id=uuid.UUID(message_id))
        except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
            raise ValidationFailed(
                "The history cursor is not valid; use next_cursor from a previous page.",
                details=[{"field": "before", "message": "invalid cursor"}],
            ) from exc


async def add_message(
    session: AsyncSession,
    *,
    business_id: uuid.UUID,
    thread: WorkspaceThread,
    sender: WorkspaceSenderType,
    content: str,
    metadata: dict[str, Any] | None = None,
    after: datetime | None = None,
) -> WorkspaceChatMessage:
    """Store one message. `after`: a timestamp this one must follow (a reply stored in the
    same instant as its question still sorts after it)."""
    timestamp = utcnow()
    if after is not None and timestamp <= after:
        timestamp = after + timedelta(microseconds=1)
    message = WorkspaceChatMessage(
        business_id=business_id,
        thread=thread,
        sender_type=sender,
        content=content,
        message_metadata=metadata,
        timestamp=timestamp,
    )
    session.add(message)
    await session.flush()
    return message


async def list_messages(
    session: AsyncSession,
    business_id: uuid.UUID,
    thread: WorkspaceThread,
    *,
    before: MessageCursor | None,
    limit: int,
) -> list[WorkspaceChatMessage]:
    """Up to `limit` messages of one thread, newest first, older than `before` if given."""
    query = select(WorkspaceChatMessage).where(
        col(WorkspaceChatMessage.business_id) == business_id,
        col(WorkspaceChatMessage.thread) == thread,
    )
    if before is not None:
        stamp = col(WorkspaceChatMessage.timestamp)
        query = query.where(
            or_(
                stamp < before.timestamp,
                and_(stamp == before.timestamp, col(WorkspaceChatMessage.id) < before.message_id),
            )
        )
    query = query.order_by(
        col(WorkspaceChatMessage.timestamp).desc(), col(WorkspaceChatMessage.id).desc()
    ).limit(limit)
    return list((await session.exec(query)).all())


async def latest_message(
    session: AsyncSession, business_id: uuid.UUID, thread: WorkspaceThread
) -> WorkspaceChatMessage | None:
    """The newest message of a thread, if any."""
    page = await list_messages(session, business_id, thread, before=None, limit=1)
    return page[0] if page else None
