"""The decision's `ai_responses_log` row: what it saw, thought, looked up, said and did.

One row per decision (PRD §6.4.5): the prompts sent to the LLM (or, with the local
brain, its decision trace), the raw model output (or the composed draft), the retrieved
facts, intent, entities, sentiment, confidence, the action, errors and timings.
"""

from __future__ import annotations

import time
from typing import Any

from agents.responder.actions import message_text
from agents.responder.prompts import TEMPLATE_ID
from agents.responder.state import ResponderState
from core.brain.understanding import Entities
from core.metrics import observe_decision
from store.tables.conversations import AiResponseLog
from store.tables.enums import AiActionTaken, Brain


def entities_log(entities: Entities) -> dict[str, Any]:
    """The entities as JSON: names, ids, SKUs and options (no catalog objects)."""
    product = entities.product
    return {
        "product": {"id": str(product.id), "name": product.name} if product else None,
        "product_found_by": entities.product_found_by,
        "candidates": [{"name": m.product.name, "score": m.score} for m in entities.products[:5]],
        "skus": [item.sku for _, item in entities.skus],
        "unknown_skus": list(entities.unknown_skus),
        "options": dict(entities.options),
        "unmatched_options": list(entities.unmatched_options),
        "option_words": list(entities.option_words),
        "items": [item.sku for item in entities.items],
        "quantity": entities.quantity,
    }


def _trace(state: ResponderState) -> str:
    lines = [f"customer: {message_text(m)}" for m in state.waiting]
    lines += [f"earlier: {text}" for text in state.history]
    return "\n".join([*lines, *state.trace])


def _clamped(value: float) -> float:
    return round(min(1.0, max(0.0, value)), 3)


def decision_row(
    state: ResponderState,
    *,
    brain: Brain,
    model_name: str | None,
    action: AiActionTaken,
    sent_text: str,
) -> AiResponseLog:
    """The log row for the decision as it stands when `act` runs."""
    assert state.conversation is not None
    understanding = state.understanding
    problems = list(state.verification.problems) if state.verification else []
    errors = [*state.errors, *(f"verification: {p}" for p in problems)]
    prompt = "\n\n".join(state.prompts) if brain is Brain.OPENAI else ""
    draft = state.draft
    if brain is Brain.OPENAI:
        template = TEMPLATE_ID
        raw = "\n\n".join(state.raw_outputs) or None
    else:
        template = f"local:{draft.situation}" if draft else "local:escalate"
        raw = draft.text if draft else None
    return AiResponseLog(
        conversation_id=state.conversation.id,
        business_id=state.conversation.business_id,
        incoming_message_id=state.waiting[-1].id,
        prompt_template_used=template,
        final_prompt_sent_to_llm="\n\n".join(part for part in (prompt, _trace(state)) if part),
        llm_raw_response=raw,
        parsed_response_text=sent_text,
        retrieved_context_snippets=state.facts.as_log(),
        detected_intent=understanding.intent if understanding else None,
        extracted_entities=entities_log(understanding.entities) if understanding else None,
        sentiment=understanding.sentiment if understanding else None,
        confidence_score=_clamped(state.confidence),
        action_taken=action,
        error_details="; ".join(errors) or None,
        brain=brain,
        model_name=model_name,
    )


def finish_row(row: AiResponseLog, state: ResponderState) -> None:
    """Stamp the row's total and per-step times once the decision is done."""
    row.processing_time_ms = int((time.perf_counter() - state.started) * 1000)
    row.timings = dict(state.timings)
    observe_decision(str(row.action_taken), row.confidence_score or 0.0)
