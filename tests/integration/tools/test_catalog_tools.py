"""The catalog tools against a seeded catalog, run by a graph's ToolNode."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from store.repositories import catalog as catalog_repo
from tests.integration.tools.conftest import Shop, call_tool, call_tools
from tools.results import (
    FindProductsResult,
    InventoryResult,
    LowStockResult,
    OptionsResult,
    ToolError,
)


async def test_find_products_by_exact_sku_in_any_case(shop: Shop) -> None:
    for query in ("BAG-BLK", "bag-blk", "do you still have bag-blk?"):
        answer = await call_tool(shop.context, "find_products", query=query)
        found = answer.artifact
        assert isinstance(found, FindProductsResult)
        (product,) = found.products
        assert (product.name, product.matched_by, product.sku) == ("Leather Bag", "sku", "BAG-BLK")
        assert (product.price_min, product.price_max) == (Decimal("40.00"), Decimal("42.50"))
        assert product.options == {"Color": ["Black", "Brown"]}
        assert (product.total_stock, product.in_stock) == (3, True)


async def test_find_products_by_a_misspelt_name(shop: Shop) -> None:
    answer = await call_tool(shop.context, "find_products", query="lether bag")
    found = answer.artifact
    assert isinstance(found, FindProductsResult)
    assert found.products[0].name == "Leather Bag"
    assert found.products[0].matched_by == "name"
    assert not found.ambiguous
    assert json.loads(str(answer.content))["products"][0]["price_min"] == "40.00"  # money as text


async def test_find_products_by_slang_in_lowercase(shop: Shop) -> None:
    found = (await call_tool(shop.context, "find_products", query="u got d tshirt?")).artifact
    assert isinstance(found, FindProductsResult)
    assert [p.name for p in found.products] == ["Classic T-Shirt"]


async def test_find_products_says_when_several_fit(shop: Shop) -> None:
    found = (await call_tool(shop.context, "find_products", query="leather")).artifact
    assert isinstance(found, FindProductsResult)
    assert {p.name for p in found.products} == {"Leather Bag", "Leather Cap"}
    assert found.ambiguous


async def test_find_products_by_meaning(shop: Shop) -> None:
    answer = await call_tool(shop.context, "find_products", query="something to carry my laptop")
    found = answer.artifact
    assert isinstance(found, FindProductsResult)
    assert found.products[0].name == "Leather Bag"
    assert found.products[0].matched_by == "semantic"
    assert all(p.matched_by == "semantic" for p in found.products)

    no_vectors = replace(shop.context, product_vectors=None)
    bare = await call_tool(no_vectors, "find_products", query="something to carry my laptop")
    assert isinstance(bare.artifact, FindProductsResult)
    assert bare.artifact.products == []


async def test_find_products_finds_nothing_for_unrelated_words(shop: Shop) -> None:
    found = (await call_tool(shop.context, "find_products", query="car tyres")).artifact
    assert isinstance(found, FindProductsResult)
    assert found.products == []


async def test_get_inventory_by_sku(shop: Shop) -> None:
    answer = await call_tool(shop.context, "get_inventory", sku="tee-m-nav")
    inventory = answer.artifact
    assert isinstance(inventory, InventoryResult)
    (item,) = inventory.items
    assert inventory.product == "Classic T-Shirt"
    assert (item.sku, item.price, item.stock_quantity) == ("TEE-M-NAV", Decimal("16.00"), 4)
    assert (item.is_active, item.in_stock) == (True, True)
    assert item.options == {"Size": "M", "Color": "Navy"}


async def test_get_inventory_by_product_and_options_in_any_spelling(shop: Shop) -> None:
    answer = await call_tool(
        shop.context,
        "get_inventory",
        product="classic tee",
        options={"size": "medium", "colour": "navy"},
    )
    inventory = answer.artifact
    assert isinstance(inventory, InventoryResult)
    assert inventory.options_asked == {"Size": "M", "Color": "Navy"}
    assert [(i.sku, i.price, i.stock_quantity) for i in inventory.items] == [
        ("TEE-M-NAV", Decimal("16.00"), 4)
    ]


async def test_get_inventory_of_a_product_lists_its_skus(shop: Shop) -> None:
    inventory = (await call_tool(shop.context, "get_inventory", product="maxi dress")).artifact
    assert isinstance(inventory, InventoryResult)
    assert [(i.sku, i.price) for i in inventory.items] == [
        ("DRS-SM", Decimal("60.00")),
        ("DRS-MD", Decimal("60.00")),
        ("DRS-LG", Decimal("65.00")),
    ]
    one = await call_tool(
        shop.context, "get_inventory", product="maxi dress", options={"Size": "m"}
    )
    assert isinstance(one.artifact, InventoryResult)
    assert [i.sku for i in one.artifact.items] == ["DRS-MD"]


async def test_get_inventory_reports_an_item_taken_off_sale(shop: Shop, db: AsyncSession) -> None:
    item = await catalog_repo.find_item_by_sku(db, shop.business_id, "BAG-BLK")
    assert item is not None
    await catalog_repo.update_item(db, shop.business_id, item.id, {"is_active": False})
    shop = await shop.after_change(db)
    inventory = (await call_tool(shop.context, "get_inventory", sku="BAG-BLK")).artifact
    assert isinstance(inventory, InventoryResult)
    assert [(i.is_active, i.in_stock) for i in inventory.items] == [(False, False)]


async def test_get_inventory_refuses_an_unknown_combination_in_words(shop: Shop) -> None:
    missing, unknown_value, unknown_sku, nothing = await call_tools(
        shop.context,
        (
            "get_inventory",
            {"product": "Classic T-Shirt", "options": {"Size": "S", "Color": "Navy"}},
        ),
        ("get_inventory", {"product": "Leather Bag", "options": {"Color": "Red"}}),
        ("get_inventory", {"sku": "BAG-RED"}),
        ("get_inventory", {}),
    )
    error = missing.artifact
    assert isinstance(error, ToolError)
    assert error.code == "no_such_item"
    assert error.error.startswith("There is no Classic T-Shirt in Size S, Color Navy.")
    assert "Size: S, M, L; Color: White, Navy" in error.error

    error = unknown_value.artifact
    assert isinstance(error, ToolError)
    assert error.code == "unknown_option"
    assert error.error == (
        "The Leather Bag does not come in Color 'Red'. The Leather Bag comes in Color: "
        "Black, Brown."
    )
    assert json.loads(str(unknown_value.content)) == {
        "error": error.error,
        "code": "unknown_option",
    }

    error = unknown_sku.artifact
    assert isinstance(error, ToolError)
    assert (error.code, error.error) == ("unknown_sku", "No item has the SKU 'BAG-RED'.")
    assert isinstance(nothing.artifact, ToolError)
    assert nothing.artifact.code == "not_found"


async def test_list_options_with_the_values_in_stock(shop: Shop) -> None:
    options = (await call_tool(shop.context, "list_options", product="t-shirts")).artifact
    assert isinstance(options, OptionsResult)
    assert options.product == "Classic T-Shirt"
    assert options.options == {"Size": ["S", "M", "L"], "Color": ["White", "Navy"]}
    assert options.in_stock_values == {"Size": ["S", "M"], "Color": ["White", "Navy"]}
    by_sku = (await call_tool(shop.context, "list_options", product="BAG-BRN")).artifact
    assert isinstance(by_sku, OptionsResult)
    assert by_sku.in_stock_values == {"Color": ["Black"]}


async def test_list_options_asks_which_product_when_several_fit(shop: Shop) -> None:
    error = (await call_tool(shop.context, "list_options", product="leather")).artifact
    assert isinstance(error, ToolError)
    assert error.code == "ambiguous_product"
    assert "Leather Bag" in error.error
    assert "Leather Cap" in error.error
    missing = (await call_tool(shop.context, "list_options", product="umbrella")).artifact
    assert isinstance(missing, ToolError)
    assert (missing.code, missing.error) == ("not_found", "No product matches 'umbrella'.")


async def test_list_low_stock_scarcest_first(shop: Shop, rival: object) -> None:
    low = (await call_tool(shop.context, "list_low_stock", threshold=2)).artifact
    assert isinstance(low, LowStockResult)
    assert [(i.sku, i.stock_quantity) for i in low.items] == [
        ("BAG-BRN", 0),
        ("TEE-L-NAV", 0),
        ("SOAP-1", 2),
    ]
    assert low.total == 3
    assert low.items[0].product_name == "Leather Bag"
    assert low.items[0].options == {"Color": "Brown"}
    limited = (await call_tool(shop.context, "list_low_stock", threshold=2, limit=1)).artifact
    assert isinstance(limited, LowStockResult)
    assert (len(limited.items), limited.total) == (1, 3)
