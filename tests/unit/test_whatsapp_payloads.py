"""WhatsApp Cloud API webhook payloads parsed into platform-neutral events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from channels.whatsapp import message_webhook, parse_webhook, sent_message_id, text_message
from core.inbound import DeliveryUpdate, InboundMessage

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
PHONE_ID, CUSTOMER = "106540352242922", "2348012345678"


def _delivery(
    messages: list[dict[str, Any]] | None = None,
    statuses: list[dict[str, Any]] | None = None,
    field: str = "messages",
) -> dict[str, Any]:
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE_ID},
        "contacts": [{"profile": {"name": "Ada Obi"}, "wa_id": CUSTOMER}],
    }
    if messages is not None:
        value["messages" if field == "messages" else "message_echoes"] = messages
    if statuses is not None:
        value["statuses"] = statuses
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "WABA", "changes": [{"field": field, "value": value}]}],
    }


def _message(kind: str, **body: Any) -> dict[str, Any]:
    return {
        "from": CUSTOMER,
        "id": f"wamid.{kind}",
        "timestamp": "1764072000",
        "type": kind,
        **body,
    }


def _only(payload: dict[str, Any]) -> InboundMessage:
    events = parse_webhook(payload, received_at=NOW).events
    assert len(events) == 1
    assert isinstance(events[0], InboundMessage)
    return events[0]


def test_a_text_message_with_the_customers_name() -> None:
    message = _only(_delivery([_message("text", text={"body": "Hello"})]))
    assert (message.platform_message_id, message.customer_id, message.account_id) == (
        "wamid.text",
        CUSTOMER,
        PHONE_ID,
    )
    assert (message.content_type, message.text, message.customer_name) == (
        "text",
        "Hello",
        "Ada Obi",
    )
    assert message.sent_at == datetime(2025, 11, 25, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kind", "body", "content_type", "text", "mime"),
    [
        (
            "image",
            {"image": {"id": "1", "mime_type": "image/jpeg", "caption": "this?"}},
            "image",
            "this?",
            "image/jpeg",
        ),
        (
            "audio",
            {"audio": {"id": "2", "mime_type": "audio/ogg", "voice": True}},
            "audio",
            None,
            "audio/ogg",
        ),
        ("video", {"video": {"id": "3", "mime_type": "video/mp4"}}, "video", None, "video/mp4"),
        (
            "document",
            {"document": {"id": "4", "filename": "invoice.pdf", "mime_type": "application/pdf"}},
            "file",
            "invoice.pdf",
            "application/pdf",
        ),
        (
            "sticker",
            {"sticker": {"id": "5", "mime_type": "image/webp"}},
            "sticker",
            None,
            "image/webp",
        ),
        (
            "location",
            {
                "location": {
                    "latitude": 6.5,
                    "longitude": 3.4,
                    "name": "Shop",
                    "address": "1 Allen Ave",
                }
            },
            "unsupported",
            "[location] Shop, 1 Allen Ave (6.5, 3.4)",
            None,
        ),
        (
            "contacts",
            {"contacts": [{"name": {"formatted_name": "Bola"}}]},
            "unsupported",
            "[contacts] Bola",
            None,
        ),
        (
            "interactive",
            {"interactive": {"type": "list_reply", "list_reply": {"id": "l1", "title": "Size M"}}},
            "text",
            "Size M",
            None,
        ),
        (
            "button",
            {"button": {"text": "Order now", "payload": "ORDER"}},
            "text",
            "Order now",
            None,
        ),
        ("order", {"order": {"catalog_id": "1"}}, "unsupported", "[order]", None),
        ("unsupported", {"errors": [{"code": 131051}]}, "unsupported", "[unsupported]", None),
    ],
)
def test_every_message_type(
    kind: str, body: dict[str, Any], content_type: str, text: str | None, mime: str | None
) -> None:
    message = _only(_delivery([_message(kind, **body)]))
    assert (message.content_type, message.text, message.media_mime_type) == (
        content_type,
        text,
        mime,
    )
    assert message.expects_reply


def test_a_reaction_expects_no_reply() -> None:
    reaction = _only(
        _delivery([_message("reaction", reaction={"message_id": "wamid.x", "emoji": "👍"})])
    )
    assert (reaction.text, reaction.expects_reply) == ("Reacted 👍", False)


def test_statuses() -> None:
    parsed = parse_webhook(
        _delivery(
            statuses=[
                {
                    "id": "wamid.1",
                    "status": "sent",
                    "timestamp": "1764072000",
                    "recipient_id": CUSTOMER,
                },
                {
                    "id": "wamid.1",
                    "status": "failed",
                    "timestamp": "1764072001",
                    "recipient_id": CUSTOMER,
                    "errors": [{"code": 131047, "title": "Re-engagement message"}],
                },
                {"id": "wamid.1", "status": "deleted", "timestamp": "1764072002"},
            ]
        ),
        received_at=NOW,
    )
    sent, failed = parsed.events
    assert isinstance(sent, DeliveryUpdate)
    assert isinstance(failed, DeliveryUpdate)
    assert (sent.status, sent.platform_message_ids) == ("sent", ("wamid.1",))
    assert (failed.status, failed.error) == ("failed", "131047: Re-engagement message")


def test_business_app_echoes() -> None:
    echo = _only(
        _delivery(
            [
                {
                    "from": PHONE_ID,
                    "to": CUSTOMER,
                    "id": "wamid.echo",
                    "timestamp": "1764072000",
                    "type": "text",
                    "text": {"body": "Hi, Ada here"},
                }
            ],
            field="smb_message_echoes",
        )
    )
    assert echo.from_business
    assert echo.customer_id == CUSTOMER


def test_other_fields_are_ignored() -> None:
    parsed = parse_webhook(
        {"entry": [{"changes": [{"field": "account_update", "value": {}}]}]}, received_at=NOW
    )
    assert (parsed.events, parsed.ignored) == ([], 1)


def test_the_simulator_payload_parses_back() -> None:
    message = _only(
        message_webhook(
            waba_id="W",
            phone_number_id=PHONE_ID,
            customer_phone=CUSTOMER,
            customer_name="Ada",
            text_body="hi",
            wamid="wamid.sim",
            sent_at=NOW,
        )
    )
    assert (message.text, message.customer_name, message.account_id) == ("hi", "Ada", PHONE_ID)


def test_send_bodies() -> None:
    assert text_message(CUSTOMER, "Hi") == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": CUSTOMER,
        "type": "text",
        "text": {"preview_url": False, "body": "Hi"},
    }
    assert sent_message_id({"messages": [{"id": "wamid.X"}]}) == "wamid.X"
    assert sent_message_id({"messages": []}) is None


@pytest.mark.parametrize(
    ("arrived_after", "sent_at_after"),
    [
        (timedelta(milliseconds=430), timedelta(milliseconds=430)),  # live: arrival is finer
        (timedelta(0), timedelta(0)),
        (timedelta(seconds=3), timedelta(0)),  # late or redelivered: the platform's second
        (timedelta(seconds=-2), timedelta(0)),  # our clock behind: the platform's second
    ],
)
def test_a_timestamp_in_whole_seconds_is_refined_by_the_arrival_time(
    arrived_after: timedelta, sent_at_after: timedelta
) -> None:
    """A customer replying within the second of the bot's message (stamped to the
    microsecond) must not sort before it: WhatsApp reports whole seconds."""
    reported = datetime(2025, 11, 25, 12, 0, tzinfo=UTC)
    message = _message("text", text={"body": "ok"})
    events = parse_webhook(_delivery([message]), received_at=reported + arrived_after).events
    assert isinstance(events[0], InboundMessage)
    assert events[0].sent_at == reported + sent_at_after


def test_the_arrival_time_stands_in_for_a_missing_timestamp() -> None:
    message = _message("text", text={"body": "ok"})
    del message["timestamp"]
    assert _only(_delivery([message])).sent_at == NOW
