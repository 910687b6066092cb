"""What a webhook delivery means, independent of the platform that sent it.

`channels/` parses Instagram and WhatsApp payloads into these events and `store/` records
them; neither layer may import the other, so the shared vocabulary lives here. The string
values equal the database's (`store.tables.enums.MessageContentType`, `DeliveryStatus`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

ContentType = Literal["text", "image", "audio", "video", "file", "sticker", "unsupported"]
DeliveryState = Literal["sent", "delivered", "read", "failed"]


@dataclass(frozen=True)
class InboundMessage:
    """One message in a conversation, as the platform reported it.

    `from_business` marks an echo: the business's own account sent it (from the Instagram
    app, the WhatsApp Business app, or through CHIDI). `expects_reply` is False for events
    that are recorded but never answered, such as reactions.
    """

    platform_message_id: str
    customer_id: str
    account_id: str
    sent_at: datetime
    content_type: ContentType
    text: str | None
    raw: dict[str, Any]
    media_url: str | None = None
    media_mime_type: str | None = None
    customer_name: str | None = None
    from_business: bool = False
    expects_reply: bool = True


@dataclass(frozen=True)
class DeliveryUpdate:
    """How far messages the business sent have got (sent, delivered, read, failed).

    Either `platform_message_ids` names the messages, or (Instagram read/delivery
    watermarks) everything sent to `customer_id` up to `watermark` is meant.
    """

    status: DeliveryState
    at: datetime
    platform_message_ids: tuple[str, ...] = ()
    customer_id: str | None = None
    watermark: datetime | None = None
    error: str | None = None


InboundEvent = InboundMessage | DeliveryUpdate


@dataclass(frozen=True)
class ParsedWebhook:
    """The events of one delivery, and how many entries were of kinds CHIDI ignores."""

    events: list[InboundEvent] = field(default_factory=list)
    ignored: int = 0
