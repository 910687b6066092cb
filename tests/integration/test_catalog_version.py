"""The catalog version (migration 0006) and the in-memory catalog cache built on it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import Result, text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from store.catalog.drafts import ItemDraft
from store.repositories import catalog as catalog_repo
from store.repositories.catalog_cache import CatalogCache, business_with_stamp
from store.tables.businesses import Business
from tests.support.catalog import new_business, new_product


async def _sql(session: AsyncSession, sql: str, params: dict[str, Any]) -> Result[Any]:
    """Raw SQL in the session's transaction, as a bulk import or a person would write."""
    return await (await session.connection()).execute(text(sql), params)


async def _version(session: AsyncSession, business_id: uuid.UUID) -> int:
    found = await _sql(
        session, "SELECT catalog_version FROM businesses WHERE id = :id", {"id": business_id}
    )
    return int(found.scalar_one())


async def _bag_shop(session: AsyncSession) -> Business:
    business = await new_business(session, name="Bags")
    await new_product(
        session,
        business=business,
        name="Tote",
        variants={"Color": ["Black", "Tan"]},
        items=[
            ItemDraft(options=(("Color", "Black"),), sku="TOTE-BLK", stock_quantity=4),
            ItemDraft(options=(("Color", "Tan"),), sku="TOTE-TAN", stock_quantity=1),
        ],
    )
    return business


async def test_every_kind_of_catalog_write_moves_the_version(db: AsyncSession) -> None:
    business = await _bag_shop(db)
    other = await _bag_shop(db)
    seen = [await _version(db, business.id)]

    async def moved() -> bool:
        seen.append(await _version(db, business.id))
        return seen[-1] > seen[-2]

    assert seen[0] > 0  # creating the product already moved it
    untouched = await _version(db, other.id)
    item = await catalog_repo.find_item_by_sku(db, business.id, "TOTE-BLK")
    assert item is not None
    await catalog_repo.update_item(db, business.id, item.id, {"stock_quantity": 3})
    assert await moved()
    # Raw SQL, as a bulk import would write: one statement over many rows moves it once.
    await _sql(
        db,
        ("UPDATE inventory_items SET stock_quantity = stock_quantity + 1 WHERE business_id = :b"),
        {"b": business.id},
    )
    assert await moved()
    assert seen[-1] == seen[-2] + 1
    await _sql(
        db,
        (
            "UPDATE product_variant_options SET value = 'Jet Black' WHERE value = 'Black' "
            "AND variant_id IN (SELECT v.id FROM product_variants v JOIN products p "
            "ON p.id = v.product_id WHERE p.business_id = :b)"
        ),
        {"b": business.id},
    )
    assert await moved()
    await _sql(
        db,
        (
            "UPDATE product_variants SET option_name = 'Colour' WHERE product_id IN "
            "(SELECT id FROM products WHERE business_id = :b)"
        ),
        {"b": business.id},
    )
    assert await moved()
    await _sql(
        db,
        ("DELETE FROM inventory_items WHERE sku = 'TOTE-TAN' AND business_id = :b"),
        {"b": business.id},
    )
    assert await moved()
    await _sql(db, ("DELETE FROM products WHERE business_id = :b"), {"b": business.id})
    assert await moved()
    assert await _version(db, other.id) == untouched  # another business's catalog is its own


async def test_the_cache_reuses_a_snapshot_until_the_catalog_changes(db: AsyncSession) -> None:
    business = await _bag_shop(db)
    cache = CatalogCache()

    async def stock_of_black() -> int:
        found = await business_with_stamp(db, business.id)
        assert found is not None
        catalog = await cache.catalog(db, business.id, found[1])
        return catalog.by_sku["TOTE-BLK"][1].stock_quantity

    assert await stock_of_black() == 4
    assert await stock_of_black() == 4
    assert (cache.loads, cache.hits) == (1, 1)
    item = await catalog_repo.find_item_by_sku(db, business.id, "TOTE-BLK")
    assert item is not None
    await catalog_repo.update_item(db, business.id, item.id, {"stock_quantity": 0})
    assert await stock_of_black() == 0  # the sale is seen at once
    assert (cache.loads, cache.hits) == (2, 1)
    # A profile edit moves the row's writer, not the catalog: a reload, same answer.
    business.policies = {"returns": "7 days"}
    db.add(business)
    await db.flush()
    assert await stock_of_black() == 0


@pytest.fixture
async def committed_shop(engine: AsyncEngine) -> AsyncIterator[uuid.UUID]:
    """A shop committed for real (the test needs transactions of its own); removed after."""
    async with AsyncSession(engine, expire_on_commit=False) as session:
        business = await _bag_shop(session)
        await session.commit()
    yield business.id
    async with engine.begin() as conn:
        await conn.execute(
            text("DELETE FROM users WHERE id = (SELECT user_id FROM businesses WHERE id = :b)"),
            {"b": business.id},
        )


async def test_a_rolled_back_write_never_matches_a_later_committed_one(
    engine: AsyncEngine, committed_shop: uuid.UUID
) -> None:
    """A snapshot taken inside a transaction that rolled back shows rows that never
    existed; a later committed write reaching the same version number must not reuse it."""
    cache = CatalogCache()
    update = (
        "UPDATE inventory_items SET stock_quantity = :n WHERE sku = 'TOTE-BLK' AND business_id = :b"
    )

    async def black_stock(session: AsyncSession) -> int:
        found = await business_with_stamp(session, committed_shop)
        assert found is not None
        catalog = await cache.catalog(session, committed_shop, found[1])
        return catalog.by_sku["TOTE-BLK"][1].stock_quantity

    async with AsyncSession(engine) as rolled_back:
        await _sql(rolled_back, update, {"n": 99, "b": committed_shop})
        assert await black_stock(rolled_back) == 99
        await rolled_back.rollback()
    async with AsyncSession(engine) as committed:
        await _sql(committed, update, {"n": 2, "b": committed_shop})
        await committed.commit()
    async with AsyncSession(engine) as reader:
        assert await black_stock(reader) == 2
    assert cache.loads == 2


async def test_the_cache_forgets_the_least_recently_used_business(db: AsyncSession) -> None:
    cache = CatalogCache(max_businesses=2)
    shops = [await _bag_shop(db) for _ in range(3)]
    for shop in [*shops, shops[0]]:
        found = await business_with_stamp(db, shop.id)
        assert found is not None
        await cache.catalog(db, shop.id, found[1])
    # shops[0] was dropped when shops[2] came in, so asking again loaded it again.
    assert (cache.loads, cache.hits) == (4, 0)
