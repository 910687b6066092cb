"""Responder cases: customer messages through the webhook ingestion and the worker's job.

A turn is what production does with one customer message, minus the network: the message
is recorded as a verified webhook delivery would record it (`store.conversations.ingest`,
committed), then the responder decides as `workers/jobs/inbound.py` does (conversation
locked, `respond_to_conversation`, committed). Nothing is delivered: the reply is read
from the outbox rows the decision queued, and the intent and confidence from its
`ai_responses_log` row. Consecutive turns of a case are one conversation.
"""

from __future__ import annotations

import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from agents.responder import ResponderOutcome, respond_to_conversation
from core.inbound import ContentType, InboundMessage, ParsedWebhook
from evals.checks import check_responder, checked_turn
from evals.format import ResponderCase
from evals.results import CaseResult
from evals.runtime import EvalRuntime
from evals.seed import SeededBusiness
from store.conversations.batches import lock_conversation
from store.conversations.ingest import WebhookSource, record_webhook
from store.conversations.outbox import MESSAGE_KINDS, payload_text
from store.db import session_scope
from store.tables.base import utcnow
from store.tables.conversations import AiResponseLog
from store.tables.ops import OutboxMessage

_ACTIONS = {
    "responded": "respond",
    "escalated": "escalate",
    "stored_only": "stored_only",
    "nothing_waiting": "none",
}


@dataclass(frozen=True)
class Decision:
    """What the responder did with a burst: the action, the text sent, its reading."""

    action: str
    reply: str
    intent: str | None
    confidence: float | None
    log_id: uuid.UUID | None


def customer_id_for(platform: str) -> str:
    """A new customer on the platform (a phone number on WhatsApp)."""
    if platform == "whatsapp":
        return str(10**11 + secrets.randbelow(10**11))
    return f"evals-customer-{secrets.token_hex(8)}"


async def ingest_customer_message(
    session: AsyncSession,
    source: WebhookSource,
    customer_id: str,
    text: str | None,
    *,
    content_type: ContentType = "text",
) -> uuid.UUID:
    """Record the message as its webhook would be; the conversation's id (flushes only)."""
    message = InboundMessage(
        platform_message_id=f"evals-{uuid.uuid4().hex}",
        customer_id=customer_id,
        account_id=str(source.connection_id),
        sent_at=utcnow(),
        content_type=content_type,
        text=text,
        raw={"source": "chidi-evals"},
    )
    payload: dict[str, Any] = {"object": "chidi-evals", "customer": customer_id, "text": text}
    ingested = await record_webhook(
        session, source, payload=payload, headers={}, parsed=ParsedWebhook(events=[message])
    )
    if not ingested.awaiting:
        raise RuntimeError("the customer message was not stored for the responder")
    return ingested.awaiting[0].conversation_id


async def sent_text(session: AsyncSession, outbox_ids: tuple[uuid.UUID, ...]) -> str:
    """The text of the customer messages a decision queued, in order (emails excluded)."""
    if not outbox_ids:
        return ""
    rows = await session.exec(
        select(OutboxMessage)
        .where(
            col(OutboxMessage.id).in_(outbox_ids),
            col(OutboxMessage.kind).in_([kind.value for kind in MESSAGE_KINDS]),
        )
        .order_by(col(OutboxMessage.created_at))
    )
    return "\n".join(payload_text(row) for row in rows.all())


async def decision_of(session: AsyncSession, outcome: ResponderOutcome) -> Decision:
    """The decision as the outbox and the responses log recorded it."""
    log = await session.get(AiResponseLog, outcome.log_id) if outcome.log_id else None
    return Decision(
        action=_ACTIONS.get(outcome.action, outcome.action),
        reply=await sent_text(session, outcome.outbox_ids),
        intent=log.detected_intent if log else None,
        confidence=log.confidence_score if log else None,
        log_id=outcome.log_id,
    )


async def decide(
    session: AsyncSession, runtime: EvalRuntime, conversation_id: uuid.UUID
) -> Decision:
    """Run the responder on the conversation's waiting messages, as the job does, with the
    run's long-lived services (the caller commits, or rolls back to send nothing at all)."""
    conversation = await lock_conversation(session, conversation_id)
    if conversation is None:
        raise RuntimeError(f"conversation {conversation_id} is gone")
    outcome = await respond_to_conversation(
        session, runtime.settings, conversation.id, runtime.responder
    )
    return await decision_of(session, outcome)


async def customer_turn(
    runtime: EvalRuntime, source: WebhookSource, customer_id: str, text: str
) -> Decision:
    """One message: the webhook's transaction, then the job's."""
    async with session_scope(runtime.sessionmaker) as session:
        conversation_id = await ingest_customer_message(session, source, customer_id, text)
    async with session_scope(runtime.sessionmaker) as session:
        return await decide(session, runtime, conversation_id)


async def run_responder_case(
    runtime: EvalRuntime, seeded: SeededBusiness, case: ResponderCase, *, suite: str
) -> CaseResult:
    """Every turn of the case in one conversation, each checked as it comes back."""
    result = CaseResult(suite=suite, kind="responder", case_id=case.id)
    source = WebhookSource(seeded.connections[case.channel], seeded.business_id, case.channel)
    customer = customer_id_for(case.channel)
    for turn in case.turns:
        started = time.perf_counter()
        decision = await customer_turn(runtime, source, customer, turn.customer)
        elapsed = (time.perf_counter() - started) * 1000
        verdict = check_responder(
            turn.expect, reply=decision.reply, action=decision.action, intent=decision.intent
        )
        result.turns.append(
            checked_turn(
                turn.customer,
                decision.reply,
                elapsed,
                turn.expect,
                verdict,
                intent=decision.intent,
                action=decision.action,
                confidence=decision.confidence,
            )
        )
    return result
