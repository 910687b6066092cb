"""Customer conversations on Instagram and WhatsApp (PRD §6.4.5).

Every row carries its business's id, so tenant filters never need a join. Composite
foreign keys to (parent.id, parent.business_id) make a copied business id that disagrees
with its parent's impossible, rather than merely unlikely.

`messages.ai_processing_log_id` and `ai_responses_log.incoming/generated_message_id`
point at each other; the former is created after both tables (`use_alter`).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    Text,
    UniqueConstraint,
    Uuid,
    desc,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field, SQLModel

from store.tables.base import created_at, timestamptz, updated_at, uuid_pk
from store.tables.columns import (
    enum_column,
    fk_column,
    jsonb_column,
    non_negative,
    one_of,
    text_column,
    text_enum_column,
    unit_interval,
    zero_column,
)
from store.tables.enums import (
    AiActionTaken,
    Brain,
    ConversationSenderType,
    ConversationStatus,
    DeliveryStatus,
    MessageContentType,
    StatusActor,
)

# The inbox's search (store/conversations/inbox.py): full-text, language-neutral ('simple':
# no stemming; customers mix languages), over the customer's name and id and over message
# text. Queries must spell these expressions exactly so the GIN indexes below serve them.
CUSTOMER_SEARCH_VECTOR = (
    "to_tsvector('simple', (coalesce(customer_name, '') || ' ') || customer_platform_id)"
)
MESSAGE_SEARCH_VECTOR = "to_tsvector('simple', coalesce(text_content, ''))"


def _in_conversation(table: str) -> ForeignKeyConstraint:
    """(conversation_id, business_id) -> conversations: the row and its conversation agree."""
    return ForeignKeyConstraint(
        ["conversation_id", "business_id"],
        ["conversations.id", "conversations.business_id"],
        name=f"fk_{table}_conversation_business",
        ondelete="CASCADE",
    )


class Conversation(SQLModel, table=True):
    """One customer's thread with a business on one connected account."""

    __tablename__ = "conversations"
    __table_args__ = (
        UniqueConstraint(
            "social_connection_id",
            "customer_platform_id",
            name="uq_conversations_connection_customer",
        ),
        UniqueConstraint("id", "business_id", name="uq_conversations_id_business"),
        ForeignKeyConstraint(
            ["social_connection_id", "business_id"],
            ["social_connections.id", "social_connections.business_id"],
            name="fk_conversations_connection_business",
            ondelete="CASCADE",
        ),
        unit_interval("conversations", "ai_confidence_score_last"),
        non_negative("conversations", "unread_count"),
        Index(
            "ix_conversations_business_status_last_message",
            "business_id",
            "status",
            desc("last_message_at"),
        ),
        Index("ix_conversations_business_last_message", "business_id", desc("last_message_at")),
        # The idle-conversation sweeper scans by status and age across businesses.
        Index("ix_conversations_status_last_message", "status", "last_message_at"),
        Index(
            "ix_conversations_customer_search", text(CUSTOMER_SEARCH_VECTOR), postgresql_using="gin"
        ),
    )

    id: uuid.UUID = uuid_pk()
    business_id: uuid.UUID = Field(sa_column=fk_column("businesses.id", ondelete="CASCADE"))
    social_connection_id: uuid.UUID = Field(sa_column=Column(Uuid, nullable=False))
    # Instagram-scoped user id, or the customer's WhatsApp number.
    customer_platform_id: str = Field(sa_column=text_column(nullable=False))
    customer_name: str | None = Field(default=None, sa_column=text_column())
    customer_avatar_url: str | None = Field(default=None, sa_column=text_column())
    status: ConversationStatus = Field(
        default=ConversationStatus.ACTIVE_AI,
        sa_column=enum_column(ConversationStatus, default=ConversationStatus.ACTIVE_AI),
    )
    last_message_at: datetime = Field(sa_column=timestamptz(nullable=False))
    last_message_snippet: str | None = Field(default=None, sa_column=text_column())
    # Opens the platform's customer-service window (WhatsApp 24 h, Instagram human agent 7 d).
    last_customer_message_at: datetime | None = Field(default=None, sa_column=timestamptz())
    unread_count: int = Field(default=0, sa_column=zero_column())
    assigned_to_user_id: uuid.UUID | None = Field(
        default=None,
        sa_column=fk_column("users.id", ondelete="SET NULL", nullable=True, index=True),
    )
    ai_confidence_score_last: float | None = Field(default=None, sa_column=Column(Float))
    tags: list[str] = Field(
        default_factory=list,
        sa_column=Column(ARRAY(Text), nullable=False, server_default=text("'{}'::text[]")),
    )
    notes: str | None = Field(default=None, sa_column=text_column())
    # The owner's numbers (time to first human response, time to resolve) come from these.
    escalated_at: datetime | None = Field(default=None, sa_column=timestamptz())
    first_human_response_at: datetime | None = Field(default=None, sa_column=timestamptz())
    resolved_at: datetime | None = Field(default=None, sa_column=timestamptz())
    created_at: datetime = created_at()
    updated_at: datetime = updated_at()


