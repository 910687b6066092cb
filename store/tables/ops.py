"""Reliability tables: raw webhook staging, the outbox, notifications and alerts.

Nothing CHIDI receives or must send lives only in Redis or memory: a webhook is stored
before it is acknowledged, and every send (platform message, email, Slack) is an outbox
row first, with an idempotency key so a retried job cannot send twice.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Column, DateTime, Index, UniqueConstraint, desc, text
from sqlmodel import Field, SQLModel

from store.tables.base import created_at, timestamptz, updated_at, utcnow, uuid_pk
from store.tables.columns import (
    enum_column,
    fk_column,
    jsonb_column,
    non_negative,
    one_of,
    text_column,
    text_enum_column,
    zero_column,
)
from store.tables.enums import (
    AlertStatus,
    OutboxKind,
    OutboxStatus,
    SocialPlatform,
    WebhookEventStatus,
)


def _now_column(*, nullable: bool = False) -> Column[datetime]:
    return Column(DateTime(timezone=True), nullable=nullable, server_default=text("now()"))


class WebhookEvent(SQLModel, table=True):
    """One raw webhook delivery, stored before it is acknowledged so none is ever lost."""

    __tablename__ = "webhook_events"
    __table_args__ = (
        one_of("webhook_events", "status", WebhookEventStatus),
        # The reprocessing sweeper looks for old `received` rows.
        Index("ix_webhook_events_status_received", "status", "received_at"),
    )

    id: uuid.UUID = uuid_pk()
    platform: SocialPlatform = Field(sa_column=enum_column(SocialPlatform))
    # NULL when the path token matched no connection, or the connection was deleted since.
    connection_id: uuid.UUID | None = Field(
        default=None,
        sa_column=fk_column(
            "social_connections.id", ondelete="SET NULL", nullable=True, index=True
        ),
    )
    path_token: str | None = Field(default=None, sa_column=text_column())
    signature_valid: bool = Field(sa_column=Column(Boolean, nullable=False))
    headers: dict[str, Any] = Field(
        default_factory=dict, sa_column=jsonb_column(nullable=False, default="{}")
    )
    payload: dict[str, Any] = Field(sa_column=jsonb_column(nullable=False))
    status: WebhookEventStatus = Field(
        default=WebhookEventStatus.RECEIVED,
        sa_column=text_enum_column(WebhookEventStatus, default=WebhookEventStatus.RECEIVED),
    )
    error: str | None = Field(default=None, sa_column=text_column())
    received_at: datetime = Field(default_factory=utcnow, sa_column=_now_column())
    processed_at: datetime | None = Field(default=None, sa_column=timestamptz())


class OutboxMessage(SQLModel, table=True):
    """Something to send, recorded in the same transaction as the change that caused it."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("idempotency_key", name="uq_outbox_idempotency_key"),
        one_of("outbox", "kind", OutboxKind),
        one_of("outbox", "status", OutboxStatus),
        non_negative("outbox", "attempts"),
        # The sender claims due rows: status = 'pending' AND next_attempt_at <= now().
        Index("ix_outbox_status_next_attempt", "status", "next_attempt_at"),
    )

    id: uuid.UUID = uuid_pk()
    kind: OutboxKind = Field(sa_column=text_enum_column(OutboxKind))
    # NULL for mail that belongs to no business (a password reset, an operator alert).
    business_id: uuid.UUID | None = Field(
        default=None,
        sa_column=fk_column("businesses.id", ondelete="CASCADE", nullable=True, index=True),
    )
    conversation_id: uuid.UUID | None = Field(
        default=None,
        sa_column=fk_column("conversations.id", ondelete="CASCADE", nullable=True, index=True),
    )
    # The stored message this send delivers; its delivery_status follows the send.
    message_id: uuid.UUID | None = Field(
        default=None,
        sa_column=fk_column("messages.id", ondelete="SET NULL", nullable=True, index=True),
    )
    idempotency_key: str = Field(sa_column=text_column(nullable=False))
    # Platform user id, phone number, email address or webhook URL.
    recipient: str | None = Field(default=None, sa_column=text_column())
    payload: dict[str, Any] = Field(sa_column=jsonb_column(nullable=False))
    status: OutboxStatus = Field(
        default=OutboxStatus.PENDING,
        sa_column=text_enum_column(OutboxStatus, default=OutboxStatus.PENDING),
    )
    attempts: int = Field(default=0, sa_column=zero_column())
    next_attempt_at: datetime | None = Field(
        default_factory=utcnow, sa_column=_now_column(nullable=True)
    )
    last_error: str | None = Field(default=None, sa_column=text_column())
    sent_at: datetime | None = Field(default=None, sa_column=timestamptz())
    provider_message_id: str | None = Field(default=None, sa_column=text_column())
    created_at: datetime = created_at()
    updated_at: datetime = updated_at()


class Notification(SQLModel, table=True):
    """An in-app notice to an owner (an escalation, a revoked token, a closed window)."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_business_created", "business_id", desc("created_at")),
    )
    id: uuid.UUID = uuid_pk()
    business_id: uuid.UUID = Field(sa_column=fk_column("businesses.id", ondelete="CASCADE"))
    # e.g. "escalation", "token_revoked", "window_closed"
    kind: str = Field(sa_column=text_column(nullable=False))
    title: str = Field(sa_column=text_column(nullable=False))
    body: str | None = Field(default=None, sa_column=text_column())
    conversation_id: uuid.UUID | None = Field(
        default=None,
        sa_column=fk_column("conversations.id", ondelete="CASCADE", nullable=True, index=True),
    )
    read_at: datetime | None = Field(default=None, sa_column=timestamptz())
    created_at: datetime = created_at()


class Alert(SQLModel, table=True):
    """One incident of an operator alert rule; at most one is firing per fingerprint."""

    __tablename__ = "alerts"
    __table_args__ = (
        one_of("alerts", "status", AlertStatus),
        # Deduplication: a rule that is still firing updates its row instead of adding one.
        Index(
            "uq_alerts_fingerprint_firing",
            "fingerprint",
            unique=True,
            postgresql_where=text("status = 'firing'"),
        ),
    )

    id: uuid.UUID = uuid_pk()
    rule: str = Field(sa_column=text_column(nullable=False))
    fingerprint: str = Field(sa_column=text_column(nullable=False))
    status: AlertStatus = Field(
        default=AlertStatus.FIRING,
        sa_column=text_enum_column(AlertStatus, default=AlertStatus.FIRING),
    )
    first_fired_at: datetime = Field(default_factory=utcnow, sa_column=_now_column())
    last_seen_at: datetime = Field(default_factory=utcnow, sa_column=_now_column())
    resolved_at: datetime | None = Field(default=None, sa_column=timestamptz())
    details: dict[str, Any] = Field(
        default_factory=dict, sa_column=jsonb_column(nullable=False, default="{}")
    )
