"""SQL for `social_connections`: an owner's Instagram and WhatsApp accounts.

Owner-facing functions take `business_id` and filter on it, so another tenant's connection
is indistinguishable from a missing one. Webhooks find their connection by the path token
alone (the token is the credential that names the tenant); jobs by the id in their row.
Secrets go in encrypted and come out only through `secrets_of` (and `access_token_of`, for
a sender).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import ColumnElement, and_, func, true
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from core.crypto import decrypt_secret, encrypt_secret
from store.tables.enums import SocialPlatform, TokenStatus
from store.tables.social import SocialConnection


@dataclass(frozen=True)
class ConnectionDraft:
    """A connection to create, or to refresh when the account is already connected."""

    platform: SocialPlatform
    platform_account_id: str
    display_name: str | None
    access_token: str
    app_secret: str | None
    verify_token: str
    webhook_path_token: str
    whatsapp_phone_number_id: str | None = None
    whatsapp_waba_id: str | None = None
    token_expires_at: datetime | None = None
    permissions: dict[str, Any] | None = None


@dataclass(frozen=True)
class ConnectionSecrets:
    """A connection's secrets in plain text, for the moment they are needed."""

    access_token: str | None
    app_secret: str | None
    verify_token: str | None


@dataclass(frozen=True)
class SendingAccount:
    """What a sender needs of a connection, read with the outbox row it claims (no ORM)."""

    id: uuid.UUID
    business_id: uuid.UUID
    platform: SocialPlatform
    platform_account_id: str
    whatsapp_phone_number_id: str | None
    access_token_encrypted: str | None
    token_status: TokenStatus
    is_active: bool
    permissions: dict[str, Any] | None


class _HasPermissions(Protocol):
    @property
    def permissions(self) -> dict[str, Any] | None: ...


def _open(ciphertext: str | None, keys: str) -> str | None:
    return decrypt_secret(ciphertext, keys) if ciphertext else None


def secrets_of(connection: SocialConnection, keys: str) -> ConnectionSecrets:
    """Decrypt the connection's token, app secret and verify token."""
    return ConnectionSecrets(
        _open(connection.access_token_encrypted, keys),
        _open(connection.app_secret_encrypted, keys),
        _open(connection.verify_token_encrypted, keys),
    )


def access_token_of(account: SendingAccount, keys: str) -> str | None:
    """Decrypt the account's access token, for the send about to use it."""
    return _open(account.access_token_encrypted, keys)


def is_simulated(connection: _HasPermissions) -> bool:
    """Whether the connection belongs to the customer simulator (the built-in fake Meta)."""
    return bool((connection.permissions or {}).get("simulated"))


async def by_path_token(session: AsyncSession, token: str) -> SocialConnection | None:
    """The connection a webhook URL's token names (active or not)."""
    found = await session.exec(
        select(SocialConnection).where(SocialConnection.webhook_path_token == token)
    )
    return found.first()


async def by_id(session: AsyncSession, connection_id: uuid.UUID) -> SocialConnection | None:
    """A connection by id, for jobs acting on rows that already name it."""
    return await session.get(SocialConnection, connection_id)


async def list_active(session: AsyncSession, business_id: uuid.UUID) -> list[SocialConnection]:
    """The business's connected accounts, oldest first."""
    found = await session.exec(
        select(SocialConnection)
        .where(
            SocialConnection.business_id == business_id, col(SocialConnection.is_active) == true()
        )
        .order_by(col(SocialConnection.created_at))
    )
    return list(found.all())


def _owned_active(business_id: uuid.UUID, connection_id: uuid.UUID) -> ColumnElement[bool]:
    """The tenant filter for owner actions: this business's connection, still active."""
    return and_(
        col(SocialConnection.business_id) == business_id,
        col(SocialConnection.id) == connection_id,
        col(SocialConnection.is_active) == true(),
    )


