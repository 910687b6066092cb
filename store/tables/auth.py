"""Tables of the embedded auth service (schema `chidi_auth`).

They mirror what Supabase Auth keeps in its own `auth` schema, so that the embedded service
can speak the same REST API. In Supabase mode these tables stay empty.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Column, ForeignKey, Index, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from store.tables.base import created_at, timestamptz, updated_at, uuid_pk

AUTH_SCHEMA = "chidi_auth"


def _user_id_column() -> Column[uuid.UUID]:
    """The owning user: deleting a user deletes its sessions, tokens and identities."""
    return Column(
        ForeignKey(f"{AUTH_SCHEMA}.users.id", ondelete="CASCADE"), nullable=False, index=True
    )


class AuthUser(SQLModel, table=True):
    """An identity that can sign in (Supabase's `auth.users`)."""

    __tablename__ = "users"
    __table_args__ = (
        # Emails are stored lower-cased, so a plain unique index is case-insensitive.
        Index("ix_chidi_auth_users_email", "email", unique=True),
        {"schema": AUTH_SCHEMA},
    )

    id: uuid.UUID = uuid_pk()
    email: str = Field(sa_column=Column(Text, nullable=False))
    # Argon2id hash; NULL for users who only ever signed in with Google.
    encrypted_password: str | None = Field(default=None, sa_column=Column(Text))
    email_confirmed_at: datetime | None = Field(default=None, sa_column=timestamptz())
    last_sign_in_at: datetime | None = Field(default=None, sa_column=timestamptz())
    raw_app_meta_data: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSONB, nullable=False, server_default="{}")
    )
    raw_user_meta_data: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSONB, nullable=False, server_default="{}")
    )
    created_at: datetime = created_at()
    updated_at: datetime = updated_at()


class AuthSession(SQLModel, table=True):
    """A sign-in; access tokens carry its id, and logout ends it."""

    __tablename__ = "sessions"
    __table_args__ = ({"schema": AUTH_SCHEMA},)

    id: uuid.UUID = uuid_pk()
    user_id: uuid.UUID = Field(sa_column=_user_id_column())
    amr: str = Field(default="password", sa_column=Column(Text, nullable=False))
    ended_at: datetime | None = Field(default=None, sa_column=timestamptz())
    created_at: datetime = created_at()


class AuthRefreshToken(SQLModel, table=True):
    """An opaque refresh token; stored as its SHA-256, rotated on every use."""

    __tablename__ = "refresh_tokens"
    __table_args__ = (
        UniqueConstraint("token_hash", name="uq_chidi_auth_refresh_tokens_token_hash"),
        {"schema": AUTH_SCHEMA},
    )

    id: uuid.UUID = uuid_pk()
    token_hash: str = Field(sa_column=Column(Text, nullable=False))
    session_id: uuid.UUID = Field(
        sa_column=Column(
            ForeignKey(f"{AUTH_SCHEMA}.sessions.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    revoked: bool = Field(default=False)
    expires_at: datetime = Field(sa_column=timestamptz(nullable=False))
    created_at: datetime = created_at()


class AuthOneTimeToken(SQLModel, table=True):
    """A single-use token sent by email (recovery, signup confirmation); stored hashed."""

    __tablename__ = "one_time_tokens"
    __table_args__ = (
        UniqueConstraint("token_hash", name="uq_chidi_auth_one_time_tokens_token_hash"),
        {"schema": AUTH_SCHEMA},
    )

    id: uuid.UUID = uuid_pk()
    user_id: uuid.UUID = Field(sa_column=_user_id_column())
    # signup | recovery | email_change
    token_type: str = Field(sa_column=Column(Text, nullable=False))
    token_hash: str = Field(sa_column=Column(Text, nullable=False))
    # The address the token was sent to (for email_change: the new address it confirms).
    relates_to: str = Field(sa_column=Column(Text, nullable=False))
    expires_at: datetime = Field(sa_column=timestamptz(nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=timestamptz())
    created_at: datetime = created_at()


class AuthIdentity(SQLModel, table=True):
    """A link from a user to an external provider account (Google's `sub`)."""

    __tablename__ = "identities"
    __table_args__ = (
        UniqueConstraint("provider", "provider_id", name="uq_chidi_auth_identities_provider"),
        {"schema": AUTH_SCHEMA},
    )

    id: uuid.UUID = uuid_pk()
    user_id: uuid.UUID = Field(sa_column=_user_id_column())
    provider: str = Field(sa_column=Column(Text, nullable=False))
    provider_id: str = Field(sa_column=Column(Text, nullable=False))
    identity_data: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSONB, nullable=False, server_default="{}")
    )
    created_at: datetime = created_at()
    updated_at: datetime = updated_at()


class AuthFlowState(SQLModel, table=True):
    """A PKCE sign-in in progress: the client's code challenge, then the code it exchanges.

    Created when a PKCE client asks for a recovery/confirmation email or finishes a Google
    sign-in; `auth_code_hash` is set when the browser is sent back with `?code=`, and the
    row is deleted when the code is exchanged for a session (single use).
    """

    __tablename__ = "flow_states"
    __table_args__ = (
        UniqueConstraint("auth_code_hash", name="uq_chidi_auth_flow_states_auth_code_hash"),
        {"schema": AUTH_SCHEMA},
    )

    id: uuid.UUID = uuid_pk()
    user_id: uuid.UUID = Field(sa_column=_user_id_column())
    provider_type: str = Field(sa_column=Column(Text, nullable=False))  # email | recovery | google
    authentication_method: str = Field(sa_column=Column(Text, nullable=False))
    code_challenge: str = Field(sa_column=Column(Text, nullable=False))
    code_challenge_method: str = Field(sa_column=Column(Text, nullable=False))  # s256 | plain
    auth_code_hash: str | None = Field(default=None, sa_column=Column(Text))
    auth_code_issued_at: datetime | None = Field(default=None, sa_column=timestamptz())
    created_at: datetime = created_at()
