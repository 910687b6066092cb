"""A small shop for the assistant tests, set up the way an owner would: the profile with
PUT /context, products with POST /api/v1/products, and a free-text fact in the context
store (embedded with the same local model the API searches with)."""

from __future__ import annotations

import uuid
from typing import Any, Final

import psycopg
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from core.embeddings import ProviderEmbeddings
from store.context.sync import add_context_facts
from store.context.vectors import ContextStore
from tests.support.workspace import Owner

CONTEXT: Final = "/api/v1/workspaces/context"
HISTORY: Final = "/api/v1/workspaces/chat_history"
PROFILE: Final[dict[str, Any]] = {
    "name": "Ada Leather",
    "business_type": "leather goods shop",
    "products_services_overview": "Handmade leather bags and belts",
    "policies": {
        "returns": "Returns within 7 days with the receipt",
        "hours": "Mon-Sat, 10am-7pm",
    },
}
FACT: Final = "Our workshop and shop are at 12 Allen Avenue, Ikeja, Lagos."
BAG: Final[dict[str, Any]] = {
    "name": "Leather Bag",
    "base_price": "45000.00",
    "variants": [{"option_name": "Color", "values": ["Black", "Brown"]}],
    "inventory_items": [
        {
            "sku": "BAG-BLK",
            "variant_options": [{"option_name": "Color", "value": "Black"}],
            "stock_quantity": 4,
        },
        {
            "sku": "BAG-BRN",
            "variant_options": [{"option_name": "Color", "value": "Brown"}],
            "stock_quantity": 12,
        },
    ],
}
BELT: Final[dict[str, Any]] = {
    "name": "Woven Belt",
    "base_price": "8500.00",
    "inventory_items": [{"sku": "BELT-1", "stock_quantity": 2}],
}


async def business_id(owner: Owner) -> uuid.UUID:
    """The owner's business."""
    return uuid.UUID(str((await owner.context())["id"]))


async def set_profile(owner: Owner, profile: dict[str, Any] | None = None) -> None:
    """PUT the profile (the shop's by default)."""
    response = await owner.client.put(CONTEXT, json=profile or PROFILE)
    assert response.status_code == 200, response.text


async def add_product(owner: Owner, product: dict[str, Any]) -> None:
    """POST a product."""
    response = await owner.client.post("/api/v1/products", json=product)
    assert response.status_code == 201, response.text


async def add_fact(
    engine: AsyncEngine, embeddings: ProviderEmbeddings, business: uuid.UUID, fact: str = FACT
) -> None:
    """Store and embed a free-text fact about the business, committed."""
    store = ContextStore(engine, embeddings)
    async with AsyncSession(engine, expire_on_commit=False) as session:
        await add_context_facts(session, store, business, [fact])
        await session.commit()


def finish_onboarding(pg: psycopg.Connection, business: uuid.UUID) -> None:
    """Mark onboarding as done (as confirming its summary does)."""
    pg.execute(
        "UPDATE businesses SET onboarding_completed_at = now() WHERE id = %s", (str(business),)
    )


async def open_shop(owner: Owner, engine: AsyncEngine, embeddings: ProviderEmbeddings) -> uuid.UUID:
    """The whole shop: profile, the bag and the belt, and the address fact."""
    await set_profile(owner)
    await add_product(owner, BAG)
    await add_product(owner, BELT)
    business = await business_id(owner)
    await add_fact(engine, embeddings, business)
    return business


async def history(owner: Owner, thread: str = "assistant") -> list[dict[str, Any]]:
    """The thread's messages, oldest first."""
    response = await owner.client.get(HISTORY, params={"thread": thread, "limit": 100})
    assert response.status_code == 200, response.text
    messages: list[dict[str, Any]] = response.json()["messages"]
    return list(reversed(messages))
