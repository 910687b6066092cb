"""Which of the ten intents a message has: nearest labelled examples, then cue rules.

The examples (`core.brain.examples`) are embedded once per embedding model and kept for the
life of the process (`example_index`). A message's score for an intent is the mean cosine
similarity of its `TOP_K` nearest examples of that intent — two, so one lucky example does
not decide alone, yet an intent with few phrasings of a kind is not drowned by its others.
Cue rules (`core.brain.cues`) then add their weights, and a message of greetings only is a
greeting outright. Everything but the embedding is a pure function of its inputs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from core.brain.cues import Cue, cues_in, is_greeting_only
from core.brain.examples import EXAMPLES
from core.brain.slang import expand
from core.brain.understanding import INTENTS, Intent
from core.embeddings.base import ProviderEmbeddings

Matrix = NDArray[np.float32]
TOP_K = 2
# Added to "greeting" when the message is greetings only: more than any cue or similarity
# gap can make up, since there is nothing else in such a message.
GREETING_ONLY_WEIGHT = 1.0
# Below this similarity to every example, and with no cue, a message is "other": measured
# with all-MiniLM-L6-v2, paraphrases score >= 0.46 and unrelated text <= 0.12 (FINDINGS.md).
OTHER_FLOOR = 0.3
FOLLOW_UP_MAX_WORDS = 8
_FOLLOW_UP = re.compile(
    # An acknowledgement may come first: "ok what about size 45", "alright and in red?".
    r"^(?:(?:ok|okay|oh|ah|alright|hmm+|so|cool|nice|great|fine)\b\W*)*"
    r"(?:and|also|or|but|then|what about|how about|same|in|for|with)\b|what about\W*$"
)
# Intents a follow-up without a product of its own can continue.
PRODUCT_INTENTS: frozenset[Intent] = frozenset({"product_info", "price", "availability", "order"})


@dataclass(frozen=True)
class ExampleIndex:
    """The example phrases of one embedding model: their vectors and labels, row by row."""

    model_id: str
    labels: tuple[Intent, ...]
    texts: tuple[str, ...]
    vectors: Matrix
    rows: Mapping[Intent, NDArray[np.intp]]

    @classmethod
    def build(
        cls, model_id: str, labels: Sequence[Intent], texts: Sequence[str], vectors: Matrix
    ) -> ExampleIndex:
        """An index over `vectors` (one row per example), re-normalised to unit length."""
        norms = np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12, None)
        label_array = np.array(labels)
        return cls(
            model_id=model_id,
            labels=tuple(labels),
            texts=tuple(texts),
            vectors=(vectors / norms).astype(np.float32),
            rows={intent: np.flatnonzero(label_array == intent) for intent in INTENTS},
        )


@dataclass(frozen=True)
class IntentReading:
    """The classifier's verdict and what it rests on.

    `scores` are similarities plus cue weights (what was compared); `similarity` is the
    chosen intent's similarity alone and `margin` the gap between the best two scores.
    `follow_up`: the scores were averaged with the previous message's (`with_previous`).
    """

    intent: Intent
    scores: Mapping[Intent, float]
    similarity: float
    margin: float
    nearest: str
    cues: tuple[Cue, ...] = ()
    greeting_only: bool = False
    follow_up: bool = False
    similarities: Mapping[Intent, float] = field(default_factory=dict)
    nearest_examples: Mapping[Intent, str] = field(default_factory=dict)


_indexes: dict[str, ExampleIndex] = {}


def example_phrases() -> tuple[list[Intent], list[str]]:
    """Every example as (labels, expanded texts), in a fixed order."""
    labels: list[Intent] = []
    texts: list[str] = []
    for intent in INTENTS:
        for phrase in EXAMPLES[intent]:
            labels.append(intent)
            texts.append(expand(phrase))
    return labels, texts


async def example_index(embeddings: ProviderEmbeddings) -> ExampleIndex:
    """The examples embedded by `embeddings`, computed on first use per model and cached.

    Two concurrent first calls may both embed the examples; the result is the same, and
    the cache keeps whichever lands first.
    """
    cached = _indexes.get(embeddings.model_id)
    if cached is not None:
        return cached
    labels, texts = example_phrases()
    vectors = np.asarray(await embeddings.aembed_documents(texts), dtype=np.float32)
    index = ExampleIndex.build(embeddings.model_id, labels, texts, vectors)
    return _indexes.setdefault(embeddings.model_id, index)


def clear_example_cache() -> None:
    """Forget every model's embedded examples (the next `example_index` embeds afresh)."""
    _indexes.clear()


