"""Stream tickets: how a browser's EventSource, which cannot send headers, authenticates.

The dashboard POSTs `/api/v1/events/ticket` with its bearer token and opens
`/api/v1/events?ticket=...`. A ticket is signed (any API process can check it), names the
owner's business, expires after `LIVE_TICKET_TTL_SECONDS` and works once (a nonce
claimed in Redis), so one that leaks into a log or a proxy is worthless. Because it works
once, the browser's automatic reconnect is refused and the dashboard reconnects itself
with a fresh ticket and the last event id it saw (docs/inbox.md).
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from redis.asyncio import Redis
from redis.exceptions import RedisError

from core.errors import ServiceUnavailable, Unauthorized
from core.settings import Settings

_SALT = "chidi.live-ticket.v1"


class TicketRefused(Unauthorized):
    """The ticket is malformed, forged, expired or already used."""

    code = "ticket_invalid"


@dataclass(frozen=True)
class Ticket:
    """Whose stream a redeemed ticket opens."""

    user_id: uuid.UUID
    business_id: uuid.UUID


def _signer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.jwt_secret.get_secret_value(), salt=_SALT)


def issue_ticket(settings: Settings, ticket: Ticket) -> str:
    """A signed, single-use ticket for `ticket`'s stream."""
    return _signer(settings).dumps(
        {"u": str(ticket.user_id), "b": str(ticket.business_id), "n": secrets.token_urlsafe(16)}
    )


async def redeem_ticket(settings: Settings, redis: Redis, signed: str) -> Ticket:
    """The stream a ticket opens; `TicketRefused` unless it is genuine, fresh and unused."""
    ttl = settings.live_ticket_ttl_seconds
    try:
        data = _signer(settings).loads(signed, max_age=ttl)
        ticket = Ticket(uuid.UUID(data["u"]), uuid.UUID(data["b"]))
        nonce = str(data["n"])
    except SignatureExpired:
        raise TicketRefused(
            "The stream ticket has expired; ask for a new one.", code="ticket_expired"
        ) from None
    except (BadSignature, KeyError, TypeError, ValueError):
        raise TicketRefused("The stream ticket is not valid.") from None
    try:
        first_use = await redis.set(f"chidi:live:ticket:{nonce}", b"1", nx=True, ex=ttl + 5)
    except (RedisError, OSError) as exc:
        raise ServiceUnavailable("Live updates are unavailable right now; retry shortly.") from exc
    if not first_use:
        raise TicketRefused(
            "The stream ticket was already used; ask for a new one.", code="ticket_used"
        )
    return ticket
