"""The local brain's replies: composed from retrieved facts only, varied, and verifiable.

Facts are built the way the graph builds them: tool results (the tools' own pydantic
models) in tool messages, collected by `collect_facts`. Readings are hand-made
`Understanding`s, so these tests do not depend on the intent classifier.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import pytest
from langchain_core.messages import AIMessage, AnyMessage, ToolMessage
from pydantic import BaseModel

from agents.responder.compose import compose
from agents.responder.facts import Facts, collect_facts
from agents.responder.lookups import plan_lookups
from agents.responder.verify import verify
from core.brain.understanding import Entities, Intent, Understanding
from core.catalog_match import Catalog, CatalogItem, CatalogProduct, ProductMatch
from tools.results import (
    ContextSearchResult,
    ContextSnippet,
    FindProductsResult,
    InventoryResult,
    ItemInfo,
    OptionsResult,
    ProductInfo,
    ProfileResult,
    ToolError,
)


def _item(sku: str, price: str, stock: int, **options: str) -> CatalogItem:
    return CatalogItem(uuid.uuid4(), sku, Decimal(price), stock, True, options)


TOTE = CatalogProduct(
    id=uuid.uuid4(),
    name="Leather Tote",
    base_price=Decimal("15000"),
    description="A roomy tote in full-grain leather.",
    variants={"Colour": ("Black", "Brown", "Tan")},
    items=(
        _item("ADA-TOTE-BLK", "15000", 4, Colour="Black"),
        _item("ADA-TOTE-BRN", "15000", 0, Colour="Brown"),
        _item("ADA-TOTE-TAN", "16500", 2, Colour="Tan"),
    ),
)
CANVAS = CatalogProduct(
    id=uuid.uuid4(),
    name="Canvas Tote",
    base_price=Decimal("8000"),
    items=(_item("ADA-CANVAS", "8000", 10),),
)
SHIRT = CatalogProduct(
    id=uuid.uuid4(),
    name="Linen Shirt",
    base_price=Decimal("12000"),
    variants={"Size": ("S", "M", "L"), "Colour": ("White", "Blue")},
    items=(
        _item("LIN-S-W", "12000", 3, Size="S", Colour="White"),
        _item("LIN-M-W", "12500", 0, Size="M", Colour="White"),
        _item("LIN-L-B", "13000", 5, Size="L", Colour="Blue"),
    ),
)
SOLD_OUT = CatalogProduct(
    id=uuid.uuid4(),
    name="Silk Scarf",
    base_price=Decimal("5000"),
    items=(_item("SCARF-1", "5000", 0),),
)
DELIVERY = "We deliver within Lagos in 1-2 days for 2,000."


class Lookups:
    """Tool results as the graph's tool node returns them."""

    def __init__(self) -> None:
        self.messages: list[AnyMessage] = []

    def add(self, name: str, args: Mapping[str, Any], result: BaseModel) -> Lookups:
        call_id = f"call-{len(self.messages)}"
        self.messages.append(
            AIMessage(content="", tool_calls=[{"name": name, "args": dict(args), "id": call_id}])
        )
        self.messages.append(
            ToolMessage(content=result.model_dump_json(), tool_call_id=call_id, artifact=result)
        )
        return self

    def product(self, product: CatalogProduct, *, how: str = "name") -> Lookups:
        info = ProductInfo.of(product, matched_by=how)  # type: ignore[arg-type]
        self.add(
            "find_products",
            {"query": product.name},
            FindProductsResult(query=product.name, products=[info]),
        )
        items = [ItemInfo.of(product, item) for item in product.items]
        return self.add(
            "get_inventory",
            {"product": str(product.id)},
            InventoryResult(product=product.name, items=items),
        )

    def candidates(self, *products: CatalogProduct, how: str = "name") -> Lookups:
        infos = [ProductInfo.of(p, matched_by=how) for p in products]  # type: ignore[arg-type]
        return self.add(
            "find_products",
            {"query": "q"},
            FindProductsResult(query="q", products=infos, ambiguous=len(infos) > 1),
        )

    def facts(self, business_name: str | None = "Ada Styles") -> Facts:
        return collect_facts(self.messages, business_name=business_name)


