"""Live inbox events for the owner's dashboards: `GET /api/v1/events` (SSE).

One stream per open dashboard, scoped to the caller's business: events of any other
business never reach it. Authenticated by `Authorization: Bearer` (fetch-based clients,
tests) or by a single-use `?ticket=` from `POST /api/v1/events/ticket` (a browser's
EventSource cannot send headers). Resume with the `Last-Event-ID` header (sent by the
browser on its own reconnects) or `?last_event_id=` (a dashboard reconnecting itself).
The event protocol is in `api.live.stream`; the client side in docs/inbox.md.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, BackgroundTasks, Header, Query, Request, status
from pydantic import BaseModel
from sse_starlette import EventSourceResponse

from api.deps import (
    AppStateDep,
    CurrentBusiness,
    CurrentUser,
    SessionDep,
    SettingsDep,
    get_current_business,
    get_current_user,
)
from api.live.runtime import LiveDep
from api.live.stream import owner_events
from api.live.tickets import Ticket, issue_ticket, redeem_ticket
from core.errors import ServiceUnavailable

router = APIRouter(prefix="/api/v1/events", tags=["live events"])

# The stream's sends: a client that reads nothing for this long is dropped (it resumes).
SEND_TIMEOUT_SECONDS = 30.0
_EVENT_ID = Annotated[str | None, Query(max_length=64)]
_SSE_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Server-sent events: new_message, new_conversation, "
        "conversation_updated, notification, ready, resync, error (docs/inbox.md).",
        "content": {"text/event-stream": {}},
    }
}


class TicketOut(BaseModel):
    """A single-use ticket to open the event stream from a browser."""

    ticket: str
    expires_in_seconds: int
    stream_url: str


@router.post("/ticket", status_code=status.HTTP_201_CREATED)
async def create_ticket(
    user: CurrentUser, business: CurrentBusiness, settings: SettingsDep
) -> TicketOut:
    """A ticket for `GET /api/v1/events?ticket=...`: valid once, for a short time."""
    ticket = issue_ticket(settings, Ticket(user.id, business.id))
    return TicketOut(
        ticket=ticket,
        expires_in_seconds=settings.live_ticket_ttl_seconds,
        stream_url=f"{router.prefix}?{urlencode({'ticket': ticket})}",
    )


async def _streaming_business(
    request: Request,
    state: AppStateDep,
    settings: SettingsDep,
    session: SessionDep,
    background: BackgroundTasks,
    ticket: str | None,
) -> uuid.UUID:
    """The business whose events the caller may stream: from the ticket, else the bearer."""
    if ticket is not None:
        return (await redeem_ticket(settings, state.redis, ticket)).business_id
    user = await get_current_user(request, state, settings, session, background)
    return (await get_current_business(user, session)).id


@router.get("", response_class=EventSourceResponse, responses=_SSE_RESPONSE)
async def stream_events(
    request: Request,
    state: AppStateDep,
    settings: SettingsDep,
    session: SessionDep,
    background: BackgroundTasks,
    live: LiveDep,
    ticket: Annotated[str | None, Query(max_length=2000)] = None,
    last_event_id: _EVENT_ID = None,
    last_event_id_header: Annotated[
        str | None, Header(alias="Last-Event-ID", max_length=64)
    ] = None,
) -> EventSourceResponse:
    """The caller's business's live events, resumed after the last event id given."""
    business_id = await _streaming_business(request, state, settings, session, background, ticket)
    if not await live.hub.wait_listening(2.0):
        raise ServiceUnavailable("Live updates are unavailable right now; retry shortly.")
    return EventSourceResponse(
        owner_events(live.hub, live.history, business_id, last_event_id_header or last_event_id),
        ping=settings.live_heartbeat_seconds,
        send_timeout=SEND_TIMEOUT_SECONDS,
    )
