"""Catalog matching: what a customer's words refer to in one business's catalog."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from decimal import Decimal

import pytest

from core.catalog_match import (
    Catalog,
    CatalogItem,
    CatalogProduct,
    canonical_option,
    fold,
    is_measure,
    items_with_options,
    joined_pairs,
    known_word,
    match_products,
    message_tokens,
    option_value,
    options_in_text,
    resolve_product,
    singular,
    sku_shaped,
    skus_in_text,
    tokens,
    without_codes,
)


def _item(
    sku: str, options: Mapping[str, str], *, stock: int = 3, active: bool = True
) -> CatalogItem:
    return CatalogItem(uuid.uuid4(), sku, Decimal("10.00"), stock, active, dict(options))


def _product(
    name: str,
    variants: Mapping[str, tuple[str, ...]] | None = None,
    items: tuple[CatalogItem, ...] = (),
) -> CatalogProduct:
    return CatalogProduct(
        uuid.uuid4(), name, Decimal("10.00"), variants=variants or {}, items=items
    )


BAG = _product(
    "Leather Bag",
    {"Color": ("Black", "Brown")},
    (_item("BAG-BLK", {"Color": "Black"}), _item("BAG-BRN", {"Color": "Brown"}, stock=0)),
)
CAP = _product("Leather Cap")
TEE = _product(
    "Classic T-Shirt",
    {"Size": ("S", "M", "L"), "Color": ("White", "Navy")},
    tuple(
        _item(f"TEE-{size}-{color[:3].upper()}", {"Size": size, "Color": color})
        for size in ("S", "M", "L")
        for color in ("White", "Navy")
    ),
)
DRESS = _product("Ankara Maxi Dress", {"Size": ("Small", "Medium", "Large")})
SOAP = _product("Black Soap")
JACKET = _product("Fjord Rain Jacket")
CATALOG = Catalog((BAG, CAP, TEE, DRESS, SOAP, JACKET))


def _names(text: str) -> list[str]:
    return [m.product.name for m in match_products(CATALOG, text)]


def _meant(text: str) -> str | None:
    chosen = resolve_product(match_products(CATALOG, text))
    return chosen.product.name if chosen else None


@pytest.mark.parametrize(
    ("text", "product"),
    [
        ("lether bag", "Leather Bag"),
        ("rain jakcet", "Fjord Rain Jacket"),
        ("anakra maxi dres", "Ankara Maxi Dress"),
        ("u got the leather bag in black?", "Leather Bag"),
        ("abeg how much for d bag", "Leather Bag"),
        ("pls do u have dis bag", "Leather Bag"),
        ("LEATHER BAG", "Leather Bag"),
        ("leather bags", "Leather Bag"),
        ("maxi dresses", "Ankara Maxi Dress"),
        ("t shirt", "Classic T-Shirt"),
        ("T-shirts in size M", "Classic T-Shirt"),
        ("black soap", "Black Soap"),
    ],
)
def test_names_resolve_despite_typos_slang_case_and_plurals(text: str, product: str) -> None:
    assert _meant(text) == product


def test_a_word_shared_by_two_products_is_ambiguous() -> None:
    found = match_products(CATALOG, "got any leather?")
    assert {m.product.name for m in found} == {"Leather Bag", "Leather Cap"}
    assert resolve_product(found) is None


def test_a_colour_alone_names_no_product() -> None:
    assert _names("black") == []
    assert _names("do you have it in navy") == []


def test_unrelated_words_name_nothing() -> None:
    assert _names("what time do you open") == []
    assert _names("something else entirely") == []


def test_one_letter_words_stay_words() -> None:
    # "u", "i", "a" and "d" are words of their own, not prefixes as in "t shirt".
    assert fold("u got a bag") == "u got a bag"
    assert fold("i want d bag") == "i want d bag"
    assert fold("T shirt and v-neck") == "tshirt and vneck"
    assert _meant("i want a bag") == "Leather Bag"


@pytest.mark.parametrize(
    ("plural", "single"),
    [
        ("bags", "bag"),
        ("dresses", "dress"),
        ("accessories", "accessory"),
        ("boxes", "box"),
        ("scarves", "scarf"),
        ("knives", "knife"),
        ("sleeves", "sleeve"),
        ("gloves", "glove"),
    ],
)
def test_plurals_become_singular(plural: str, single: str) -> None:
    assert singular(plural) == single


def test_words_that_only_look_plural_are_kept() -> None:
    assert [singular(w) for w in ("glass", "bus", "chassis")] == ["glass", "bus", "chassis"]
    assert tokens("the BAGS pls") == ["bag"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("u got the leather bag in black?", {"Color": "Black"}),
        ("blck one", {"Color": "Black"}),
        ("brwn", {"Color": "Brown"}),
        ("Black or brown? BLACK", {"Color": "Black"}),
    ],
)
def test_colours_from_lowercase_slang_and_typos(text: str, expected: dict[str, str]) -> None:
    assert options_in_text(text, BAG.variants) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("size m", {"Size": "M"}),
        ("in m pls", {"Size": "M"}),
        ("M navy", {"Size": "M", "Color": "Navy"}),
        ("medium", {"Size": "M"}),
        ("white one in small", {"Size": "S", "Color": "White"}),
        ("m coming tomorrow to pick it", {}),
        ("i'm on my way", {}),
        ("l8r", {}),
    ],
)
def test_single_letter_sizes_only_when_meant(text: str, expected: dict[str, str]) -> None:
    assert options_in_text(text, TEE.variants) == expected


def test_spelled_sizes_match_spelled_values() -> None:
    assert options_in_text("size m", DRESS.variants) == {"Size": "Medium"}
    assert options_in_text("the large one", DRESS.variants) == {"Size": "Large"}
    assert options_in_text("extra large", DRESS.variants) == {}


def test_option_value_unifies_spellings_and_forgives_typos() -> None:
    assert option_value("medium", TEE.variants["Size"]) == "M"
    assert option_value("m", TEE.variants["Size"]) == "M"
    assert option_value("nvy", TEE.variants["Color"]) == "Navy"
    assert option_value("Naavy", TEE.variants["Color"]) == "Navy"
    assert option_value("red", TEE.variants["Color"]) is None
    assert canonical_option("Gray") == canonical_option("grey") == "grey"


def test_items_with_options_compare_by_canonical_value() -> None:
    found = items_with_options(TEE, {"size": "medium", "colour": "navy"})
    assert [i.sku for i in found] == []  # "colour" is not the option's name "Color"
    found = items_with_options(TEE, {"Size": "medium", "Color": "navy"})
    assert [i.sku for i in found] == ["TEE-M-NAV"]
    assert len(items_with_options(TEE, {})) == 6


def test_inactive_items_only_when_asked() -> None:
    product = _product(
        "Scarf", {"Color": ("Red",)}, (_item("SCARF-RED", {"Color": "Red"}, active=False),)
    )
    assert items_with_options(product, {"Color": "Red"}) == []
    assert len(items_with_options(product, {"Color": "Red"}, active_only=False)) == 1


@pytest.mark.parametrize(
    ("text", "shaped"),
    [
        ("do you have BAG-BLK", ["BAG-BLK"]),
        ("bag-blk pls", ["BAG-BLK"]),
        ("is SKU123 in stock", ["SKU123"]),
        ("tee-m-nav and TEE-S-WHI", ["TEE-M-NAV", "TEE-S-WHI"]),
        ("size 10 please", []),
        ("the bag", []),
    ],
)
def test_sku_shaped_words(text: str, shaped: list[str]) -> None:
    assert sku_shaped(text) == shaped


def test_skus_in_text_keeps_only_real_skus_in_order() -> None:
    found = skus_in_text(CATALOG, "t-shirts: tee-m-nav or BAG-BLK, not BAG-RED")
    assert [item.sku for _, item in found] == ["TEE-M-NAV", "BAG-BLK"]
    assert [product.name for product, _ in found] == ["Classic T-Shirt", "Leather Bag"]


def test_an_unknown_code_is_not_read_as_a_name() -> None:
    assert _names(without_codes("is RIVAL-BAG-01 in stock")) == []
    assert without_codes("SKU123 or the t-shirt") == "  or the t-shirt"
    assert _meant(without_codes("bag-blk pls")) == "Leather Bag"  # no digit: may be a name


@pytest.mark.parametrize(
    ("word", "known"),
    [("range", True), ("back", True), ("nobody", True), ("lether", False), ("blck", False)],
)
def test_english_words_are_known_and_misspellings_are_not(word: str, known: bool) -> None:
    assert known_word(word) is known


def test_a_known_word_matches_only_itself() -> None:
    catalog = Catalog((_product("Body Lotion"), _product("Orange Scarf")))

    assert [m.product.name for m in match_products(catalog, "bodi lotion")] == ["Body Lotion"]
    assert match_products(catalog, "nobody replied") == []
    assert _meant("lether bag") == "Leather Bag"


@pytest.mark.parametrize(
    ("word", "measure"),
    [("128GB", True), ("500ml", True), ("20000mAh", True), ("65W", True), ("SKU123", False)],
)
def test_measures(word: str, measure: bool) -> None:
    assert is_measure(word) is measure


def test_message_tokens_leave_out_words_used_as_verbs() -> None:
    assert message_tokens("if it doesn't fit") == ["if"]
    assert message_tokens("will it fit") == []
    assert message_tokens("is it leather") == ["leather"]
    assert tokens("if it doesn't fit") == ["if", "fit"]


def test_joined_pairs_write_neighbouring_words_as_one() -> None:
    assert joined_pairs("the back packs pls") == ["backpack"]
