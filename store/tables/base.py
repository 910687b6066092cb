"""Shared column helpers: UUID keys and UTC timestamps set by the database."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, func
from sqlmodel import Field


def utcnow() -> datetime:
    """Now, timezone-aware in UTC."""
    return datetime.now(UTC)


def uuid_pk() -> uuid.UUID:
    """A primary-key field with a client-side uuid4 default."""
    return Field(default_factory=uuid.uuid4, primary_key=True)  # type: ignore[no-any-return]


def created_at() -> datetime:
    """A `timestamptz NOT NULL DEFAULT now()` column."""
    return Field(  # type: ignore[no-any-return]
        default_factory=utcnow,
        sa_column_kwargs={"server_default": func.now(), "nullable": False},
        sa_type=DateTime(timezone=True),
    )


def updated_at() -> datetime:
    """Like `created_at`, and refreshed by the ORM on every update."""
    return Field(  # type: ignore[no-any-return]
        default_factory=utcnow,
        sa_column_kwargs={"server_default": func.now(), "nullable": False, "onupdate": utcnow},
        sa_type=DateTime(timezone=True),
    )


def timestamptz(*, nullable: bool = True, index: bool = False) -> Column[datetime]:
    """A plain `timestamptz` column."""
    return Column(DateTime(timezone=True), nullable=nullable, index=index)
