"""Inventory items, stock moves and SKU utilities over real HTTP against the live server."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from tests.support.catalog_api import Owner, owner, rival

__all__ = ["owner", "rival"]  # fixtures

ONE_SIZE: dict[str, Any] = {"name": "Silk Scarf", "base_price": "15.00"}


async def first_item(owner: Owner, **product: Any) -> dict[str, Any]:
    created = await owner.create_product({**ONE_SIZE, **product})
    item: dict[str, Any] = created["inventory_items"][0]
    return item


async def adjust(owner: Owner, item_id: str, **body: Any) -> tuple[int, dict[str, Any]]:
    response = await owner.client.post(f"/api/v1/inventory_items/{item_id}/adjust_stock", json=body)
    return response.status_code, response.json()


async def test_fifty_concurrent_decrements_sell_exactly_the_stock(owner: Owner) -> None:
    item = await first_item(owner)
    status, body = await adjust(owner, item["id"], set_to=20)
    assert (status, body["stock_quantity"]) == (200, 20)
    results = await asyncio.gather(*(adjust(owner, item["id"], change=-1) for _ in range(50)))
    statuses = [status for status, _ in results]
    assert statuses.count(200) == 20
    assert statuses.count(409) == 30
    refusals = [body["error"] for status, body in results if status == 409]
    assert {r["code"] for r in refusals} == {"insufficient_stock"}
    assert {r["details"]["current_stock"] for r in refusals} == {0}
    # Every success saw a distinct stock level: no two callers sold the same unit.
    assert sorted(body["stock_quantity"] for status, body in results if status == 200) == list(
        range(20)
    )
    final = (await owner.client.get(f"/api/v1/inventory_items/{item['id']}")).json()
    assert final["stock_quantity"] == 0


async def test_adjust_stock_takes_exactly_one_of_change_and_set_to(owner: Owner) -> None:
    item = await first_item(owner)
    bad_bodies: list[dict[str, Any]] = [
        {},
        {"change": 1, "set_to": 2},
        {"set_to": -1},
        {"change": 1.5},
    ]
    for bad in bad_bodies:
        status, error = await adjust(owner, item["id"], **bad)
        assert status == 422, bad
        assert error["error"]["code"] == "validation_error"
    status, body = await adjust(owner, item["id"], change=7)
    assert (status, body["stock_quantity"]) == (200, 7)
    status, body = await adjust(owner, item["id"], change=-8)
    assert status == 409
    assert body["error"]["details"] == {"current_stock": 7, "change": -8}
    status, body = await adjust(owner, str(uuid.uuid4()), change=1)
    assert status == 404


async def test_items_can_be_added_read_updated_and_switched_off(owner: Owner) -> None:
    product = await owner.create_product(
        {
            "name": "Tee",
            "base_price": "20.00",
            "variants": [
                {"option_name": "Size", "values": ["S", "M"]},
                {"option_name": "Color", "values": ["Red"]},
            ],
        }
    )
    items_url = f"/api/v1/products/{product['id']}/inventory_items"
    added = await owner.client.post(
        items_url,
        json={
            "variant_options": [
                {"option_name": "Size", "value": "XL"},
                {"option_name": "Color", "value": "Green"},
            ],
            "price": "25.00",
            "stock_quantity": 5,
            "barcode": "5012345678900",
        },
    )
    assert added.status_code == 201, added.text
    item = added.json()
    assert (item["sku"], item["price"], item["stock_quantity"], item["barcode"]) == (
        "SHOP-TEE-XL-GREEN",
        "25.00",
        5,
        "5012345678900",
    )
    again = await owner.client.post(
        items_url,
        json={
            "variant_options": [
                {"option_name": "Size", "value": "xl"},
                {"option_name": "Color", "value": "green"},
            ]
        },
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "combination_taken"
    unknown_option = await owner.client.post(
        items_url, json={"variant_options": [{"option_name": "Fit", "value": "Slim"}]}
    )
    assert unknown_option.status_code == 422

    listed = (await owner.client.get(items_url)).json()
    assert [i["sku"] for i in listed] == ["SHOP-TEE-S-RED", "SHOP-TEE-M-RED", "SHOP-TEE-XL-GREEN"]

    url = f"/api/v1/inventory_items/{item['id']}"
    updated = await owner.client.put(
        url, json={"sku": "tee-xl-g", "price": "24.99", "barcode": None}
    )
    assert updated.status_code == 200, updated.text
    assert (updated.json()["sku"], updated.json()["price"], updated.json()["barcode"]) == (
        "TEE-XL-G",
        "24.99",
        None,
    )
    clash = await owner.client.put(url, json={"sku": "SHOP-TEE-S-RED"})
    assert clash.status_code == 409
    assert clash.json()["error"]["details"] == {"sku": "SHOP-TEE-S-RED", "field": "sku"}
    for bad in (
        {"price": "-0.01"},
        {"stock_quantity": -1},
        {"sku": "no spaces"},
        {"is_active": None},
        {"colour": "red"},
    ):
        assert (await owner.client.put(url, json=bad)).status_code == 422, bad

    assert (await owner.client.delete(url)).status_code == 204
    assert (await owner.client.get(url)).json()["is_active"] is False
    active = (await owner.client.get(items_url, params={"is_active": "true"})).json()
    assert [i["sku"] for i in active] == ["SHOP-TEE-S-RED", "SHOP-TEE-M-RED"]
    revived = await owner.client.put(url, json={"is_active": True})
    assert revived.status_code == 200
    assert revived.json()["is_active"] is True


async def test_another_tenants_item_is_a_404(owner: Owner, rival: Owner) -> None:
    item = await first_item(owner)
    url = f"/api/v1/inventory_items/{item['id']}"
    for method, path, body in (
        ("GET", url, None),
        ("PUT", url, {"price": "0.01"}),
        ("DELETE", url, None),
        ("POST", f"{url}/adjust_stock", {"change": -1}),
    ):
        response = await rival.client.request(method, path, json=body)
        assert response.status_code == 404, (method, path, response.text)
    mine = (await owner.client.get(url)).json()
    assert (mine["price"], mine["is_active"], mine["stock_quantity"]) == ("15.00", True, 0)
    low = (await rival.client.get("/api/v1/inventory_items/low_stock")).json()
    assert low["total"] == 0
    verdict = (await rival.client.post("/api/v1/skus/validate", json={"sku": item["sku"]})).json()
    assert verdict["is_unique"] is True


async def test_low_stock_lists_scarce_active_items_first(owner: Owner) -> None:
    product = await owner.create_product(
        {
            "name": "Candle",
            "base_price": "9.00",
            "variants": [{"option_name": "Scent", "values": ["Vanilla", "Cedar", "Rose"]}],
        }
    )
    vanilla, cedar, rose = product["inventory_items"]
    await adjust(owner, vanilla["id"], set_to=5)
    await adjust(owner, cedar["id"], set_to=6)
    await adjust(owner, rose["id"], set_to=1)
    gone = await first_item(owner, name="Retired Candle")
    await owner.client.delete(f"/api/v1/inventory_items/{gone['id']}")

    low = (await owner.client.get("/api/v1/inventory_items/low_stock")).json()
    assert (low["threshold"], low["total"]) == (5, 2)
    assert [(i["sku"], i["stock_quantity"], i["product_name"]) for i in low["items"]] == [
        ("SHOP-CANDLE-ROSE", 1, "Candle"),
        ("SHOP-CANDLE-VANILLA", 5, "Candle"),
    ]
    assert low["items"][0]["variant_options"] == [{"option_name": "Scent", "value": "Rose"}]
    wider = (
        await owner.client.get(
            "/api/v1/inventory_items/low_stock", params={"threshold": 10, "limit": 1, "page": 3}
        )
    ).json()
    assert (wider["total"], [i["sku"] for i in wider["items"]]) == (3, ["SHOP-CANDLE-CEDAR"])


async def test_sku_generate_suggests_free_readable_skus(owner: Owner) -> None:
    body = {
        "product_name": "T-Shirt",
        "business_shortcode": "MyBiz",
        "variant_options": [
            {"option_name": "Size", "value": "S"},
            {"option_name": "Color", "value": "Red"},
        ],
    }
    first = await owner.client.post("/api/v1/skus/generate", json=body)
    assert first.json() == {"suggested_sku": "MYBIZ-TSHIRT-S-RED"}
    await owner.create_product(
        {"name": "Other", "base_price": "1.00", "inventory_items": [{"sku": "MYBIZ-TSHIRT-S-RED"}]}
    )
    second = await owner.client.post("/api/v1/skus/generate", json=body)
    assert second.json() == {"suggested_sku": "MYBIZ-TSHIRT-S-RED-2"}
    own_prefix = await owner.client.post(
        "/api/v1/skus/generate", json={"product_name": "Crème Brûlée"}
    )
    assert own_prefix.json() == {"suggested_sku": "SHOP-CREMEBRULEE"}
    assert (await owner.client.post("/api/v1/skus/generate", json={})).status_code == 422


async def test_sku_validate_reports_format_uniqueness_and_reason(owner: Owner) -> None:
    item = await first_item(owner)

    async def verdict(**body: Any) -> dict[str, Any]:
        response = await owner.client.post("/api/v1/skus/validate", json=body)
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json()
        return found

    assert await verdict(sku="test-sku", business_id=str(uuid.uuid4())) == {
        "sku": "TEST-SKU",
        "is_valid_format": True,
        "is_unique": True,
        "reason": None,
    }
    assert await verdict(sku=item["sku"].lower()) == {
        "sku": item["sku"],
        "is_valid_format": True,
        "is_unique": False,
        "reason": "SKU already exists.",
    }
    assert (await verdict(sku=item["sku"], inventory_item_id=item["id"]))["is_unique"] is True
    bad = await verdict(sku="TEST_SKU!")
    assert (bad["is_valid_format"], bad["reason"]) == (
        False,
        "SKU may contain only letters A-Z, digits 0-9 and hyphens.",
    )
    assert (await verdict(sku="X" * 51))["reason"] == "SKU must be at most 50 characters."