def reading(
    intent: Intent,
    text: str = "",
    *,
    product: CatalogProduct | None = None,
    options: Mapping[str, str] | None = None,
    candidates: Sequence[CatalogProduct] = (),
    topics: Sequence[str] = (),
    **entities: Any,
) -> Understanding:
    matches = tuple(ProductMatch(p, 90.0) for p in candidates or ([product] if product else []))
    return Understanding(
        text=text,
        intent=intent,
        intent_scores={intent: 0.8},
        entities=Entities(
            product=product, products=matches, options=dict(options or {}), **entities
        ),
        sentiment="neutral",
        confidence=0.9,
        policy_topics=tuple(topics),
    )


def composed(understanding: Understanding, facts: Facts, seed: str = "m-1") -> str:
    draft = compose(understanding, facts, seed=seed, business_name="Ada Styles")
    assert draft is not None
    result = verify(draft.text, facts, allowed_quantity=None)
    assert result.verified, (draft.text, result.problems)
    return draft.text


# --- prices -------------------------------------------------------------------------------


def test_one_price() -> None:
    text = composed(reading("price", product=CANVAS), Lookups().product(CANVAS).facts())
    assert "Canvas Tote" in text
    assert "8,000" in text


def test_prices_that_differ_by_colour_are_listed_and_the_colour_asked() -> None:
    text = composed(reading("price", product=TOTE), Lookups().product(TOTE).facts())
    assert "15,000 for the Black and Brown" in text
    assert "16,500 for the Tan" in text
    assert text.endswith("?")
    assert "Black or Tan" in text  # brown is sold out: not offered


def test_one_colour_left_in_stock_is_said_not_offered_as_a_choice() -> None:
    bag = CatalogProduct(
        id=uuid.uuid4(),
        name="Leather Tote Bag",
        base_price=Decimal("85"),
        variants={"Color": ("Black", "Brown")},
        items=(_item("BAG-BLK", "85", 3, Color="Black"), _item("BAG-BRN", "85", 0, Color="Brown")),
    )
    for seed in ("m-1", "m-2", "m-3"):
        text = composed(reading("price", product=bag), Lookups().product(bag).facts(), seed)
        assert "85" in text
        assert "only" in text
        assert "Black" in text
        assert "Brown" not in text
        assert not text.endswith("?")


def test_the_price_of_the_option_asked() -> None:
    text = composed(
        reading("price", product=TOTE, options={"Colour": "Tan"}), Lookups().product(TOTE).facts()
    )
    assert "Leather Tote in Tan" in text
    assert "16,500" in text
    assert "15,000" not in text


def test_prices_set_by_one_option_are_listed_by_it() -> None:
    text = composed(reading("price", product=SHIRT), Lookups().product(SHIRT).facts())
    assert "12,000 for the S; 12,500 for the M; 13,000 for the L" in text


def test_prices_set_by_two_options_together_are_a_range() -> None:
    dress = CatalogProduct(
        id=uuid.uuid4(),
        name="Ankara Dress",
        base_price=Decimal("100"),
        variants={"Size": ("S", "M"), "Colour": ("Red", "Blue")},
        items=(
            _item("AD-S-R", "100", 1, Size="S", Colour="Red"),
            _item("AD-S-B", "110", 1, Size="S", Colour="Blue"),
            _item("AD-M-R", "110", 1, Size="M", Colour="Red"),
        ),
    )
    text = composed(reading("price", product=dress), Lookups().product(dress).facts())
    assert "from 100 to 110" in text
    assert "size and colour" in text


# --- availability ---------------------------------------------------------------------------


def test_in_stock_with_the_count_and_price() -> None:
    text = composed(
        reading("availability", product=TOTE, options={"Colour": "Black"}),
        Lookups().product(TOTE).facts(),
    )
    assert "Leather Tote in Black" in text
    assert "4" in text
    assert "15,000" in text


