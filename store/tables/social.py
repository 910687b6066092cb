"""A business's connected Instagram or WhatsApp account (PRD §6.4.5).

Secrets are stored only as ciphertext (`core.crypto.encrypt_secret`; the columns say
so in their names) and no API ever returns them. Webhooks reach a connection through its
own unguessable path token, so a delivery names the tenant before any parsing.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from store.tables.base import created_at, timestamptz, updated_at, uuid_pk
from store.tables.columns import (
    enum_column,
    fk_column,
    flag_column,
    jsonb_column,
    one_of,
    text_column,
    text_enum_column,
)
from store.tables.enums import SocialPlatform, TokenStatus


class SocialConnection(SQLModel, table=True):
    """The credentials and state CHIDI needs to receive and send on one platform account."""

    __tablename__ = "social_connections"
    __table_args__ = (
        UniqueConstraint(
            "business_id",
            "platform",
            "platform_account_id",
            name="uq_social_connections_business_platform_account",
        ),
        # Target of the conversations' composite foreign key (tenant consistency).
        UniqueConstraint("id", "business_id", name="uq_social_connections_id_business"),
        UniqueConstraint("webhook_path_token", name="uq_social_connections_webhook_path_token"),
        one_of("social_connections", "token_status", TokenStatus),
    )

    id: uuid.UUID = uuid_pk()
    business_id: uuid.UUID = Field(sa_column=fk_column("businesses.id", ondelete="CASCADE"))
    platform: SocialPlatform = Field(sa_column=enum_column(SocialPlatform))
    # Instagram account/page id, or the WhatsApp phone number's account id.
    platform_account_id: str = Field(sa_column=text_column(nullable=False))
    display_name: str | None = Field(default=None, sa_column=text_column())
    whatsapp_phone_number_id: str | None = Field(default=None, sa_column=text_column())
    whatsapp_waba_id: str | None = Field(default=None, sa_column=text_column())
    webhook_path_token: str = Field(sa_column=text_column(nullable=False))
    access_token_encrypted: str | None = Field(default=None, sa_column=text_column())
    app_secret_encrypted: str | None = Field(default=None, sa_column=text_column())
    verify_token_encrypted: str | None = Field(default=None, sa_column=text_column())
    token_expires_at: datetime | None = Field(default=None, sa_column=timestamptz())
    token_status: TokenStatus = Field(
        default=TokenStatus.VALID,
        sa_column=text_enum_column(TokenStatus, default=TokenStatus.VALID),
    )
    is_active: bool = Field(default=True, sa_column=flag_column())
    # e.g. {"messages": true, "feed": false}
    permissions: dict[str, Any] | None = Field(default=None, sa_column=jsonb_column())
    # e.g. "active", "failed_verification"
    last_webhook_status: str | None = Field(default=None, sa_column=text_column())
    last_error: str | None = Field(default=None, sa_column=text_column())
    created_at: datetime = created_at()
    updated_at: datetime = updated_at()
