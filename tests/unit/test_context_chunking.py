"""Cutting a business profile and owner facts into labelled, bounded chunks."""

from __future__ import annotations

from store.context.chunking import (
    FACT_SOURCE,
    MAX_CHUNK_CHARS,
    Chunk,
    chunk_facts,
    chunk_field,
    chunk_profile,
    content_hash,
)

PROFILE = {
    "name": "Ada Styles",
    "business_type": "fashion boutique",
    "products_services_overview": None,
    "social_media_presence": {"instagram": "@ada.styles", "whatsapp": "+2348030001111"},
    "target_audience_description": "  Young professionals in Lagos  ",
    "goals_preferences": "",
    "policies": {"returns": "7 days with the receipt", "hours": "9am-6pm, Monday to Saturday"},
}


def test_short_fields_are_one_labelled_chunk_each() -> None:
    assert chunk_field("name", "Ada Styles") == [Chunk("name", "Business name: Ada Styles")]
    assert chunk_field("target_audience_description", "  Young pros \n in Lagos ") == [
        Chunk("target_audience_description", "Target audience: Young pros in Lagos")
    ]


def test_empty_fields_give_no_chunks() -> None:
    empty: tuple[object, ...] = (None, "", "   ", {}, 42)
    for value in empty:
        assert chunk_field("goals_preferences", value) == []
    assert chunk_field("policies", "not a mapping") == []
    assert chunk_field("social_media_presence", {"instagram": "  "}) == []


def test_each_policy_is_its_own_chunk_under_its_label() -> None:
    assert chunk_field("policies", PROFILE["policies"]) == [
        Chunk("policies", "Returns: 7 days with the receipt"),
        Chunk("policies", "Opening hours: 9am-6pm, Monday to Saturday"),
    ]
    assert chunk_field("policies", {"layaway": "Pay in 3 parts"}) == [
        Chunk("policies", "Layaway: Pay in 3 parts")
    ]


def test_social_handles_are_listed_in_one_chunk() -> None:
    assert chunk_field("social_media_presence", PROFILE["social_media_presence"]) == [
        Chunk(
            "social_media_presence", "Social media: Instagram @ada.styles; WhatsApp +2348030001111"
        )
    ]


def test_a_profile_gives_the_chunks_of_its_filled_fields_in_field_order() -> None:
    chunks = chunk_profile(PROFILE)
    assert [c.source_field for c in chunks] == [
        "name",
        "business_type",
        "social_media_presence",
        "target_audience_description",
        "policies",
        "policies",
    ]
    assert chunk_profile(PROFILE, ["business_type"]) == [
        Chunk("business_type", "Business type: fashion boutique")
    ]


def test_long_text_is_cut_at_sentences_and_every_piece_keeps_the_label() -> None:
    sentences = [f"Sentence number {i} says something about the shop." for i in range(40)]
    chunks = chunk_field("products_services_overview", " ".join(sentences))
    assert len(chunks) > 1
    assert all(len(c.text) <= MAX_CHUNK_CHARS for c in chunks)
    assert all(c.text.startswith("Products and services: ") for c in chunks)
    rejoined = " ".join(c.text.removeprefix("Products and services: ") for c in chunks)
    assert rejoined == " ".join(sentences)  # nothing lost, nothing cut mid-sentence
    assert all(c.text.endswith(".") for c in chunks)


def test_paragraphs_that_fit_are_kept_whole() -> None:
    text = "We sell bags.\n\nWe also repair shoes."
    assert chunk_field("products_services_overview", text) == [
        Chunk(
            "products_services_overview",
            "Products and services: We sell bags. We also repair shoes.",
        )
    ]


def test_a_word_longer_than_a_chunk_is_cut_hard() -> None:
    word = "".join(chr(ord("a") + i % 26) for i in range(2 * MAX_CHUNK_CHARS + 10))
    chunks = chunk_facts([word])
    assert [len(c.text) for c in chunks] == [MAX_CHUNK_CHARS, MAX_CHUNK_CHARS, 10]
    assert "".join(c.text for c in chunks) == word


def test_facts_are_chunks_of_their_own_without_blanks_or_repeats() -> None:
    chunks = chunk_facts(
        ["We close early on Fridays.", "  ", "We close early on Fridays.", "Cash only"]
    )
    assert chunks == [
        Chunk(FACT_SOURCE, "We close early on Fridays."),
        Chunk(FACT_SOURCE, "Cash only"),
    ]


def test_the_same_profile_always_gives_the_same_hashes() -> None:
    first = [c.content_hash for c in chunk_profile(PROFILE)]
    assert first == [c.content_hash for c in chunk_profile(dict(PROFILE))]
    assert first[0] == content_hash("Business name: Ada Styles")
    changed = chunk_profile({**PROFILE, "name": "Ada Styles Ltd"})
    assert changed[0].content_hash != first[0]
    assert [c.content_hash for c in changed[1:]] == first[1:]
