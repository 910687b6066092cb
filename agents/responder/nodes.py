"""The responder graph's first steps: load, gate, understand and the lookups.

Each node returns the part of the state it changes and runs inside the job's transaction
through `runtime.context.session`, flushing only. Model failures are caught: reading falls
back to the local brain, a failed lookup turn ends the lookups. The later steps (draft,
verify, decide, act, log) are in `answering`.
"""

from __future__ import annotations

import logging
import time
from typing import Final

from agents.responder.actions import HANDLED_BY_PEOPLE, tell_owner_of_new_messages
from agents.responder.drafting import ask_for_lookups
from agents.responder.lookups import PRODUCT_INTENTS, call_label, lookup_message, plan_lookups
from agents.responder.outcome import ResponderOutcome
from agents.responder.state import ResponderState
from agents.responder.steps import Context, Update, timed
from agents.responder.understand import MODEL_FAILURES, read_locally, read_with_model
from core.brain.understanding import Understanding
from store.conversations.batches import mark_handled, take_up
from store.conversations.history import earlier_customer_texts
from store.repositories.catalog_cache import business_with_stamp
from store.tables.base import utcnow
from store.tables.conversations import Message
from store.tables.enums import MessageContentType

log = logging.getLogger("chidi.responder")

HISTORY_MESSAGES: Final = 6
MAX_MODEL_ROUNDS: Final = 2
ANSWERABLE: Final = PRODUCT_INTENTS | {"policy"}
_MEDIA: Final = {
    MessageContentType.IMAGE: "a photo",
    MessageContentType.VIDEO: "a video",
    MessageContentType.AUDIO: "a voice note",
    MessageContentType.FILE: "a file",
    MessageContentType.UNSUPPORTED: "a message CHIDI cannot read",
}


def batch_text(waiting: list[Message]) -> str:
    """The waiting messages' text, one message per line (captions included)."""
    texts = ((m.text_content or "").strip() for m in waiting)
    return "\n".join(text for text in texts if text)


def unreadable(waiting: list[Message]) -> str | None:
    """Why a person must look at the batch, when it holds media CHIDI cannot read."""
    kinds = [_MEDIA[m.content_type] for m in waiting if m.content_type in _MEDIA]
    if not kinds:
        return None
    return f"The customer sent {kinds[0]}, which CHIDI cannot read."


def _stickers_only(waiting: list[Message]) -> bool:
    return not batch_text(waiting) and all(
        m.content_type == MessageContentType.STICKER for m in waiting
    )


# --- load and gate ----------------------------------------------------------------------


@timed("load")
async def load(state: ResponderState, runtime: Context) -> Update:
    """Take up the waiting messages and load what the reading needs."""
    context = runtime.context
    session = context.session
    batch = state.batch or await take_up(session, state.conversation_id)
    if batch is None:
        return {"outcome": ResponderOutcome("nothing_waiting")}
    conversation, waiting = batch.conversation, batch.waiting
    if not waiting:
        return {"outcome": ResponderOutcome("nothing_waiting")}
    await mark_handled(session, conversation, waiting, utcnow())
    update: Update = {
        "conversation": conversation,
        "waiting": waiting,
        "text": batch_text(waiting),
        "unreadable": unreadable(waiting),
    }
    if conversation.status in HANDLED_BY_PEOPLE:
        return update  # the gate stops here; nothing else is needed
    found = await business_with_stamp(session, conversation.business_id)
    assert found is not None  # the conversation's foreign key guarantees it
    business, stamp = found
    catalog = await context.services.catalog_cache.catalog(session, business.id, stamp)
    # The tools of this run read these instead of the same rows again.
    context.prefetched.business, context.prefetched.catalog = business, catalog
    update["business_name"] = business.name
    update["threshold"] = business.confidence_threshold
    update["catalog"] = catalog
    update["history"] = await earlier_customer_texts(
        session, conversation, waiting[0], limit=HISTORY_MESSAGES
    )
    return update


