"""The local brain's answers: composed from the tool results, never beyond them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from agents.assistant import prompts
from agents.assistant.answers import CONTEXT_CUTOFF, compose_answer, money
from agents.assistant.facts import Fact, TurnFacts
from agents.assistant.requests import classify_request
from tools.results import (
    ContextSearchResult,
    ContextSnippet,
    FindProductsResult,
    InventoryResult,
    ItemInfo,
    LowStockResult,
    ProductInfo,
    ProfileResult,
    ProfileUpdateResult,
    ToolError,
)

POLICIES = {"returns": "7 days with the receipt", "hours": "Mon-Sat 10am-7pm"}
PROFILE: dict[str, Any] = {"name": "Ada Leather", "policies": POLICIES}


def item(sku: str, stock: int, *, color: str | None = None, active: bool = True) -> ItemInfo:
    return ItemInfo(
        sku=sku,
        product_name="Leather Bag",
        options={"Color": color} if color else {},
        price=Decimal("45000"),
        stock_quantity=stock,
        is_active=active,
        in_stock=active and stock > 0,
    )


BAG = ProductInfo(
    id="5f0c1a5e-0000-4000-8000-000000000001",
    name="Leather Bag",
    base_price=Decimal("45000"),
    price_min=Decimal("45000"),
    price_max=Decimal("52000"),
    total_stock=16,
    in_stock=True,
    options={"Color": ["Black", "Brown"]},
)


def answer(text: str, *results: tuple[str, BaseModel], complete: bool = True) -> str:
    facts = TurnFacts([Fact(tool, {}, result) for tool, result in results])
    return compose_answer(classify_request(text), text, facts, onboarding_complete=complete)


def profile(values: dict[str, Any] | None = None) -> tuple[str, ProfileResult]:
    return "get_business_profile", ProfileResult(
        profile=PROFILE if values is None else values, completeness=50, missing=[]
    )


def snippets(*found: tuple[str, str, float]) -> tuple[str, ContextSearchResult]:
    return "search_business_context", ContextSearchResult(
        query="q",
        snippets=[ContextSnippet(text=t, source_field=s, score=score) for t, s, score in found],
    )


def test_a_policy_comes_from_the_profile_else_from_a_fact_else_how_to_add_it() -> None:
    assert answer("What's my return policy?", profile(), snippets()) == (
        "Your return policy: 7 days with the receipt."
    )
    fact = ("We deliver anywhere in Lagos the same day.", "fact", 0.62)
    assert answer("do you deliver?", profile({}), snippets(fact)) == (
        prompts.CONTEXT_LEAD + fact[0]
    )
    unrelated = ("We deliver anywhere in Lagos.", "fact", CONTEXT_CUTOFF - 0.01)
    assert answer("what payment do we accept?", profile({}), snippets(unrelated)) == (
        "You haven't set your payment methods yet. To add it, say: "
        '"Set my payment methods to transfer, card or cash".'
    )
    assert answer("what are my policies?", profile(), snippets()).startswith(
        "Your policies: returns: 7 days with the receipt; opening hours: Mon-Sat 10am-7pm."
    )


def test_the_snippet_that_says_what_was_asked_outranks_a_closer_paraphrase() -> None:
    pickup = ("Customers outside the island can pick up from our bakery.", "fact", 0.36)
    paying = ("We take POS at pickup.", "fact", 0.35)
    address = ("Our bakery is at 4 Akin Adesola Street, Victoria Island.", "fact", 0.31)
    reply = answer(
        "where do people pick up their orders?", profile({}), snippets(pickup, paying, address)
    )
    assert reply.startswith(prompts.CONTEXT_LEAD + address[0])
    assert pickup[0] in reply
    # off the question's topic, a snippet this far from it is not quoted at all
    hours = ("We open at 8am.", "fact", 0.31)
    assert prompts.CONTEXT_LEAD not in answer("where do we deliver?", profile({}), snippets(hours))


def test_a_price_in_named_options_is_that_skus_price() -> None:
    text = "what do I charge for the brown leather bag?"
    found = FindProductsResult(query=text, products=[BAG])
    inventory = InventoryResult(
        product="Leather Bag",
        options_asked={"Color": "Brown"},
        items=[item("BAG-BRN", 4, color="Brown")],
    )
    assert answer(text, ("find_products", found), ("get_inventory", inventory)) == (
        "Leather Bag (Brown):\n- BAG-BRN (Brown): 45,000.00, 4 in stock"
    )


def test_stock_is_added_up_over_the_skus_on_sale() -> None:
    text = "How many black leather bags do I have?"
    found = ("find_products", FindProductsResult(query=text, products=[BAG]))
    inventory = InventoryResult(
        product="Leather Bag",
        options_asked={"Color": "Black"},
        items=[
            item("BAG-BLK", 4, color="Black"),
            item("BAG-BLK-OLD", 9, color="Black", active=False),
        ],
    )
    assert answer(text, found, ("get_inventory", inventory)).splitlines() == [
        "You have 4 units of Leather Bag (Black) in stock.",
        "- BAG-BLK (Black): 4 in stock at 45,000.00",
        "- BAG-BLK-OLD (Black): 9 in stock at 45,000.00, not on sale",
    ]
    refusal = ToolError(
        error="The Leather Bag does not come in Color 'Red'.", code="unknown_option"
    )
    assert answer(text, found, ("get_inventory", refusal)) == refusal.error


def test_a_product_that_is_not_found_or_not_clear_is_said_so() -> None:
    text = "how many unicorns do I have"
    nothing = ("find_products", FindProductsResult(query=text, products=[]))
    assert answer(text, nothing) == prompts.NO_PRODUCT
    guess = BAG.model_copy(update={"matched_by": "semantic"})
    near = ("find_products", FindProductsResult(query=text, products=[guess]))
    assert answer(text, near) == f"{prompts.NO_PRODUCT} The closest I have: Leather Bag."
    two = FindProductsResult(
        query=text, products=[BAG, BAG.model_copy(update={"name": "Bag"})], ambiguous=True
    )
    assert answer(text, ("find_products", two)) == (
        "Several products match: Leather Bag, Bag. Which one do you mean?"
    )


def test_low_stock_lists_the_scarcest_and_says_when_nothing_is_low() -> None:
    low = LowStockResult(threshold=5, total=12, items=[item(f"S-{n}", n) for n in range(11)])
    lines = answer("what's low on stock?", ("list_low_stock", low)).splitlines()
    assert lines[0] == "12 items at 5 units or fewer:"
    assert lines[1] == "- Leather Bag, S-0: 0 left"
    assert lines[-1] == "...and 2 more."
    none = LowStockResult(threshold=5, total=0, items=[])
    assert answer("what's low on stock?", ("list_low_stock", none)) == (
        "Nothing is running low: every item on sale has more than 5 units."
    )


def test_the_catalog_lists_products_with_price_ranges_or_falls_back_to_the_overview() -> None:
    text = "how much is the leather bag"
    found = ("find_products", FindProductsResult(query=text, products=[BAG]))
    assert answer(text, found, profile()).splitlines() == [
        "Here's what I found in your catalog:",
        "- Leather Bag: 45,000.00 to 52,000.00, 16 in stock (Color: Black, Brown)",
    ]
    nothing = ("find_products", FindProductsResult(query=text, products=[]))
    overview = profile({"products_services_overview": "Bags and belts"})
    assert answer("what products do I sell?", nothing, overview).startswith(
        "From your profile, you sell: Bags and belts."
    )


def test_the_profile_is_summarised_with_what_is_missing() -> None:
    result = ProfileResult(
        profile=PROFILE, completeness=35, missing=["business_type", "policies.payment"]
    )
    lines = answer("summarize my business profile", ("get_business_profile", result)).splitlines()
    assert lines[0] == "Here's your business profile (35% complete):"
    assert "- Business name: Ada Leather" in lines
    assert "- Business type: not provided yet" in lines
    assert lines[-1] == "Still missing: business type, payment methods."
    assert answer("what is my business name?", ("get_business_profile", result)) == (
        "Business name: Ada Leather"
    )


def test_changes_are_confirmed_from_what_the_tool_stored() -> None:
    text = "change my hours to 9am-6pm and set my return policy to 14 days"
    hours = ProfileUpdateResult(
        field="policies", value={**POLICIES, "hours": "9am-6pm"}, changed=True, reembedded=True
    )
    refused = ToolError(error="The returns policy is too long.", code="validation_error")
    said = answer(text, ("update_business_profile", hours), ("update_business_profile", refused))
    assert said == (
        "Done! I set your opening hours to '9am-6pm'. "
        "I couldn't change your return policy: The returns policy is too long."
    )
    same = ProfileUpdateResult(field="name", value="Ada", changed=False, reembedded=False)
    assert answer("change my name to Ada", ("update_business_profile", same)) == (
        "Your business name already says that (Ada), so nothing changed."
    )


def test_fixed_answers_and_refusals() -> None:
    assert answer("hello") == prompts.GREETING
    assert answer("thanks") == prompts.THANKS
    assert answer("what can you do") == prompts.HELP
    assert answer("Continue my business setup", complete=False) == prompts.SETUP_PENDING
    assert answer("Continue my business setup") == prompts.SETUP_DONE
    assert answer("write me a poem", snippets(("Hours: 9-5", "policies", 0.1))) == prompts.OFF_TOPIC


def test_money_keeps_two_decimals() -> None:
    assert money(Decimal("1234.5")) == "1,234.50"
