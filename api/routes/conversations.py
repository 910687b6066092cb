"""The inbox API (PRD §6.4.6): conversations, their messages, and the owner's actions.

Every handler acts on the caller's business only; another business's conversation is
answered exactly like an unknown one, 404. Handlers translate between the wire and
`store.conversations.inbox` (reads) / `takeover` (writes); changes reach open dashboards
as live events once the request commits (GET /api/v1/events).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Header, Query
from sqlmodel.ext.asyncio.session import AsyncSession

from api.deps import AnalyticsDep, CurrentBusiness, CurrentUser, RedisDep, SessionDep
from api.schemas.conversations import (
    ConversationDetailOut,
    ConversationListOut,
    MessageListOut,
    MessageOut,
    NoteIn,
    ReplyIn,
    StatsOut,
    StatusIn,
    TagsIn,
)
from core.analytics import Event
from core.errors import NotFound, ValidationFailed
from store.conversations import inbox, takeover
from store.conversations.inbox import MAX_PAGE_SIZE, InboxQuery, SortField, SortOrder
from store.conversations.stats import inbox_stats
from store.tables.base import utcnow
from store.tables.conversations import Conversation
from store.tables.enums import ConversationStatus, SocialPlatform
from workers.enqueue import enqueue_delivery

router = APIRouter(prefix="/api/v1/conversations", tags=["conversations"])

Page = Annotated[int, Query(ge=1, le=100_000)]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)]
_GONE = "No such conversation."


async def _detail(
    session: AsyncSession, business_id: uuid.UUID, conversation_id: uuid.UUID
) -> ConversationDetailOut:
    row = await inbox.get_conversation(session, business_id, conversation_id)
    if row is None:
        raise NotFound(_GONE)
    return ConversationDetailOut.of(row)


async def _locked(
    session: AsyncSession, business_id: uuid.UUID, conversation_id: uuid.UUID
) -> Conversation:
    conversation = await takeover.lock_owned(session, business_id, conversation_id)
    if conversation is None:
        raise NotFound(_GONE)
    return conversation


@router.get("")
async def list_conversations(
    business: CurrentBusiness,
    session: SessionDep,
    page: Page = 1,
    limit: Limit = 20,
    status: Annotated[list[ConversationStatus] | None, Query()] = None,
    platform: SocialPlatform | None = None,
    tag: Annotated[str | None, Query(max_length=40)] = None,
    search_term: Annotated[str | None, Query(max_length=200)] = None,
    sort_by: SortField = "last_message_at",
    order: SortOrder = "desc",
) -> ConversationListOut:
    """A page of conversations, newest activity first unless told otherwise; `status` may
    be repeated; `search_term` matches words (by prefix) of the customer's name and id and
    of message text."""
    query = InboxQuery(
        page=page,
        limit=limit,
        statuses=tuple(status or ()),
        platform=platform,
        tag=(tag or "").strip() or None,
        search_term=(search_term or "").strip() or None,
        sort_by=sort_by,
        order=order,
    )
    listing = await inbox.list_conversations(session, business.id, query)
    return ConversationListOut.of(listing, page=page, limit=limit)


@router.get("/stats")
async def conversation_stats(
    business: CurrentBusiness,
    session: SessionDep,
    days: Annotated[int, Query(ge=1, le=365)] = 30,
) -> StatsOut:
    """Escalations over the last `days`: time to a person's first response and to
    resolution (median, 90th percentile), those still waiting; conversations by status."""
    stats = await inbox_stats(session, business.id, since=utcnow() - timedelta(days=days))
    return StatsOut.of(stats, window_days=days)


@router.get("/{conversation_id}")
async def get_conversation(
    conversation_id: uuid.UUID, business: CurrentBusiness, session: SessionDep
) -> ConversationDetailOut:
    """One conversation with its notes."""
    return await _detail(session, business.id, conversation_id)


@router.get("/{conversation_id}/messages")
async def list_messages(
    conversation_id: uuid.UUID,
    business: CurrentBusiness,
    session: SessionDep,
    before_message_id: uuid.UUID | None = None,
    after_message_id: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> MessageListOut:
    """Messages oldest first: the latest `limit`, or those just before `before_message_id`
    (scrolling back), or just after `after_message_id` (catching up)."""
    if before_message_id is not None and after_message_id is not None:
        raise ValidationFailed(
            "Send before_message_id or after_message_id, not both.",
            details=[{"field": "before_message_id", "message": "not with after_message_id"}],
        )
    if await inbox.get_conversation(session, business.id, conversation_id) is None:
        raise NotFound(_GONE)
    found = await inbox.list_messages(
        session,
        business.id,
        conversation_id,
        limit=limit,
        before=before_message_id,
        after=after_message_id,
    )
    return MessageListOut.of(found)


@router.post("/{conversation_id}/messages", status_code=201)
async def reply(
    conversation_id: uuid.UUID,
    body: ReplyIn,
    user: CurrentUser,
    business: CurrentBusiness,
    session: SessionDep,
    redis: RedisDep,
    analytics: AnalyticsDep,
    background: BackgroundTasks,
    idempotency_key: Annotated[
        str | None, Header(alias="Idempotency-Key", min_length=1, max_length=200)
    ] = None,
) -> MessageOut:
    """Send a reply as a person: the conversation becomes `active_human` and the bot stays
    quiet on it until handed back. Repeating a request with the same `Idempotency-Key`
    sends nothing twice."""
    conversation = await _locked(session, business.id, conversation_id)
    queued = await takeover.reply_by_hand(
        session,
        conversation,
        body.text_content,
        user_id=user.id,
        idempotency_key=idempotency_key or str(uuid.uuid4()),
        now=utcnow(),
    )
    # After the commit (background tasks run after the response): the worker delivers it.
    background.add_task(enqueue_delivery, redis, queued.outbox_id)
    if queued.created:
        background.add_task(
            analytics.track,
            Event.HUMAN_REPLIED,
            str(business.id),
            conversation_id=str(conversation_id),
        )
    message = (
        await inbox.get_message(session, business.id, queued.message_id)
        if queued.message_id
        else None
    )
    if message is None:  # the outbox row of a repeated key outlived its message
        raise NotFound("That reply no longer exists.")
    return MessageOut.of(message)


@router.put("/{conversation_id}/status")
async def update_status(
    conversation_id: uuid.UUID,
    body: StatusIn,
    user: CurrentUser,
    business: CurrentBusiness,
    session: SessionDep,
) -> ConversationDetailOut:
    """Resolve (`resolved_by_human`), archive, take over (`active_human`), hand back to
    the bot (`active_ai`), and/or assign (`assigned_to_user_id`, null to unassign)."""
    conversation = await _locked(session, business.id, conversation_id)
    if body.status is not None:
        await takeover.set_status(session, conversation, body.status, user_id=user.id)
    if "assigned_to_user_id" in body.model_fields_set:
        await takeover.assign(session, conversation, body.assigned_to_user_id)
    return await _detail(session, business.id, conversation_id)


@router.post("/{conversation_id}/read")
async def mark_read(
    conversation_id: uuid.UUID, business: CurrentBusiness, session: SessionDep
) -> ConversationDetailOut:
    """Mark the conversation read (`unread_count` 0): the inbox calls this when the owner
    opens it and when new customer messages arrive while it is open. Repeating it changes
    nothing; other open dashboards hear of it as `conversation_updated`."""
    conversation = await _locked(session, business.id, conversation_id)
    await takeover.mark_read(session, conversation)
    return await _detail(session, business.id, conversation_id)


@router.post("/{conversation_id}/notes")
async def add_note(
    conversation_id: uuid.UUID, body: NoteIn, business: CurrentBusiness, session: SessionDep
) -> ConversationDetailOut:
    """Add a note for the team (never sent to the customer) to the conversation's notes."""
    conversation = await _locked(session, business.id, conversation_id)
    await takeover.add_note(session, conversation, body.text, now=utcnow())
    return await _detail(session, business.id, conversation_id)


@router.put("/{conversation_id}/tags")
async def set_tags(
    conversation_id: uuid.UUID, body: TagsIn, business: CurrentBusiness, session: SessionDep
) -> ConversationDetailOut:
    """Replace the conversation's tags (trimmed; duplicates ignoring case dropped)."""
    conversation = await _locked(session, business.id, conversation_id)
    await takeover.set_tags(session, conversation, body.tags)
    return await _detail(session, business.id, conversation_id)
