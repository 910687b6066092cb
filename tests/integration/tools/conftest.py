"""Fixtures for the tool tests: a seeded catalog, a rival business, and tools run by a graph.

Tools are invoked the way the graphs invoke them: a `ToolNode` in a compiled LangGraph
graph whose run-time context is a `ToolContext`, answering an `AIMessage`'s tool calls.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

import pytest
from langchain_core.messages import AIMessage, ToolMessage
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode
from sqlmodel.ext.asyncio.session import AsyncSession

from core.embeddings import LocalEmbeddings
from store.catalog.drafts import ItemDraft
from store.context.vectors import ContextStore
from store.repositories.catalog_reads import load_catalog
from tests.integration.context.conftest import context_store, local_embeddings
from tests.support.catalog import new_business, new_product
from tools.context import Prefetched, ToolContext, shared_session
from tools.product_vectors import ProductVectors
from tools.toolset import ASSISTANT_TOOLS

__all__ = ["context_store", "local_embeddings"]


def _items(*rows: tuple[str, str, int, dict[str, str]]) -> list[ItemDraft]:
    return [
        ItemDraft(options=tuple(options.items()), sku=sku, price=Decimal(price), stock_quantity=n)
        for sku, price, n, options in rows
    ]


@dataclass(frozen=True)
class Shop:
    """A seeded business and the context its tools run with."""

    business_id: uuid.UUID
    context: ToolContext

    async def after_change(self, session: AsyncSession) -> Shop:
        """The shop as a new run sees it after a catalog change: a context reading a
        snapshot gets a fresh one (a run's snapshot is taken when the run starts)."""
        if self.context.prefetched.catalog is None:
            return self
        snapshot = await load_catalog(session, self.business_id)
        return replace(self, context=replace(self.context, prefetched=Prefetched(catalog=snapshot)))


async def seed_catalog(session: AsyncSession) -> uuid.UUID:
    """A boutique: a bag in two colours, a T-shirt in sizes and colours (no navy S), a
    dress in spelled-out sizes, soap without options, and a cap that shares "leather"."""
    business = await new_business(session, name="Ada Styles")
    business.business_type = "fashion boutique"
    business.policies = {"returns": "7 days with the receipt", "hours": "9am-6pm"}
    session.add(business)
    await new_product(
        session,
        business=business,
        name="Leather Bag",
        base_price="40.00",
        category="Bags",
        description="Full-grain leather tote with a padded sleeve that fits a 15-inch laptop",
        variants={"Color": ["Black", "Brown"]},
        items=_items(
            ("BAG-BLK", "40.00", 3, {"Color": "Black"}),
            ("BAG-BRN", "42.50", 0, {"Color": "Brown"}),
        ),
    )
    await new_product(
        session,
        business=business,
        name="Classic T-Shirt",
        base_price="15.00",
        category="Tops",
        description="Soft cotton tee",
        variants={"Size": ["S", "M", "L"], "Color": ["White", "Navy"]},
        items=_items(
            ("TEE-S-WHT", "15.00", 8, {"Size": "S", "Color": "White"}),
            ("TEE-M-WHT", "15.00", 6, {"Size": "M", "Color": "White"}),
            ("TEE-M-NAV", "16.00", 4, {"Size": "M", "Color": "Navy"}),
            ("TEE-L-NAV", "16.00", 0, {"Size": "L", "Color": "Navy"}),
        ),
    )
    await new_product(
        session,
        business=business,
        name="Ankara Maxi Dress",
        base_price="60.00",
        category="Dresses",
        description="Floor-length dress in bold wax print",
        variants={"Size": ["Small", "Medium", "Large"]},
        items=_items(
            ("DRS-SM", "60.00", 5, {"Size": "Small"}),
            ("DRS-MD", "60.00", 7, {"Size": "Medium"}),
            ("DRS-LG", "65.00", 9, {"Size": "Large"}),
        ),
    )
    await new_product(
        session,
        business=business,
        name="Black Soap",
        base_price="5.00",
        category="Beauty",
        description="African black soap for the face and body",
        items=[ItemDraft(sku="SOAP-1", price=Decimal("5.00"), stock_quantity=2)],
    )
    await new_product(
        session,
        business=business,
        name="Leather Cap",
        base_price="12.00",
        category="Hats",
        description="Baseball cap in soft leather",
        items=[ItemDraft(sku="CAP-1", price=Decimal("12.00"), stock_quantity=11)],
    )
    return business.id


async def seed_rival(session: AsyncSession) -> uuid.UUID:
    """Another business selling a bag of the same name, with SKUs of its own."""
    business = await new_business(session, name="Rival Ltd")
    await new_product(
        session,
        business=business,
        name="Leather Bag",
        base_price="99.00",
        description="A bag for carrying a laptop",
        items=[ItemDraft(sku="RIVAL-BAG-01", price=Decimal("99.00"), stock_quantity=1)],
    )
    return business.id


@pytest.fixture(params=["database", "snapshot"])
async def shop(
    request: pytest.FixtureRequest,
    db: AsyncSession,
    context_store: ContextStore,
    local_embeddings: LocalEmbeddings,
) -> Shop:
    """The seeded boutique, with the assistant's context (the owner's audience); the
    catalog tools read the database, or (as in a responder run) a snapshot of the active
    catalog taken first — every tool test runs both ways and must answer the same."""
    business_id = await seed_catalog(db)
    prefetched = Prefetched()
    if request.param == "snapshot":
        prefetched.catalog = await load_catalog(db, business_id)
    context = ToolContext(
        business_id=business_id,
        sessions=shared_session(db),
        context_store=context_store,
        product_vectors=ProductVectors(local_embeddings),
        audience="assistant",
        prefetched=prefetched,
    )
    return Shop(business_id, context)


@pytest.fixture
async def rival(db: AsyncSession) -> uuid.UUID:
    """The rival business's id."""
    return await seed_rival(db)


def tool_graph() -> Any:
    """START -> ToolNode(every tool) -> END, with `ToolContext` as run-time context."""
    builder = StateGraph(MessagesState, context_schema=ToolContext)
    builder.add_node("tools", ToolNode(list(ASSISTANT_TOOLS)))
    builder.add_edge(START, "tools")
    builder.add_edge("tools", END)
    return builder.compile()


async def call_tools(
    context: ToolContext, *calls: tuple[str, Mapping[str, Any]]
) -> list[ToolMessage]:
    """Run tool calls as if a model had made them in one message; their results in order."""
    request = AIMessage(
        content="",
        tool_calls=[
            {"name": name, "args": dict(args), "id": f"call_{index}", "type": "tool_call"}
            for index, (name, args) in enumerate(calls)
        ],
    )
    state = await tool_graph().ainvoke({"messages": [request]}, context=context)
    answers = [m for m in state["messages"] if isinstance(m, ToolMessage)]
    by_id = {m.tool_call_id: m for m in answers}
    return [by_id[f"call_{index}"] for index in range(len(calls))]


async def call_tool(context: ToolContext, name: str, **args: Any) -> ToolMessage:
    """Run one tool call as a model would make it."""
    (answer,) = await call_tools(context, (name, args))
    return answer


def as_responder(context: ToolContext) -> ToolContext:
    """The same business seen by the auto-responder (customers' audience)."""
    return replace(context, audience="responder")