async def get_active(
    session: AsyncSession, business_id: uuid.UUID, connection_id: uuid.UUID
) -> SocialConnection | None:
    """One of the business's active connections; None for any other id."""
    found = await session.exec(
        select(SocialConnection).where(_owned_active(business_id, connection_id))
    )
    return found.first()


async def save(
    session: AsyncSession, business_id: uuid.UUID, draft: ConnectionDraft, keys: str
) -> SocialConnection:
    """Create the connection, or refresh and reactivate the business's existing one for the
    same account (its webhook path token is kept, so the URL in Meta's dashboard stays valid).
    """
    sealed = {
        "access_token_encrypted": encrypt_secret(draft.access_token, keys),
        "app_secret_encrypted": encrypt_secret(draft.app_secret, keys)
        if draft.app_secret
        else None,
        "verify_token_encrypted": encrypt_secret(draft.verify_token, keys),
        "display_name": draft.display_name,
        "whatsapp_phone_number_id": draft.whatsapp_phone_number_id,
        "whatsapp_waba_id": draft.whatsapp_waba_id,
        "token_expires_at": draft.token_expires_at,
        "token_status": TokenStatus.VALID.value,
        "permissions": draft.permissions,
        "is_active": True,
        "last_error": None,
    }
    statement = (
        insert(SocialConnection)
        .values(
            id=uuid.uuid4(),
            business_id=business_id,
            platform=draft.platform,
            platform_account_id=draft.platform_account_id,
            webhook_path_token=draft.webhook_path_token,
            **sealed,
        )
        .on_conflict_do_update(
            constraint="uq_social_connections_business_platform_account",
            set_={**sealed, "updated_at": func.now()},
        )
        .returning(SocialConnection)
        .execution_options(populate_existing=True)
    )
    saved: SocialConnection = (await session.exec(statement)).scalars().one()
    return saved


async def replace_verify_token(
    session: AsyncSession,
    business_id: uuid.UUID,
    connection_id: uuid.UUID,
    verify_token: str,
    keys: str,
) -> SocialConnection | None:
    """Give an active connection a new verify token (the old one stops answering Meta's
    handshake); None when the business has no such connection."""
    found = await session.exec(
        update(SocialConnection)
        .where(_owned_active(business_id, connection_id))
        .values(verify_token_encrypted=encrypt_secret(verify_token, keys), updated_at=func.now())
        .returning(SocialConnection)
        .execution_options(synchronize_session=False, populate_existing=True)
    )
    replaced: SocialConnection | None = found.scalars().first()
    return replaced


async def deactivate(
    session: AsyncSession, business_id: uuid.UUID, connection_id: uuid.UUID
) -> bool:
    """Disconnect: stop webhooks and sends, and forget the secrets. False if not found."""
    result = await session.exec(
        update(SocialConnection)
        .where(_owned_active(business_id, connection_id))
        .values(
            is_active=False,
            access_token_encrypted=None,
            app_secret_encrypted=None,
            verify_token_encrypted=None,
            updated_at=func.now(),
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount > 0


async def mark_token_refused(
    session: AsyncSession,
    business_id: uuid.UUID,
    connection_id: uuid.UUID,
    status: TokenStatus,
    error: str,
) -> bool:
    """Record that Meta refused the token; True only for the call that changed it (so the
    owner is told once, not once per failed message)."""
    result = await session.exec(
        update(SocialConnection)
        .where(
            col(SocialConnection.business_id) == business_id,
            col(SocialConnection.id) == connection_id,
            col(SocialConnection.token_status) == TokenStatus.VALID,
        )
        .values(token_status=status, last_error=error, updated_at=func.now())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount > 0


async def set_webhook_status(session: AsyncSession, connection_id: uuid.UUID, status: str) -> None:
    """Remember the latest webhook outcome worth showing (e.g. "verified")."""
    await session.exec(
        update(SocialConnection)
        .where(col(SocialConnection.id) == connection_id)
        .values(last_webhook_status=status, updated_at=func.now())
        .execution_options(synchronize_session=False)
    )
