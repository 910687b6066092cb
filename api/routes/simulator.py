"""The customer simulator: be a customer of your own business, with no Meta account.

`POST /api/v1/simulator/{connection_id}/messages` builds the webhook Instagram or WhatsApp
would send for a customer's message, signs it with the connection's app secret and POSTs
it to CHIDI's own webhook URL over HTTP — so the simulated message takes exactly the path
a real one takes. `GET .../outbox` lists what CHIDI sent back. Available outside
production, and in production only for connections created as simulated.
"""

from __future__ import annotations

import json
import secrets
import uuid
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Query, status

from api.deps import AppStateDep, CurrentBusiness, SessionDep
from api.schemas.connections import (
    SimulatedDelivery,
    SimulatedMessage,
    SimulatedSend,
    webhook_url,
)
from channels import instagram, signature, whatsapp
from core.errors import AppError, Forbidden, NotFound
from core.settings import Settings
from store.conversations import connections, outbox
from store.tables.base import utcnow
from store.tables.enums import SocialPlatform
from store.tables.social import SocialConnection

router = APIRouter(prefix="/api/v1/simulator", tags=["customer simulator"])


class SimulatorWebhookRefused(AppError):
    """CHIDI's own webhook endpoint did not accept the simulated delivery."""

    status_code = 502
    code = "simulator_webhook_refused"


async def _simulated(
    session: SessionDep, business_id: uuid.UUID, connection_id: uuid.UUID, settings: Settings
) -> SocialConnection:
    connection = await connections.get_active(session, business_id, connection_id)
    if connection is None:
        raise NotFound("No such connection.")
    if settings.environment == "production" and not connections.is_simulated(connection):
        raise Forbidden(
            "The simulator only drives simulated connections in production.",
            code="simulator_unavailable",
        )
    return connection


def _webhook(connection: SocialConnection, message: SimulatedMessage) -> tuple[str, dict[str, Any]]:
    """(platform message id, the delivery the platform would send)."""
    now = utcnow()
    if connection.platform is SocialPlatform.WHATSAPP:
        wamid = "wamid.SIM" + secrets.token_hex(16).upper()
        phone = connection.whatsapp_phone_number_id or connection.platform_account_id
        return wamid, whatsapp.message_webhook(
            waba_id=connection.whatsapp_waba_id or phone,
            phone_number_id=phone,
            customer_phone=message.customer_id,
            customer_name=message.customer_name,
            text_body=message.text,
            wamid=wamid,
            sent_at=now,
        )
    mid = "m_sim_" + secrets.token_urlsafe(24)
    return mid, instagram.message_webhook(
        account_id=connection.platform_account_id,
        customer_id=message.customer_id,
        text_body=message.text,
        mid=mid,
        sent_at=now,
    )


@router.post(
    "/{connection_id}/messages",
    response_model=SimulatedDelivery,
    status_code=status.HTTP_202_ACCEPTED,
)
async def simulate_customer_message(
    connection_id: uuid.UUID,
    message: SimulatedMessage,
    business: CurrentBusiness,
    session: SessionDep,
    state: AppStateDep,
) -> SimulatedDelivery:
    """Deliver a customer's message to CHIDI as a signed webhook; the reply comes later
    (see the outbox listing)."""
    settings = state.settings
    connection = await _simulated(session, business.id, connection_id, settings)
    app_secret = connections.secrets_of(
        connection, settings.encryption_key.get_secret_value()
    ).app_secret or (
        settings.meta_app_secret.get_secret_value() if settings.meta_app_secret else ""
    )
    platform_id, payload = _webhook(connection, message)
    body = json.dumps(payload).encode()
    async with httpx.AsyncClient(timeout=15) as http:
        response = await http.post(
            webhook_url(settings.public_url, connection),
            content=body,
            headers={
                "Content-Type": "application/json",
                signature.HEADER: signature.sign(body, app_secret),
            },
        )
    if response.status_code != 200:
        raise SimulatorWebhookRefused(
            f"The webhook answered {response.status_code}.",
            details={"status": response.status_code, "body": response.text[:500]},
        )
    return SimulatedDelivery(platform_message_id=platform_id, webhook_status=response.status_code)


@router.get("/{connection_id}/outbox", response_model=list[SimulatedSend])
async def simulated_outbox(
    connection_id: uuid.UUID,
    business: CurrentBusiness,
    session: SessionDep,
    state: AppStateDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[SimulatedSend]:
    """What CHIDI sent (or is sending) to this connection's customers, newest first."""
    connection = await _simulated(session, business.id, connection_id, state.settings)
    rows = await outbox.list_for_connection(session, business.id, connection.id, limit=limit)
    return [
        SimulatedSend(
            outbox_id=row.id,
            conversation_id=row.conversation_id,
            customer_id=row.recipient,
            text=outbox.payload_text(row),
            status=row.status,
            attempts=row.attempts,
            provider_message_ids=[str(i) for i in row.payload.get("provider_message_ids") or []],
            last_error=row.last_error,
            created_at=row.created_at,
            sent_at=row.sent_at,
        )
        for row in rows
    ]
