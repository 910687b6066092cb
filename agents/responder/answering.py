"""The responder graph's last steps: draft, verify, decide, act and log.

Each node returns the part of the state it changes and runs inside the job's transaction,
flushing only. A failed draft (a model error) escalates; nothing unverified is sent.
"""

from __future__ import annotations

import logging
import time

from agents.responder.actions import HOLDING_MESSAGE, SORRY_HOLDING_MESSAGE, escalate, send_reply
from agents.responder.compose import compose
from agents.responder.decide import (
    ALWAYS_ESCALATE,
    decide,
    group_confidence,
    reply_confidence,
)
from agents.responder.drafting import draft_with_model
from agents.responder.facts import Facts, collect_facts
from agents.responder.records import decision_row, finish_row
from agents.responder.state import ResponderState
from agents.responder.steps import Context, Update, timed
from agents.responder.understand import MODEL_FAILURES
from agents.responder.verify import verify
from core.brain.confidence import entity_confidence
from core.brain.discounts import about_discount
from core.brain.understanding import Understanding
from core.chat_model import brain_name
from store.tables.enums import AiActionTaken, Brain

log = logging.getLogger("chidi.responder")


def _needs_person_anyway(reading: Understanding | None) -> bool:
    return reading is None or reading.intent in ALWAYS_ESCALATE or reading.sentiment == "negative"


@timed("draft")
async def draft(state: ResponderState, runtime: Context) -> Update:
    """Collect the facts and draft a reply from them (no draft when a person answers)."""
    facts = collect_facts(state.messages, business_name=state.business_name)
    update: Update = {"facts": facts, "trace": [_facts_trace(facts)]}
    if state.lookups_started is not None:
        retrieved = int((time.perf_counter() - state.lookups_started) * 1000)
        update["timings"] = {"retrieve": retrieved}
    reading = state.understanding
    if _needs_person_anyway(reading):
        return update
    assert reading is not None
    model = runtime.context.chat_model
    if model is None:
        composed = compose(
            reading, facts, seed=str(state.waiting[-1].id), business_name=state.business_name
        )
        situation = composed.situation if composed else "nothing to say"
        return {**update, "draft": composed, "trace": [*update["trace"], f"draft: {situation}"]}
    try:
        written, call = await draft_with_model(
            model, reading, facts, history=state.history, business_name=state.business_name
        )
    except MODEL_FAILURES as exc:
        log.warning("model draft failed", extra={"error": repr(exc)})
        failure = f"draft: the model failed ({type(exc).__name__})"
        return {**update, "errors": [failure], "failure": failure}
    note = f"draft (openai): {written.kind if written else 'not answerable'}"
    return {
        **update,
        "draft": written,
        "prompts": [call.prompt],
        "raw_outputs": [call.raw],
        "trace": [*update["trace"], note],
    }


def _facts_trace(facts: Facts) -> str:
    return (
        f"facts: {len(facts.products)} product(s), {len(facts.items)} SKU(s), "
        f"{len(facts.policies)} policy text(s), {len(facts.misses)} miss(es)"
    )


def _allowed_quantity(state: ResponderState) -> int | None:
    """The customer's quantity, when a retrieved SKU has that many in stock."""
    reading = state.understanding
    quantity = reading.entities.quantity if reading else None
    if quantity is None:
        return None
    return quantity if any(i.in_stock and i.stock >= quantity for i in state.facts.items) else None


@timed("verify")
async def check(state: ResponderState, runtime: Context) -> Update:
    """Verify the draft against the facts."""
    if state.draft is None:
        return {}
    result = verify(state.draft.text, state.facts, allowed_quantity=_allowed_quantity(state))
    note = "verify: ok" if result.verified else f"verify: failed ({'; '.join(result.problems)})"
    return {"verification": result, "trace": [note]}


def _confidence(state: ResponderState, runtime: Context) -> float:
    reading = state.understanding
    if reading is None:
        return 0.0
    clarifying = state.draft is not None and state.draft.kind == "clarify"
    if runtime.context.chat_model is not None:
        return reply_confidence(reading.confidence, clarifying=clarifying, entity_part=1.0)
    entity_part = entity_confidence(reading.intent, reading.entities, reading.policy_topics)[0]
    judged = reply_confidence(reading.confidence, clarifying=clarifying, entity_part=entity_part)
    # The local brain's drafts are composed of facts alone: judged on the answer group.
    grouped = group_confidence(reading.intent, reading.intent_scores, entity_part)
    return judged if grouped is None else max(judged, grouped)


@timed("decide")
async def choose(state: ResponderState, runtime: Context) -> Update:
    """Send or escalate, by the confidence policy."""
    reading = state.understanding
    confidence = _confidence(state, runtime)
    verification = state.verification
    decision = decide(
        intent=reading.intent if reading else "other",
        sentiment=reading.sentiment if reading else "neutral",
        confidence=confidence,
        threshold=state.threshold,
        has_draft=state.draft is not None,
        verified=verification is not None and verification.verified,
        problems=verification.problems if verification else (),
        error=state.failure,
        unreadable=state.unreadable,
        discount_unanswered=_discount_unanswered(state),
    )
    note = f"decide: {decision.action} — {decision.reason}"
    return {"decision": decision, "confidence": confidence, "trace": [note]}


def _discount_unanswered(state: ResponderState) -> bool:
    """The customer asks for a discount and the draft (if any) does not speak to it."""
    draft = state.draft
    return about_discount(state.text) and not (draft is not None and about_discount(draft.text))


# --- act and log ------------------------------------------------------------------------


def holding_for(reading: Understanding | None) -> str:
    """The holding message: an apology first for a complaint, refund or unhappy customer."""
    if reading is not None and (
        reading.intent in ("complaint", "refund") or reading.sentiment == "negative"
    ):
        return SORRY_HOLDING_MESSAGE
    return HOLDING_MESSAGE


@timed("act")
async def act(state: ResponderState, runtime: Context) -> Update:
    """Queue the reply, or escalate with the holding message."""
    context = runtime.context
    conversation, decision = state.conversation, state.decision
    assert conversation is not None
    assert decision is not None
    brain = Brain(brain_name(context.settings))
    model_name = context.settings.openai_model if brain is Brain.OPENAI else None
    if decision.action == "send":
        assert state.draft is not None
        row = decision_row(
            state,
            brain=brain,
            model_name=model_name,
            action=AiActionTaken.RESPONDED_AUTO,
            sent_text=state.draft.text,
        )
        outcome = await send_reply(
            context.session, conversation, state.waiting, state.draft.text, log_row=row
        )
    else:
        holding = holding_for(state.understanding)
        row = decision_row(
            state,
            brain=brain,
            model_name=model_name,
            action=AiActionTaken.ESCALATED,
            sent_text=holding,
        )
        outcome = await escalate(
            context.session,
            context.settings,
            conversation,
            state.waiting,
            reason=decision.reason,
            log_row=row,
            holding=holding,
        )
    return {"log_row": row, "outcome": outcome}


async def record(state: ResponderState, runtime: Context) -> Update:
    """Write the decision's log row, complete with its timings (its only write)."""
    row = state.log_row
    assert row is not None
    finish_row(row, state)
    runtime.context.session.add(row)
    await runtime.context.session.flush()
    return {}