def test_out_of_stock_offers_what_is_in_stock() -> None:
    text = composed(
        reading("availability", product=TOTE, options={"Colour": "Brown"}),
        Lookups().product(TOTE).facts(),
    )
    assert "Leather Tote in Brown" in text
    assert any(w in text for w in ("out of stock", "sold out", "run out"))
    assert "Black and Tan" in text


def test_sold_out_everywhere_is_said_so() -> None:
    text = composed(reading("availability", product=SOLD_OUT), Lookups().product(SOLD_OUT).facts())
    assert "Silk Scarf" in text
    assert any(w in text for w in ("out of stock", "sold out"))


@pytest.mark.parametrize("seed", ["a", "b", "c", "d"])
def test_a_missing_option_is_asked_offering_the_values_in_stock(seed: str) -> None:
    text = composed(reading("availability", product=TOTE), Lookups().product(TOTE).facts(), seed)
    assert "Black and Tan" in text
    assert text.endswith("colour would you like?") or text.endswith(
        "colour should I check for you?"
    )
    assert "Brown" not in text
    assert text.count("Black") == 1  # listed once, not again in the question


def test_more_than_is_in_stock_says_how_many_are_left() -> None:
    text = composed(
        reading("availability", product=TOTE, options={"Colour": "Tan"}, quantity=5),
        Lookups().product(TOTE).facts(),
    )
    assert "2" in text
    assert "only" in text.lower() or "just" in text.lower()


def test_an_option_the_product_does_not_have() -> None:
    text = composed(
        reading("availability", product=TOTE, unmatched_options=("purple",)),
        Lookups().product(TOTE).facts(),
    )
    assert "purple" in text
    assert "Black, Brown or Tan" in text


@pytest.mark.parametrize("seed", ["a", "b", "c", "d"])
def test_a_size_the_product_does_not_have_is_answered_with_the_sizes_it_has(seed: str) -> None:
    # The customer's "45" is no fact, so the reply names only the sizes there are (a reply
    # echoing it would fail verification and go to a person).
    text = composed(
        reading("product_info", product=SHIRT, unmatched_options=("45",)),
        Lookups().product(SHIRT).facts(),
        seed=seed,
    )
    assert "45" not in text
    assert "only have the Linen Shirt in size S, M or L" in text


def test_a_combination_no_sku_has() -> None:
    text = composed(
        reading("availability", product=SHIRT, options={"Size": "S", "Colour": "Blue"}),
        Lookups().product(SHIRT).facts(),
    )
    assert "Linen Shirt in size S, Blue" in text
    assert "size S, M or L" in text


def test_product_info_quotes_the_description() -> None:
    text = composed(reading("product_info", product=TOTE), Lookups().product(TOTE).facts())
    assert "A roomy tote in full-grain leather." in text
    assert "15,000 to 16,500" in text


# --- clarifying -----------------------------------------------------------------------------


def test_an_ambiguous_product_is_asked_about_without_a_price() -> None:
    facts = Lookups().candidates(TOTE, CANVAS).facts()
    draft = compose(
        reading("price", "how much is the tote", candidates=(TOTE, CANVAS)), facts, seed="m"
    )
    assert draft is not None
    assert draft.kind == "clarify"
    assert "Leather Tote" in draft.text
    assert "Canvas Tote" in draft.text
    assert not any(ch.isdigit() for ch in draft.text)


def test_a_product_found_only_by_meaning_is_asked_about() -> None:
    facts = Lookups().candidates(TOTE, how="semantic").facts()
    draft = compose(reading("availability", "something for work"), facts, seed="m")
    assert draft is not None
    assert draft.kind == "clarify"
    assert "Leather Tote?" in draft.text


def test_an_unknown_code_is_asked_about() -> None:
    facts = (
        Lookups()
        .add(
            "get_inventory",
            {"sku": "ADA-ZZZ-99"},
            ToolError(error="No item has the SKU 'ADA-ZZZ-99'.", code="unknown_sku"),
        )
        .facts()
    )
    text = composed(reading("price", "price of ADA-ZZZ-99", unknown_skus=("ADA-ZZZ-99",)), facts)
    assert "ADA-ZZZ-99" in text
    assert text.endswith("?")


