"""The owner's chat with CHIDI in the workspace (PRD §6.2.5, `workspace_chat_messages`).

The LangGraph checkpointer keeps graph state; this table keeps what was said, for the
chat history the owner scrolls back through.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Index
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from store.tables.base import created_at, uuid_pk
from store.tables.columns import enum_column, fk_column, one_of, text_column, text_enum_column
from store.tables.enums import WorkspaceSenderType, WorkspaceThread


class WorkspaceChatMessage(SQLModel, table=True):
    """One turn of the onboarding or assistant conversation, from the owner or CHIDI."""

    __tablename__ = "workspace_chat_messages"
    __table_args__ = (
        one_of("workspace_chat_messages", "thread", WorkspaceThread),
        Index("ix_workspace_chat_messages_business_timestamp", "business_id", "timestamp"),
    )

    id: uuid.UUID = uuid_pk()
    business_id: uuid.UUID = Field(sa_column=fk_column("businesses.id", ondelete="CASCADE"))
    sender_type: WorkspaceSenderType = Field(sa_column=enum_column(WorkspaceSenderType))
    content: str = Field(sa_column=text_column(nullable=False))
    thread: WorkspaceThread = Field(
        default=WorkspaceThread.ASSISTANT,
        sa_column=text_enum_column(WorkspaceThread, default=WorkspaceThread.ASSISTANT),
    )
    # Suggestions, progress, the field being asked... ("metadata" is reserved by SQLAlchemy).
    message_metadata: dict[str, Any] | None = Field(
        default=None, sa_column=Column("metadata", JSONB)
    )
    timestamp: datetime = created_at()
