"""The business an owner runs (PRD §6.2.5): the profile onboarding fills in.

Every other product table hangs off `businesses.id`, and deleting a business deletes all
of it. One owner has at most one business (`user_id` is unique).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Column, Float, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from store.tables.base import created_at, timestamptz, updated_at, uuid_pk
from store.tables.columns import fk_column, jsonb_column, text_column, unit_interval, zero_column

DEFAULT_CONFIDENCE_THRESHOLD = 0.6


class Business(SQLModel, table=True):
    """An owner's business profile; NULL onboarding fields are questions not yet answered."""

    __tablename__ = "businesses"
    __table_args__ = (
        UniqueConstraint("user_id", name="uq_businesses_user_id"),
        Index("ix_businesses_name", "name"),
        CheckConstraint(
            "profile_completeness_score BETWEEN 0 AND 100",
            name="ck_businesses_profile_completeness_score_range",
        ),
        unit_interval("businesses", "confidence_threshold"),
        # A shortcode opens every generated SKU, so it must itself be SKU-shaped.
        CheckConstraint(
            "shortcode ~ '^[A-Za-z0-9-]{1,20}$'", name="ck_businesses_shortcode_format"
        ),
    )

    id: uuid.UUID = uuid_pk()
    user_id: uuid.UUID = Field(sa_column=fk_column("users.id", ondelete="CASCADE"))
    name: str | None = Field(default=None, sa_column=text_column())
    business_type: str | None = Field(default=None, sa_column=text_column())
    target_audience_description: str | None = Field(default=None, sa_column=text_column())
    products_services_overview: str | None = Field(default=None, sa_column=text_column())
    # e.g. {"instagram": "@handle", "whatsapp": "+234..."}
    social_media_presence: dict[str, Any] | None = Field(default=None, sa_column=jsonb_column())
    goals_preferences: str | None = Field(default=None, sa_column=text_column())
    # e.g. {"hours": "...", "delivery": "...", "returns": "...", "payment": "..."}
    policies: dict[str, Any] | None = Field(default=None, sa_column=jsonb_column())
    # e.g. {"current_step": "details", "milestones_completed": ["basic_info"]}
    onboarding_progress: dict[str, Any] | None = Field(default=None, sa_column=jsonb_column())
    profile_completeness_score: int = Field(default=0, sa_column=zero_column())
    shortcode: str | None = Field(default=None, sa_column=text_column())
    # The auto-responder sends a reply only when its confidence reaches this.
    confidence_threshold: float = Field(
        default=DEFAULT_CONFIDENCE_THRESHOLD,
        sa_column=Column(
            Float, nullable=False, server_default=text(str(DEFAULT_CONFIDENCE_THRESHOLD))
        ),
    )
    onboarding_completed_at: datetime | None = Field(default=None, sa_column=timestamptz())
    # Bumped by triggers whenever the business's catalog changes (migration 0006): what
    # an in-memory copy of the catalog compares itself with.
    catalog_version: int = Field(
        default=0, sa_column=Column(BigInteger, nullable=False, server_default=text("0"))
    )
    created_at: datetime = created_at()
    updated_at: datetime = updated_at()
