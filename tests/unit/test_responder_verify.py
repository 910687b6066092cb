"""Verification of drafts against retrieved facts: every price, stock figure, number, SKU
and policy statement must come from the facts, or the draft is not sent."""

from __future__ import annotations

from decimal import Decimal

import pytest

from agents.responder.facts import Facts, ItemFact, Miss, PolicyFact, ProductFact
from agents.responder.verify import (
    code_mentions,
    is_policy_statement,
    number_claims,
    verify,
)

DELIVERY = "We deliver within Lagos in 1-2 days for 2,000. We don't deliver on Sundays."
HOURS = "Open Monday to Saturday, 9am to 6pm. Closed on Sundays."

FACTS = Facts(
    products=(
        ProductFact(
            id="p1",
            name="Leather Tote",
            price_min=Decimal("15000.00"),
            price_max=Decimal("16500.00"),
            total_stock=6,
            in_stock=True,
            description="Full-grain leather, made in Aba. Free gift wrapping.",
            options={"Colour": ("Black", "Brown", "Tan")},
        ),
        ProductFact(
            id="p2",
            name="Canvas Sneaker",
            price_min=Decimal("25.50"),
            price_max=Decimal("25.50"),
            total_stock=3,
            in_stock=True,
            options={"Size": ("41", "42")},
        ),
    ),
    items=(
        ItemFact("Leather Tote", "ADA-TOTE-BLK", Decimal("15000.00"), 4, True, {"Colour": "Black"}),
        ItemFact(
            "Leather Tote", "ADA-TOTE-BRN", Decimal("15000.00"), 0, False, {"Colour": "Brown"}
        ),
        ItemFact("Leather Tote", "ADA-TOTE-TAN", Decimal("16500.00"), 2, True, {"Colour": "Tan"}),
        ItemFact("Canvas Sneaker", "SNK-42", Decimal("25.50"), 3, True, {"Size": "42"}),
    ),
    policies=(PolicyFact("delivery", DELIVERY), PolicyFact("hours", HOURS)),
    misses=(Miss("unknown_sku", "ADA-ZZZ-99", "No item has the SKU 'ADA-ZZZ-99'."),),
    business_name="Shop 24 Styles",
)


def ok(text: str, facts: Facts = FACTS, **kwargs: int) -> bool:
    return verify(text, facts, **kwargs).verified


# --- prices -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "The Leather Tote is 15,000.",
        "The Leather Tote is ₦15,000.",
        "The Leather Tote is N15,000.",
        "It's NGN 15000 for the black one.",
        "The black tote costs 15k.",
        "The tan one is 16,500 naira.",
        "The sneaker is $25.50.",
        "The sneaker is 25.5.",  # the same amount, written shorter
        "Prices go from 15,000 to 16,500.",
        "Delivery within Lagos is 2,000.",  # the business's own fee
    ],
)
def test_a_price_from_the_facts_passes(text: str) -> None:
    assert ok(text)


@pytest.mark.parametrize(
    "text",
    [
        "The Leather Tote is ₦14,000.",
        "The Leather Tote is 15,500.",
        "It's N12k today only.",
        "The sneaker costs $25.",
        "For you, it's 4.",  # a stock figure passed off as a price
        "That comes to 30,000 for two.",  # a total nobody retrieved
    ],
)
def test_a_price_not_in_the_facts_fails(text: str) -> None:
    result = verify(text, FACTS)
    assert not result.verified
    assert result.problems


def test_the_problem_names_the_amount() -> None:
    result = verify("The Leather Tote is ₦14,000.", FACTS)
    assert result.problems == ("price '14,000' is not a retrieved price",)


# --- stock --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "We have 4 left in black.",
        "There are 2 in stock in tan.",
        "Only 3 remaining.",
        "We have 6 available across colours.",  # the product's total
    ],
)
def test_a_stock_figure_from_the_facts_passes(text: str) -> None:
    assert ok(text)


@pytest.mark.parametrize(
    "text", ["We have 9 in stock.", "Only 1 left!", "There are 10 units available."]
)
def test_a_stock_figure_not_in_the_facts_fails(text: str) -> None:
    assert not ok(text)


def test_the_customers_quantity_passes_only_when_allowed() -> None:
    assert not ok("Yes, we can do 3 for you, 5 pieces left... kidding, 3 available.")
    assert ok("Yes, 3 available in black.", allowed_quantity=3)
    assert not ok("Yes, 5 available in black.", allowed_quantity=3)