def test_an_unknown_product_gets_no_draft() -> None:
    facts = Lookups().candidates().facts()
    assert compose(reading("price", "how much are umbrellas"), facts, seed="m") is None


# --- policies -------------------------------------------------------------------------------


def test_a_policy_the_profile_states_is_quoted() -> None:
    facts = (
        Lookups()
        .add(
            "get_business_profile",
            {},
            ProfileResult(
                profile={"policies": {"delivery": DELIVERY}}, completeness=50, missing=[]
            ),
        )
        .facts()
    )
    text = composed(reading("policy", "do you deliver", topics=("delivery",)), facts)
    assert DELIVERY in text


def search(*snippets: ContextSnippet) -> ContextSearchResult:
    return ContextSearchResult(query="q", snippets=list(snippets))


def test_a_close_context_snippet_answers_a_policy_question() -> None:
    snippet = ContextSnippet(
        text="Fact: We are at 12 Allen Avenue, Ikeja.", source_field="fact", score=0.61
    )
    facts = (
        Lookups()
        .add(
            "search_business_context",
            {"query": "where"},
            ContextSearchResult(query="where", snippets=[snippet]),
        )
        .facts()
    )
    text = composed(reading("policy", "where are you?", topics=("location",)), facts)
    assert "12 Allen Avenue" in text


def test_a_far_context_snippet_does_not() -> None:
    snippet = ContextSnippet(
        text="Business type: boutique", source_field="business_type", score=0.2
    )
    facts = (
        Lookups()
        .add(
            "search_business_context",
            {"query": "q"},
            ContextSearchResult(query="q", snippets=[snippet]),
        )
        .facts()
    )
    assert (
        compose(reading("policy", "are you open sunday?", topics=("hours",)), facts, seed="m")
        is None
    )


# --- greetings, variety, escalations ----------------------------------------------------------


def test_a_greeting_names_the_shop_and_a_thanks_is_answered_as_one() -> None:
    hello = compose(reading("greeting", "hello"), Facts(), seed="m", business_name="Ada Styles")
    thanks = compose(reading("greeting", "thanks a lot"), Facts(), seed="m", business_name=None)
    assert hello is not None
    assert "Ada Styles" in hello.text
    assert thanks is not None
    assert thanks.situation == "greeting.thanks"


def test_a_hello_before_a_question_is_returned() -> None:
    facts = Lookups().product(CANVAS).facts()
    text = composed(reading("price", "hi, how much is the canvas tote", product=CANVAS), facts)
    assert text.split()[0] in {"Hi!", "Hello!", "Hi", "Hey!"}


def test_phrasing_varies_by_message_and_repeats_for_the_same_message() -> None:
    facts = Lookups().product(TOTE).facts()
    ask = reading("availability", product=TOTE, options={"Colour": "Brown"})
    texts = {composed(ask, facts, seed=f"message-{n}") for n in range(12)}
    assert len(texts) >= 3
    assert composed(ask, facts, seed="message-1") == composed(ask, facts, seed="message-1")


@pytest.mark.parametrize("intent", ["complaint", "refund", "human_request", "order", "other"])
def test_what_a_person_handles_gets_no_draft(intent: Intent) -> None:
    facts = Lookups().product(TOTE).facts()
    assert compose(reading(intent, product=TOTE), facts, seed="m") is None


PRODUCT_INTENTS: tuple[Intent, ...] = ("price", "availability", "product_info")


def test_every_composed_reply_verifies_against_its_facts() -> None:
    facts = Lookups().product(TOTE).product(SHIRT).product(CANVAS).product(SOLD_OUT).facts()
    cases: list[Understanding] = []
    for product in (TOTE, SHIRT, CANVAS, SOLD_OUT):
        for intent in PRODUCT_INTENTS:
            cases.append(reading(intent, product=product))
            for name, values in product.variants.items():
                for value in values:
                    cases.append(reading(intent, product=product, options={name: value}))
    for number, understanding in enumerate(cases):
        for seed in ("a", "b", "c", "d"):
            draft = compose(understanding, facts, seed=f"{seed}{number}")
            assert draft is not None
            assert verify(draft.text, facts).verified, draft.text


