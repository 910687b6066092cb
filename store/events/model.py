"""What a live event is, the four kinds an owner's stream carries, and their ids.

Payloads are small and self-contained so a dashboard can apply them without a round trip
(a new message carries the message as `GET .../messages` returns it); anything larger is
refetched. Event ids are Redis stream ids (`<milliseconds>-<sequence>`), ordered per
business.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class EventKind(StrEnum):
    """The events an owner's stream carries (the SSE `event:` field)."""

    NEW_MESSAGE = "new_message"
    NEW_CONVERSATION = "new_conversation"
    CONVERSATION_UPDATED = "conversation_updated"
    NOTIFICATION = "notification"


@dataclass(frozen=True)
class LiveEvent:
    """One change an owner's open dashboards should see, for one business."""

    business_id: uuid.UUID
    kind: EventKind
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StoredEvent:
    """An event as history and fan-out carry it: its stream id, kind and JSON text."""

    id: str
    business_id: uuid.UUID
    kind: str
    data: str


_EVENT_ID = re.compile(r"^(\d{1,20})-(\d{1,20})$")


def event_id_key(event_id: str) -> tuple[int, int] | None:
    """The sortable form of a stream id, or None when `event_id` is not one."""
    match = _EVENT_ID.match(event_id.strip())
    if match is None:
        return None
    return int(match.group(1)), int(match.group(2))


def new_message(
    business_id: uuid.UUID,
    conversation_id: uuid.UUID,
    *,
    message_id: uuid.UUID,
    sender_type: str,
    text_content: str | None,
    platform_timestamp: datetime,
    content_type: str = "text",
    media_url: str | None = None,
    media_mime_type: str | None = None,
    delivery_status: str | None = None,
) -> LiveEvent:
    """A message was stored in a conversation (the conversation's summary moved with it)."""
    return LiveEvent(
        business_id,
        EventKind.NEW_MESSAGE,
        {
            "conversation_id": conversation_id,
            "message": {
                "id": message_id,
                "conversation_id": conversation_id,
                "sender_type": sender_type,
                "content_type": content_type,
                "text_content": text_content,
                "media_url": media_url,
                "media_mime_type": media_mime_type,
                "platform_timestamp": platform_timestamp,
                "delivery_status": delivery_status,
            },
        },
    )


def new_conversation(
    business_id: uuid.UUID,
    conversation_id: uuid.UUID,
    *,
    platform: str,
    customer_name: str | None,
    status: str,
) -> LiveEvent:
    """A customer (or the business) started a conversation."""
    return LiveEvent(
        business_id,
        EventKind.NEW_CONVERSATION,
        {
            "conversation_id": conversation_id,
            "platform": platform,
            "customer_name": customer_name,
            "status": status,
        },
    )


def conversation_updated(
    business_id: uuid.UUID, conversation_id: uuid.UUID, **changes: Any
) -> LiveEvent:
    """Some of a conversation's fields changed; `changes` holds their new values."""
    return LiveEvent(
        business_id,
        EventKind.CONVERSATION_UPDATED,
        {"conversation_id": conversation_id, **changes},
    )


def notification(
    business_id: uuid.UUID,
    notification_id: uuid.UUID,
    *,
    kind: str,
    title: str,
    body: str | None,
    conversation_id: uuid.UUID | None,
) -> LiveEvent:
    """The owner was sent an in-app notification."""
    return LiveEvent(
        business_id,
        EventKind.NOTIFICATION,
        {
            "id": notification_id,
            "kind": kind,
            "title": title,
            "body": body,
            "conversation_id": conversation_id,
        },
    )
