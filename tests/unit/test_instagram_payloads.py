"""Instagram webhook payloads parsed into platform-neutral events."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from channels.instagram import message_webhook, parse_webhook, sent_message_id, text_message
from core.inbound import DeliveryUpdate, InboundMessage

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
PAGE, CUSTOMER = "17841400000000001", "5310000000000001"


def _delivery(*events: dict[str, Any]) -> dict[str, Any]:
    return {
        "object": "instagram",
        "entry": [{"id": PAGE, "time": 1764072000000, "messaging": list(events)}],
    }


def _event(**body: Any) -> dict[str, Any]:
    return {
        "sender": {"id": CUSTOMER},
        "recipient": {"id": PAGE},
        "timestamp": 1764072000000,
        **body,
    }


def _only(payload: dict[str, Any]) -> InboundMessage:
    events = parse_webhook(payload, received_at=NOW).events
    assert len(events) == 1
    assert isinstance(events[0], InboundMessage)
    return events[0]


def test_a_text_message() -> None:
    message = _only(_delivery(_event(message={"mid": "m_1", "text": "Do you have SKU123?"})))
    assert (message.platform_message_id, message.customer_id, message.account_id) == (
        "m_1",
        CUSTOMER,
        PAGE,
    )
    assert (message.content_type, message.text) == ("text", "Do you have SKU123?")
    assert message.sent_at == datetime(2025, 11, 25, 12, 0, tzinfo=UTC)
    assert not message.from_business
    assert message.expects_reply


def test_attachments_quick_replies_and_unsupported_content() -> None:
    image = _only(
        _delivery(
            _event(
                message={
                    "mid": "m_2",
                    "attachments": [
                        {"type": "image", "payload": {"url": "https://cdn.example/x.jpg"}}
                    ],
                }
            )
        )
    )
    assert (image.content_type, image.media_url, image.text) == (
        "image",
        "https://cdn.example/x.jpg",
        None,
    )
    reel = _only(
        _delivery(
            _event(
                message={
                    "mid": "m_3",
                    "attachments": [
                        {"type": "ig_reel", "payload": {"url": "https://cdn.example/r"}}
                    ],
                }
            )
        )
    )
    assert (reel.content_type, reel.text) == ("unsupported", "[ig_reel]")
    quick = _only(
        _delivery(
            _event(message={"mid": "m_4", "text": "Medium", "quick_reply": {"payload": "SIZE_M"}})
        )
    )
    assert (quick.content_type, quick.text) == ("text", "Medium")
    odd = _only(_delivery(_event(message={"mid": "m_5", "is_unsupported": True})))
    assert odd.content_type == "unsupported"


def test_an_echo_is_from_the_business_to_the_customer() -> None:
    echo = _only(
        _delivery(
            {
                "sender": {"id": PAGE},
                "recipient": {"id": CUSTOMER},
                "timestamp": 1764072000000,
                "message": {"mid": "m_6", "text": "Hi!", "is_echo": True},
            }
        )
    )
    assert echo.from_business
    assert (echo.customer_id, echo.account_id) == (CUSTOMER, PAGE)


def test_reactions_are_recorded_but_expect_no_reply() -> None:
    reaction = _only(
        _delivery(
            _event(reaction={"mid": "m_1", "action": "react", "reaction": "love", "emoji": "❤️"})
        )
    )
    assert (reaction.content_type, reaction.text, reaction.expects_reply) == (
        "unsupported",
        "Reacted ❤️",
        False,
    )


def test_receipts_and_ignored_events() -> None:
    parsed = parse_webhook(
        _delivery(
            _event(read={"mid": "m_9"}),
            _event(delivery={"mids": ["m_7", "m_8"], "watermark": 1764072000000}),
            _event(read={"watermark": 1764072000000}),
            _event(message={"mid": "m_10", "is_deleted": True}),
            _event(referral={"ref": "ad"}),
            {"sender": {}, "message": {"mid": "x"}},
        ),
        received_at=NOW,
    )
    read, delivered, watermark = parsed.events
    assert isinstance(read, DeliveryUpdate)
    assert read.platform_message_ids == ("m_9",)
    assert read.status == "read"
    assert isinstance(delivered, DeliveryUpdate)
    assert (delivered.status, delivered.platform_message_ids) == ("delivered", ("m_7", "m_8"))
    assert isinstance(watermark, DeliveryUpdate)
    assert watermark.platform_message_ids == ()
    assert watermark.watermark == datetime(2025, 11, 25, 12, 0, tzinfo=UTC)
    assert parsed.ignored == 3


def test_instagram_login_changes_format() -> None:
    payload = {
        "object": "instagram",
        "entry": [
            {
                "id": PAGE,
                "changes": [
                    {"field": "messages", "value": _event(message={"mid": "m_11", "text": "hey"})}
                ],
            }
        ],
    }
    assert _only(payload).text == "hey"


def test_garbage_is_ignored_not_fatal() -> None:
    parsed = parse_webhook({"entry": "nope"}, received_at=NOW)
    assert parsed.events == []
    assert parsed.ignored == 0
    parsed = parse_webhook({"entry": [{"messaging": [1, None, {"sender": 5}]}]}, received_at=NOW)
    assert parsed.events == []


def test_the_simulator_payload_parses_back() -> None:
    payload = message_webhook(
        account_id=PAGE, customer_id=CUSTOMER, text_body="hello", mid="m_sim", sent_at=NOW
    )
    message = _only(payload)
    assert (message.platform_message_id, message.text, message.sent_at) == ("m_sim", "hello", NOW)


def test_send_bodies() -> None:
    assert text_message("123", "Hi") == {
        "recipient": {"id": "123"},
        "message": {"text": "Hi"},
        "messaging_type": "RESPONSE",
    }
    tagged = text_message("123", "Hi", tag="HUMAN_AGENT")
    assert (tagged["messaging_type"], tagged["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")
    assert sent_message_id({"recipient_id": "123", "message_id": "m_x"}) == "m_x"
    assert sent_message_id({}) is None


@pytest.mark.parametrize("timestamp", ["1e400", "nan", 10**30, -(10**30), True, "soon"])
def test_a_timestamp_no_calendar_holds_reads_as_the_arrival_time(timestamp: object) -> None:
    """Not a crash: a delivery that fails to parse is redelivered by Meta until it is lost."""
    event = _event(message={"mid": "m_t", "text": "hi"})
    event["timestamp"] = timestamp
    assert _only(_delivery(event)).sent_at == NOW
