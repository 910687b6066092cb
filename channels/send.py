"""Send API clients: one text message to one customer, returning the platform's message id.

Both take a `GraphClient` already bound to the connection's token, rate limiter and retry
policy, and pass the outbox row's idempotency key along with every request.
"""

from __future__ import annotations

from typing import Protocol

from channels import instagram, whatsapp
from channels.errors import FailureKind, GraphCallFailed, GraphError
from channels.graph import GraphClient


class TextSender(Protocol):
    """Sends text on one platform account."""

    max_text_bytes: int

    async def send_text(
        self, recipient: str, text: str, *, idempotency_key: str, human_agent: bool = False
    ) -> str:
        """Send `text` to `recipient`; the platform's message id. `human_agent`: Instagram's
        tag for a person's reply outside 24 hours (WhatsApp has no equivalent)."""


def _accepted(message_id: str | None) -> str:
    if message_id is None:
        # A 200 without an id: it was probably sent, but nothing can prove it.
        raise GraphCallFailed(
            FailureKind.UNCERTAIN, GraphError(status=200, message="no message id in the response")
        )
    return message_id


class InstagramSender:
    """The Instagram Send API: `POST /me/messages` with the page access token."""

    max_text_bytes = instagram.MAX_TEXT_BYTES

    def __init__(self, client: GraphClient) -> None:
        self._client = client

    async def send_text(
        self, recipient: str, text: str, *, idempotency_key: str, human_agent: bool = False
    ) -> str:
        """Send one DM (at most `max_text_bytes`) as a response or a HUMAN_AGENT message."""
        body = instagram.text_message(
            recipient, text, tag=instagram.HUMAN_AGENT_TAG if human_agent else None
        )
        response = await self._client.post("me/messages", body, idempotency_key=idempotency_key)
        return _accepted(instagram.sent_message_id(response))


class WhatsAppSender:
    """The WhatsApp Cloud API: `POST /{phone-number-id}/messages`."""

    max_text_bytes = whatsapp.MAX_TEXT_BYTES

    def __init__(self, client: GraphClient, phone_number_id: str) -> None:
        self._client = client
        self._phone_number_id = phone_number_id

    async def send_text(
        self, recipient: str, text: str, *, idempotency_key: str, human_agent: bool = False
    ) -> str:
        """Send one free-form text message (only valid inside the 24-hour window)."""
        response = await self._client.post(
            f"{self._phone_number_id}/messages",
            whatsapp.text_message(recipient, text),
            idempotency_key=idempotency_key,
        )
        return _accepted(whatsapp.sent_message_id(response))
