"""Keyword-only factories for catalog tests: owners with businesses, products by draft."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from core.variants import VariantSpec
from store.catalog import products
from store.catalog.drafts import ItemDraft, ProductDraft
from store.catalog.views import ProductDetail
from store.tables.businesses import Business
from store.tables.users import User


async def new_business(
    session: AsyncSession, *, name: str | None = "My Biz", shortcode: str | None = None
) -> Business:
    """A user and the business they own."""
    user = User(id=uuid.uuid4(), email=f"{uuid.uuid4().hex}@example.com")
    session.add(user)
    await session.flush()
    business = Business(user_id=user.id, name=name, shortcode=shortcode)
    session.add(business)
    await session.flush()
    return business


async def new_product(
    session: AsyncSession,
    *,
    business: Business,
    name: str = "Cool Hoodie",
    base_price: str = "25.00",
    variants: dict[str, list[str]] | None = None,
    items: list[ItemDraft] | None = None,
    description: str | None = None,
    category: str | None = None,
) -> ProductDetail:
    """A product created through the service (options as {"Size": ["S", "M"]})."""
    specs = tuple(VariantSpec(k, tuple(v)) for k, v in (variants or {}).items())
    return await products.create_product(
        session,
        business,
        ProductDraft(
            name=name,
            base_price=Decimal(base_price),
            variants=specs,
            description=description,
            category=category,
            items=None if items is None else tuple(items),
        ),
    )
