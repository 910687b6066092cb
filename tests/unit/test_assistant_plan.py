"""The local brain's tool plans, and the tool results it reads them from."""

from __future__ import annotations

import json
from decimal import Decimal

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, ToolMessage
from pydantic import BaseModel

from agents.assistant.facts import Fact, TurnFacts, read_result
from agents.assistant.plan import PlannedCall, edit_call, next_calls
from agents.assistant.requests import classify_request
from agents.profile_edits import ProfileEdit
from tools.results import (
    FindProductsResult,
    ItemInfo,
    ProductInfo,
    ProfileResult,
    ProfileUpdateResult,
    ToolError,
)

BAG = ProductInfo(
    id="5f0c1a5e-0000-4000-8000-000000000001",
    name="Leather Bag",
    base_price=Decimal("45000.00"),
    price_min=Decimal("45000.00"),
    price_max=Decimal("45000.00"),
    total_stock=16,
    in_stock=True,
    options={"Color": ["Black", "Brown"]},
)


def facts(*pairs: tuple[str, BaseModel]) -> TurnFacts:
    return TurnFacts([Fact(tool, {}, result) for tool, result in pairs])


def plan(text: str, done: TurnFacts | None = None) -> list[PlannedCall]:
    return next_calls(classify_request(text), text, done or TurnFacts())


def test_a_stock_question_finds_the_product_then_its_skus_with_the_options_named() -> None:
    text = "How many black leather bags do I have?"
    assert plan(text) == [PlannedCall("find_products", {"query": text})]
    found = facts(("find_products", FindProductsResult(query=text, products=[BAG])))
    assert plan(text, found) == [
        PlannedCall("get_inventory", {"product": BAG.id, "options": {"Color": "Black"}})
    ]
    found.facts.append(Fact("get_inventory", {}, ToolError(error="x")))
    assert plan(text, found) == []


def test_a_price_question_naming_options_looks_up_those_skus() -> None:
    tray = BAG.model_copy(
        update={"name": "Party Tray", "options": {"Size": ["25 pieces", "50 pieces"]}}
    )
    text = "what do I charge for the 50 pcs party tray?"
    assert plan(text) == [
        PlannedCall("find_products", {"query": text}),
        PlannedCall("get_business_profile"),
    ]
    found = facts(("find_products", FindProductsResult(query=text, products=[tray])))
    assert plan(text, found) == [
        PlannedCall("get_inventory", {"product": tray.id, "options": {"Size": "50 pieces"}})
    ]
    found.facts.append(Fact("get_inventory", {}, ToolError(error="x")))
    assert plan(text, found) == []
    whole = "what do I charge for the party tray?"
    found = facts(("find_products", FindProductsResult(query=whole, products=[tray])))
    assert plan(whole, found) == []


def test_a_sku_is_looked_up_by_sku_and_a_guess_by_meaning_is_not_looked_up() -> None:
    by_sku = BAG.model_copy(update={"matched_by": "sku", "sku": "BAG-BLK"})
    text = "is BAG-BLK in stock"
    found = facts(("find_products", FindProductsResult(query=text, products=[by_sku])))
    assert plan(text, found) == [PlannedCall("get_inventory", {"sku": "BAG-BLK"})]
    guess = BAG.model_copy(update={"matched_by": "semantic"})
    found = facts(("find_products", FindProductsResult(query=text, products=[guess])))
    assert plan(text, found) == []
    several = FindProductsResult(query=text, products=[BAG, BAG], ambiguous=True)
    assert plan(text, facts(("find_products", several))) == []


def test_single_round_requests_call_their_tools_once() -> None:
    assert plan("what's low on stock?") == [PlannedCall("list_low_stock")]
    assert plan("Who won the world cup?") == [
        PlannedCall("search_business_context", {"query": "Who won the world cup?"})
    ]
    assert plan("hi") == []


