"""Instagram Messaging: webhook payloads in, Send API request bodies out.

A delivery is `{"object": "instagram", "entry": [{"id": <IG account>, "messaging": [...]}]}`
(or, with Instagram Login, `entry.changes[field=messages].value` holding the same event).
Each messaging event is a message (text, attachments, quick reply, echo), a reaction, a
postback, or a read/delivery receipt; anything else is counted as ignored.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from channels.wire import from_epoch, items, obj, text
from core.inbound import (
    ContentType,
    DeliveryState,
    DeliveryUpdate,
    InboundEvent,
    InboundMessage,
    ParsedWebhook,
)

# The Send API refuses text over 1,000 bytes (UTF-8); longer replies are split.
MAX_TEXT_BYTES = 1000
HUMAN_AGENT_TAG = "HUMAN_AGENT"

_ATTACHMENT_TYPES: dict[str, ContentType] = {
    "image": "image",
    "video": "video",
    "audio": "audio",
    "file": "file",
    "sticker": "sticker",
    "like_heart": "sticker",
    "animated_gif": "image",
}


def parse_webhook(payload: dict[str, Any], *, received_at: datetime) -> ParsedWebhook:
    """The events of an Instagram webhook delivery, in the order they were sent."""
    events: list[InboundEvent] = []
    ignored = 0
    for entry in items(payload.get("entry")):
        for event in _messaging_events(entry):
            parsed = _event(event, received_at)
            if parsed is None:
                ignored += 1
            else:
                events.append(parsed)
    return ParsedWebhook(events=events, ignored=ignored)


def _messaging_events(entry: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from items(entry.get("messaging"))
    for change in items(entry.get("changes")):
        if change.get("field") in ("messages", "message_reactions", "messaging_postbacks"):
            yield obj(change.get("value"))


def _event(event: dict[str, Any], received_at: datetime) -> InboundEvent | None:
    sender = text(obj(event.get("sender")).get("id"))
    recipient = text(obj(event.get("recipient")).get("id"))
    at = from_epoch(event.get("timestamp"), millis=True) or received_at
    if sender is None or recipient is None:
        return None
    if "message" in event:
        return _message(obj(event["message"]), sender, recipient, at)
    if "reaction" in event:
        return _reaction(obj(event["reaction"]), sender, recipient, at, event)
    if "postback" in event:
        return _postback(obj(event["postback"]), sender, recipient, at, event)
    if "read" in event or "delivery" in event:
        return _receipt(event, sender, at)
    return None


def _message(
    message: dict[str, Any], sender: str, recipient: str, at: datetime
) -> InboundMessage | None:
    mid = text(message.get("mid"))
    if mid is None or message.get("is_deleted"):
        return None
    echo = bool(message.get("is_echo"))
    body = text(message.get("text"))
    content_type, media_url, label = _content(message, body)
    return InboundMessage(
        platform_message_id=mid,
        customer_id=recipient if echo else sender,
        account_id=sender if echo else recipient,
        sent_at=at,
        content_type=content_type,
        text=body or label,
        media_url=media_url,
        raw=message,
        from_business=echo,
    )


def _content(
    message: dict[str, Any], body: str | None
) -> tuple[ContentType, str | None, str | None]:
    """(content type, media URL, a label for content with no text of its own)."""
    if message.get("is_unsupported"):
        return "unsupported", None, "[unsupported message]"
    attachments = items(message.get("attachments"))
    if not attachments:
        return ("text", None, None) if body else ("unsupported", None, "[empty message]")
    first = attachments[0]
    kind = text(first.get("type")) or "unknown"
    media_url = text(obj(first.get("payload")).get("url"))
    content_type = _ATTACHMENT_TYPES.get(kind, "unsupported")
    return content_type, media_url, (None if content_type != "unsupported" else f"[{kind}]")


def _reaction(
    reaction: dict[str, Any], sender: str, recipient: str, at: datetime, event: dict[str, Any]
) -> InboundMessage | None:
    target = text(reaction.get("mid"))
    if target is None:
        return None
    action = text(reaction.get("action")) or "react"
    emoji = text(reaction.get("emoji")) or text(reaction.get("reaction")) or ""
    label = f"Reacted {emoji}".strip() if action == "react" else "Removed a reaction"
    # A reaction has no id of its own: one per (message, customer, moment) is unique enough.
    reaction_id = f"{target}:reaction:{sender}:{int(at.timestamp() * 1000)}"
    return InboundMessage(
        platform_message_id=reaction_id,
        customer_id=sender,
        account_id=recipient,
        sent_at=at,
        content_type="unsupported",
        text=label,
        raw=event,
        expects_reply=False,
    )


def _postback(
    postback: dict[str, Any], sender: str, recipient: str, at: datetime, event: dict[str, Any]
) -> InboundMessage | None:
    mid = text(postback.get("mid"))
    title = text(postback.get("title")) or text(postback.get("payload"))
    if mid is None or title is None:
        return None
    return InboundMessage(
        platform_message_id=mid,
        customer_id=sender,
        account_id=recipient,
        sent_at=at,
        content_type="text",
        text=title,
        raw=event,
    )


def _receipt(event: dict[str, Any], customer: str, at: datetime) -> DeliveryUpdate | None:
    status: DeliveryState = "read" if "read" in event else "delivered"
    receipt = obj(event.get("read" if status == "read" else "delivery"))
    mids = receipt.get("mids")
    listed: list[Any] = mids if isinstance(mids, list) else []
    ids = tuple(mid for mid in (text(value) for value in [*listed, receipt.get("mid")]) if mid)
    watermark = from_epoch(receipt.get("watermark"), millis=True)
    if not ids and watermark is None:
        return None
    return DeliveryUpdate(
        status=status,
        at=at,
        platform_message_ids=ids,
        customer_id=customer,
        watermark=None if ids else watermark,
    )


def message_webhook(
    *, account_id: str, customer_id: str, text_body: str, mid: str, sent_at: datetime
) -> dict[str, Any]:
    """The delivery Instagram sends when `customer_id` DMs `account_id` (the simulator's)."""
    millis = int(sent_at.timestamp() * 1000)
    return {
        "object": "instagram",
        "entry": [
            {
                "id": account_id,
                "time": millis,
                "messaging": [
                    {
                        "sender": {"id": customer_id},
                        "recipient": {"id": account_id},
                        "timestamp": millis,
                        "message": {"mid": mid, "text": text_body},
                    }
                ],
            }
        ],
    }


def text_message(recipient_id: str, body: str, *, tag: str | None = None) -> dict[str, Any]:
    """A Send API body: a standard reply, or a tagged one (HUMAN_AGENT) outside 24 hours."""
    message: dict[str, Any] = {"recipient": {"id": recipient_id}, "message": {"text": body}}
    if tag is None:
        return {**message, "messaging_type": "RESPONSE"}
    return {**message, "messaging_type": "MESSAGE_TAG", "tag": tag}


def sent_message_id(response: dict[str, Any]) -> str | None:
    """The id of the message the Send API accepted (`{"recipient_id", "message_id"}`)."""
    return text(response.get("message_id"))