# --- other numbers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "The sneaker comes in size 42.",
        "Sizes 41,42 are in.",
        "Delivery takes 1-2 days.",
        "Welcome to Shop 24 Styles!",
        "We open at 9am.",
    ],
)
def test_a_number_quoted_from_the_facts_passes(text: str) -> None:
    assert ok(text)


@pytest.mark.parametrize(
    "text",
    [
        "Delivery takes 3 days.",
        "Sizes 40, 41 and 42 are available.",
        "We have a 10% discount this week.",
    ],
)
def test_a_number_from_nowhere_fails(text: str) -> None:
    assert not ok(text)


def test_numbers_are_classified_by_what_they_are_said_as() -> None:
    claims = number_claims("It's ₦15,000, 4 left, and it comes in size 42. Only 2 remaining.")
    assert [(c.value, c.kind) for c in claims] == [
        (Decimal(15000), "price"),
        (Decimal(4), "stock"),
        (Decimal(42), "number"),
        (Decimal(2), "stock"),
    ]


# --- SKUs -----------------------------------------------------------------------------------


def test_a_retrieved_sku_passes_and_an_invented_one_fails() -> None:
    assert ok("The SKU is ADA-TOTE-BLK.")
    assert ok("ada-tote-tan is the tan one.")
    assert not ok("The SKU is ADA-TOTE-RED.")
    assert not ok("Try tote-99 instead.")


def test_a_sku_the_catalog_confirmed_it_lacks_may_be_named() -> None:
    assert ok("I couldn't find ADA-ZZZ-99 in our catalog. Could you check the code?")


def test_words_that_look_like_codes_are_not_codes() -> None:
    assert code_mentions("A T-shirt, open 9am, 1-2 days, e-mail us") == []
    assert code_mentions("ask for ADA-TOTE-BLK or SNK-42 or AB12") == [
        "ADA-TOTE-BLK",
        "SNK-42",
        "AB12",
    ]


# --- policies -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        f"Good question! {DELIVERY}",
        "Delivery: We deliver within Lagos in 1-2 days for 2,000.",
        "We deliver within Lagos.",
        "We don't deliver on Sundays.",
        "We're closed on Sundays.",
        "The tote comes with free gift wrapping.",  # the product's own description
    ],
)
def test_a_policy_the_business_stated_passes(text: str) -> None:
    assert ok(text), verify(text, FACTS).problems


@pytest.mark.parametrize(
    "text",
    [
        "We deliver on Sundays.",  # the fact says the opposite
        "We're open on Sundays.",
        "We deliver nationwide.",
        "Delivery is free.",
        "We accept card payments.",
        "You can return it within 30 days.",
        "We're open 24 hours.",
    ],
)
def test_a_policy_the_business_never_stated_fails(text: str) -> None:
    assert not ok(text)


def test_without_policy_facts_any_policy_statement_fails() -> None:
    bare = Facts(products=FACTS.products, items=FACTS.items)
    assert not ok("We deliver within Lagos in 1-2 days.", bare)
    assert ok("The Leather Tote in Black is 15,000.", bare)


def test_what_counts_as_a_policy_statement() -> None:
    assert is_policy_statement("We deliver on weekdays.")
    assert is_policy_statement("Returns are accepted.")
    assert not is_policy_statement("Feel free to ask me anything!")
    assert not is_policy_statement("The Leather Tote is 15,000.")


# --- whole drafts ---------------------------------------------------------------------------


def test_a_grounded_reply_passes_with_nothing_to_report() -> None:
    text = (
        "Hi! Yes, the Leather Tote in Black is in stock — we have 4 left, at ₦15,000 "
        "(SKU ADA-TOTE-BLK). We deliver within Lagos in 1-2 days for 2,000."
    )
    result = verify(text, FACTS)
    assert result == verify(text, FACTS)
    assert result.verified
    assert result.problems == ()
    assert result.checked >= 5


def test_one_invented_figure_sinks_the_whole_reply() -> None:
    text = "The Leather Tote in Black is ₦15,000 and we have 7 left. We deliver within Lagos."
    result = verify(text, FACTS)
    assert not result.verified
    assert result.problems == ("stock figure '7' is not a retrieved stock figure",)


def test_a_reply_with_no_claims_passes() -> None:
    assert ok("Hi there! 👋 How can I help you today?", Facts())
    assert ok("Which colour would you like — Black or Tan?")
