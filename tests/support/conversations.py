"""Helpers for the conversation tests: seeded connections, signed webhooks, polling.

Rows are committed (the live server and worker processes must see them), so every test
seeds its own business and connection and uses customer ids no other test uses.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import psycopg

from channels import instagram, signature, whatsapp
from core.crypto import encrypt_secret
from core.settings import Settings
from store.tables.base import utcnow


@dataclass(frozen=True)
class SeededConnection:
    """A business with one connection, and the plain secrets the test needs."""

    id: uuid.UUID
    business_id: uuid.UUID
    owner_email: str
    platform: str
    account_id: str
    path_token: str
    app_secret: str
    verify_token: str
    access_token: str
    waba_id: str = "100200300400"

    def webhook_path(self) -> str:
        """The connection's webhook path on the API."""
        return f"/api/v1/webhooks/{self.platform}/{self.path_token}"


def seed_connection(
    pg: psycopg.Connection,
    settings: Settings,
    *,
    platform: str = "instagram",
    simulated: bool = False,
) -> SeededConnection:
    """A new owner, business and active connection with known secrets."""
    user_id, business_id, connection_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    email = f"owner-{user_id.hex[:12]}@example.com"
    pg.execute("INSERT INTO users (id, email) VALUES (%s, %s)", (user_id, email))
    pg.execute(
        "INSERT INTO businesses (id, user_id, name) VALUES (%s, %s, %s)",
        (business_id, user_id, "Test Shop"),
    )
    keys = settings.encryption_key.get_secret_value()
    account = (
        f"ig-{uuid.uuid4().hex[:10]}"
        if platform == "instagram"
        else str(10**14 + secrets.randbelow(10**14))
    )
    seeded = SeededConnection(
        id=connection_id,
        business_id=business_id,
        owner_email=email,
        platform=platform,
        account_id=account,
        path_token=secrets.token_urlsafe(24),
        app_secret=secrets.token_urlsafe(24),
        verify_token=secrets.token_urlsafe(12),
        access_token="token-" + secrets.token_urlsafe(16),
    )
    pg.execute(
        "INSERT INTO social_connections (id, business_id, platform, platform_account_id, "
        "whatsapp_phone_number_id, whatsapp_waba_id, webhook_path_token, "
        "access_token_encrypted, app_secret_encrypted, verify_token_encrypted, permissions) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (
            connection_id,
            business_id,
            platform,
            account,
            account if platform == "whatsapp" else None,
            seeded.waba_id if platform == "whatsapp" else None,
            seeded.path_token,
            encrypt_secret(seeded.access_token, keys),
            encrypt_secret(seeded.app_secret, keys),
            encrypt_secret(seeded.verify_token, keys),
            json.dumps({"messages": True, "simulated": simulated}),
        ),
    )
    return seeded


def new_customer(prefix: str = "cust") -> str:
    """A customer id no other test uses (digits, so it also works as a WhatsApp number)."""
    return (
        f"{10**11 + secrets.randbelow(10**11)}"
        if prefix == "wa"
        else (f"{prefix}-{uuid.uuid4().hex[:12]}")
    )


def new_mid() -> str:
    """A fresh platform message id."""
    return "m_test_" + secrets.token_urlsafe(18)


def customer_message(
    connection: SeededConnection,
    customer: str,
    text: str,
    *,
    mid: str | None = None,
    at: datetime | None = None,
    name: str | None = None,
) -> dict[str, Any]:
    """The webhook the connection's platform sends for a customer's text message."""
    sent_at = at or utcnow()
    if connection.platform == "whatsapp":
        return whatsapp.message_webhook(
            waba_id=connection.waba_id,
            phone_number_id=connection.account_id,
            customer_phone=customer,
            customer_name=name,
            text_body=text,
            wamid=mid or "wamid." + secrets.token_hex(12),
            sent_at=sent_at,
        )
    return instagram.message_webhook(
        account_id=connection.account_id,
        customer_id=customer,
        text_body=text,
        mid=mid or new_mid(),
        sent_at=sent_at,
    )


def instagram_echo(
    connection: SeededConnection, customer: str, text: str, mid: str
) -> dict[str, Any]:
    """Instagram's echo of a message the business account sent to `customer`."""
    millis = int(time.time() * 1000)
    return {
        "object": "instagram",
        "entry": [
            {
                "id": connection.account_id,
                "time": millis,
                "messaging": [
                    {
                        "sender": {"id": connection.account_id},
                        "recipient": {"id": customer},
                        "timestamp": millis,
                        "message": {"mid": mid, "text": text, "is_echo": True},
                    }
                ],
            }
        ],
    }


def whatsapp_status(
    connection: SeededConnection,
    wamid: str,
    status: str,
    customer: str,
    *,
    error_code: int | None = None,
) -> dict[str, Any]:
    """A WhatsApp status webhook for a message the business sent."""
    entry: dict[str, Any] = {
        "id": wamid,
        "status": status,
        "recipient_id": customer,
        "timestamp": str(int(time.time())),
    }
    if error_code is not None:
        entry["errors"] = [{"code": error_code, "title": "Re-engagement message"}]
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550100", "phone_number_id": connection.account_id},
        "statuses": [entry],
    }
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": connection.waba_id, "changes": [{"field": "messages", "value": value}]}],
    }


async def post_webhook(
    client: httpx.AsyncClient,
    connection: SeededConnection,
    payload: dict[str, Any] | bytes,
    *,
    secret: str | None = None,
    sign: bool = True,
) -> httpx.Response:
    """POST a delivery signed as Meta would (with `secret`, default the connection's)."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {"Content-Type": "application/json"}
    if sign:
        headers[signature.HEADER] = signature.sign(body, secret or connection.app_secret)
    return await client.post(connection.webhook_path(), content=body, headers=headers)


def rows(pg: psycopg.Connection, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """All rows of a query."""
    return pg.execute(sql, params).fetchall()


def one(pg: psycopg.Connection, sql: str, *params: Any) -> Any:
    """The single value of a query that returns one row and one column."""
    found = pg.execute(sql, params).fetchone()
    assert found is not None, sql
    return found[0]


async def eventually(
    check: Callable[[], Any], *, within: float = 20.0, interval: float = 0.1
) -> Any:
    """Poll `check` (sync or async) until it returns something truthy, and return that;
    fail after `within` seconds."""
    deadline = time.monotonic() + within
    while True:
        value = check()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {within}s")
        await asyncio.sleep(interval)
