"""The public profile of a person who signs in (PRD §6.1.5)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from store.tables.base import created_at, updated_at


class User(SQLModel, table=True):
    """One row per auth identity, created on the first authenticated call.

    `id` is the auth service's user id (the JWT `sub`). It is not a foreign key: in
    Supabase mode the identities live in Supabase's own `auth` schema.
    """

    __tablename__ = "users"

    id: uuid.UUID = Field(primary_key=True)
    email: str = Field(sa_column=Column(Text, nullable=False, unique=True, index=True))
    full_name: str | None = Field(default=None, sa_column=Column(Text))
    avatar_url: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = created_at()
    updated_at: datetime = updated_at()
