"""Bodies of /api/v1/conversations: the inbox's conversations, messages and owner actions."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from api.schemas.base import RequestBody
from store.conversations.inbox import ConversationRow, InboxPage, MessagePage
from store.conversations.stats import DurationSummary, InboxStats
from store.conversations.takeover import MAX_TAGS
from store.tables.conversations import Message
from store.tables.enums import (
    ConversationSenderType,
    ConversationStatus,
    DeliveryStatus,
    MessageContentType,
    SocialPlatform,
)

# Instagram splits longer texts into parts at sentence ends; WhatsApp takes 4,096.
MAX_REPLY_CHARS = 4096
MAX_NOTE_CHARS = 2000
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]


class ConversationOut(BaseModel):
    """A conversation as the inbox lists it."""

    id: uuid.UUID
    platform: SocialPlatform
    customer_platform_id: str
    customer_name: str | None
    customer_avatar_url: str | None
    status: ConversationStatus
    last_message_at: datetime
    last_message_snippet: str | None
    unread_count: int
    assigned_to_user_id: uuid.UUID | None
    tags: list[str]
    ai_confidence_score_last: float | None
    escalated_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: ConversationRow) -> Self:
        """The wire form of a conversation and its platform."""
        return cls.model_validate({**row.conversation.model_dump(), "platform": row.platform})


class ConversationDetailOut(ConversationOut):
    """One conversation, with its internal notes and the times the owner's numbers use."""

    social_connection_id: uuid.UUID
    notes: str | None
    last_customer_message_at: datetime | None
    first_human_response_at: datetime | None
    resolved_at: datetime | None


class ConversationListOut(BaseModel):
    """One page of conversations."""

    items: list[ConversationOut]
    total: int
    page: int
    limit: int

    @classmethod
    def of(cls, listing: InboxPage, *, page: int, limit: int) -> ConversationListOut:
        """The wire form of a listing page."""
        return cls(
            items=[ConversationOut.of(row) for row in listing.rows],
            total=listing.total,
            page=page,
            limit=limit,
        )


class MessageOut(BaseModel):
    """A message as the chat view shows it (also the `message` of a new_message event)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    conversation_id: uuid.UUID
    sender_type: ConversationSenderType
    content_type: MessageContentType
    text_content: str | None
    media_url: str | None
    media_mime_type: str | None
    platform_timestamp: datetime
    delivery_status: DeliveryStatus | None

    @classmethod
    def of(cls, message: Message) -> MessageOut:
        """The wire form of a stored message."""
        return cls.model_validate(message)


class ListedMessageOut(MessageOut):
    """A message as the chat view lists it: with the bot's confidence in its replies."""

    ai_confidence: float | None = Field(
        default=None,
        description="The bot's logged confidence (0-1) in this reply; null for other messages.",
    )


class MessageListOut(BaseModel):
    """Messages oldest first; `has_more`: more lie beyond in the direction read."""

    items: list[ListedMessageOut]
    has_more: bool

    @classmethod
    def of(cls, page: MessagePage) -> MessageListOut:
        """The wire form of a page of messages, with the bot's confidence in its replies."""
        items = [
            ListedMessageOut.model_validate(m).model_copy(
                update={"ai_confidence": page.confidence.get(m.id)}
            )
            for m in page.messages
        ]
        return cls(items=items, has_more=page.has_more)


class ReplyIn(RequestBody):
    """A reply typed by a person in the inbox."""

    text_content: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_REPLY_CHARS)
    ]
    content_type: MessageContentType = Field(
        default=MessageContentType.TEXT, description="Only text replies for now."
    )

    @model_validator(mode="after")
    def _text_only(self) -> ReplyIn:
        if self.content_type is not MessageContentType.TEXT:
            raise ValueError("only text replies can be sent for now")
        return self


class StatusIn(RequestBody):
    """A status change and/or an assignment; `assigned_to_user_id: null` unassigns."""

    status: ConversationStatus | None = None
    assigned_to_user_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _something_to_change(self) -> StatusIn:
        if not self.model_fields_set & {"status", "assigned_to_user_id"}:
            raise ValueError("send status, assigned_to_user_id, or both")
        if "status" in self.model_fields_set and self.status is None:
            raise ValueError("status may not be null")
        return self


class NoteIn(RequestBody):
    """A note for the team, added to the conversation's internal notes."""

    text: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NOTE_CHARS)
    ]


class TagsIn(RequestBody):
    """The conversation's tags (replacing the current ones)."""

    tags: list[Tag] = Field(max_length=MAX_TAGS)


class DurationOut(BaseModel):
    """How long something took across escalations, in seconds."""

    model_config = ConfigDict(from_attributes=True)

    count: int
    median_seconds: float | None
    p90_seconds: float | None

    @classmethod
    def of(cls, summary: DurationSummary) -> DurationOut:
        """The wire form of a summary."""
        return cls.model_validate(summary)


class StatsOut(BaseModel):
    """The owner's numbers over the last `window_days`, and conversations by status now."""

    window_days: int
    since: datetime
    escalations: int
    awaiting_human: int
    time_to_first_human_response: DurationOut
    time_to_resolve: DurationOut
    conversations_by_status: dict[ConversationStatus, int]

    @classmethod
    def of(cls, stats: InboxStats, *, window_days: int) -> StatsOut:
        """The wire form of the numbers."""
        return cls(
            window_days=window_days,
            since=stats.since,
            escalations=stats.escalations,
            awaiting_human=stats.awaiting_human,
            time_to_first_human_response=DurationOut.of(stats.first_human_response),
            time_to_resolve=DurationOut.of(stats.resolution),
            conversations_by_status=stats.by_status,
        )
