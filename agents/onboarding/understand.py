"""Reading one reply: what value it gives, whether it is thin, and what to say back.

The local brain reads with `agents.onboarding.extract` and `rules`; the LLM brain with
structured output (`schemas`). Both return the same `Reading`, so the nodes do not care
which brain ran. When the model fails (timeout, refusal, a value the rules refuse) the
local reading is used, so onboarding never stalls on a provider.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from langchain_core.exceptions import OutputParserException
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI
from openai import OpenAIError
from pydantic import BaseModel, ValidationError

from agents.fences import fence
from agents.onboarding import prompts
from agents.onboarding.extract import extract_field
from agents.onboarding.rules import (
    is_confirmation,
    is_rejection,
    is_rich,
    missing_policies,
    thin_reason,
)
from agents.onboarding.schemas import (
    PoliciesAnswer,
    SocialAnswer,
    SummaryReview,
    TextAnswer,
    schema_for,
)
from agents.profile_edits import EDIT_TARGETS, ProfileEdit, parse_edits
from core.business_profile import (
    FIELD_LABELS,
    POLICY_KEYS,
    SOCIAL_KEYS,
    TEXT_FIELDS,
    ProfileValueError,
    clean_field,
)

log = logging.getLogger("chidi.onboarding")

Decision = Literal["confirm", "change", "reject", "unclear"]
MODEL_FAILURES = (OpenAIError, OutputParserException, ValidationError, ProfileValueError)


@dataclass(frozen=True)
class Reading:
    """What a reply to a field's question says."""

    value: Any
    skipped: bool = False
    thin: str | None = None
    follow_up_question: str | None = None
    acknowledgement: str | None = None
    rich: bool = False


def combine(field: str, draft: Any, value: Any) -> Any:
    """A follow-up answer added to the thin first one (a repeated answer adds nothing)."""
    if draft is None:
        return value
    if isinstance(draft, Mapping):
        return {**draft, **(value if isinstance(value, Mapping) else {})}
    if not isinstance(value, str) or not value:
        return draft
    first = str(draft)
    if first.lower() in value.lower():
        return value
    if value.lower() in first.lower():
        return first
    return f"{first.rstrip(' .')}. {value[:1].upper()}{value[1:]}"


def follow_up_for(field: str, value: Any) -> str:
    """The template follow-up question for a thin answer to `field`."""
    if field == "policies":
        return prompts.policy_follow_up(missing_policies(value))
    return prompts.FOLLOW_UPS.get(field, prompts.UNCLEAR)


def read_locally(field: str, text: str, draft: Any) -> Reading:
    """The local brain's reading: extract, combine with a thin first answer, judge."""
    value = combine(field, draft, clean_field(field, extract_field(field, text)))
    reason = thin_reason(field, text, value)
    return Reading(
        value=value,
        thin=reason,
        follow_up_question=follow_up_for(field, value) if reason else None,
        rich=is_rich(field, text, value),
    )


def _answer_value(field: str, answer: BaseModel) -> Any:
    if isinstance(answer, TextAnswer):
        return answer.value
    if isinstance(answer, SocialAnswer):
        return {key: getattr(answer, key) for key in SOCIAL_KEYS if getattr(answer, key)}
    assert isinstance(answer, PoliciesAnswer)
    keys = (*POLICY_KEYS, "other")
    return {key: getattr(answer, key) for key in keys if getattr(answer, key)}


def _prompt(field: str, question: str, text: str, draft: Any) -> list[SystemMessage | HumanMessage]:
    parts = [f"Profile field: {FIELD_LABELS[field]}", f"Question asked: {question}"]
    if draft is not None:
        parts.append(fence("earlier_answer", str(draft)))
    parts.append(fence("owner_answer", text))
    return [SystemMessage(prompts.SYSTEM_PROMPT), HumanMessage("\n".join(parts))]


async def read_with_model(
    model: ChatOpenAI, field: str, question: str, text: str, draft: Any
) -> Reading:
    """The LLM brain's reading through structured output; the local rules still set the
    floor for thinness, so a one-word description is followed up whatever the model says."""
    schema = schema_for(field)
    structured = model.with_structured_output(schema, method="json_schema")
    answer = await structured.ainvoke(_prompt(field, question, text, draft))
    if not isinstance(answer, schema):
        raise OutputParserException(f"expected {schema.__name__}, got {type(answer).__name__}")
    if answer.skipped:
        return Reading(value=draft, skipped=True)
    value = combine(field, draft, clean_field(field, _answer_value(field, answer)))
    reason = "model" if answer.needs_follow_up else thin_reason(field, text, value)
    follow_up = (answer.follow_up_question or follow_up_for(field, value)) if reason else None
    return Reading(
        value=value,
        thin=reason,
        follow_up_question=follow_up,
        acknowledgement=answer.acknowledgement,
        rich=is_rich(field, text, value),
    )


async def read_reply(
    model: ChatOpenAI | None, field: str, question: str, text: str, draft: Any
) -> Reading:
    """Read a reply with the configured brain (the local one if the model fails)."""
    if model is not None:
        try:
            return await read_with_model(model, field, question, text, draft)
        except MODEL_FAILURES as exc:
            log.warning(
                "model reading failed; using the local reading",
                extra={"field": field, "error": type(exc).__name__},
            )
    try:
        return read_locally(field, text, draft)
    except ProfileValueError:
        return Reading(value=draft if field not in TEXT_FIELDS else None)


def _edit_of(change: Any) -> ProfileEdit | None:
    if change.target not in EDIT_TARGETS:
        return None
    if change.mode in ("set", "append") and not (change.value or "").strip():
        return None
    return ProfileEdit(change.target, change.value, change.mode)


async def review_with_model(
    model: ChatOpenAI, text: str
) -> tuple[Literal["confirm", "change", "unclear"], list[ProfileEdit]]:
    """The LLM brain's verdict on the summary reply: confirm, change (with edits), unclear."""
    system = prompts.REVIEW_PROMPT.format(targets=", ".join(EDIT_TARGETS))
    structured = model.with_structured_output(SummaryReview, method="json_schema")
    review = await structured.ainvoke(
        [SystemMessage(system), HumanMessage(fence("owner_answer", text))]
    )
    if not isinstance(review, SummaryReview):
        raise OutputParserException("expected a SummaryReview")
    edits = [edit for change in review.changes if (edit := _edit_of(change)) is not None]
    return review.decision, edits


def review_locally(text: str) -> tuple[Decision, list[ProfileEdit]]:
    """The rules' verdict on a summary reply: edits win over a "yes" in the same breath."""
    edits = parse_edits(text)
    if edits:
        return "change", edits
    if is_confirmation(text):
        return "confirm", []
    if is_rejection(text):
        return "reject", []
    return "unclear", []


async def review_reply(model: ChatOpenAI | None, text: str) -> tuple[Decision, list[ProfileEdit]]:
    """Whether a summary reply confirms, changes (with the edits), rejects without saying
    what to change, or is unclear; with the configured brain, rules as the fallback."""
    if model is not None:
        try:
            decision, edits = await review_with_model(model, text)
        except MODEL_FAILURES as exc:
            log.warning("model review failed; using rules", extra={"error": type(exc).__name__})
        else:
            if decision == "change":
                return ("change", edits) if edits else ("reject", [])
            return decision, []
    return review_locally(text)
