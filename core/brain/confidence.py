"""How far the responder may trust one reading of a message: a number in [0, 1].

    confidence = intent_confidence x entity_confidence

intent_confidence = fit x (0.5 + 0.5 x min(1, margin / FULL_MARGIN))
- margin: the gap between the best and second-best intent scores. A tie is a coin toss
  between two intents, so it halves the confidence; a gap of FULL_MARGIN (0.15, about the
  spread between a close and a loose paraphrase) or more leaves it whole.
- fit: 1 when a cue rule for the chosen intent fired (or the message is greetings only);
  else how close the nearest examples are, from 0 at similarity LOW_FIT (0.3, unrelated
  text) to 1 at HIGH_FIT (0.6, a close paraphrase).

entity_confidence, by what the intent needs (1 when it needs nothing):
- any SKU-shaped word that is in no item: UNKNOWN_SKU (0.3), whatever the intent;
- price / availability / product_info / order about a product: the product found by SKU
  1.0; by name 0.6 + 0.4 x match score / 100; by name with an option breaking a tie, or
  carried from an earlier message 0.8; several names tied 0.5; none at all 0.3 for price
  and availability (nothing to quote), 0.7 for product_info and 0.8 for order (a question
  about the shop's range, or about an order already placed, needs no product);
- policy: 1 with a topic named, 0.6 without.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from core.brain.intents import IntentReading
from core.brain.understanding import Entities, Intent

FULL_MARGIN: Final = 0.15
LOW_FIT: Final = 0.3
HIGH_FIT: Final = 0.6
UNKNOWN_SKU: Final = 0.3
AMBIGUOUS_PRODUCT: Final = 0.5
INDIRECT_PRODUCT: Final = 0.8
POLICY_WITHOUT_TOPIC: Final = 0.6
NO_PRODUCT: Final[dict[Intent, float]] = {
    "price": 0.3,
    "availability": 0.3,
    "product_info": 0.7,
    "order": 0.8,
}


@dataclass(frozen=True)
class ConfidenceReading:
    """The confidence, its two factors, and a note on what lowered the entity factor."""

    value: float
    intent_part: float
    entity_part: float
    note: str


def intent_confidence(reading: IntentReading) -> float:
    """The classifier's own certainty: fit to the examples, scaled by the margin."""
    cued = reading.greeting_only or any(c.intent == reading.intent for c in reading.cues)
    fit = 1.0 if cued else _clamp((reading.similarity - LOW_FIT) / (HIGH_FIT - LOW_FIT))
    return fit * (0.5 + 0.5 * min(1.0, reading.margin / FULL_MARGIN))


def entity_confidence(
    intent: Intent, entities: Entities, policy_topics: tuple[str, ...]
) -> tuple[float, str]:
    """How well what the intent needs was resolved, with a short note for the log."""
    if entities.unknown_skus:
        return UNKNOWN_SKU, f"SKU not in the catalog: {', '.join(entities.unknown_skus)}"
    if intent == "policy":
        if policy_topics:
            return 1.0, "policy topic named"
        return POLICY_WITHOUT_TOPIC, "no policy topic named"
    if intent not in NO_PRODUCT:
        return 1.0, "needs no product"
    return _product_confidence(intent, entities)


def _product_confidence(intent: Intent, entities: Entities) -> tuple[float, str]:
    found_by = entities.product_found_by
    if found_by == "sku":
        return 1.0, "product by SKU"
    if found_by == "history":
        return INDIRECT_PRODUCT, "product from an earlier message"
    if found_by == "option":
        return INDIRECT_PRODUCT, "product chosen by the option named"
    if entities.product is not None and entities.products:
        score = entities.products[0].score
        return 0.6 + 0.4 * score / 100, f"product by name ({score:g})"
    if entities.products:
        return AMBIGUOUS_PRODUCT, "several products match"
    return NO_PRODUCT[intent], "no product named"


def confidence(
    reading: IntentReading, entities: Entities, policy_topics: tuple[str, ...]
) -> ConfidenceReading:
    """The reading's confidence (see the module docstring for the formula)."""
    intent_part = intent_confidence(reading)
    entity_part, note = entity_confidence(reading.intent, entities, policy_topics)
    value = round(_clamp(intent_part * entity_part), 3)
    return ConfidenceReading(value, round(intent_part, 3), round(entity_part, 3), note)


def _clamp(value: float) -> float:
    return min(1.0, max(0.0, value))
