"""The responder job: take up a conversation's waiting customer messages, then deliver.

Thin on purpose: it locks the conversation, steps aside if a newer message's job will
answer the burst, and otherwise calls `agents.responder.respond_to_conversation` in the
same transaction. Only after that commits does it deliver the outbox rows (itself, with
the same exactly-once claim a `deliver_outbox` job uses).
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from typing import Any

from agents.responder import respond_to_conversation
from core.analytics import track_decision
from store.conversations.batches import Waiting, conversations_waiting, superseded, take_up
from store.tables.base import utcnow
from workers.enqueue import enqueue_reply
from workers.jobs.outbound import deliver_now
from workers.runtime import job_session, worker_context

log = logging.getLogger("chidi.jobs.inbound")


async def process_inbound_message(
    ctx: dict[str, Any], conversation_id: str, trigger_message_id: str | None = None
) -> str:
    """Answer (or escalate, or just record) the conversation's waiting messages once."""
    worker = worker_context(ctx)
    settings = worker["settings"]
    trigger = uuid.UUID(trigger_message_id) if trigger_message_id else None
    async with job_session(ctx) as session:
        batch = await take_up(session, uuid.UUID(conversation_id))
        if batch is None:
            return "gone"
        conversation = batch.conversation
        if superseded(
            [Waiting(m.id, m.created_at) for m in batch.waiting],
            trigger,
            utcnow(),
            max_wait=timedelta(seconds=settings.responder_max_wait_seconds),
        ):
            return "superseded"
        outcome = await respond_to_conversation(
            session, settings, conversation.id, worker["responder_services"], batch=batch
        )
    track_decision(
        worker["analytics"],
        business_id=str(conversation.business_id),
        conversation_id=conversation_id,
        action=outcome.action,
    )
    await deliver_now(ctx, outcome.outbox_ids)
    log.info(
        "conversation handled", extra={"conversation_id": conversation_id, "action": outcome.action}
    )
    return outcome.action


async def sweep_waiting_messages(ctx: dict[str, Any]) -> int:
    """Re-enqueue conversations whose waiting messages nobody took up (a lost job)."""
    settings = worker_context(ctx)["settings"]
    grace = settings.responder_debounce_seconds + settings.responder_max_wait_seconds + 30
    now = utcnow()
    async with job_session(ctx) as session:
        stale = await conversations_waiting(
            session, older_than=now - timedelta(seconds=grace), limit=500
        )
    for conversation_id in stale:
        await enqueue_reply(
            ctx["redis"],
            conversation_id,
            job_id=f"respond:{conversation_id}:sweep:{int(now.timestamp())}",
        )
    if stale:
        log.warning("re-enqueued waiting conversations", extra={"count": len(stale)})
    return len(stale)
