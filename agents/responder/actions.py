"""What a decision does to the conversation, in the caller's transaction (flushes only).

- `send_reply`: queue the reply (sender AI_BOT, idempotency key from the incoming message),
  keep the conversation with the bot;
- `escalate`: queue the holding message, mark the conversation `escalated_human_needed`,
  notify the owner in the app and by email;
- `tell_owner_of_new_messages`: a person handles the conversation; only tell them.

The decision's `ai_responses_log` row is written once, complete, by the graph's last
step: the outgoing message points at it already (a foreign key checked at commit), and
the action links the row back to the message before it is written.
"""

from __future__ import annotations

import uuid
from typing import Final

from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel.ext.asyncio.session import AsyncSession

from agents.responder.outcome import ResponderOutcome
from core.settings import Settings
from store.conversations.notify import OwnerNotice, notify_owner
from store.conversations.outbox import QueuedMessage, queue_message
from store.conversations.status import change_status
from store.tables.base import utcnow
from store.tables.conversations import AiResponseLog, Conversation, Message
from store.tables.enums import ConversationSenderType, ConversationStatus, StatusActor

HOLDING_MESSAGE: Final = (
    "Thanks for your message! I've passed it to the team and someone will reply here shortly."
)
SORRY_HOLDING_MESSAGE: Final = (
    "I'm sorry to hear that. I've passed your message to the team and someone will reply "
    "here shortly."
)
# A person is on these conversations: the bot records new messages and stays quiet.
HANDLED_BY_PEOPLE: Final = frozenset(
    {ConversationStatus.ACTIVE_HUMAN, ConversationStatus.ESCALATED_HUMAN_NEEDED}
)


async def _queue(
    session: AsyncSession,
    conversation: Conversation,
    text: str,
    *,
    key: str,
    log_row: AiResponseLog,
) -> QueuedMessage:
    """Queue `text` to the customer, pointing at the decision's log row (not written
    yet), and keep the decision's confidence on the conversation in the same statement."""
    confidence = log_row.confidence_score
    queued = await queue_message(
        session,
        conversation,
        text,
        sender=ConversationSenderType.AI_BOT,
        idempotency_key=key,
        now=utcnow(),
        ai_log_id=log_row.id,
        ai_confidence=confidence,
    )
    # What the statement stored, without making the object dirty (no second UPDATE).
    set_committed_value(conversation, "ai_confidence_score_last", confidence)
    return queued


def _link(log_row: AiResponseLog, queued: QueuedMessage) -> None:
    log_row.generated_message_id = queued.message_id


async def send_reply(
    session: AsyncSession,
    conversation: Conversation,
    waiting: list[Message],
    text: str,
    *,
    log_row: AiResponseLog,
) -> ResponderOutcome:
    """Queue the bot's reply to the waiting messages; the bot keeps the conversation."""
    queued = await _queue(
        session, conversation, text, key=f"reply:{waiting[-1].id}", log_row=log_row
    )
    # The job holds the conversation's row lock since it read it: its status is current.
    if conversation.status is not ConversationStatus.ACTIVE_AI:
        await change_status(
            session,
            business_id=conversation.business_id,
            conversation_id=conversation.id,
            to=ConversationStatus.ACTIVE_AI,
            actor=StatusActor.AI,
            reason="CHIDI answered.",
        )
    _link(log_row, queued)
    return ResponderOutcome("responded", outbox_ids=(queued.outbox_id,), log_id=log_row.id)


async def escalate(
    session: AsyncSession,
    settings: Settings,
    conversation: Conversation,
    waiting: list[Message],
    *,
    reason: str,
    log_row: AiResponseLog,
    holding: str = HOLDING_MESSAGE,
) -> ResponderOutcome:
    """Hand the conversation to a person: the holding message, status, notification and
    owner email, all in the caller's transaction (so the holding message is never sent
    for an escalation that was not recorded)."""
    queued = await _queue(
        session, conversation, holding, key=f"holding:{waiting[-1].id}", log_row=log_row
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
            body=f'{who} wrote: "{quote(waiting)}". {reason}',
            conversation_id=conversation.id,
            email_key=f"escalation:{log_row.id}",
            link=f"{settings.public_url.rstrip('/')}/conversations/{conversation.id}",
        ),
    )
    _link(log_row, queued)
    return ResponderOutcome("escalated", outbox_ids=(queued.outbox_id,), log_id=log_row.id)


async def tell_owner_of_new_messages(
    session: AsyncSession, conversation: Conversation, waiting: list[Message]
) -> uuid.UUID:
    """An in-app notification of messages on a conversation a person handles."""
    who = conversation.customer_name or "A customer"
    return await notify_owner(
        session,
        conversation.business_id,
        OwnerNotice(
            kind="new_message",
            title=f"New message from {who}",
            body=f'"{quote(waiting)}"',
            conversation_id=conversation.id,
        ),
    )


def message_text(message: Message) -> str:
    """A message as one line: its text, or its content type in brackets."""
    return message.text_content or f"[{message.content_type}]"


def quote(waiting: list[Message]) -> str:
    """The waiting messages as one quotation of at most 300 characters."""
    joined = " / ".join(message_text(m) for m in waiting)
    return joined if len(joined) <= 300 else joined[:297] + "..."