def test_a_policy_is_searched_for_only_when_the_profile_lacks_it() -> None:
    text = "What's my return policy?"
    assert plan(text) == [PlannedCall("get_business_profile")]
    known = ProfileResult(profile={"policies": {"returns": "7 days"}}, completeness=5, missing=[])
    assert plan(text, facts(("get_business_profile", known))) == []
    unknown = ProfileResult(profile={"policies": {"hours": "9-5"}}, completeness=5, missing=[])
    searched = facts(("get_business_profile", unknown))
    assert plan(text, searched) == [PlannedCall("search_business_context", {"query": text})]
    searched.facts.append(Fact("search_business_context", {}, ToolError(error="down")))
    assert plan(text, searched) == []


def test_an_update_sets_keys_of_structured_fields_and_text_fields_whole() -> None:
    assert plan("change my hours to 9am-6pm") == [
        PlannedCall("update_business_profile", {"field": "policies", "value": {"hours": "9am-6pm"}})
    ]
    assert edit_call(ProfileEdit("business_type", "bakery")) == PlannedCall(
        "update_business_profile", {"field": "business_type", "value": "bakery"}
    )
    assert edit_call(ProfileEdit("social_media_presence.website", None, "clear")) == PlannedCall(
        "update_business_profile", {"field": "social_media_presence", "value": {"website": ""}}
    )
    done = facts(
        (
            "update_business_profile",
            ProfileUpdateResult(field="x", value=1, changed=True, reembedded=False),
        )
    )
    assert plan("change my hours to 9am-6pm", done) == []


def test_an_addition_reads_the_profile_first_and_appends_to_it() -> None:
    text = "add more about my target audience: mostly students"
    assert plan(text) == [PlannedCall("get_business_profile")]
    profile = ProfileResult(
        profile={"target_audience_description": "Young people in Lagos"},
        completeness=15,
        missing=[],
    )
    assert plan(text, facts(("get_business_profile", profile))) == [
        PlannedCall(
            "update_business_profile",
            {
                "field": "target_audience_description",
                "value": "Young people in Lagos. mostly students",
            },
        )
    ]


def test_tool_json_reads_back_into_result_models() -> None:
    item = ItemInfo(
        sku="A-1",
        product_name="A",
        price=Decimal("1.50"),
        stock_quantity=2,
        is_active=True,
        in_stock=True,
    )
    cleared = ProfileUpdateResult(field="name", value=None, changed=True, reembedded=True)
    assert read_result("update_business_profile", cleared.model_dump_json(exclude_none=True)) == (
        cleared
    )
    listed = read_result(
        "find_products", FindProductsResult(query="a", products=[BAG]).model_dump_json()
    )
    assert isinstance(listed, FindProductsResult)
    assert listed.products[0].price_min == Decimal("45000.00")
    assert read_result("list_low_stock", json.dumps({"error": "no", "code": "x"})) == ToolError(
        error="no", code="x"
    )
    for tool, content in (("get_inventory", "Error: bad arguments"), ("x", item.model_dump_json())):
        refused = read_result(tool, content)
        assert isinstance(refused, ToolError)
        assert refused.code == "invalid_call"


def test_turn_facts_pair_results_with_their_calls_in_the_latest_turn_only() -> None:
    old_call = AIMessage("", tool_calls=[{"name": "list_low_stock", "args": {}, "id": "old"}])
    call = AIMessage(
        "", tool_calls=[{"name": "find_products", "args": {"query": "bag"}, "id": "new"}]
    )
    result = FindProductsResult(query="bag", products=[BAG])
    messages: list[AnyMessage] = [
        HumanMessage("earlier"),
        old_call,
        ToolMessage('{"threshold": 5, "total": 0, "items": []}', tool_call_id="old"),
        HumanMessage("now"),
        call,
        ToolMessage(result.model_dump_json(), tool_call_id="new"),
    ]
    turn = TurnFacts.of(messages)
    assert [(f.tool, f.args) for f in turn.facts] == [("find_products", {"query": "bag"})]
    assert turn.last("find_products", FindProductsResult) == result
    assert turn.tools == {"find_products"}
