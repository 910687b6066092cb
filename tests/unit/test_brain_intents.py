"""The local brain's intent classifier on the labelled set, with the real local embeddings.

Accuracy is printed (run with -s to see it) and held to floors measured on this set; see
tests/data/brain_set.py for what the set holds and how its rounds were written.
"""

from __future__ import annotations

import inspect
from collections import Counter

import pytest

from core.brain.cues import cues_in, is_greeting_only
from core.brain.examples import EXAMPLES
from core.brain.intents import clear_example_cache, example_index, is_follow_up
from core.brain.nlu import topic_message, understand
from core.brain.slang import expand
from core.brain.understanding import INTENTS, Intent, Understanding
from core.embeddings import get_embeddings
from core.embeddings.local import LocalEmbeddings
from core.settings import Settings
from tests.data.brain_set import Labelled, labelled_messages, sample_catalog, understand_labelled
from tests.support.openai_fixtures import FakeOpenAI

# Measured on the 442 messages: 0.964 overall. Rounds 1-3 (cues, slang and examples were
# refined after reading their misses) 0.975 / 0.984 / 0.968. Round 4 was written last of
# the first 385 and measured at 0.839 when first read, 0.823 later; the eval regressions
# (tests/unit/test_brain_regressions.py) were then fixed by general rules while its misses
# were in view, and it reads 0.919. Round 5 (41 messages) was written before those fixes
# and nothing was refined for it: 0.829 before, 0.927 after. Round 6 (16 messages on the
# second eval round's patterns) was written after that round's fixes: 0.875 when first
# read, 1.000 after its misses were fixed by general rules. Floors sit a little below.
OVERALL_FLOOR = 0.94
UNREFINED_ROUND = 5
UNREFINED_FLOOR = 0.88
RECALL_FLOORS: dict[Intent, float] = {
    "greeting": 0.9,
    "product_info": 0.9,
    "price": 0.95,
    "availability": 0.95,
    "policy": 0.95,
    "order": 0.9,
    "complaint": 0.85,
    "refund": 0.9,
    "human_request": 0.95,
    "other": 0.8,
}

Readings = list[tuple[Labelled, Understanding]]


@pytest.fixture(scope="module")
def embeddings() -> LocalEmbeddings:
    return LocalEmbeddings()


@pytest.fixture(scope="module")
async def readings(embeddings: LocalEmbeddings) -> Readings:
    return await understand_labelled(embeddings)


def _accuracy(pairs: Readings) -> float:
    return sum(u.intent == row.intent for row, u in pairs) / len(pairs)


def test_accuracy_on_the_labelled_set(readings: Readings) -> None:
    overall = _accuracy(readings)
    by_round = {
        n: _accuracy([(r, u) for r, u in readings if r.round == n])
        for n in sorted({r.round for r, _ in readings})
    }
    recall = {
        intent: _accuracy([(r, u) for r, u in readings if r.intent == intent]) for intent in INTENTS
    }
    misread = [
        f"  {row.text!r}: {row.intent} read as {understood.intent}"
        for row, understood in readings
        if understood.intent != row.intent
    ]
    report = [
        f"\nintent accuracy {overall:.3f} over {len(readings)} messages",
        "by round: " + ", ".join(f"{n}: {a:.3f}" for n, a in by_round.items()),
        "recall: " + ", ".join(f"{i} {a:.2f}" for i, a in recall.items()),
        *misread,
    ]
    print("\n".join(report))  # noqa: T201 - the measured accuracy is this test's report

    assert overall >= OVERALL_FLOOR
    assert by_round[UNREFINED_ROUND] >= UNREFINED_FLOOR
    assert {i: a for i, a in recall.items() if a < RECALL_FLOORS[i]} == {}


def test_the_labelled_set_covers_every_intent_and_shares_no_phrase_with_the_examples() -> None:
    rows = labelled_messages()
    counts = Counter(row.intent for row in rows)
    examples = {expand(phrase) for phrases in EXAMPLES.values() for phrase in phrases}
    shared = [row.text for row in rows if expand(row.text) in examples]

    assert len(rows) >= 150
    assert min(counts[intent] for intent in INTENTS) >= 10
    assert shared == []


def test_every_intent_has_examples() -> None:
    assert set(EXAMPLES) == set(INTENTS)
    assert min(len(phrases) for phrases in EXAMPLES.values()) >= 15


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("u got the leather bag in black?", "availability"),
        ("how much 4 d red dress", "price"),
        ("abeg i want my money back", "refund"),
        ("wetin be ur address", "policy"),
        ("I want to speak to a person", "human_request"),
        ("hello", "greeting"),
        ("YOU PEOPLE ARE USELESS", "complaint"),
        ("whats ur return policy", "policy"),
    ],
)
async def test_the_briefs_examples(embeddings: LocalEmbeddings, text: str, intent: Intent) -> None:
    understood = await understand(text, sample_catalog(), embeddings)

    assert understood.intent == intent
    assert set(understood.intent_scores) == set(INTENTS)
    assert max(understood.intent_scores, key=understood.intent_scores.__getitem__) == intent


