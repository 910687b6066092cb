"""The real local model (all-MiniLM-L6-v2 on ONNX Runtime): shape, quality, invariants."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

from core.embeddings import local
from core.embeddings.local import LocalEmbeddings, load_runtime

# The model card's example: sentence-transformers (fp32, torch) scores this pair 0.7553.
PUBLISHED_PAIR = ("A man is eating food.", "A man is eating a piece of bread.")
PUBLISHED_SCORE = 0.7553
# The int8 weights give 0.7535 (measured); 0.005 leaves room for CPU-kernel rounding yet
# fails the pipeline bugs that matter: CLS pooling scores 0.818, averaging padding tokens
# into the mean 0.742.
PUBLISHED_TOLERANCE = 0.005


@pytest.fixture(scope="module")
def model() -> LocalEmbeddings:
    return LocalEmbeddings()


def cosine(model: LocalEmbeddings, a: str, b: str) -> float:
    first, second = model.encode([a, b])
    return float(first @ second)


def test_vectors_are_384_wide_and_unit_length(model: LocalEmbeddings) -> None:
    vectors = model.embed_documents(["hello", "do you deliver to Abuja?", "ok"])

    assert (model.dimension, model.model_id) == (384, "local:all-MiniLM-L6-v2")
    assert [len(v) for v in vectors] == [384, 384, 384]
    assert np.linalg.norm(np.array(vectors), axis=1) == pytest.approx([1, 1, 1], abs=1e-5)


def test_reproduces_the_published_similarity(model: LocalEmbeddings) -> None:
    assert cosine(model, *PUBLISHED_PAIR) == pytest.approx(PUBLISHED_SCORE, abs=PUBLISHED_TOLERANCE)


@pytest.mark.parametrize(
    ("message", "paraphrase", "unrelated"),
    [
        (
            "u got the leather bag in black?",
            "Do you have the black leather handbag?",
            "Our store opens at 9am on weekdays",
        ),
        (
            "what time do you open on saturday",
            "Are you open on weekends?",
            "Is the red dress available in size M?",
        ),
        (
            "I want a refund, the shoes came torn",
            "The shoes arrived damaged, give me my money back",
            "Do you deliver to Lekki?",
        ),
    ],
)
def test_paraphrases_score_well_above_unrelated_text(
    model: LocalEmbeddings, message: str, paraphrase: str, unrelated: str
) -> None:
    close = cosine(model, message, paraphrase)
    far = cosine(model, message, unrelated)

    assert close > 0.5
    assert close - far > 0.3


def test_the_same_text_always_gets_the_same_vector(model: LocalEmbeddings) -> None:
    text = "Returns accepted within 14 days with a receipt."

    assert model.embed_query(text) == model.embed_query(text)


def test_a_batch_gives_the_same_vectors_as_one_at_a_time(model: LocalEmbeddings) -> None:
    texts = [
        "hi",
        "Open Monday to Friday, 9am to 6pm. Closed on weekends. " * 6,
        "price of the red dress medium",
        "",
        "ok thanks",
    ]
    small_batches = LocalEmbeddings(batch_size=2)

    batched = small_batches.encode(texts)
    singles = np.stack([model.encode([t])[0] for t in texts])

    np.testing.assert_allclose(batched, singles, atol=1e-5)


def test_empty_inputs(model: LocalEmbeddings) -> None:
    (empty,) = model.embed_documents([""])

    assert model.embed_documents([]) == []
    assert len(empty) == 384
    assert np.isfinite(empty).all()
    assert float(np.linalg.norm(empty)) == pytest.approx(1.0, abs=1e-5)


def test_long_text_is_truncated_at_256_tokens(model: LocalEmbeddings) -> None:
    words = ["apple"] * 400  # one token each, plus [CLS] and [SEP]
    changed_early = [*words[:200], "banana", *words[201:]]
    changed_late = [*words[:300], "banana", *words[301:]]

    base, early, late = model.encode([" ".join(w) for w in (words, changed_early, changed_late)])

    assert len(load_runtime().tokenizer.encode(" ".join(words)).ids) == 256
    assert not np.allclose(base, early, atol=1e-4)
    np.testing.assert_array_equal(base, late)


async def test_async_variants_match(model: LocalEmbeddings) -> None:
    assert await model.aembed_query("hello") == model.embed_query("hello")
    assert await model.aembed_documents(["a", "b"]) == model.embed_documents(["a", "b"])


def test_the_model_loads_once_under_concurrent_first_use(
    model: LocalEmbeddings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(local, "_runtime", None)
    loads: list[int] = []
    real_load = local._load_session

    def counting_load(path: Path, threads: int) -> ort.InferenceSession:
        loads.append(threads)
        return real_load(path, threads)

    monkeypatch.setattr(local, "_load_session", counting_load)
    start = threading.Barrier(6)

    def first_use(text: str) -> list[float]:
        start.wait()
        return model.embed_query(text)

    with ThreadPoolExecutor(max_workers=6) as pool:
        vectors = list(pool.map(first_use, ["same text"] * 6))

    assert len(loads) == 1
    assert all(v == vectors[0] for v in vectors)


def test_rejects_a_nonsensical_configuration() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        LocalEmbeddings(batch_size=0)
