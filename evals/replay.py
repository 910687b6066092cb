"""Replay: a stored conversation's customer messages through today's responder, side by
side with what was decided at the time.

The customer's messages are grouped as they were answered (the messages one decision
took up share its `handled_at`), so a burst is replayed as a burst. Each group is
ingested into a scratch conversation on the same connection, and the responder decides as
the worker would. Everything happens in one transaction that is rolled back at the end:
no message, log row, notification, email or outbox row survives, and nothing is sent.
The scratch conversation is put back to `active_ai` before each group, so every turn gets
a fresh decision even after an escalation (the original may have been answered by a
person in between); its history holds the replayed customer messages and the new replies.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.errors import BadRequest, NotFound
from core.settings import Settings
from evals.runners.responder import Decision, decide, ingest_customer_message
from evals.runtime import BrainChoice, EvalRuntime, open_runtime
from store.conversations import connections
from store.conversations.ingest import WebhookSource
from store.conversations.status import change_status
from store.tables.conversations import AiResponseLog, Conversation, Message
from store.tables.enums import (
    AiActionTaken,
    ConversationSenderType,
    ConversationStatus,
    StatusActor,
)

_OLD_ACTIONS = {
    AiActionTaken.RESPONDED_AUTO: "respond",
    AiActionTaken.ESCALATED: "escalate",
    AiActionTaken.HOLDING_MESSAGE_SENT: "escalate",
    AiActionTaken.ERROR_OCCURRED: "error",
}


@dataclass(frozen=True)
class OldDecision:
    """A decision as `ai_responses_log` recorded it."""

    action: str
    reply: str
    intent: str | None
    confidence: float | None


@dataclass(frozen=True)
class ReplayTurn:
    """One group of customer messages, the decision then and the decision now."""

    messages: list[str]
    old: OldDecision | None
    new: Decision


def message_text(message: Message) -> str:
    """What the customer sent, as text (media as its kind)."""
    return message.text_content or f"[{message.content_type}]"


def bursts(messages: Sequence[Message]) -> list[list[Message]]:
    """Customer messages grouped by the decision that took them up, in order (messages
    never taken up form the last group)."""
    ordered = sorted(messages, key=lambda m: (m.handled_at is None, m.handled_at or m.created_at))
    return [list(group) for _, group in groupby(ordered, key=lambda m: m.handled_at)]


def old_decision(log: AiResponseLog | None) -> OldDecision | None:
    """The logged decision in replay terms."""
    if log is None:
        return None
    action = _OLD_ACTIONS.get(log.action_taken, "none") if log.action_taken else "none"
    return OldDecision(
        action, log.parsed_response_text or "", log.detected_intent, log.confidence_score
    )


async def _stored(
    session: AsyncSession, conversation: Conversation
) -> tuple[list[Message], dict[uuid.UUID, AiResponseLog]]:
    found = await session.exec(
        select(Message)
        .where(
            Message.conversation_id == conversation.id,
            Message.business_id == conversation.business_id,
            Message.sender_type == ConversationSenderType.CUSTOMER,
        )
        .order_by(col(Message.platform_timestamp), col(Message.created_at))
    )
    logs = await session.exec(
        select(AiResponseLog).where(
            AiResponseLog.conversation_id == conversation.id,
            AiResponseLog.business_id == conversation.business_id,
        )
    )
    by_message = {log.incoming_message_id: log for log in logs.all() if log.incoming_message_id}
    return list(found.all()), by_message


async def _source_of(session: AsyncSession, conversation: Conversation) -> WebhookSource:
    connection = await connections.get_active(
        session, conversation.business_id, conversation.social_connection_id
    )
    if connection is None:
        raise BadRequest("The conversation's account is disconnected; reconnect it to replay.")
    return WebhookSource(connection.id, connection.business_id, connection.platform.value)


async def replay_in(
    session: AsyncSession, runtime: EvalRuntime, conversation_id: uuid.UUID
) -> list[ReplayTurn]:
    """Replay inside the caller's transaction (which the caller must roll back)."""
    conversation = await session.get(Conversation, conversation_id)
    if conversation is None:
        raise NotFound(f"No conversation {conversation_id}.")
    source = await _source_of(session, conversation)
    messages, logs = await _stored(session, conversation)
    customer = f"replay-{uuid.uuid4().hex[:12]}"
    turns: list[ReplayTurn] = []
    scratch: uuid.UUID | None = None
    for group in bursts(messages):
        for message in group:
            scratch = await ingest_customer_message(
                session,
                source,
                customer,
                message.text_content,
                content_type=message.content_type.value,
            )
        assert scratch is not None  # groups are never empty
        await change_status(
            session,
            business_id=conversation.business_id,
            conversation_id=scratch,
            to=ConversationStatus.ACTIVE_AI,
            actor=StatusActor.AI,
            reason="Replay: every turn gets a fresh decision.",
        )
        old = next((logs[m.id] for m in reversed(group) if m.id in logs), None)
        new = await decide(session, runtime, scratch)
        turns.append(ReplayTurn([message_text(m) for m in group], old_decision(old), new))
    return turns


async def replay_conversation(
    settings: Settings, conversation_id: uuid.UUID, *, brain: BrainChoice
) -> list[ReplayTurn]:
    """Replay the conversation in a transaction that is rolled back afterwards."""
    async with open_runtime(settings, brain) as runtime, runtime.engine.connect() as connection:
        transaction = await connection.begin()
        session = AsyncSession(bind=connection, expire_on_commit=False)
        try:
            return await replay_in(session, runtime, conversation_id)
        finally:
            await session.close()
            await transaction.rollback()


def _decision_lines(
    label: str, action: str, intent: str | None, confidence: float | None, reply: str
) -> list[str]:
    score = f"{confidence:.2f}" if confidence is not None else "-"
    return [
        f"  {label}: {action:<11} intent={intent or '-'} confidence={score}",
        f"       {' '.join(reply.split()) or '(nothing sent)'}",
    ]


def verdict(turn: ReplayTurn) -> str:
    """How the new decision compares with the old one."""
    if turn.old is None or turn.old.action != turn.new.action:
        return "decision changed"
    if " ".join(turn.old.reply.split()) != " ".join(turn.new.reply.split()):
        return "same action, reply worded differently"
    return "same decision"


def render_replay(turns: Sequence[ReplayTurn]) -> str:
    """Turn by turn: the customer's messages, the old decision, the new one."""
    if not turns:
        return "The conversation has no customer messages."
    lines: list[str] = []
    for number, turn in enumerate(turns, start=1):
        lines.append(f"Turn {number}")
        lines.extend(f"  customer: {text}" for text in turn.messages)
        if turn.old is None:
            lines.append("  old: (no logged decision: stored only, or not yet answered)")
        else:
            old = turn.old
            lines.extend(_decision_lines("old", old.action, old.intent, old.confidence, old.reply))
        new = turn.new
        lines.extend(_decision_lines("new", new.action, new.intent, new.confidence, new.reply))
        lines.append(f"  => {verdict(turn)}")
        lines.append("")
    return "\n".join(lines).rstrip()
