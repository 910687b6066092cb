"""The auto-responder's entry point: `respond_to_conversation`, called by the arq job.

The job (`workers/jobs/inbound.py`) calls it inside one transaction, with the conversation
row-locked, after the burst debounce; it commits afterwards and then hands the returned
outbox rows to the sender. Everything a decision writes — handled marks, status, log row,
notification, owner email, outgoing message — is therefore committed together or not at
all, and nothing is sent unless it was. Nothing here commits: every step flushes.

The decision is the responder graph (`agents.responder.graph`, DESIGN.md): load the
waiting messages, conversation, business and catalog; stop if a person handles the
conversation; understand; look up facts with the tools; draft a reply from those facts
only; verify every price, stock figure, SKU and policy in it; decide by the business's
confidence threshold; send or escalate; log one `ai_responses_log` row.
"""

from __future__ import annotations

import time
import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from agents.responder.actions import HANDLED_BY_PEOPLE, HOLDING_MESSAGE, escalate
from agents.responder.context import ResponderContext, ResponderServices
from agents.responder.graph import compile_responder_graph
from agents.responder.outcome import ResponderOutcome
from agents.responder.state import ResponderInput
from core.settings import Settings
from store.conversations.batches import Batch
from store.tables.conversations import Conversation
from tools.context import shared_session

__all__ = [
    "HANDLED_BY_PEOPLE",
    "HOLDING_MESSAGE",
    "ResponderOutcome",
    "ResponderServices",
    "escalate",
    "respond_to_conversation",
]

_GRAPH = compile_responder_graph()


async def respond_to_conversation(
    session: AsyncSession,
    settings: Settings,
    conversation_id: uuid.UUID,
    services: ResponderServices | None = None,
    *,
    batch: Batch | None = None,
) -> ResponderOutcome:
    """Take up the conversation's waiting customer messages in one decision (flushes only).

    `services` are the worker's long-lived embedding model, chat model and stores; without
    them they are built from the settings (no context store: policies come from the
    profile alone). `batch`: the conversation and its waiting messages, when the caller
    has locked and read them in this transaction already (the job has).
    """
    started = time.perf_counter()
    # Only its business is needed here; the graph's `load` step takes the row lock. A caller
    # that already locked it (the job) has it in the session, so this costs no query.
    conversation = batch.conversation if batch else await session.get(Conversation, conversation_id)
    if conversation is None:
        return ResponderOutcome("nothing_waiting")
    services = services or ResponderServices.build(settings)
    context = ResponderContext(
        business_id=conversation.business_id,
        sessions=shared_session(session),
        context_store=services.context_store,
        product_vectors=services.product_vectors,
        audience="responder",
        session=session,
        settings=settings,
        services=services,
    )
    final = await _GRAPH.ainvoke(ResponderInput(conversation_id, started, batch), context=context)
    outcome = final.get("outcome")
    return outcome if isinstance(outcome, ResponderOutcome) else ResponderOutcome("nothing_waiting")
