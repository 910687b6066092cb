"""SKU rules: examples that pin the behaviour, and properties that must hold for any input."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.sku import (
    SKU_FORMAT_TEXT,
    SKU_MAX_LENGTH,
    ascii_fold,
    check_sku,
    collision_prefix,
    derive_shortcode,
    generate_sku,
    generate_unique_skus,
    is_valid_sku_format,
    normalise_shortcode,
    resolve_collision,
)

# Anything a person might type: accents, emoji, punctuation, whitespace, other scripts.
text = st.text(max_size=80)
labels = st.lists(st.text(max_size=30), max_size=6)
valid_skus = st.from_regex(r"\A[A-Z0-9-]{1,50}\Z")
REFERENCE = re.compile(SKU_FORMAT_TEXT)


@pytest.mark.parametrize(
    ("shortcode", "name", "values", "expected"),
    [
        ("MYBIZ", "Cool Hoodie", ["S", "Red"], "MYBIZ-COOLHOODIE-S-RED"),
        ("mybiz", "T-Shirt", ["M", "Blue"], "MYBIZ-TSHIRT-M-BLUE"),
        ("CAFE", "Crème Brûlée", [], "CAFE-CREMEBRULEE"),
        ("", "Straße Tee", ["XL"], "STRASSETEE-XL"),
        ("SHOP", "Hoodie", ["!!", "Red"], "SHOP-HOODIE-RED"),
        ("", "", [], "ITEM"),
    ],
)
def test_generated_skus_are_normalised_and_readable(
    shortcode: str, name: str, values: list[str], expected: str
) -> None:
    assert generate_sku(shortcode, name, values) == expected


def test_long_names_are_abbreviated_word_by_word_not_cut_off() -> None:
    sku = generate_sku(
        "AFHL", "Ankara Print Wrap Dress With Matching Headwrap", ["Extra Large", "Midnight Blue"]
    )
    assert len(sku) <= SKU_MAX_LENGTH
    assert sku.startswith("AFHL-ANK")
    assert sku.endswith("-EXTRALARGE-MIDNIGHTBLUE")


def test_collisions_get_the_next_free_number() -> None:
    assert resolve_collision("A-B", {"a-b", "A-B-2"}) == "A-B-3"
    assert resolve_collision("A-B", set()) == "A-B"
    assert resolve_collision("X" * 50, {"X" * 50}) == "X" * 48 + "-2"


def test_generated_batch_avoids_itself_and_the_taken_set() -> None:
    assert generate_unique_skus("X", "Tee", [["S"], ["S"], ["M"]], {"X-TEE-S"}) == [
        "X-TEE-S-2",
        "X-TEE-S-3",
        "X-TEE-M",
    ]


@pytest.mark.parametrize(
    ("raw", "taken", "valid", "unique", "reason"),
    [
        ("tee-s-red", [], True, True, None),
        ("  TEE-1 ", ["tee-1"], True, False, "SKU already exists."),
        ("TEE_1", [], False, True, "SKU may contain only letters A-Z, digits 0-9 and hyphens."),
        ("", [], False, True, "SKU must not be empty."),
        ("A" * 51, [], False, True, "SKU must be at most 50 characters."),
        ("TEE-1\n", [], True, True, None),
    ],
)
def test_check_sku_gives_a_reason(
    raw: str, taken: list[str], valid: bool, unique: bool, reason: str | None
) -> None:
    verdict = check_sku(raw, taken)
    assert (verdict.is_valid_format, verdict.is_unique, verdict.reason) == (valid, unique, reason)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("My Biz", "MYBIZ"),
        ("Cool Threads", "CLTHRDS"),
        ("Ada Fashion House Ltd", "AFHL"),
        ("Café Noir", "CAFENOIR"),
        ("???", "SHOP"),
        ("日本", "SHOP"),
    ],
)
def test_shortcode_is_derived_from_the_business_name(name: str, expected: str) -> None:
    assert derive_shortcode(name) == expected


@given(text, text, labels)
def test_generated_skus_are_always_valid(shortcode: str, name: str, values: list[str]) -> None:
    sku = generate_sku(shortcode, name, values)
    assert is_valid_sku_format(sku)
    assert REFERENCE.match(sku)
    assert sku == sku.upper()


@given(text, text, st.lists(labels, max_size=20), st.sets(valid_skus, max_size=20))
def test_generated_batches_are_unique_and_never_taken(
    shortcode: str, name: str, value_lists: list[list[str]], taken: set[str]
) -> None:
    skus = generate_unique_skus(shortcode, name, value_lists, taken)
    assert len(skus) == len(value_lists)
    assert len(set(skus)) == len(skus)
    assert not set(skus) & taken
    assert all(is_valid_sku_format(sku) for sku in skus)


@given(valid_skus, st.sets(valid_skus, max_size=60))
def test_collision_resolution_never_collides(candidate: str, taken: set[str]) -> None:
    resolved = resolve_collision(candidate, taken)
    assert resolved.upper() not in {t.upper() for t in taken}
    assert is_valid_sku_format(resolved)
    if candidate not in taken:
        assert resolved == candidate


@given(valid_skus)
def test_every_taken_prefix_run_is_escaped(candidate: str) -> None:
    # The worst case: the candidate and its first fifty suffixed forms are all taken.
    taken = {candidate}
    for _ in range(50):
        taken.add(resolve_collision(candidate, taken))
    assert len(taken) == 51


@given(st.text(max_size=70))
def test_check_sku_agrees_with_the_format_regex(raw: str) -> None:
    verdict = check_sku(raw, [])
    normalised = raw.strip().upper()
    assert verdict.sku == normalised
    assert verdict.is_valid_format == bool(REFERENCE.fullmatch(normalised))
    assert verdict.is_valid_format == (verdict.reason is None)


@given(valid_skus, st.sets(valid_skus, max_size=10))
def test_check_sku_uniqueness_is_case_insensitive(sku: str, taken: set[str]) -> None:
    verdict = check_sku(sku.lower(), taken)
    assert verdict.is_unique == (sku.upper() not in taken)


@given(text)
def test_shortcodes_are_short_valid_prefixes(name: str) -> None:
    code = derive_shortcode(name)
    assert 1 <= len(code) <= 8
    assert is_valid_sku_format(code)
    chosen = normalise_shortcode(name)
    assert chosen == "" or (len(chosen) <= 10 and is_valid_sku_format(chosen))


@given(text)
def test_folding_leaves_only_ascii(value: str) -> None:
    assert ascii_fold(value).isascii()


@given(valid_skus, st.sets(valid_skus, max_size=30))
def test_resolved_skus_start_with_the_collision_prefix(candidate: str, taken: set[str]) -> None:
    # The store fetches only SKUs with this prefix; a resolution outside it could collide
    # with a SKU it never fetched.
    assert resolve_collision(candidate, taken | {candidate}).startswith(collision_prefix(candidate))
