"""The business tools: context search, the profile, and profile edits (the owner's only)."""

from __future__ import annotations

from dataclasses import replace
from typing import ForwardRef

from langchain_core.messages import AIMessage
from langchain_core.tools import StructuredTool
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode
from pydantic import BaseModel, model_serializer
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from store.context.sync import add_context_facts, embed_business_context
from store.context.vectors import ContextStore
from store.tables.businesses import Business
from store.tables.context import BusinessContextChunk
from tests.integration.tools.conftest import Shop, as_responder, call_tool
from tools.context import ToolContext
from tools.results import ContextSearchResult, ProfileResult, ProfileUpdateResult, ToolError
from tools.toolset import ASSISTANT_TOOLS, RESPONDER_TOOLS


async def _policy_chunks(db: AsyncSession, shop: Shop) -> set[str]:
    rows = await db.exec(
        select(BusinessContextChunk.chunk_text).where(
            col(BusinessContextChunk.business_id) == shop.business_id,
            col(BusinessContextChunk.source_field) == "policies",
        )
    )
    return set(rows.all())


async def test_search_business_context_returns_this_business_snippets(
    shop: Shop, rival: object, db: AsyncSession, context_store: ContextStore
) -> None:
    await embed_business_context(db, context_store, shop.business_id)
    await add_context_facts(
        db, context_store, shop.business_id, ["We deliver in Lagos within 2 days for NGN 2,500."]
    )
    answer = await call_tool(
        as_responder(shop.context), "search_business_context", query="do u deliver to lekki", k=2
    )
    found = answer.artifact
    assert isinstance(found, ContextSearchResult)
    assert found.snippets[0].text == "We deliver in Lagos within 2 days for NGN 2,500."
    assert found.snippets[0].source_field == "fact"
    assert len(found.snippets) == 2
    assert 0 < found.snippets[1].score <= found.snippets[0].score <= 1

    hours = await call_tool(shop.context, "search_business_context", query="what time do you open")
    assert isinstance(hours.artifact, ContextSearchResult)
    assert hours.artifact.snippets[0].text == "Opening hours: 9am-6pm"


async def test_search_business_context_without_a_store_says_so(shop: Shop) -> None:
    answer = await call_tool(
        replace(shop.context, context_store=None), "search_business_context", query="hours"
    )
    assert isinstance(answer.artifact, ToolError)
    assert answer.artifact.code == "unavailable"


async def test_get_business_profile(shop: Shop) -> None:
    answer = await call_tool(as_responder(shop.context), "get_business_profile")
    profile = answer.artifact
    assert isinstance(profile, ProfileResult)
    assert profile.profile["name"] == "Ada Styles"
    assert profile.profile["policies"] == {"returns": "7 days with the receipt", "hours": "9am-6pm"}
    assert profile.completeness == 15 + 15 + 10  # name, type, half the policies
    assert "products_services_overview" in profile.missing
    assert "policies.delivery" in profile.missing


async def test_the_owner_updates_a_policy_and_it_is_searchable_at_once(
    shop: Shop, db: AsyncSession, context_store: ContextStore
) -> None:
    await embed_business_context(db, context_store, shop.business_id)
    answer = await call_tool(
        shop.context,
        "update_business_profile",
        field="policies",
        value={"returns": "14 days, unworn", "delivery": "Lagos only"},
    )
    result = answer.artifact
    assert isinstance(result, ProfileUpdateResult)
    assert (result.changed, result.reembedded) == (True, True)
    assert result.value == {
        "returns": "14 days, unworn",
        "hours": "9am-6pm",
        "delivery": "Lagos only",
    }
    business = await db.get(Business, shop.business_id)
    assert business is not None
    assert business.policies == result.value
    assert business.profile_completeness_score == 15 + 15 + 15  # three policies of four
    assert await _policy_chunks(db, shop) == {
        "Returns: 14 days, unworn",
        "Opening hours: 9am-6pm",
        "Delivery: Lagos only",
    }
    found = await call_tool(shop.context, "search_business_context", query="refund", k=1)
    assert isinstance(found.artifact, ContextSearchResult)
    assert [s.text for s in found.artifact.snippets] == ["Returns: 14 days, unworn"]

    same = await call_tool(
        shop.context, "update_business_profile", field="policies", value={"delivery": "Lagos only"}
    )
    assert isinstance(same.artifact, ProfileUpdateResult)
    assert (same.artifact.changed, same.artifact.reembedded) == (False, False)