def similarities(index: ExampleIndex, vector: Sequence[float]) -> dict[Intent, tuple[float, int]]:
    """Per intent: the mean similarity of its `TOP_K` nearest examples, and the nearest row."""
    query = np.asarray(vector, dtype=np.float32)
    query = query / max(float(np.linalg.norm(query)), 1e-12)
    cosines = index.vectors @ query
    out: dict[Intent, tuple[float, int]] = {}
    for intent, rows in index.rows.items():
        ranked = rows[np.argsort(-cosines[rows])][:TOP_K]
        out[intent] = (float(cosines[ranked].mean()), int(ranked[0]))
    return out


def classify(
    index: ExampleIndex,
    vector: Sequence[float],
    expanded: str,
    *,
    names_product: bool = False,
    context: Sequence[Cue] = (),
) -> IntentReading:
    """The intent of a message given its embedding and its expanded text.

    `names_product`: the message names something in the catalog, so however loosely it
    resembles the examples it is about the shop, never "other" by the similarity floor.
    `context`: cues the other steps found (`cues.context_cues`).
    """
    nearest = similarities(index, vector)
    cues = (*cues_in(expanded), *context)
    greeting_only = is_greeting_only(expanded)
    scores: dict[Intent, float] = {intent: sim for intent, (sim, _) in nearest.items()}
    for cue in cues:
        scores[cue.intent] += cue.weight
    if greeting_only:
        scores["greeting"] += GREETING_ONLY_WEIGHT
    best_similarity = max(sim for sim, _ in nearest.values())
    if best_similarity < OTHER_FLOOR and not (cues or greeting_only or names_product):
        scores["other"] = max(scores.values()) + (OTHER_FLOOR - best_similarity)
    similarity = {intent: sim for intent, (sim, _) in nearest.items()}
    texts = {intent: index.texts[row] for intent, (_, row) in nearest.items()}
    return _verdict(scores, similarity, texts, cues=cues, greeting_only=greeting_only)


def _verdict(
    scores: Mapping[Intent, float],
    similarity: Mapping[Intent, float],
    nearest: Mapping[Intent, str],
    *,
    cues: tuple[Cue, ...] = (),
    greeting_only: bool = False,
    follow_up: bool = False,
) -> IntentReading:
    """The best-scoring intent, with its similarity, margin and nearest example."""
    ranked = sorted(INTENTS, key=lambda intent: -scores[intent])
    intent = ranked[0]
    return IntentReading(
        intent=intent,
        scores={i: round(scores[i], 4) for i in INTENTS},
        similarity=similarity[intent],
        margin=scores[ranked[0]] - scores[ranked[1]],
        nearest=nearest[intent],
        cues=cues,
        greeting_only=greeting_only,
        follow_up=follow_up,
        similarities=dict(similarity),
        nearest_examples=dict(nearest),
    )


def is_follow_up(expanded: str) -> bool:
    """A short message that leans on the one before ("what about in black?", "and in 42?",
    "black nko?"): it opens or ends with a linking phrase and has at most eight words."""
    return len(expanded.split()) <= FOLLOW_UP_MAX_WORDS and bool(_FOLLOW_UP.search(expanded))


def with_previous(current: IntentReading, previous: IntentReading) -> IntentReading:
    """A follow-up's reading, its scores averaged with the previous message's.

    Only when the follow-up carries no cue of its own ("price?" asks a price whatever came
    before) and the previous message was about a product (what else would "and in black?"
    continue); otherwise the follow-up's own reading stands.
    """
    if current.cues or current.greeting_only or previous.intent not in PRODUCT_INTENTS:
        return current
    scores = {i: (current.scores[i] + previous.scores[i]) / 2 for i in INTENTS}
    similarity = {i: (current.similarities[i] + previous.similarities[i]) / 2 for i in INTENTS}
    return _verdict(scores, similarity, previous.nearest_examples, follow_up=True)