@timed("gate")
async def gate(state: ResponderState, runtime: Context) -> Update:
    """A person handles the conversation: store only and tell them. Stickers alone need
    no answer either."""
    conversation = state.conversation
    assert conversation is not None
    if conversation.status in HANDLED_BY_PEOPLE:
        await tell_owner_of_new_messages(runtime.context.session, conversation, state.waiting)
        return {"outcome": ResponderOutcome("stored_only")}
    if _stickers_only(state.waiting):
        return {"outcome": ResponderOutcome("stored_only")}
    return {"trace": [f"gate: {conversation.status} -> the bot answers"]}


# --- understand and retrieve ------------------------------------------------------------


def _reading_trace(understanding: Understanding, brain: str) -> list[str]:
    head = (
        f"understand ({brain}): intent {understanding.intent}, sentiment "
        f"{understanding.sentiment}, confidence {understanding.confidence:.2f}"
    )
    return [head, *(f"  {reason}" for reason in understanding.reasons)]


@timed("understand")
async def understand(state: ResponderState, runtime: Context) -> Update:
    """Read the messages with the configured brain (the local one if the model fails)."""
    if state.unreadable is not None:
        return {"trace": [f"understand: {state.unreadable}"]}
    context = runtime.context
    model = context.chat_model
    update: Update = {"errors": [], "trace": []}
    if model is not None:
        try:
            reading, call = await read_with_model(model, state.text, state.catalog, state.history)
        except MODEL_FAILURES as exc:
            log.warning("model reading failed; reading locally", extra={"error": repr(exc)})
            update["errors"].append(f"understand: the model failed ({type(exc).__name__})")
        else:
            update["prompts"], update["raw_outputs"] = [call.prompt], [call.raw]
            update["trace"] += _reading_trace(reading, "openai")
            return {**update, "understanding": reading}
    embeddings = context.services.embeddings
    try:
        reading = await read_locally(state.text, state.catalog, embeddings, state.history)
    except Exception as exc:  # the embedding provider (perhaps remote) failed: a person reads
        log.exception("local reading failed")
        failure = f"understand: the message could not be read ({type(exc).__name__})"
        return {**update, "errors": [*update["errors"], failure], "failure": failure}
    update["trace"] += _reading_trace(reading, "local")
    return {**update, "understanding": reading}


def wants_model(state: ResponderState, runtime: Context) -> bool:
    """Whether the LLM is asked for more lookups."""
    reading = state.understanding
    return (
        runtime.context.chat_model is not None
        and reading is not None
        and reading.intent in ANSWERABLE
        and reading.sentiment != "negative"
        and state.model_rounds < MAX_MODEL_ROUNDS
    )


@timed("plan")
async def plan(state: ResponderState, runtime: Context) -> Update:
    """The lookups the reading needs (none for a greeting or what a person handles)."""
    if state.understanding is None:
        return {}
    calls = plan_lookups(state.understanding, state.catalog)
    if not calls:
        return {"trace": ["retrieve: nothing to look up"]}
    names = ", ".join(call_label(c) for c in calls)
    return {
        "messages": [lookup_message(calls)],
        "trace": [f"retrieve: {names}"],
        "lookups_started": time.perf_counter(),
    }


@timed("ask_model")
async def ask_model(state: ResponderState, runtime: Context) -> Update:
    """Let the LLM call tools for anything the planned lookups left unknown."""
    model = runtime.context.chat_model
    assert model is not None
    rounds = state.model_rounds + 1
    try:
        turn, call = await ask_for_lookups(model, state.text, state.history, state.messages)
    except MODEL_FAILURES as exc:
        return {
            "model_rounds": MAX_MODEL_ROUNDS,
            "errors": [f"lookups: the model failed ({type(exc).__name__})"],
        }
    names = ", ".join(c["name"] for c in turn.tool_calls) or "none"
    update: Update = {
        "model_rounds": rounds,
        "prompts": [call.prompt],
        "raw_outputs": [call.raw],
        "trace": [f"retrieve (openai, round {rounds}): {names}"],
    }
    if turn.tool_calls:
        update["messages"] = [turn]
    else:
        update["model_rounds"] = MAX_MODEL_ROUNDS
    return update
