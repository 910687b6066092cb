"""Reading the customer's messages: the local brain, or the LLM with the local brain behind it.

Both return a `core.brain.understanding.Understanding`, so every later step is the same
whichever brain read. The LLM answers through structured output (`CustomerReading`, the
intent labels exactly the local brain's); its product, SKUs and options are resolved
against the catalog with the local brain's own entity matching, so "the tote" becomes
the same catalog product either way. A model failure (timeout, error, unparsable output)
falls back to the local reading.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

from langchain_core.exceptions import OutputParserException
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI
from openai import OpenAIError
from pydantic import ValidationError

from agents.responder.prompts import READ_PROMPT, customer_block
from agents.responder.schemas import CustomerReading
from core.brain.entities import extract_entities
from core.brain.nlu import understand as understand_locally
from core.brain.understanding import Entities, Understanding
from core.catalog_match import Catalog
from core.embeddings import ProviderEmbeddings

MODEL_FAILURES: Final = (OpenAIError, OutputParserException, ValidationError)


@dataclass(frozen=True)
class ModelCall:
    """One LLM call as the log keeps it: the prompt sent and the raw answer."""

    prompt: str
    raw: str


def render(messages: Sequence[BaseMessage]) -> str:
    """A prompt as text for the log: one "role: content" block per message."""
    return "\n".join(f"[{m.type}] {m.content}" for m in messages)


def raw_text(raw: Any) -> str:
    """A model's raw answer as text: its content, or its tool calls."""
    content = getattr(raw, "content", "")
    calls = getattr(raw, "tool_calls", None)
    if calls:
        return f"{content}\n{calls}".strip()
    return str(content)


async def read_locally(
    text: str, catalog: Catalog, embeddings: ProviderEmbeddings, history: Sequence[str]
) -> Understanding:
    """The local brain's reading (core.brain)."""
    return await understand_locally(text, catalog, embeddings, history=history)


def model_entities(
    reading: CustomerReading, text: str, catalog: Catalog, history: Sequence[str]
) -> Entities:
    """The catalog entities of a model's reading.

    The message itself is matched first (it names the product as the customer wrote it);
    when that finds no product, the model's own product, SKUs and options are matched,
    which covers "it" resolved from earlier messages and names the customer misspelt.
    """
    local = extract_entities(text, catalog, history=history)
    quantity = local.quantity if local.quantity is not None else reading.quantity
    if local.product is not None or not (reading.product or reading.skus):
        return replace(local, quantity=quantity)
    named = " ".join([reading.product or "", *reading.skus, *(o.value for o in reading.options)])
    found = extract_entities(named, catalog)
    if found.product is None:
        return replace(local, quantity=quantity)
    return replace(found, quantity=quantity, unknown_skus=local.unknown_skus)


async def read_with_model(
    model: ChatOpenAI, text: str, catalog: Catalog, history: Sequence[str]
) -> tuple[Understanding, ModelCall]:
    """The LLM's reading through structured output (raises one of MODEL_FAILURES)."""
    messages: list[BaseMessage] = [
        SystemMessage(READ_PROMPT),
        HumanMessage(customer_block(text, history)),
    ]
    structured = model.with_structured_output(
        CustomerReading, method="json_schema", include_raw=True
    )
    answer = await structured.ainvoke(messages)
    call = ModelCall(render(messages), raw_text(answer.get("raw")))
    reading = answer.get("parsed")
    if not isinstance(reading, CustomerReading):
        raise OutputParserException(f"unreadable reading: {answer.get('parsing_error')}")
    understanding = Understanding(
        text=text,
        intent=reading.intent,
        intent_scores={reading.intent: reading.confidence},
        entities=model_entities(reading, text, catalog, history),
        sentiment=reading.sentiment,
        confidence=reading.confidence,
        policy_topics=tuple(reading.policy_topics),
        reasons=(f"read by the model: {reading.intent}, confidence {reading.confidence:.2f}",),
    )
    return understanding, call