def test_the_plan_looks_up_the_product_by_id() -> None:
    asked = reading("availability", "tote in black?", product=TOTE, options={"Colour": "Black"})
    calls = plan_lookups(asked)
    assert [(c["name"], c["args"]) for c in calls] == [
        ("find_products", {"query": "Leather Tote", "limit": 5}),
        ("get_inventory", {"product": str(TOTE.id)}),
        # The owner's words, for a second question or a fact about the product.
        ("get_business_profile", {}),
        ("search_business_context", {"query": "tote in black?", "k": 5}),
    ]
    assert plan_lookups(reading("refund", product=TOTE)) == []
    assert [c["name"] for c in plan_lookups(reading("policy", "do you deliver"))] == [
        "get_business_profile",
        "search_business_context",
    ]


def test_facts_keep_their_sources_whatever_order_the_tools_answered_in() -> None:
    options = OptionsResult(
        product=TOTE.name,
        options={"Colour": ["Black", "Brown", "Tan"]},
        in_stock_values={"Colour": ["Black", "Tan"]},
    )
    lookups = Lookups().add("list_options", {"product": str(TOTE.id)}, options).product(TOTE)
    facts = lookups.facts()
    [tote] = facts.products
    assert tote.in_stock_values == {"Colour": ("Black", "Tan")}
    assert tote.source == "find_products(query=Leather Tote)"
    assert {i.sku: i.source for i in facts.items}["ADA-TOTE-TAN"] == (
        f"get_inventory(product={TOTE.id})"
    )
    assert facts.prices() == {Decimal("15000"), Decimal("16500")}
    assert facts.stock_figures() == {0, 2, 4, 6}
    logged = facts.as_log()
    assert logged["items"][2] == {
        "product": "Leather Tote",
        "sku": "ADA-TOTE-TAN",
        "price": "16500",
        "stock": 2,
        "in_stock": True,
        "options": {"Colour": "Tan"},
        "is_active": True,
        "source": f"get_inventory(product={TOTE.id})",
    }


# --- several questions, owner's facts, the range ------------------------------------------


def _snippet(text: str, score: float, source: str = "fact") -> ContextSnippet:
    return ContextSnippet(text=text, source_field=source, score=score)


def test_a_policy_asked_with_a_price_is_answered_too() -> None:
    facts = (
        Lookups()
        .product(CANVAS)
        .add("search_business_context", {"query": "q"}, search(_snippet(DELIVERY, 0.3)))
        .facts()
    )
    text = composed(
        reading("price", "how much is the canvas tote and do you deliver?", product=CANVAS), facts
    )
    assert "8,000" in text
    assert DELIVERY in text


def test_a_policy_asked_with_a_price_and_not_known_goes_to_a_person() -> None:
    facts = Lookups().product(CANVAS).facts()
    asked = reading("price", "how much is the canvas tote and do you deliver?", product=CANVAS)
    assert compose(asked, facts, seed="m") is None


def test_a_product_name_is_not_read_as_a_policy_question() -> None:
    bank = CatalogProduct(
        id=uuid.uuid4(),
        name="Power Bank",
        base_price=Decimal("18000"),
        items=(_item("PB-1", "18000", 3),),
    )
    facts = Lookups().product(bank).facts()
    text = composed(reading("price", "how much is the power bank?", product=bank), facts)
    assert "18,000" in text


def test_each_topic_of_a_two_part_question_is_answered() -> None:
    hours = "We are open Monday to Saturday, 9am to 7pm."
    shop = "Our shop is at 12 Admiralty Way, Lekki."
    facts = (
        Lookups()
        .add(
            "search_business_context",
            {"query": "q"},
            search(_snippet(hours, 0.5), _snippet(shop, 0.3)),
        )
        .facts()
    )
    asked = reading(
        "policy", "what time do you close and where is your shop?", topics=("hours", "location")
    )
    text = composed(asked, facts)
    assert "9am to 7pm" in text
    assert "Admiralty Way" in text


