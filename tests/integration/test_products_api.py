"""The products API over real HTTP against the live server and real Postgres."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import psycopg

from tests.support.catalog_api import HOODIE, Owner, owner, rival
from tests.support.live_server import LiveServer

__all__ = ["owner", "rival"]  # fixtures


def item_skus(product: dict[str, Any]) -> list[str]:
    return [i["sku"] for i in product["inventory_items"]]


async def test_create_returns_the_nested_product_with_generated_skus(owner: Owner) -> None:
    product = await owner.create_product()
    assert product["name"] == "Cool Hoodie"
    assert product["base_price"] == "40.00"
    assert product["images_urls"] == ["https://cdn.example.com/hoodie.jpg"]
    assert [v["option_name"] for v in product["variants"]] == ["Size", "Color"]
    assert [o["value"] for o in product["variants"][1]["options"]] == ["Red", "Blue"]
    # A fresh business has no name yet, so its SKU prefix is the fallback.
    assert item_skus(product) == [
        "SHOP-COOLHOODIE-S-RED",
        "SHOP-COOLHOODIE-S-BLUE",
        "SHOP-COOLHOODIE-M-RED",
        "SHOP-COOLHOODIE-M-BLUE",
    ]
    first = product["inventory_items"][0]
    assert first["price"] == "40.00"
    assert first["stock_quantity"] == 0
    assert first["is_active"]
    assert first["variant_options"] == [
        {"option_name": "Size", "value": "S"},
        {"option_name": "Color", "value": "Red"},
    ]
    assert product["total_stock"] == 0


async def test_explicit_items_with_prices_stock_and_user_skus(owner: Owner) -> None:
    product = await owner.create_product(
        inventory_items=[
            {
                "sku": "tshrt-s-rd",
                "price": 42.5,
                "stock_quantity": 10,
                "variant_options": [
                    {"option_name": "Color", "value": "red"},
                    {"option_name": "size", "value": "S"},
                ],
            },
            {
                "variant_options": [
                    {"option_name": "Size", "value": "M"},
                    {"option_name": "Color", "value": "Blue"},
                ],
                "barcode": "123",
            },
        ]
    )
    assert [(i["sku"], i["price"], i["stock_quantity"]) for i in product["inventory_items"]] == [
        ("TSHRT-S-RD", "42.50", 10),
        ("SHOP-COOLHOODIE-M-BLUE", "40.00", 0),
    ]
    assert product["total_stock"] == 10


async def test_validation_errors_name_the_field(owner: Owner) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"name": "   "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"base_price": "-1"}, "base_price"),
        ({"base_price": "10.005"}, "base_price"),
        ({"base_price": "100000000"}, "base_price"),
        ({"images_urls": ["javascript:alert(1)"]}, "images_urls.0"),
        ({"images_urls": ["https://x.example/a.png"] * 11}, "images_urls"),
        ({"images_urls": ["https://x.example/" + "a" * 2048]}, "images_urls.0"),
        ({"variants": [{"option_name": "Size", "values": []}]}, "variants.0.values"),
        ({"variants": [{"option_name": "", "values": ["S"]}]}, "variants.0.option_name"),
        ({"variants": [{"option_name": "Size", "values": ["S", "s"]}]}, "variants.0.values.1"),
        (
            {
                "variants": [
                    {"option_name": "Size", "values": ["S"]},
                    {"option_name": "SIZE", "values": ["M"]},
                ]
            },
            "variants.1.option_name",
        ),
        (
            {
                "inventory_items": [
                    {
                        "variant_options": [
                            {"option_name": "Size", "value": "XL"},
                            {"option_name": "Color", "value": "Red"},
                        ]
                    }
                ]
            },
            "inventory_items.0.variant_options.0.value",
        ),
        (
            {"inventory_items": [{"variant_options": [{"option_name": "Size", "value": "S"}]}]},
            "inventory_items.0.variant_options",
        ),
        ({"inventory_items": [{"sku": "BAD SKU", "variant_options": []}]}, "inventory_items.0.sku"),
        ({"inventory_items": [{"stock_quantity": -1}]}, "inventory_items.0.stock_quantity"),
        ({"stock": 3}, "stock"),
    ]
    for change, field in cases:
        response = await owner.client.post("/api/v1/products", json={**HOODIE, **change})
        assert response.status_code == 422, (change, response.text)
        error = response.json()["error"]
        assert error["code"] == "validation_error"
        assert field in [d["field"] for d in error["details"]], (change, error)
    listing = await owner.client.get("/api/v1/products")
    assert listing.json()["total"] == 0


async def test_a_duplicate_sku_in_the_third_item_creates_nothing(
    owner: Owner, pg: psycopg.Connection
) -> None:
    existing = await owner.create_product(
        {"name": "Cap", "base_price": "5.00", "inventory_items": [{"sku": "TAKEN-1"}]}
    )
    assert item_skus(existing) == ["TAKEN-1"]
    response = await owner.client.post(
        "/api/v1/products",
        json={
            **HOODIE,
            "inventory_items": [
                {
                    "sku": "NEW-1",
                    "variant_options": [
                        {"option_name": "Size", "value": "S"},
                        {"option_name": "Color", "value": "Red"},
                    ],
                },
                {
                    "sku": "NEW-2",
                    "variant_options": [
                        {"option_name": "Size", "value": "S"},
                        {"option_name": "Color", "value": "Blue"},
                    ],
                },
                {
                    "sku": "taken-1",
                    "variant_options": [
                        {"option_name": "Size", "value": "M"},
                        {"option_name": "Color", "value": "Red"},
                    ],
                },
            ],
        },
    )
    assert response.status_code == 409, response.text
    error = response.json()["error"]
    assert error["code"] == "sku_taken"
    assert error["details"] == {"sku": "TAKEN-1", "field": "inventory_items.2.sku"}
    assert "TAKEN-1" in error["message"]
    # The product, its options and its first two items were written, then rolled back.
    assert pg.execute(
        "SELECT count(*) FROM products WHERE name = 'Cool Hoodie' AND "
        "business_id = (SELECT business_id FROM inventory_items "
        "WHERE sku = 'TAKEN-1')"
    ).fetchone() == (0,)
    assert pg.execute(
        "SELECT count(*) FROM inventory_items WHERE sku IN ('NEW-1', 'NEW-2')"
    ).fetchone() == (0,)
    assert (await owner.client.get("/api/v1/products")).json()["total"] == 1


async def test_another_tenants_product_is_a_404_and_never_listed(
    owner: Owner, rival: Owner
) -> None:
    product = await owner.create_product(name="Secret Recipe Sauce")
    url = f"/api/v1/products/{product['id']}"
    for method, body in (("GET", None), ("PUT", {"name": "Stolen"}), ("DELETE", None)):
        response = await rival.client.request(method, url, json=body)
        assert response.status_code == 404, (method, response.text)
        assert response.json()["error"]["code"] == "not_found"
    assert (await rival.client.get(f"{url}/inventory_items")).status_code == 404
    add = await rival.client.post(f"{url}/inventory_items", json={"variant_options": []})
    assert add.status_code == 404
    assert (await rival.client.get("/api/v1/products", params={"search_term": "Secret"})).json()[
        "total"
    ] == 0
    unknown = await owner.client.get(f"/api/v1/products/{uuid.uuid4()}")
    assert unknown.status_code == 404
    assert (await owner.client.get(url)).json()["name"] == "Secret Recipe Sauce"


async def test_listing_pages_filters_sorts_and_adds_up_stock(owner: Owner, rival: Owner) -> None:
    for name, price, category in (
        ("Ankara Wrap Dress", "55.00", "Dresses"),
        ("Beaded Necklace", "12.50", "Jewellery"),
        ("Cotton Kaftan", "30.00", "Dresses"),
    ):
        await owner.create_product(
            {
                "name": name,
                "base_price": price,
                "category": category,
                "description": f"Handmade {name.lower()}",
                "variants": [{"option_name": "Size", "values": ["S", "M"]}],
            }
        )
    await rival.create_product({"name": "Ankara Rival", "base_price": "1.00"})
    necklace = (
        await owner.client.get("/api/v1/products", params={"search_term": "necklace"})
    ).json()["items"][0]
    detail = (await owner.client.get(f"/api/v1/products/{necklace['id']}")).json()
    for item, stock in zip(detail["inventory_items"], (4, 5), strict=True):
        await owner.client.post(
            f"/api/v1/inventory_items/{item['id']}/adjust_stock", json={"set_to": stock}
        )

    async def listing(**params: Any) -> dict[str, Any]:
        response = await owner.client.get("/api/v1/products", params=params)
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json()
        return found

    by_price = await listing(sort_by="base_price", order="asc")
    assert [p["name"] for p in by_price["items"]] == [
        "Beaded Necklace",
        "Cotton Kaftan",
        "Ankara Wrap Dress",
    ]
    assert by_price["items"][0]["base_price"] == "12.50"
    assert by_price["items"][0]["total_stock"] == 9
    assert "inventory_items" not in by_price["items"][0]
    dresses = await listing(category="dresses", sort_by="name", order="desc")
    assert [p["name"] for p in dresses["items"]] == ["Cotton Kaftan", "Ankara Wrap Dress"]
    assert [p["name"] for p in (await listing(search_term="HANDMADE ankara"))["items"]] == [
        "Ankara Wrap Dress"
    ]
    page2 = await listing(sort_by="name", order="asc", page=2, limit=2)
    assert (page2["total"], page2["page"], page2["limit"]) == (3, 2, 2)
    assert [p["name"] for p in page2["items"]] == ["Cotton Kaftan"]
    assert (await listing(sort_by="total_stock", order="desc"))["items"][0]["total_stock"] == 9
    for bad in ({"sort_by": "password"}, {"order": "sideways"}, {"limit": 101}, {"page": 0}):
        response = await owner.client.get("/api/v1/products", params=bad)
        assert response.status_code == 422, bad


async def test_update_renames_and_reconciles_variants(owner: Owner) -> None:
    product = await owner.create_product()
    s_red = product["inventory_items"][0]
    await owner.client.put(
        f"/api/v1/inventory_items/{s_red['id']}", json={"price": "45.00", "stock_quantity": 6}
    )
    response = await owner.client.put(
        f"/api/v1/products/{product['id']}",
        json={
            "name": "Cosy Hoodie",
            "base_price": "50.00",
            "description": None,
            "variants": [
                {"option_name": "Size", "values": ["S", "L"]},
                {"option_name": "Color", "values": ["Red"]},
            ],
        },
    )
    assert response.status_code == 200, response.text
    updated = response.json()
    assert (updated["name"], updated["base_price"], updated["description"]) == (
        "Cosy Hoodie",
        "50.00",
        None,
    )
    changes = updated["changes"]
    assert [(i["sku"], i["stock_quantity"]) for i in changes["kept"]] == [
        ("SHOP-COOLHOODIE-S-RED", 6)
    ]
    assert sorted(i["sku"] for i in changes["deactivated"]) == [
        "SHOP-COOLHOODIE-M-BLUE",
        "SHOP-COOLHOODIE-M-RED",
        "SHOP-COOLHOODIE-S-BLUE",
    ]
    assert [i["sku"] for i in changes["created"]] == ["SHOP-COSYHOODIE-L-RED"]
    items = {i["sku"]: i for i in updated["inventory_items"]}
    assert (
        items["SHOP-COOLHOODIE-S-RED"]["price"],
        items["SHOP-COOLHOODIE-S-RED"]["stock_quantity"],
    ) == ("45.00", 6)
    assert items["SHOP-COSYHOODIE-L-RED"]["price"] == "50.00"
    assert not items["SHOP-COOLHOODIE-M-RED"]["is_active"]
    assert items["SHOP-COOLHOODIE-M-RED"]["variant_options"] == []
    assert [[o["value"] for o in v["options"]] for v in updated["variants"]] == [
        ["S", "L"],
        ["Red"],
    ]
    plain = await owner.client.put(
        f"/api/v1/products/{product['id']}",
        json={
            "category": None,
            "images_urls": ["http://img.example.com/a.png", "https://img.example.com/b.png"],
        },
    )
    assert plain.status_code == 200
    assert plain.json()["changes"] is None
    assert plain.json()["category"] is None
    assert plain.json()["images_urls"] == [
        "http://img.example.com/a.png",
        "https://img.example.com/b.png",
    ]
    assert plain.json()["name"] == "Cosy Hoodie"
    refused = await owner.client.put(f"/api/v1/products/{product['id']}", json={"name": None})
    assert refused.status_code == 422


async def test_delete_is_soft_for_the_product_and_its_items(owner: Owner) -> None:
    product = await owner.create_product()
    response = await owner.client.delete(f"/api/v1/products/{product['id']}")
    assert response.status_code == 204
    assert response.content == b""
    after = (await owner.client.get(f"/api/v1/products/{product['id']}")).json()
    assert after["is_active"] is False
    assert not any(i["is_active"] for i in after["inventory_items"])
    assert (await owner.client.get("/api/v1/products")).json()["total"] == 0
    inactive = await owner.client.get("/api/v1/products", params={"is_active": "false"})
    assert [p["id"] for p in inactive.json()["items"]] == [product["id"]]


async def test_signing_up_over_http_gives_access_to_the_catalog(live_server: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=live_server.url) as client:
        signup = await client.post(
            "/auth/v1/signup",
            json={"email": f"{uuid.uuid4().hex}@example.com", "password": "correct horse battery"},
        )
        assert signup.status_code == 200, signup.text
        headers = {"Authorization": f"Bearer {signup.json()['access_token']}"}
        created = await client.post(
            "/api/v1/products", headers=headers, json={"name": "Shea Butter", "base_price": "8"}
        )
        assert created.status_code == 201, created.text
        assert created.json()["base_price"] == "8.00"
        anonymous = await client.get("/api/v1/products")
        assert anonymous.status_code == 401
