"""Regressions the golden-conversation evals found in the local brain, one test per cause.

Each defect was written here as a failing test before it was fixed. The catalogs are small
shops shaped like the eval businesses (a gadget shop whose phones come in storage sizes, a
food shop, a fashion shop), so the causes are tested where they showed, and the sample
shop of the labelled set checks they hold elsewhere too.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal

import pytest

from core.brain.cues import cues_in
from core.brain.entities import extract_entities, unknown_skus
from core.brain.nlu import understand
from core.brain.slang import expand
from core.brain.understanding import Intent
from core.catalog_match import (
    Catalog,
    CatalogItem,
    CatalogProduct,
    match_products,
    option_value,
    options_in_text,
    resolve_product,
)
from core.embeddings.local import LocalEmbeddings
from tests.data.brain_set import sample_catalog


def _product(
    name: str, variants: Mapping[str, Sequence[str]] | None = None, *, sku: str = ""
) -> CatalogProduct:
    """A product with one in-stock item per option combination (SKUs from `sku`)."""
    options = {option: tuple(values) for option, values in (variants or {}).items()}
    combinations: list[dict[str, str]] = [{}]
    for option, values in options.items():
        combinations = [{**combo, option: value} for combo in combinations for value in values]
    items = tuple(
        CatalogItem(
            uuid.uuid4(),
            "-".join([sku or name[:3].upper(), *(v.upper() for v in combo.values())]),
            Decimal("1000.00"),
            5,
            True,
            combo,
        )
        for combo in combinations
    )
    return CatalogProduct(uuid.uuid4(), name, Decimal("1000.00"), variants=options, items=items)


GADGETS = Catalog(
    (
        _product(
            "Nova X5 Smartphone",
            {"Storage": ("128GB", "256GB"), "Color": ("Black", "Silver", "Orange")},
            sku="NX5",
        ),
        _product("PowerMax 20000mAh Power Bank", {"Color": ("Black", "White")}, sku="PB20"),
        _product("SoundPods Pro Earbuds", {"Color": ("Black", "White")}, sku="SPP"),
        _product("65W USB-C Fast Charger", sku="CHG"),
        _product("Laptop Sleeve 14 inch", {"Color": ("Grey", "Navy")}, sku="SLV"),
    )
)
FOOD = Catalog(
    (
        _product("Jollof Rice Special", sku="JLF"),
        _product("Suya Skewers", {"Spice": ("Mild", "Hot")}, sku="SUY"),
        _product("Chapman Drink", {"Size": ("50cl", "1 litre")}, sku="CHP"),
        _product("Small Chops Platter", {"Size": ("Small", "Large")}, sku="SCP"),
    )
)
FASHION = Catalog(
    (
        _product("Leather Slides", {"Size": ("40", "41", "42", "43")}, sku="SLD"),
        _product("Classic Denim Jacket", {"Size": ("M", "XL")}, sku="CDJ"),
        _product("Powerbank Mini Pouch", sku="PMP"),
    )
)


@pytest.fixture(scope="module")
def embeddings() -> LocalEmbeddings:
    return LocalEmbeddings()


def _meant(catalog: Catalog, text: str) -> str | None:
    chosen = resolve_product(match_products(catalog, text))
    return chosen.product.name if chosen else None


# --- option values: whole words, not a word that happens to sit inside one ---------------


@pytest.mark.parametrize(
    "text",
    [
        "what's the price range of the Nova X5?",
        "arrange delivery for the nova x5",
        "the nova x5 has a good range",
    ],
)
def test_a_word_inside_a_colour_is_not_that_colour(text: str) -> None:
    entities = extract_entities(text, GADGETS)

    assert entities.product is not None
    assert entities.product.name == "Nova X5 Smartphone"
    assert entities.options == {}
    assert entities.unmatched_options == ()


def test_misspelt_colours_are_still_forgiven() -> None:
    colours = GADGETS.products[0].variants["Color"]

    assert option_value("orang", colours) == "Orange"
    assert option_value("silvr", colours) == "Silver"
    assert option_value("range", colours) is None
    assert options_in_text("the price range", {"Color": colours}) == {}


# --- SKU-shaped words that are option values or measures -------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "I'll buy the nova x5 128gb black, how do I pay?",
        "is the 256GB in stock",
        "do you have the nova in 512GB",
        "which power bank is 20000mAh",
        "is it 6.7inch or 6.1inch",
        "the 65w charger or a 100W one",
    ],
)
def test_capacities_and_option_values_are_not_unknown_skus(text: str) -> None:
    assert unknown_skus(GADGETS, text) == ()


def test_a_storage_option_is_an_option_not_a_code() -> None:
    entities = extract_entities("how much is nova x5 128gb black", GADGETS)

    assert entities.unknown_skus == ()
    assert entities.options == {"Storage": "128GB", "Color": "Black"}
    assert [item.sku for item in entities.items] == ["NX5-128GB-BLACK"]


@pytest.mark.parametrize(
    ("text", "unknown"),
    [
        ("is NX5-512GB-BLACK available", ("NX5-512GB-BLACK",)),
        ("price of xy12", ("XY12",)),
        ("do you have AB-1234", ("AB-1234",)),
    ],
)
def test_real_unknown_codes_are_still_reported(text: str, unknown: tuple[str, ...]) -> None:
    assert unknown_skus(GADGETS, text) == unknown


def test_a_model_number_in_a_product_name_is_neither_a_code_nor_a_count() -> None:
    entities = extract_entities("does nova x5 support 5G", GADGETS)

    assert entities.product is not None
    assert entities.product.name == "Nova X5 Smartphone"
    assert entities.unknown_skus == ()
    assert entities.quantity is None
    assert extract_entities("nova x5 x2 please", GADGETS).quantity == 2


# --- compound words written joined or apart ---------------------------------------------


@pytest.mark.parametrize(
    ("catalog", "text", "product"),
    [
        (GADGETS, "price of the powerbank pls", "PowerMax 20000mAh Power Bank"),
        (GADGETS, "do you have power-bank", "PowerMax 20000mAh Power Bank"),
        (GADGETS, "sound pods in white?", "SoundPods Pro Earbuds"),
        (GADGETS, "the soundpod pro", "SoundPods Pro Earbuds"),
        (FASHION, "is the power bank pouch in stock", "Powerbank Mini Pouch"),
        (FOOD, "smallchops platter for 20", "Small Chops Platter"),
    ],
)
def test_compound_words_match_joined_or_apart(catalog: Catalog, text: str, product: str) -> None:
    assert _meant(catalog, text) == product


def test_a_word_that_only_ends_like_a_name_word_is_not_a_compound() -> None:
    # "nobody" is "no" + "body", but "no" is no word of any name.
    assert match_products(sample_catalog(), "nobody is answering me") == []


# --- function words and verbs never name a product --------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "nobody is answering me",
        "somebody told me about you",
        "is anybody there",
        "can I return it if it doesn't fit",
        "will it fit me?",
        "i hope they fit",
        "if it does not fit can i change it",
    ],
)
def test_function_words_and_verbs_name_no_product(text: str) -> None:
    assert extract_entities(text, sample_catalog()).product is None


@pytest.mark.parametrize(
    "text",
    [
        "how much are the slim fit chinos",
        "the slim fit in 32",
        "body cream price",
        "do you have the shea butter cream",
    ],
)
def test_the_same_words_as_names_still_name(text: str) -> None:
    assert extract_entities(text, sample_catalog()).product is not None


# --- intents ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("catalog", "text", "history"),
    [
        (FASHION, "slides for size 42 dey?", ()),
        (FOOD, "hot suya dey?", ()),
        (FASHION, "e dey for size 43?", ("how much are the leather slides",)),
        (FOOD, "chapman e still dey?", ()),
        (FOOD, "is the 1 litre chapman available?", ()),
        (FOOD, "mild suya, is it available", ()),
    ],
)
async def test_pidgin_dey_asks_whether_it_is_there(
    embeddings: LocalEmbeddings, catalog: Catalog, text: str, history: tuple[str, ...]
) -> None:
    understood = await understand(text, catalog, embeddings, history=history)

    assert understood.intent == "availability"


async def test_a_service_being_available_is_a_policy_question(
    embeddings: LocalEmbeddings,
) -> None:
    understood = await understand("is pay on delivery available?", FOOD, embeddings)

    assert understood.intent == "policy"


def test_dey_is_spelled_out_as_available_only_where_it_asks() -> None:
    assert "available" in expand("slides for size 42 dey?")
    assert "available" in expand("e dey for black")
    assert "available" not in expand("how una dey")
    assert "available" not in expand("una dey open on sunday?")
    assert "available" not in expand("my order dey come?")


@pytest.mark.parametrize(
    "text",
    [
        "what's on the menu today?",
        "can I see your menu",
        "send me the full catalogue",
        "what do you have today",
    ],
)
async def test_menu_and_catalogue_questions_ask_what_the_shop_sells(
    embeddings: LocalEmbeddings, text: str
) -> None:
    understood = await understand(text, FOOD, embeddings)

    assert understood.intent == "product_info"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("can I return the slides I bought last week?", "refund"),
        ("can i return the jacket i ordered, it is too big", "refund"),
        ("I want to return the earbuds I received yesterday", "refund"),
        ("can I return a cream I already opened?", "policy"),
        ("can I return it if the size is wrong?", "policy"),
        ("what's your refund policy", "policy"),
        ("do you do refunds?", "policy"),
        ("how many days do I have to return something", "policy"),
    ],
)
async def test_can_i_return_is_a_refund_only_for_something_bought(
    embeddings: LocalEmbeddings, text: str, intent: Intent
) -> None:
    understood = await understand(text, FASHION, embeddings)

    assert understood.intent == intent


def test_a_refund_policy_question_carries_no_money_back_cue() -> None:
    names = {cue.name for cue in cues_in(expand("what is your refund policy"))}

    assert "asks for money back" not in names


@pytest.mark.parametrize(
    "text",
    [
        "can you fix my generator",
        "do you know a good hair salon around here",
        "what is 10 times 5",
        "will it rain tomorrow in lagos",
        "my brother says hello",
        "are you on twitter",
        "can you make me a flyer for my event",
        "tell me a joke",
    ],
)
async def test_off_topic_messages_are_other(embeddings: LocalEmbeddings, text: str) -> None:
    understood = await understand(text, sample_catalog(), embeddings)

    assert understood.intent == "other"


async def test_a_policy_follow_up_is_not_taken_for_the_product_question_before_it(
    embeddings: LocalEmbeddings,
) -> None:
    history = ("how much is the denim jacket in XL",)

    understood = await understand(
        "and do you deliver to ibadan?", FASHION, embeddings, history=history
    )

    assert understood.entities.product_found_by == "history"
    assert understood.intent == "policy"