@pytest.mark.parametrize(
    ("text", "expanded"),
    [
        ("u got the leather bag in black?", "you got the leather bag in black?"),
        ("how much 4 d red dress", "how much for the red dress"),
        ("i want 4 pieces", "i want 4 pieces"),
        ("abeg i want my money back", "please i want my money back"),
        ("wetin be ur address", "what is your address"),
        ("una get am for size 42?", "do you have it for size 42?"),
        ("I'll take it", "i will take it"),
        ("Pleeeease", "pleease"),
        ("hm is the dress", "how much is the dress"),
    ],
)
def test_slang_is_spelled_out(text: str, expanded: str) -> None:
    assert expand(text) == expanded


@pytest.mark.parametrize(
    ("text", "only_greetings"),
    [
        ("hi", True),
        ("Good morning ma", True),
        ("thanks so much, bye", True),
        ("ok", False),
        ("dear sir", False),
        ("hi, how much is the bag", False),
    ],
)
def test_greeting_only_messages(text: str, only_greetings: bool) -> None:
    assert is_greeting_only(expand(text)) is only_greetings


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("I want a refund", "refund"),
        ("let me talk to a real person", "human_request"),
        ("this is a scam", "complaint"),
        ("you sent me the wrong size", "complaint"),
        ("how much is delivery to Ikeja", "policy"),
        ("do you sell wigs", "availability"),
    ],
)
def test_strong_cues(text: str, intent: Intent) -> None:
    assert intent in {cue.intent for cue in cues_in(expand(text))}


async def test_a_strong_cue_outweighs_a_misleading_resemblance(
    embeddings: LocalEmbeddings,
) -> None:
    # Reads like an order question; the words say complaint.
    understood = await understand("i was charged twice for my order", sample_catalog(), embeddings)

    assert understood.intent == "complaint"
    assert any("cue for complaint" in reason for reason in understood.reasons)


async def test_a_follow_up_continues_the_previous_question(embeddings: LocalEmbeddings) -> None:
    catalog = sample_catalog()
    history = ["do you have the lace midi dress in white size M"]

    followed = await understand("what about in black?", catalog, embeddings, history=history)
    alone = await understand("what about in black?", catalog, embeddings)

    assert is_follow_up(expand("what about in black?"))
    assert followed.intent == "availability"
    assert any("follow-up" in reason for reason in followed.reasons)
    assert alone.entities.product is None


@pytest.mark.parametrize("text", ["ok what about in black?", "alright, and in black?"])
async def test_a_follow_up_may_open_with_an_acknowledgement(
    embeddings: LocalEmbeddings, text: str
) -> None:
    history = ["do you have the lace midi dress in white size M"]

    understood = await understand(text, sample_catalog(), embeddings, history=history)

    assert is_follow_up(expand(text))
    assert understood.intent == "availability"
    assert any("follow-up" in reason for reason in understood.reasons)


def test_a_follow_up_continues_the_message_that_set_the_topic() -> None:
    asked = "do you have the canvas sneakers?"
    assert topic_message([asked, "what about size 45?", "ok and in 44?"]) == asked
    assert topic_message(["hi", asked]) == asked
    # Only follow-ups so far: the first of them started the topic.
    assert topic_message(["and the sneakers, which sizes?", "what about 45"]) == (
        "and the sneakers, which sizes?"
    )


async def test_a_second_follow_up_keeps_the_first_question(embeddings: LocalEmbeddings) -> None:
    history = ["how much is the lace midi dress", "what about size 45"]

    # Leaning on "what about size 45" alone, "what about 42?" read as an order.
    understood = await understand("what about 42?", sample_catalog(), embeddings, history=history)

    assert understood.intent == "price"
    assert any("follow-up" in reason for reason in understood.reasons)


async def test_a_follow_up_with_its_own_cue_keeps_it(embeddings: LocalEmbeddings) -> None:
    history = ["do you have the adire scarf in indigo"]

    understood = await understand("and the price?", sample_catalog(), embeddings, history=history)

    assert understood.intent == "price"


async def test_messages_without_words_are_other(embeddings: LocalEmbeddings) -> None:
    understood = await understand("🙂", sample_catalog(), embeddings)

    assert understood.intent == "other"
    assert understood.confidence < 0.2


def test_understand_is_async() -> None:
    assert inspect.iscoroutinefunction(understand)


async def test_examples_are_embedded_once_per_model(
    embeddings: LocalEmbeddings, openai_settings: Settings, fake_openai: FakeOpenAI
) -> None:
    clear_example_cache()
    remote = get_embeddings(openai_settings)
    catalog = sample_catalog()

    await understand("hello", catalog, remote)
    await understand("how much is the tote", catalog, remote)
    local_index = await example_index(embeddings)
    remote_index = await example_index(remote)

    batches = [len(body["input"]) for body in fake_openai.controller.bodies("/v1/embeddings")]
    phrases = sum(len(p) for p in EXAMPLES.values())
    # The examples in one batch the first time, then one vector per message.
    assert batches == [phrases, 1, 1]
    assert remote_index.model_id == remote.model_id != local_index.model_id
    assert remote_index.vectors.shape == (phrases, remote.dimension)
    assert local_index.vectors.shape == (phrases, 384)
