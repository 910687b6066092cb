"""The business a tool acts for comes from the graph's context, never from the model.

The model sees schemas without a business id; a model that names another business's SKU,
or even passes a business id, is answered from the context's business only. Run through
a real ChatOpenAI client against the fake OpenAI server, in a small ReAct graph.
"""

from __future__ import annotations

import json
import uuid
from typing import Any, Literal

from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.utils.function_calling import convert_to_openai_tool
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode
from langgraph.runtime import Runtime

from core.chat_model import get_chat_model
from core.settings import Settings
from tests.fakes.openai_script import Reply, ToolCall
from tests.integration.tools.conftest import Shop, call_tool
from tests.support.openai_fixtures import FakeOpenAI
from tools.context import ToolContext
from tools.results import FindProductsResult, InventoryResult, LowStockResult, ToolError
from tools.toolset import ASSISTANT_TOOLS


def test_no_tool_schema_offers_a_business_id() -> None:
    for tool in ASSISTANT_TOOLS:
        schema = convert_to_openai_tool(tool)["function"]["parameters"]
        assert not {"business_id", "runtime"} & set(schema.get("properties", {})), tool.name
        assert "business_id" not in json.dumps(schema), tool.name


def react_graph(settings: Settings) -> Any:
    """call_model -> tools -> call_model ... -> END, with the tools bound to ChatOpenAI."""
    model = get_chat_model(settings)
    assert model is not None
    bound = model.bind_tools(list(ASSISTANT_TOOLS))

    async def call_model(state: MessagesState, runtime: Runtime[ToolContext]) -> dict[str, Any]:
        return {"messages": [await bound.ainvoke(state["messages"])]}

    def route(state: MessagesState) -> Literal["tools", "__end__"]:
        last = state["messages"][-1]
        assert isinstance(last, AIMessage)
        return "tools" if last.tool_calls else "__end__"

    builder = StateGraph(MessagesState, context_schema=ToolContext)
    builder.add_node(call_model)
    builder.add_node("tools", ToolNode(list(ASSISTANT_TOOLS)))
    builder.add_edge(START, "call_model")
    builder.add_conditional_edges("call_model", route)
    builder.add_edge("tools", "call_model")
    return builder.compile()


async def test_a_model_cannot_reach_another_business(
    shop: Shop, rival: uuid.UUID, fake_openai: FakeOpenAI, openai_settings: Settings
) -> None:
    fake_openai.controller.script(
        Reply(
            tool_calls=[
                ToolCall("find_products", {"query": "RIVAL-BAG-01"}),
                ToolCall("get_inventory", {"sku": "RIVAL-BAG-01", "business_id": str(rival)}),
                ToolCall("list_options", {"product": "RIVAL-BAG-01", "business_id": str(rival)}),
            ]
        ),
        Reply(content="Sorry, we don't have that."),
    )
    state = await react_graph(openai_settings).ainvoke(
        {"messages": [HumanMessage("is RIVAL-BAG-01 in stock?")]}, context=shop.context
    )

    first = fake_openai.controller.chat_requests[0]
    assert {t["function"]["name"] for t in first["tools"]} == {t.name for t in ASSISTANT_TOOLS}
    assert "business_id" not in json.dumps(first["tools"])
    assert all("runtime" not in t["function"]["parameters"]["properties"] for t in first["tools"])

    answers = {m.name: m for m in state["messages"] if isinstance(m, ToolMessage)}
    found = answers["find_products"].artifact
    assert isinstance(found, FindProductsResult)
    assert found.products == []
    for name in ("get_inventory", "list_options"):
        refused = answers[name].artifact
        assert isinstance(refused, ToolError), answers[name].content
        assert refused.code in {"unknown_sku", "not_found"}
    assert state["messages"][-1].content == "Sorry, we don't have that."

    # The SKU is real, and the same calls in the rival's own context find it.
    theirs = ToolContext(business_id=rival, sessions=shop.context.sessions)
    inventory = (await call_tool(theirs, "get_inventory", sku="RIVAL-BAG-01")).artifact
    assert isinstance(inventory, InventoryResult)
    assert [i.sku for i in inventory.items] == ["RIVAL-BAG-01"]


async def test_names_and_meanings_are_matched_in_this_business_only(
    shop: Shop, rival: uuid.UUID
) -> None:
    """The rival's "Leather Bag" costs 99.00; this business's costs 40.00-42.50."""
    by_name = (await call_tool(shop.context, "find_products", query="leather bag")).artifact
    assert isinstance(by_name, FindProductsResult)
    assert {str(p.price_max) for p in by_name.products} == {"42.50", "12.00"}
    theirs = ToolContext(business_id=rival, sessions=shop.context.sessions)
    by_name = (await call_tool(theirs, "find_products", query="leather bag")).artifact
    assert isinstance(by_name, FindProductsResult)
    assert [str(p.price_max) for p in by_name.products] == ["99.00"]
    low = (await call_tool(theirs, "list_low_stock", threshold=5)).artifact
    assert isinstance(low, LowStockResult)
    assert [i.sku for i in low.items] == ["RIVAL-BAG-01"]
