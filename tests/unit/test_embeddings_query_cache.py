"""The query cache in front of the real local model."""

from __future__ import annotations

import numpy as np
import pytest

from core.embeddings import LocalEmbeddings, QueryCache


@pytest.fixture(scope="module")
def model() -> LocalEmbeddings:
    return LocalEmbeddings()


def test_the_local_model_is_uncased_so_case_can_share_a_vector(model: LocalEmbeddings) -> None:
    # What `query_key` relies on: the tokenizer lower-cases before the network runs.
    (upper,) = model.encode(["Do you have the LEATHER Tote in Black?"])
    (lower,) = model.encode(["do you have the leather tote in black?"])
    assert np.allclose(upper, lower, atol=1e-6)
    assert model.query_key("Hello There") == model.query_key("hello there")
    assert model.query_key("hello") != model.query_key("hello!")


async def test_a_repeated_query_is_answered_from_memory(model: LocalEmbeddings) -> None:
    cache = QueryCache(model)
    first = await cache.aembed_query("Do you deliver to Ibadan?")
    again = await cache.aembed_query("do you deliver to ibadan?")
    other = cache.embed_query("what time do you close")
    assert (cache.hits, cache.misses) == (1, 2)
    assert again == first
    assert first == pytest.approx(model.embed_query("Do you deliver to Ibadan?"), abs=1e-6)
    assert other != first
    first[0] = 42.0  # a caller changing its copy changes nothing remembered
    assert (await cache.aembed_query("Do you deliver to Ibadan?"))[0] != 42.0


def test_the_least_recently_used_query_is_forgotten_first(model: LocalEmbeddings) -> None:
    cache = QueryCache(model, max_entries=2)
    for text in ("one", "two", "one", "three", "one", "two"):
        cache.embed_query(text)
    # "two" was dropped when "three" came in; "one" was kept by being used.
    assert (cache.hits, cache.misses) == (2, 4)


def test_documents_pass_through_and_the_model_is_named_as_its_own(model: LocalEmbeddings) -> None:
    cache = QueryCache(model)
    assert (cache.model_id, cache.dimension) == (model.model_id, model.dimension)
    assert cache.embed_documents(["a bag"]) == model.embed_documents(["a bag"])
    assert (cache.hits, cache.misses) == (0, 0)
    with pytest.raises(ValueError, match="max_entries"):
        QueryCache(model, max_entries=0)
