"""The auto-responder's entry point: `respond_to_conversation`, called by the arq job.

The job (`workers/jobs/inbound.py`) calls it inside one transaction, with the conversation
row-locked, after the burst debounce; it commits afterwards and then hands the returned
outbox rows to the sender. Everything a decision writes — handled marks, status, log row,
notification, owner email, outgoing message — is therefore committed together or not at
all, and nothing is sent unless it was.

What runs here today is the policy that is always safe without an answering brain: take
up the waiting messages; if a person already handles the conversation (`active_human`,
`escalated_human_needed`) store only and notify; otherwise escalate with the holding
message. The responder graph of DESIGN.md (understand → retrieve → draft → verify →
decide → act → log) replaces the body of `respond_to_conversation`; its signature, the
`ResponderOutcome` it returns and the store helpers it uses stay.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Literal

from sqlmodel.ext.asyncio.session import AsyncSession

from core.settings import Settings
from store.conversations import connections
from store.conversations.batches import lock_conversation, mark_handled, waiting_messages
from store.conversations.notify import OwnerNotice, notify_owner
from store.conversations.outbox import queue_message
from store.conversations.status import change_status
from store.tables.base import utcnow
from store.tables.conversations import AiResponseLog, Conversation, Message
from store.tables.enums import (
    AiActionTaken,
    ConversationSenderType,
    ConversationStatus,
    StatusActor,
)

HOLDING_MESSAGE = (
    "Thanks for your message! I've passed it to the team and someone will reply here shortly."
)
# A person is on these conversations: the bot records new messages and stays quiet.
HANDLED_BY_PEOPLE = frozenset(
    {ConversationStatus.ACTIVE_HUMAN, ConversationStatus.ESCALATED_HUMAN_NEEDED}
)


@dataclass(frozen=True)
class ResponderOutcome:
    """What one decision did, and the outbox rows to deliver once it is committed."""

    action: Literal["nothing_waiting", "stored_only", "escalated", "responded"]
    outbox_ids: tuple[uuid.UUID, ...] = ()
    log_id: uuid.UUID | None = None


async def respond_to_conversation(
    session: AsyncSession, settings: Settings, conversation_id: uuid.UUID
) -> ResponderOutcome:
    """Take up the conversation's waiting customer messages in one decision (flushes only)."""
    started = time.perf_counter()
    conversation = await lock_conversation(session, conversation_id)
    if conversation is None:
        return ResponderOutcome("nothing_waiting")
    waiting = await waiting_messages(session, conversation)
    if not waiting:
        return ResponderOutcome("nothing_waiting")
    await mark_handled(session, conversation, waiting, utcnow())
    if conversation.status in HANDLED_BY_PEOPLE:
        await _tell_owner_of_new_messages(session, conversation, waiting)
        return ResponderOutcome("stored_only")
    return await escalate(
        session,
        settings,
        conversation,
        waiting,
        reason="No answering brain is installed yet, so a person replies.",
        trace="gate: conversation active_ai -> decide: escalate "
        "(interim policy: every conversation goes to a person)",
        started=started,
    )


async def escalate(
    session: AsyncSession,
    settings: Settings,
    conversation: Conversation,
    waiting: list[Message],
    *,
    reason: str,
    trace: str,
    started: float,
) -> ResponderOutcome:
    """Hand the conversation to a person: status, log row, notification, owner email and the
    holding message, all in the caller's transaction."""
    connection = await connections.by_id(session, conversation.social_connection_id)
    assert connection is not None  # the conversation's foreign key guarantees it
    incoming = waiting[-1]
    log_row = AiResponseLog(
        conversation_id=conversation.id,
        business_id=conversation.business_id,
        incoming_message_id=incoming.id,
        prompt_template_used=None,
        final_prompt_sent_to_llm=_trace(trace, waiting),
        parsed_response_text=HOLDING_MESSAGE,
        action_taken=AiActionTaken.ESCALATED,
        error_details=None,
    )
    session.add(log_row)
    await session.flush()
    queued = await queue_message(
        session,
        conversation,
        HOLDING_MESSAGE,
        sender=ConversationSenderType.AI_BOT,
        idempotency_key=f"holding:{incoming.id}",
        platform=connection.platform,
        now=utcnow(),
        ai_log_id=log_row.id,
    )
    await change_status(
        session,
        business_id=conversation.business_id,
        conversation_id=conversation.id,
        to=ConversationStatus.ESCALATED_HUMAN_NEEDED,
        actor=StatusActor.AI,
        reason=reason,
    )
    who = conversation.customer_name or "A customer"
    await notify_owner(
        session,
        conversation.business_id,
        OwnerNotice(
            kind="escalation",
            title=f"{who} needs a reply",
            body=f'{who} wrote: "{_quote(waiting)}". {reason}',
            conversation_id=conversation.id,
            email_key=f"escalation:{log_row.id}",
            link=f"{settings.public_url.rstrip('/')}/conversations/{conversation.id}",
        ),
    )
    log_row.generated_message_id = queued.message_id
    log_row.processing_time_ms = int((time.perf_counter() - started) * 1000)
    session.add(log_row)
    await session.flush()
    return ResponderOutcome("escalated", outbox_ids=(queued.outbox_id,), log_id=log_row.id)


async def _tell_owner_of_new_messages(
    session: AsyncSession, conversation: Conversation, waiting: list[Message]
) -> None:
    who = conversation.customer_name or "A customer"
    await notify_owner(
        session,
        conversation.business_id,
        OwnerNotice(
            kind="new_message",
            title=f"New message from {who}",
            body=f'"{_quote(waiting)}"',
            conversation_id=conversation.id,
        ),
    )


def _quote(waiting: list[Message]) -> str:
    joined = " / ".join(m.text_content or f"[{m.content_type}]" for m in waiting)
    return joined if len(joined) <= 300 else joined[:297] + "..."


def _trace(decision: str, waiting: list[Message]) -> str:
    lines = [f"customer: {m.text_content or '[' + m.content_type + ']'}" for m in waiting]
    return "\n".join([*lines, decision])