class Message(SQLModel, table=True):
    """One message in a conversation, from the customer, the bot or the business."""

    __tablename__ = "messages"
    __table_args__ = (
        _in_conversation("messages"),
        # Webhooks are redelivered: the platform's id makes storing a message idempotent.
        UniqueConstraint("platform_message_id", name="uq_messages_platform_message_id"),
        one_of("messages", "delivery_status", DeliveryStatus),
        Index(
            "ix_messages_conversation_platform_timestamp",
            "conversation_id",
            desc("platform_timestamp"),
        ),
        Index("ix_messages_business_created", "business_id", "created_at"),
        # The responder's batch and the sweeper: customer messages still waiting for it.
        Index(
            "ix_messages_awaiting_responder",
            "conversation_id",
            "created_at",
            postgresql_where=text("handled_at IS NULL AND sender_type = 'customer'"),
        ),
        Index("ix_messages_text_search", text(MESSAGE_SEARCH_VECTOR), postgresql_using="gin"),
    )

    id: uuid.UUID = uuid_pk()
    conversation_id: uuid.UUID = Field(sa_column=Column(Uuid, nullable=False))
    business_id: uuid.UUID = Field(sa_column=fk_column("businesses.id", ondelete="CASCADE"))
    platform_message_id: str | None = Field(default=None, sa_column=text_column())
    sender_type: ConversationSenderType = Field(sa_column=enum_column(ConversationSenderType))
    content_type: MessageContentType = Field(
        default=MessageContentType.TEXT,
        sa_column=enum_column(MessageContentType, default=MessageContentType.TEXT),
    )
    text_content: str | None = Field(default=None, sa_column=text_column())
    media_url: str | None = Field(default=None, sa_column=text_column())
    media_mime_type: str | None = Field(default=None, sa_column=text_column())
    ai_processing_log_id: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(
            ForeignKey(
                "ai_responses_log.id",
                ondelete="SET NULL",
                use_alter=True,
                name="fk_messages_ai_processing_log_id",
                # Checked at commit: the message is written before its decision's log
                # row, which is then written once, complete (migration 0007).
                deferrable=True,
                initially="DEFERRED",
            ),
            index=True,
        ),
    )
    platform_timestamp: datetime = Field(sa_column=timestamptz(nullable=False))
    # Outgoing messages only; NULL for what customers send.
    delivery_status: DeliveryStatus | None = Field(
        default=None, sa_column=text_enum_column(DeliveryStatus, nullable=True)
    )
    # The platform's payload for this message, for replay and debugging.
    raw: dict[str, Any] | None = Field(default=None, sa_column=jsonb_column())
    # Customer messages: when the auto-responder took this message into a decision (a
    # reply, an escalation, or "stored only" while a person handles the conversation).
    # NULL means it is still waiting; a burst is the set of waiting messages.
    handled_at: datetime | None = Field(default=None, sa_column=timestamptz())
    created_at: datetime = created_at()
    updated_at: datetime = updated_at()


