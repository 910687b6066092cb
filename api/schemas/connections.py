"""Bodies of /api/v1/social_connections and /api/v1/simulator.

No response model has a field for an access token, app secret or verify token, so none
can be returned by mistake; the verify token appears once, in the answer that creates it.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field, SecretStr

from api.schemas.base import RequestBody
from store.conversations.connections import is_simulated
from store.tables.enums import OutboxStatus, SocialPlatform, TokenStatus
from store.tables.social import SocialConnection


def webhook_url(public_url: str, connection: SocialConnection) -> str:
    """The callback URL to paste into Meta's dashboard for this connection."""
    return (
        f"{public_url.rstrip('/')}/api/v1/webhooks/{connection.platform.value}/"
        f"{connection.webhook_path_token}"
    )


class ConnectionPublic(BaseModel):
    """A connected account as the owner sees it (never its secrets)."""

    id: uuid.UUID
    platform: SocialPlatform
    platform_account_id: str
    display_name: str | None
    whatsapp_phone_number_id: str | None
    whatsapp_waba_id: str | None
    webhook_url: str
    token_status: TokenStatus
    token_expires_at: datetime | None
    is_active: bool
    simulated: bool = Field(description="A customer-simulator connection (no real Meta).")
    last_webhook_status: str | None
    last_error: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, connection: SocialConnection, public_url: str) -> ConnectionPublic:
        """The public view of a stored connection."""
        return cls(
            id=connection.id,
            platform=connection.platform,
            platform_account_id=connection.platform_account_id,
            display_name=connection.display_name,
            whatsapp_phone_number_id=connection.whatsapp_phone_number_id,
            whatsapp_waba_id=connection.whatsapp_waba_id,
            webhook_url=webhook_url(public_url, connection),
            token_status=connection.token_status,
            token_expires_at=connection.token_expires_at,
            is_active=connection.is_active,
            simulated=is_simulated(connection),
            last_webhook_status=connection.last_webhook_status,
            last_error=connection.last_error,
            created_at=connection.created_at,
            updated_at=connection.updated_at,
        )


class ConnectionCreated(BaseModel):
    """A new (or refreshed) connection and what to paste into Meta's webhook settings."""

    connection: ConnectionPublic
    webhook_url: str
    verify_token: str = Field(description="Shown only now; CHIDI stores it encrypted.")


class WhatsAppSetup(RequestBody):
    """The WhatsApp Cloud API credentials from Meta's dashboard (WhatsApp → API Setup)."""

    phone_number_id: str = Field(pattern=r"^\d{5,25}$")
    waba_id: str = Field(pattern=r"^\d{5,25}$", description="WhatsApp Business Account id.")
    access_token: SecretStr = Field(min_length=10, max_length=4096)
    app_secret: SecretStr = Field(
        min_length=8, max_length=256, description="Signs the webhooks Meta sends (App settings)."
    )
    verify_token: str | None = Field(
        default=None,
        min_length=8,
        max_length=200,
        pattern=r"^[\x21-\x7e]+$",
        description="Your own verify token for the webhook handshake; generated if omitted.",
    )


class OAuthStart(BaseModel):
    """Where to send the owner to connect Instagram."""

    authorization_url: str
    expires_in_seconds: int


class InstagramConnected(BaseModel):
    """The Instagram accounts the owner granted, now connected."""

    connections: list[ConnectionCreated]


class SimulatedMessage(RequestBody):
    """A customer message for the simulator to deliver as a signed webhook."""

    customer_id: str = Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9_.+-]+$",
        description="Instagram-scoped id, or a WhatsApp phone number.",
    )
    customer_name: str | None = Field(
        default=None,
        max_length=100,
        description="Carried where the platform carries it (WhatsApp contacts).",
    )
    text: str = Field(min_length=1, max_length=4096)


class SimulatedDelivery(BaseModel):
    """The webhook the simulator sent and how CHIDI answered it."""

    platform_message_id: str
    webhook_status: int


class SimulatedSend(BaseModel):
    """Something CHIDI sent (or is sending) to a customer of the simulated account."""

    outbox_id: uuid.UUID
    conversation_id: uuid.UUID | None
    customer_id: str | None
    text: str
    status: OutboxStatus
    attempts: int
    provider_message_ids: list[str]
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