async def test_an_empty_text_removes_a_policy(shop: Shop, db: AsyncSession) -> None:
    answer = await call_tool(
        shop.context, "update_business_profile", field="policies", value={"hours": ""}
    )
    assert isinstance(answer.artifact, ProfileUpdateResult)
    assert answer.artifact.value == {"returns": "7 days with the receipt"}


async def test_an_invalid_value_is_refused_and_nothing_changes(
    shop: Shop, db: AsyncSession
) -> None:
    too_long, wrong_shape, not_a_field = (
        await call_tool(shop.context, "update_business_profile", field="name", value="x" * 201),
        await call_tool(
            shop.context, "update_business_profile", field="business_type", value={"a": "b"}
        ),
        await call_tool(
            shop.context, "update_business_profile", field="confidence_threshold", value="0"
        ),
    )
    for answer in (too_long, wrong_shape):
        assert isinstance(answer.artifact, ToolError), answer.content
        assert answer.artifact.code == "validation_error"
    # A field outside the schema never reaches the tool: the call fails validation.
    assert answer_is_error(not_a_field.content)
    business = await db.get(Business, shop.business_id)
    assert business is not None
    assert (business.name, business.business_type) == ("Ada Styles", "fashion boutique")


def answer_is_error(content: object) -> bool:
    return isinstance(content, str) and "error" in content.lower()


async def test_the_responder_cannot_update_the_profile(shop: Shop, db: AsyncSession) -> None:
    assert "update_business_profile" not in {t.name for t in RESPONDER_TOOLS}
    assert "list_low_stock" not in {t.name for t in RESPONDER_TOOLS}
    answer = await call_tool(
        as_responder(shop.context), "update_business_profile", field="name", value="Hacked"
    )
    assert isinstance(answer.artifact, ToolError)
    assert answer.artifact.code == "forbidden"
    business = await db.get(Business, shop.business_id)
    assert business is not None
    assert business.name == "Ada Styles"


class _Ledger(BaseModel):
    """Graph state that records each time something serializes it."""

    dumps: list[int] = []

    @model_serializer
    def _dump(self) -> dict[str, int]:
        self.dumps.append(1)
        return {"dumps": len(self.dumps)}


class _StateWithLedger(MessagesState):
    ledger: _Ledger


async def test_a_tool_call_does_not_copy_the_graph_state(shop: Shop) -> None:
    """The runtime a tool gets carries the whole graph state; validating the call must not
    serialize it (LangChain dumps the validated arguments on every call)."""
    builder = StateGraph(_StateWithLedger, context_schema=ToolContext)
    builder.add_node("tools", ToolNode(list(RESPONDER_TOOLS)))
    builder.add_edge(START, "tools")
    builder.add_edge("tools", END)
    request = AIMessage(
        content="",
        tool_calls=[
            {"name": "get_business_profile", "args": {}, "id": "call_0", "type": "tool_call"}
        ],
    )
    ledger = _Ledger()
    state = await builder.compile().ainvoke(
        {"messages": [request], "ledger": ledger}, context=as_responder(shop.context)
    )
    assert isinstance(state["messages"][-1].artifact, ProfileResult)
    assert ledger.dumps == []


def test_every_tool_has_its_annotations_resolved_once() -> None:
    """LangChain reads a tool's type hints on every call: strings left in them (this
    package's postponed annotations) would be evaluated again each time."""
    for tool in ASSISTANT_TOOLS:
        assert isinstance(tool, StructuredTool), tool.name
        assert tool.coroutine is not None, tool.name
        hints = tool.coroutine.__annotations__
        assert hints, tool.name
        assert not [n for n, hint in hints.items() if isinstance(hint, str | ForwardRef)], tool.name