def test_the_snippet_sharing_the_question_words_comes_first() -> None:
    outside = "Delivery outside Lagos takes 3-5 days and costs 4,500 naira."
    within = "Delivery within Lagos takes 1-2 days and costs 2,500 naira."
    facts = (
        Lookups()
        .add(
            "search_business_context",
            {"query": "q"},
            search(_snippet(outside, 0.81), _snippet(within, 0.80)),
        )
        .facts()
    )
    text = composed(
        reading("policy", "how much is delivery within lagos?", topics=("delivery",)), facts
    )
    assert "2,500" in text
    assert "4,500" not in text or text.index("2,500") < text.index("4,500")


def test_an_owners_fact_answers_what_the_catalog_does_not() -> None:
    fact = "Our leather tote is lined with cotton; the lining has no nickel."
    facts = (
        Lookups()
        .product(TOTE)
        .add("search_business_context", {"query": "q"}, search(_snippet(fact, 0.3)))
        .facts()
    )
    text = composed(reading("product_info", "does the tote contain nickel?", product=TOTE), facts)
    assert fact in text


def test_an_unrelated_far_fact_is_left_out() -> None:
    fact = "We are a family business founded in 2019."
    facts = (
        Lookups()
        .product(TOTE)
        .add("search_business_context", {"query": "q"}, search(_snippet(fact, 0.3)))
        .facts()
    )
    text = composed(reading("product_info", "tell me about the tote", product=TOTE), facts)
    assert "2019" not in text


def test_a_range_question_lists_what_the_shop_sells() -> None:
    facts = Lookups().product(TOTE).product(CANVAS).facts()
    text = composed(reading("product_info", "what do you sell?"), facts)
    assert "Leather Tote" in text
    assert "Canvas Tote" in text


def test_a_range_question_plans_a_lookup_per_product() -> None:
    calls = plan_lookups(reading("product_info", "what do you sell?"), Catalog((TOTE, CANVAS)))
    queries = [c["args"].get("query") for c in calls if c["name"] == "find_products"]
    assert "Leather Tote" in queries
    assert "Canvas Tote" in queries


def test_a_price_for_one_sku_in_stock_says_so() -> None:
    text = composed(reading("price", product=CANVAS), Lookups().product(CANVAS).facts())
    assert "in stock" in text


def test_an_owners_fact_about_the_whole_range_leads_the_reply() -> None:
    fact = "All our bags are cruelty free: no animal testing anywhere in our supply chain."
    facts = (
        Lookups()
        .product(TOTE)
        .product(CANVAS)
        .add("search_business_context", {"query": "q"}, search(_snippet(fact, 0.3)))
        .facts()
    )
    text = composed(reading("product_info", "are your products cruelty free?"), facts)
    assert text.startswith(fact)
    assert "Canvas Tote" in text


def test_an_owners_fact_answers_a_question_about_a_kind_without_asking_which() -> None:
    fact = "Every tote we sell is brand new, never refurbished."
    facts = (
        Lookups()
        .candidates(TOTE, CANVAS, how="semantic")
        .add("search_business_context", {"query": "q"}, search(_snippet(fact, 0.3)))
        .facts()
    )
    asked = reading("product_info", "are your totes refurbished or new?", candidates=(TOTE, CANVAS))
    draft = compose(asked, facts, seed="m")
    assert draft is not None
    assert draft.text == fact
    assert draft.kind == "answer"


def test_a_price_question_still_asks_which_product_beside_a_fact() -> None:
    fact = "Every tote we sell is brand new, never refurbished."
    facts = (
        Lookups()
        .candidates(TOTE, CANVAS)
        .add("search_business_context", {"query": "q"}, search(_snippet(fact, 0.3)))
        .facts()
    )
    draft = compose(
        reading("price", "how much are the new totes?", candidates=(TOTE, CANVAS)), facts, seed="m"
    )
    assert draft is not None
    assert draft.kind == "clarify"
    assert "Canvas Tote" in draft.text
