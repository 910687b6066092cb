"""The catalog service and repository against real Postgres (rolled back per test)."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from core.errors import Conflict, NotFound, ValidationFailed
from core.variants import VariantSpec
from store.catalog import items, products
from store.catalog.drafts import ItemChanges, ItemDraft, ProductChanges
from store.catalog.skus import check_sku_for, free_skus
from store.catalog.views import ProductDetail
from store.repositories import catalog as repo
from store.repositories.catalog import ProductQuery
from tests.support.catalog import new_business, new_product


def skus(detail: ProductDetail, *, active: bool | None = True) -> list[str]:
    return [i.sku for i in detail.inventory_items if active is None or i.is_active == active]


def by_sku(detail: ProductDetail) -> dict[str, tuple[Decimal, int, bool]]:
    return {i.sku: (i.price, i.stock_quantity, i.is_active) for i in detail.inventory_items}


async def test_create_generates_one_item_per_combination(db: AsyncSession) -> None:
    business = await new_business(db, shortcode="mybiz")
    detail = await new_product(
        db, business=business, variants={"Size": ["S", "M"], "Color": ["Red", "Blue"]}
    )
    assert skus(detail) == [
        "MYBIZ-COOLHOODIE-S-RED",
        "MYBIZ-COOLHOODIE-S-BLUE",
        "MYBIZ-COOLHOODIE-M-RED",
        "MYBIZ-COOLHOODIE-M-BLUE",
    ]
    assert {i.price for i in detail.inventory_items} == {Decimal("25.00")}
    assert [(v.option_name, [o.value for o in v.options]) for v in detail.variants] == [
        ("Size", ["S", "M"]),
        ("Color", ["Red", "Blue"]),
    ]
    assert [(o.option_name, o.value) for o in detail.inventory_items[3].variant_options] == [
        ("Size", "M"),
        ("Color", "Blue"),
    ]


async def test_prefix_comes_from_the_business_name_and_collisions_get_numbers(
    db: AsyncSession,
) -> None:
    business = await new_business(db, name="Cool Threads")
    first = await new_product(db, business=business, name="Tee", variants={"Size": ["S"]})
    second = await new_product(db, business=business, name="Tee!", variants={"Size": ["S"]})
    assert skus(first) == ["CLTHRDS-TEE-S"]
    assert skus(second) == ["CLTHRDS-TEE-S-2"]


async def test_a_product_without_options_has_a_single_item(db: AsyncSession) -> None:
    business = await new_business(db, shortcode="SHOP")
    detail = await new_product(db, business=business, name="Gift Card")
    assert skus(detail) == ["SHOP-GIFTCARD"]
    assert detail.inventory_items[0].variant_options == []
    assert detail.variants == []


async def test_explicit_items_are_exactly_the_items_created(db: AsyncSession) -> None:
    business = await new_business(db, shortcode="SHOP")
    detail = await new_product(
        db,
        business=business,
        variants={"Size": ["S", "M", "L"]},
        items=[
            ItemDraft(
                options=(("size", "m"),), sku=" hood-m ", price=Decimal("30.00"), stock_quantity=4
            ),
            ItemDraft(options=(("Size", "L"),)),
        ],
    )
    assert by_sku(detail) == {
        "HOOD-M": (Decimal("30.00"), 4, True),
        "SHOP-COOLHOODIE-L": (Decimal("25.00"), 0, True),
    }
    assert detail.total_stock == 4


async def test_invalid_items_are_refused_with_their_fields(db: AsyncSession) -> None:
    business = await new_business(db)
    with pytest.raises(ValidationFailed) as caught:
        await new_product(
            db,
            business=business,
            variants={"Size": ["S", "M"]},
            items=[
                ItemDraft(options=(("Size", "S"),), sku="A-1"),
                ItemDraft(options=(("Size", "S"),), sku="a-1"),
                ItemDraft(options=(("Size", "XL"),)),
                ItemDraft(options=(("Size", "M"),), sku="bad sku"),
            ],
        )
    fields = [d["field"] for d in caught.value.details]
    assert fields == [
        "inventory_items.1.variant_options",
        "inventory_items.1.sku",
        "inventory_items.2.variant_options.0.value",
        "inventory_items.3.sku",
    ]


async def test_duplicate_option_names_are_refused(db: AsyncSession) -> None:
    business = await new_business(db)
    with pytest.raises(ValidationFailed) as caught:
        await new_product(db, business=business, variants={"Size": ["S"], " size ": ["M"]})
    assert [d["field"] for d in caught.value.details] == ["variants.1.option_name"]


async def test_changing_options_reconciles_items(db: AsyncSession) -> None:
    business = await new_business(db, shortcode="MB")
    detail = await new_product(
        db, business=business, name="Tee", variants={"Size": ["S", "M"], "Color": ["Red"]}
    )
    small_red = detail.inventory_items[0]
    await items.update_item(
        db, business.id, small_red.id, ItemChanges({"price": Decimal("19.50"), "stock_quantity": 7})
    )

    updated, changes = await products.update_product(
        db,
        business,
        detail.id,
        ProductChanges(
            fields={"base_price": Decimal("30.00")},
            variants=(VariantSpec("color", ("RED", "Blue")), VariantSpec("Size", ("S",))),
        ),
    )

    assert changes is not None
    assert [(c.sku, c.stock_quantity) for c in changes.kept] == [("MB-TEE-S-RED", 7)]
    assert [c.sku for c in changes.deactivated] == ["MB-TEE-M-RED"]
    assert [
        (c.sku, [(o.option_name, o.value) for o in c.variant_options]) for c in changes.created
    ] == [("MB-TEE-BLUE-S", [("color", "Blue"), ("Size", "S")])]
    assert by_sku(updated) == {
        "MB-TEE-S-RED": (Decimal("19.50"), 7, True),
        "MB-TEE-M-RED": (Decimal("25.00"), 0, False),
        "MB-TEE-BLUE-S": (Decimal("30.00"), 0, True),
    }
    kept = next(i for i in updated.inventory_items if i.sku == "MB-TEE-S-RED")
    # Respelled labels and the new option order are what the kept item now shows.
    assert [(o.option_name, o.value) for o in kept.variant_options] == [
        ("color", "RED"),
        ("Size", "S"),
    ]
    assert updated.base_price == Decimal("30.00")
    assert updated.total_stock == 7


async def test_reconciling_leaves_switched_off_combinations_off(db: AsyncSession) -> None:
    business = await new_business(db, shortcode="MB")
    detail = await new_product(db, business=business, name="Tee", variants={"Size": ["S", "M"]})
    await items.delete_item(db, business.id, detail.inventory_items[0].id)
    updated, changes = await products.update_product(
        db, business, detail.id, ProductChanges(variants=(VariantSpec("Size", ("S", "M", "L")),))
    )
    assert changes is not None
    assert [c.sku for c in changes.created] == ["MB-TEE-L"]
    assert by_sku(updated)["MB-TEE-S"][2] is False


async def test_adding_an_item_with_a_new_value_extends_the_option(db: AsyncSession) -> None:
    business = await new_business(db, shortcode="MB")
    detail = await new_product(
        db, business=business, name="Tee", variants={"Size": ["S"], "Color": ["Red"]}
    )
    added = await items.add_item(
        db,
        business,
        detail.id,
        ItemDraft(
            options=(("Color", "Green"), ("Size", "XL")), price=Decimal("27.00"), stock_quantity=2
        ),
    )
    assert added.sku == "MB-TEE-XL-GREEN"
    after = await products.get_product(db, business.id, detail.id)
    assert [[o.value for o in v.options] for v in after.variants] == [["S", "XL"], ["Red", "Green"]]
    with pytest.raises(Conflict) as caught:
        await items.add_item(
            db, business, detail.id, ItemDraft(options=(("Size", "xl"), ("Color", "green")))
        )
    assert caught.value.details["sku"] == "MB-TEE-XL-GREEN"


async def test_reactivation_is_refused_when_the_combination_is_gone(db: AsyncSession) -> None:
    business = await new_business(db)
    detail = await new_product(db, business=business, variants={"Size": ["S", "M"]})
    await products.update_product(
        db, business, detail.id, ProductChanges(variants=(VariantSpec("Size", ("S",)),))
    )
    medium = detail.inventory_items[1]
    with pytest.raises(Conflict):
        await items.update_item(db, business.id, medium.id, ItemChanges({"is_active": True}))


async def test_stock_moves_never_go_below_zero(db: AsyncSession) -> None:
    business = await new_business(db)
    item_id = (await new_product(db, business=business)).inventory_items[0].id
    assert (await items.adjust_stock(db, business.id, item_id, set_to=3)).stock_quantity == 3
    assert (await items.adjust_stock(db, business.id, item_id, change=-2)).stock_quantity == 1
    with pytest.raises(Conflict) as caught:
        await items.adjust_stock(db, business.id, item_id, change=-2)
    assert caught.value.details == {"current_stock": 1, "change": -2}
    with pytest.raises(NotFound):
        await items.adjust_stock(db, business.id, uuid.uuid4(), change=1)


async def test_everything_is_scoped_to_the_business(db: AsyncSession) -> None:
    ours, theirs = await new_business(db), await new_business(db)
    detail = await new_product(db, business=ours, name="Secret Sauce")
    item = detail.inventory_items[0]
    for call in (
        products.get_product(db, theirs.id, detail.id),
        products.delete_product(db, theirs.id, detail.id),
        items.get_item(db, theirs.id, item.id),
        items.adjust_stock(db, theirs.id, item.id, change=1),
        items.list_items(db, theirs.id, detail.id),
    ):
        with pytest.raises(NotFound):
            await call
    assert await repo.find_item_by_sku(db, theirs.id, item.sku) is None
    assert (await repo.find_item_by_sku(db, ours.id, item.sku.lower())) is not None
    page = await products.list_products(db, theirs.id, ProductQuery(search_term="secret"))
    assert page.total == 0
    assert (await check_sku_for(db, theirs.id, item.sku)).is_unique


async def test_listing_filters_sorts_and_counts(db: AsyncSession) -> None:
    business = await new_business(db)
    await new_product(
        db, business=business, name="Alpha 100% Cotton", category="Apparel", base_price="10.00"
    )
    beta = await new_product(
        db,
        business=business,
        name="Beta",
        description="under_score",
        base_price="30.00",
        category="apparel",
    )
    await new_product(db, business=business, name="Gamma", base_price="20.00")
    await items.adjust_stock(db, business.id, beta.inventory_items[0].id, set_to=9)

    async def names(**query: object) -> list[str]:
        page = await products.list_products(db, business.id, ProductQuery(**query))  # type: ignore[arg-type]
        return [p.name for p in page.items]

    assert await names(sort_by="base_price", order="asc") == ["Alpha 100% Cotton", "Gamma", "Beta"]
    assert (await names(sort_by="total_stock", order="desc"))[:1] == ["Beta"]
    assert await names(category="APPAREL", sort_by="name", order="asc") == [
        "Alpha 100% Cotton",
        "Beta",
    ]
    assert await names(search_term="100%") == ["Alpha 100% Cotton"]
    assert await names(search_term="_") == ["Beta"]
    assert await names(search_term="%") == ["Alpha 100% Cotton"]
    page = await products.list_products(
        db, business.id, ProductQuery(sort_by="name", order="asc", page=2, limit=2)
    )
    assert (page.total, [p.name for p in page.items]) == (3, ["Gamma"])


async def test_deleted_products_leave_the_listing_and_low_stock(db: AsyncSession) -> None:
    business = await new_business(db)
    kept = await new_product(db, business=business, name="Kept")
    gone = await new_product(db, business=business, name="Gone")
    await items.adjust_stock(db, business.id, kept.inventory_items[0].id, set_to=2)
    await products.delete_product(db, business.id, gone.id)
    listed = await products.list_products(db, business.id, ProductQuery())
    assert [p.name for p in listed.items] == ["Kept"]
    deleted = await products.list_products(db, business.id, ProductQuery(is_active=False))
    assert [p.name for p in deleted.items] == ["Gone"]
    after = await products.get_product(db, business.id, gone.id)
    assert not after.is_active
    assert not any(i.is_active for i in after.inventory_items)
    low, total = await items.low_stock(db, business.id, threshold=2, page=1, limit=10)
    assert (total, [r.item.sku for r in low]) == (1, [kept.inventory_items[0].sku])


async def test_free_skus_see_long_collisions(db: AsyncSession) -> None:
    business = await new_business(db, shortcode="X")
    name = "Y" * 60
    [first] = await free_skus(db, business.id, "X", name, [[]])
    await new_product(db, business=business, name=name)
    [second] = await free_skus(db, business.id, "X", name, [[]])
    assert len(first) == 50
    assert second != first
    assert len(second) <= 50
