"""The local brain's confidence: the documented formula, and what it does on real messages."""

from __future__ import annotations

import re

import pytest

from core.brain.confidence import confidence, entity_confidence, intent_confidence
from core.brain.cues import STRONG, Cue
from core.brain.entities import extract_entities
from core.brain.intents import IntentReading
from core.brain.nlu import understand
from core.brain.understanding import INTENTS, Entities, Intent, Understanding
from core.catalog_match import ProductMatch
from core.embeddings.local import LocalEmbeddings
from store.tables.businesses import DEFAULT_CONFIDENCE_THRESHOLD
from tests.data.brain_set import Labelled, sample_catalog, understand_labelled

# Measured on the labelled set (426 messages): 314 readings at >= 0.7, 99.0% of them
# right; mean confidence 0.82 when right, 0.38 when wrong.
TRUSTED = 0.7
TRUSTED_ACCURACY_FLOOR = 0.97
MIN_GAP_RIGHT_VS_WRONG = 0.3


def _reading(
    intent: Intent, *, similarity: float, margin: float, cued: bool = False
) -> IntentReading:
    cues = (Cue(intent, "test cue", re.compile("x"), STRONG),) if cued else ()
    return IntentReading(
        intent=intent,
        scores={i: 0.0 for i in INTENTS},
        similarity=similarity,
        margin=margin,
        nearest="an example",
        cues=cues,
    )


@pytest.mark.parametrize(
    ("similarity", "margin", "cued", "expected"),
    [
        (0.7, 0.3, False, 1.0),  # close to the examples, far ahead of the next intent
        (0.7, 0.0, False, 0.5),  # a tie halves it
        (0.45, 0.075, False, 0.5 * 0.75),  # half-way fit, half the full margin
        (0.25, 0.3, False, 0.0),  # like no example at all
        (0.25, 0.3, True, 1.0),  # ... but a cue rule vouches for the intent
    ],
)
def test_intent_confidence(similarity: float, margin: float, cued: bool, expected: float) -> None:
    reading = _reading("price", similarity=similarity, margin=margin, cued=cued)

    assert intent_confidence(reading) == pytest.approx(expected)


def _entities(text: str, history: tuple[str, ...] = ()) -> Entities:
    return extract_entities(text, sample_catalog(), history=history)


@pytest.mark.parametrize(
    ("intent", "text", "history", "expected"),
    [
        ("price", "how much is ZZZ-999", (), 0.3),  # unknown SKU
        ("greeting", "hi ZZZ-999", (), 0.3),  # whatever the intent
        ("price", "how much is TOTE-BLK", (), 1.0),
        ("price", "how much 4 d red dress", (), 0.8),  # tie broken by the colour
        ("price", "in black?", ("do you have the lace midi dress",), 0.8),  # from history
        ("price", "how much are your dresses", (), 0.5),  # two dresses
        ("price", "how much is the leather jacket", (), 0.5),  # tote and sandals
        ("price", "how much is it", (), 0.3),
        ("availability", "is it available", (), 0.3),
        ("product_info", "what do you sell", (), 0.7),
        ("order", "where is my order", (), 0.8),
        ("policy", "do you deliver to abuja", (), 1.0),
        ("policy", "what are your rules", (), 0.6),
        ("complaint", "this is useless", (), 1.0),
        ("greeting", "hello", (), 1.0),
    ],
)
def test_entity_confidence(
    intent: Intent, text: str, history: tuple[str, ...], expected: float
) -> None:
    topics = ("delivery",) if "deliver" in text else ()
    value, note = entity_confidence(intent, _entities(text, history), topics)

    assert value == pytest.approx(expected)
    assert note


def test_a_name_match_scales_with_its_score() -> None:
    entities = _entities("how much is the leather tote bag")
    best = entities.products[0]
    weaker = Entities(
        products=(ProductMatch(best.product, 75.0),),
        product=best.product,
        product_found_by="name",
    )

    assert entity_confidence("price", entities, ())[0] == pytest.approx(
        0.6 + 0.4 * best.score / 100
    )
    assert entity_confidence("price", weaker, ())[0] == pytest.approx(0.9)


def test_confidence_is_the_product_of_its_parts() -> None:
    reading = _reading("price", similarity=0.45, margin=0.15)
    entities = _entities("how much are your dresses")

    scored = confidence(reading, entities, ())

    assert scored.intent_part == pytest.approx(0.5)
    assert scored.entity_part == pytest.approx(0.5)
    assert scored.value == pytest.approx(0.25)
    assert scored.note == "several products match"


@pytest.fixture(scope="module")
async def readings() -> list[tuple[Labelled, Understanding]]:
    return await understand_labelled(LocalEmbeddings())


def test_confidence_separates_right_from_wrong_readings(
    readings: list[tuple[Labelled, Understanding]],
) -> None:
    trusted = [(row, u) for row, u in readings if u.confidence >= TRUSTED]
    trusted_accuracy = sum(u.intent == row.intent for row, u in trusted) / len(trusted)
    right = [u.confidence for row, u in readings if u.intent == row.intent]
    wrong = [u.confidence for row, u in readings if u.intent != row.intent]
    mean_right, mean_wrong = sum(right) / len(right), sum(wrong) / len(wrong)
    print(  # noqa: T201 - the measured figures are what this test reports
        f"\nconfidence >= {TRUSTED}: {len(trusted)} of {len(readings)} readings, "
        f"{trusted_accuracy:.3f} right; mean confidence right {mean_right:.2f}, "
        f"wrong {mean_wrong:.2f}"
    )

    assert all(0.0 <= u.confidence <= 1.0 for _, u in readings)
    assert trusted_accuracy >= TRUSTED_ACCURACY_FLOOR
    assert mean_right - mean_wrong >= MIN_GAP_RIGHT_VS_WRONG


# "low": below the default threshold at which the responder sends a reply itself.
@pytest.mark.parametrize(
    ("text", "low"),
    [
        ("how much is the leather jacket", True),  # no product resolves
        ("is SNK-47 available", True),  # unknown SKU
        ("how much is it", True),
        ("what's the cost of AMD-M-BLU", False),
        ("u got the leather bag in black?", False),
        ("do u deliver to port harcourt", False),
    ],
)
async def test_confidence_on_messages(text: str, low: bool) -> None:
    understood = await understand(text, sample_catalog(), LocalEmbeddings())

    assert (understood.confidence < DEFAULT_CONFIDENCE_THRESHOLD) is low
    assert understood.reasons[-1].startswith(f"confidence {understood.confidence:.2f}")