class AiResponseLog(SQLModel, table=True):
    """One auto-responder decision: what it saw, what it said, how sure it was, what it did."""

    __tablename__ = "ai_responses_log"
    __table_args__ = (
        _in_conversation("ai_responses_log"),
        unit_interval("ai_responses_log", "confidence_score"),
        non_negative("ai_responses_log", "processing_time_ms"),
        one_of("ai_responses_log", "brain", Brain),
        Index("ix_ai_responses_log_conversation_created", "conversation_id", "created_at"),
        Index("ix_ai_responses_log_business_created", "business_id", "created_at"),
    )

    id: uuid.UUID = uuid_pk()
    conversation_id: uuid.UUID = Field(sa_column=Column(Uuid, nullable=False))
    business_id: uuid.UUID = Field(sa_column=fk_column("businesses.id", ondelete="CASCADE"))
    incoming_message_id: uuid.UUID | None = Field(
        default=None,
        sa_column=fk_column("messages.id", ondelete="SET NULL", nullable=True, index=True),
    )
    generated_message_id: uuid.UUID | None = Field(
        default=None,
        sa_column=fk_column("messages.id", ondelete="SET NULL", nullable=True, index=True),
    )
    prompt_template_used: str | None = Field(default=None, sa_column=text_column())
    # With the local brain: its decision trace in place of a prompt.
    final_prompt_sent_to_llm: str = Field(sa_column=text_column(nullable=False))
    llm_raw_response: str | None = Field(default=None, sa_column=text_column())
    parsed_response_text: str | None = Field(default=None, sa_column=text_column())
    retrieved_context_snippets: list[Any] | dict[str, Any] | None = Field(
        default=None, sa_column=jsonb_column()
    )
    detected_intent: str | None = Field(default=None, sa_column=text_column())
    extracted_entities: dict[str, Any] | None = Field(default=None, sa_column=jsonb_column())
    sentiment: str | None = Field(default=None, sa_column=text_column())
    confidence_score: float | None = Field(default=None, sa_column=Column(Float))
    action_taken: AiActionTaken | None = Field(
        default=None, sa_column=enum_column(AiActionTaken, nullable=True, index=True)
    )
    error_details: str | None = Field(default=None, sa_column=text_column())
    processing_time_ms: int | None = Field(default=None, sa_column=Column(Integer))
    # Per-stage milliseconds (understand, retrieve, draft, verify...).
    timings: dict[str, Any] | None = Field(default=None, sa_column=jsonb_column())
    brain: Brain | None = Field(default=None, sa_column=text_enum_column(Brain, nullable=True))
    model_name: str | None = Field(default=None, sa_column=text_column())
    created_at: datetime = created_at()


class ConversationStatusHistory(SQLModel, table=True):
    """Every status change of a conversation, who made it and why (append-only)."""

    __tablename__ = "conversation_status_history"
    __table_args__ = (
        _in_conversation("conversation_status_history"),
        one_of("conversation_status_history", "actor", StatusActor),
        Index(
            "ix_conversation_status_history_conversation_created", "conversation_id", "created_at"
        ),
        Index("ix_conversation_status_history_business_created", "business_id", "created_at"),
    )

    id: uuid.UUID = uuid_pk()
    conversation_id: uuid.UUID = Field(sa_column=Column(Uuid, nullable=False))
    business_id: uuid.UUID = Field(sa_column=fk_column("businesses.id", ondelete="CASCADE"))
    # NULL for the first status a conversation is created with.
    from_status: ConversationStatus | None = Field(
        default=None, sa_column=enum_column(ConversationStatus, nullable=True)
    )
    to_status: ConversationStatus = Field(sa_column=enum_column(ConversationStatus))
    changed_by_user_id: uuid.UUID | None = Field(
        default=None,
        sa_column=fk_column("users.id", ondelete="SET NULL", nullable=True, index=True),
    )
    actor: StatusActor = Field(sa_column=text_enum_column(StatusActor))
    reason: str | None = Field(default=None, sa_column=text_column())
    created_at: datetime = created_at()
