"""WhatsApp Cloud API: webhook payloads in, `POST /{phone-number-id}/messages` bodies out.

A delivery is `{"object": "whatsapp_business_account", "entry": [{"id": <WABA>, "changes":
[{"field": "messages", "value": {...}}]}]}` where the value carries `messages` (from
customers, of any type), `statuses` (of messages the business sent) and `contacts` (the
customers' profile names). `smb_message_echoes` are messages the business sent from the
WhatsApp Business app on the same number.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from channels.wire import from_epoch, items, obj, text, within_reported_second
from core.inbound import (
    ContentType,
    DeliveryState,
    DeliveryUpdate,
    InboundEvent,
    InboundMessage,
    ParsedWebhook,
)

# A text message body may be up to 4,096 characters; splitting by bytes stays under it.
MAX_TEXT_BYTES = 4096

_MEDIA_TYPES: dict[str, ContentType] = {
    "image": "image",
    "audio": "audio",
    "video": "video",
    "document": "file",
    "sticker": "sticker",
}
_STATUSES: dict[str, DeliveryState] = {
    "sent": "sent",
    "delivered": "delivered",
    "read": "read",
    "failed": "failed",
}


def parse_webhook(payload: dict[str, Any], *, received_at: datetime) -> ParsedWebhook:
    """The events of a WhatsApp webhook delivery, in the order they were sent."""
    events: list[InboundEvent] = []
    ignored = 0
    for entry in items(payload.get("entry")):
        for change in items(entry.get("changes")):
            found = _change_events(text(change.get("field")), obj(change.get("value")), received_at)
            if found is None:
                ignored += 1
            else:
                events.extend(found)
    return ParsedWebhook(events=events, ignored=ignored)


def _change_events(
    field: str | None, value: dict[str, Any], received_at: datetime
) -> list[InboundEvent] | None:
    account = text(obj(value.get("metadata")).get("phone_number_id")) or ""
    if field == "messages":
        names = {
            text(c.get("wa_id")): text(obj(c.get("profile")).get("name"))
            for c in items(value.get("contacts"))
        }
        events: list[InboundEvent | None] = [
            _message(m, account, names.get(text(m.get("from"))), received_at, echo=False)
            for m in items(value.get("messages"))
        ]
        events += [_status(s, received_at) for s in items(value.get("statuses"))]
        return [event for event in events if event is not None]
    if field == "smb_message_echoes":
        echoes = [
            _message(m, account, None, received_at, echo=True)
            for m in items(value.get("message_echoes"))
        ]
        return [echo for echo in echoes if echo is not None]
    return None


def _message(
    message: dict[str, Any], account: str, name: str | None, received_at: datetime, *, echo: bool
) -> InboundMessage | None:
    wamid = text(message.get("id"))
    customer = text(message.get("to" if echo else "from"))
    if wamid is None or customer is None:
        return None
    kind = text(message.get("type")) or "unknown"
    content_type, body, mime = _content(kind, message)
    return InboundMessage(
        platform_message_id=wamid,
        customer_id=customer,
        account_id=account,
        sent_at=within_reported_second(
            from_epoch(message.get("timestamp"), millis=False), received_at
        ),
        content_type=content_type,
        text=body,
        media_mime_type=mime,
        customer_name=name,
        raw=message,
        from_business=echo,
        expects_reply=kind != "reaction",
    )


def _content(kind: str, message: dict[str, Any]) -> tuple[ContentType, str | None, str | None]:
    """(content type, text to store, media MIME type) for a message of type `kind`."""
    part = obj(message.get(kind))
    if kind == "text":
        body = text(part.get("body"))
        return ("text", body, None) if body else ("unsupported", "[empty message]", None)
    if kind in _MEDIA_TYPES:
        caption = text(part.get("caption")) or text(part.get("filename"))
        return _MEDIA_TYPES[kind], caption, text(part.get("mime_type"))
    if kind == "interactive":
        reply = obj(part.get("button_reply")) or obj(part.get("list_reply"))
        title = text(reply.get("title"))
        return ("text", title, None) if title else ("unsupported", "[interactive]", None)
    if kind == "button":
        label = text(part.get("text")) or text(part.get("payload"))
        return ("text", label, None) if label else ("unsupported", "[button]", None)
    return "unsupported", _label(kind, message), None


def _label(kind: str, message: dict[str, Any]) -> str:
    """A line a person can read for content the bot does not answer."""
    part = obj(message.get(kind))
    if kind == "location":
        place = ", ".join(p for p in (text(part.get("name")), text(part.get("address"))) if p)
        where = f"({text(part.get('latitude'))}, {text(part.get('longitude'))})"
        return f"[location] {place} {where}".replace("  ", " ")
    if kind == "contacts":
        people = items(message.get("contacts"))
        names = [text(obj(p.get("name")).get("formatted_name")) or "?" for p in people]
        return "[contacts] " + ", ".join(names)
    if kind == "reaction":
        emoji = text(part.get("emoji"))
        return f"Reacted {emoji}" if emoji else "Removed a reaction"
    return f"[{kind}]"


def _status(status: dict[str, Any], received_at: datetime) -> DeliveryUpdate | None:
    wamid = text(status.get("id"))
    state = _STATUSES.get(text(status.get("status")) or "")
    if wamid is None or state is None:
        return None
    errors = items(status.get("errors"))
    error = None
    if errors:
        first = errors[0]
        detail = text(first.get("title")) or text(first.get("message")) or "delivery failed"
        error = f"{text(first.get('code')) or '?'}: {detail}"
    return DeliveryUpdate(
        status=state,
        platform_message_ids=(wamid,),
        error=error,
        at=from_epoch(status.get("timestamp"), millis=False) or received_at,
        customer_id=text(status.get("recipient_id")),
    )


def message_webhook(
    *,
    waba_id: str,
    phone_number_id: str,
    customer_phone: str,
    customer_name: str | None,
    text_body: str,
    wamid: str,
    sent_at: datetime,
) -> dict[str, Any]:
    """The delivery WhatsApp sends when a customer writes to the number (the simulator's)."""
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": phone_number_id, "phone_number_id": phone_number_id},
        "contacts": [
            {"profile": {"name": customer_name or customer_phone}, "wa_id": customer_phone}
        ],
        "messages": [
            {
                "from": customer_phone,
                "id": wamid,
                "timestamp": str(int(sent_at.timestamp())),
                "type": "text",
                "text": {"body": text_body},
            }
        ],
    }
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": waba_id, "changes": [{"field": "messages", "value": value}]}],
    }


def text_message(to: str, body: str) -> dict[str, Any]:
    """A Cloud API body for a free-form text message."""
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "text",
        "text": {"preview_url": False, "body": body},
    }


def sent_message_id(response: dict[str, Any]) -> str | None:
    """The wamid of the accepted message (`{"messages": [{"id": ...}]}`)."""
    accepted = items(response.get("messages"))
    return text(accepted[0].get("id")) if accepted else None
