"""The local brain's understand step: one customer message in, one `Understanding` out.

`understand` is async because the embedding provider may be remote (OpenAI embeddings
when a key is set): it awaits `aembed_query` for the message and, once per model and
process, `aembed_documents` for the examples. With the local model that costs ~5 ms per
message, run in LangChain's default executor. Everything after the embedding is the pure
function `read`, which tests and benchmarks call directly with a vector.

Steps: spell out slang (`slang.expand`) -> entities against the catalog (`entities`) ->
intent by examples and cues (`intents`), with a short follow-up ("what about in black?")
taking the intent of the message before it -> policy topics -> sentiment -> confidence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from core.brain.confidence import ConfidenceReading, confidence
from core.brain.cues import context_cues
from core.brain.entities import extract_entities
from core.brain.intents import (
    ExampleIndex,
    IntentReading,
    classify,
    example_index,
    is_follow_up,
    with_previous,
)
from core.brain.policy_topics import policy_topics
from core.brain.sentiment import SentimentReading, read_sentiment, with_intent
from core.brain.slang import expand
from core.brain.understanding import Entities, Understanding
from core.catalog_match import Catalog
from core.embeddings.base import ProviderEmbeddings

_WORD: Final = re.compile(r"[a-z0-9]")


async def understand(
    text: str,
    catalog: Catalog,
    embeddings: ProviderEmbeddings,
    *,
    history: Sequence[str] = (),
) -> Understanding:
    """Read one customer message (async; see the module docstring).

    `history` holds the customer's earlier messages in this conversation, oldest first,
    newest last; a message that names no product refers to the newest one that did.
    """
    index = await example_index(embeddings)
    vector = await embed_message(text, embeddings)
    previous_vector = None
    if history and is_follow_up(expand(text)):
        previous_vector = await embed_message(topic_message(history), embeddings)
    return read(text, catalog, index, vector, history=history, previous_vector=previous_vector)


def topic_message(history: Sequence[str]) -> str:
    """The earlier message a follow-up continues: the newest that is not a follow-up itself
    ("do you have the sneakers?" → "what about 45?" → "and 42?": the first), else the
    oldest. Each follow-up alone reads poorly ("what about 42" is nearest to "update my
    order to size 42"), so one follow-up must not lean on another.
    """
    for earlier in reversed(history):
        if not is_follow_up(expand(earlier)):
            return earlier
    return history[0]


async def embed_message(text: str, embeddings: ProviderEmbeddings) -> list[float]:
    """The message's vector as the classifier compares it (slang spelled out).

    A message with no letters or digits (an emoji, "...") is not sent to the model: its
    zero vector is similar to no example, so it reads as "other".
    """
    expanded = expand(text)
    if not _WORD.search(expanded):
        return [0.0] * embeddings.dimension
    return await embeddings.aembed_query(expanded)


def read(
    text: str,
    catalog: Catalog,
    index: ExampleIndex,
    vector: Sequence[float],
    *,
    history: Sequence[str] = (),
    previous_vector: Sequence[float] | None = None,
) -> Understanding:
    """The understanding of `text` given its embedding `vector`: pure and deterministic.

    `previous_vector` is the embedding of `topic_message(history)`, needed only when `text`
    is a follow-up (`is_follow_up`); without it a follow-up is read on its own.
    """
    expanded = expand(text)
    entities = extract_entities(text, catalog, history=history)
    topics = policy_topics(expanded)
    felt = read_sentiment(text, expanded)
    names_product = _names_product(entities)
    # A product carried over from history does not make "and do you deliver to Ibadan?"
    # a question about it: the policy cue looks at what this message names.
    names_own_product = names_product and entities.product_found_by != "history"
    context = context_cues(
        topics=topics, names_product=names_own_product, sentiment=felt, expanded=expanded
    )
    reading = classify(index, vector, expanded, names_product=names_product, context=context)
    if previous_vector is not None and history and is_follow_up(expanded):
        topic = expand(topic_message(history))
        previous = classify(index, previous_vector, topic, names_product=True)
        reading = with_previous(reading, previous)
    sentiment = with_intent(felt, reading.intent)
    scored = confidence(reading, entities, topics)
    return Understanding(
        text=text,
        intent=reading.intent,
        intent_scores=reading.scores,
        entities=entities,
        sentiment=sentiment.label,
        confidence=scored.value,
        policy_topics=topics,
        reasons=reasons(reading, entities, topics, sentiment, scored),
    )


def _names_product(entities: Entities) -> bool:
    return bool(entities.product or entities.products or entities.skus or entities.unknown_skus)


def reasons(
    reading: IntentReading,
    entities: Entities,
    topics: tuple[str, ...],
    sentiment: SentimentReading,
    scored: ConfidenceReading,
) -> tuple[str, ...]:
    """Short notes on why the reading came out as it did, for the AI decision log."""
    notes = [
        f"intent {reading.intent}: nearest example {reading.nearest!r} "
        f"(similarity {reading.similarity:.2f}, margin {reading.margin:.2f})"
    ]
    if reading.greeting_only:
        notes.append("greetings only")
    if reading.follow_up:
        notes.append("follow-up: intent scores averaged with the previous message's")
    notes += [f"cue for {c.intent}: {c.name} (+{c.weight:g})" for c in reading.cues]
    notes += _entity_notes(entities)
    if topics:
        notes.append(f"policy topics: {', '.join(topics)}")
    if sentiment.label != "neutral":
        notes.append(f"sentiment {sentiment.label}: {', '.join(sentiment.cues)}")
    notes.append(
        f"confidence {scored.value:.2f} = intent {scored.intent_part:.2f} x entities "
        f"{scored.entity_part:.2f} ({scored.note})"
    )
    return tuple(notes)


def _entity_notes(entities: Entities) -> list[str]:
    notes: list[str] = []
    if entities.product is not None:
        notes.append(f"product {entities.product.name!r} by {entities.product_found_by}")
    elif len(entities.products) > 1:
        names = ", ".join(repr(m.product.name) for m in entities.products[:3])
        notes.append(f"several products match: {names}")
    if entities.unknown_skus:
        notes.append(f"unknown SKU: {', '.join(entities.unknown_skus)}")
    if entities.options:
        chosen = ", ".join(f"{k}={v}" for k, v in entities.options.items())
        notes.append(f"options {chosen}: {len(entities.items)} item(s)")
    if entities.unmatched_options:
        notes.append(f"not among its options: {', '.join(entities.unmatched_options)}")
    if entities.option_words:
        notes.append(f"option words without a product: {', '.join(entities.option_words)}")
    if entities.quantity is not None:
        notes.append(f"quantity {entities.quantity}")
    return notes
