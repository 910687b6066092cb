"""The catalog API (PRD §6.3.6): products, inventory items, stock and SKU utilities.

Every handler acts on the caller's business only (`CurrentBusiness`); an id belonging to
another business is answered exactly like an unknown id, 404. Handlers translate between
the wire and the catalog service and hold no rules of their own.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Query, Response, status

from api.deps import AnalyticsDep, CurrentBusiness, SessionDep
from api.schemas.products import (
    ItemIn,
    ItemOut,
    ItemUpdate,
    LowStockItemOut,
    LowStockOut,
    ProductCreate,
    ProductDetailOut,
    ProductListOut,
    ProductUpdate,
    ProductUpdateOut,
    SkuGenerateIn,
    SkuGenerateOut,
    SkuValidateIn,
    SkuValidateOut,
    StockAdjustment,
)
from core.analytics import Event
from core.sku import normalise_shortcode
from store.catalog import items, products
from store.catalog.skus import business_prefix, check_sku_for, free_skus
from store.repositories.catalog import (
    DEFAULT_LOW_STOCK_THRESHOLD,
    MAX_PAGE_SIZE,
    ProductQuery,
    SortField,
    SortOrder,
)

router = APIRouter(prefix="/api/v1", tags=["catalog"])

Page = Annotated[int, Query(ge=1, le=100_000)]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)]


@router.post("/products", status_code=status.HTTP_201_CREATED)
async def create_product(
    body: ProductCreate,
    business: CurrentBusiness,
    session: SessionDep,
    analytics: AnalyticsDep,
    background: BackgroundTasks,
) -> ProductDetailOut:
    """Create a product with its options and items in one transaction."""
    detail = await products.create_product(session, business, body.to_draft())
    out = ProductDetailOut.model_validate(detail)
    background.add_task(
        analytics.track,
        Event.PRODUCT_CREATED,
        str(business.id),
        product_id=str(out.id),
        items=len(out.inventory_items),
        variant_types=len(out.variants),
    )
    return out


@router.get("/products")
async def list_products(
    business: CurrentBusiness,
    session: SessionDep,
    page: Page = 1,
    limit: Limit = 20,
    category: Annotated[str | None, Query(max_length=100)] = None,
    search_term: Annotated[str | None, Query(max_length=200)] = None,
    is_active: bool = True,
    sort_by: SortField = "created_at",
    order: SortOrder = "desc",
) -> ProductListOut:
    """A page of products (active ones unless is_active=false), each with total stock."""
    query = ProductQuery(
        page=page,
        limit=limit,
        category=category or None,
        search_term=(search_term or "").strip() or None,
        is_active=is_active,
        sort_by=sort_by,
        order=order,
    )
    listing = await products.list_products(session, business.id, query)
    return ProductListOut.model_validate(listing)


@router.get("/products/{product_id}")
async def get_product(
    product_id: uuid.UUID, business: CurrentBusiness, session: SessionDep
) -> ProductDetailOut:
    """A product with its option types, values and items."""
    return ProductDetailOut.model_validate(
        await products.get_product(session, business.id, product_id)
    )


@router.put("/products/{product_id}")
async def update_product(
    product_id: uuid.UUID, body: ProductUpdate, business: CurrentBusiness, session: SessionDep
) -> ProductUpdateOut:
    """Change any product fields; new `variants` reconcile the items (see `changes`)."""
    detail, changes = await products.update_product(
        session, business, product_id, body.to_changes()
    )
    return ProductUpdateOut.model_validate({**vars(detail), "changes": changes})


@router.delete("/products/{product_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_product(
    product_id: uuid.UUID, business: CurrentBusiness, session: SessionDep
) -> Response:
    """Soft-delete a product and its items."""
    await products.delete_product(session, business.id, product_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/products/{product_id}/inventory_items", status_code=status.HTTP_201_CREATED)
async def add_item(
    product_id: uuid.UUID, body: ItemIn, business: CurrentBusiness, session: SessionDep
) -> ItemOut:
    """Add one combination; a value new to an option type is added to that type."""
    return ItemOut.model_validate(
        await items.add_item(session, business, product_id, body.to_draft())
    )


@router.get("/products/{product_id}/inventory_items")
async def list_items(
    product_id: uuid.UUID,
    business: CurrentBusiness,
    session: SessionDep,
    is_active: bool | None = None,
) -> list[ItemOut]:
    """A product's items, oldest first (all of them unless is_active is given)."""
    found = await items.list_items(session, business.id, product_id, is_active=is_active)
    return [ItemOut.model_validate(item) for item in found]


# Declared before /inventory_items/{item_id} so that "low_stock" is not taken for an id.
@router.get("/inventory_items/low_stock")
async def low_stock(
    business: CurrentBusiness,
    session: SessionDep,
    threshold: Annotated[int, Query(ge=0, le=1_000_000)] = DEFAULT_LOW_STOCK_THRESHOLD,
    page: Page = 1,
    limit: Limit = 50,
) -> LowStockOut:
    """Active items of active products with stock at or under `threshold`."""
    rows, total = await items.low_stock(
        session, business.id, threshold=threshold, page=page, limit=limit
    )
    return LowStockOut(
        items=[
            LowStockItemOut.model_validate({**vars(r.item), "product_name": r.product_name})
            for r in rows
        ],
        total=total,
        page=page,
        limit=limit,
        threshold=threshold,
    )


@router.get("/inventory_items/{item_id}")
async def get_item(item_id: uuid.UUID, business: CurrentBusiness, session: SessionDep) -> ItemOut:
    """One item."""
    return ItemOut.model_validate(await items.get_item(session, business.id, item_id))


@router.put("/inventory_items/{item_id}")
async def update_item(
    item_id: uuid.UUID, body: ItemUpdate, business: CurrentBusiness, session: SessionDep
) -> ItemOut:
    """Change an item's SKU, price, stock, barcode or active flag."""
    return ItemOut.model_validate(
        await items.update_item(session, business.id, item_id, body.to_changes())
    )


@router.delete("/inventory_items/{item_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_item(
    item_id: uuid.UUID, business: CurrentBusiness, session: SessionDep
) -> Response:
    """Soft-delete an item."""
    await items.delete_item(session, business.id, item_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/inventory_items/{item_id}/adjust_stock")
async def adjust_stock(
    item_id: uuid.UUID, body: StockAdjustment, business: CurrentBusiness, session: SessionDep
) -> ItemOut:
    """Move stock atomically; 409 with the current stock if it would go below zero."""
    return ItemOut.model_validate(
        await items.adjust_stock(
            session, business.id, item_id, change=body.change, set_to=body.set_to
        )
    )


@router.post("/skus/generate")
async def generate_sku(
    body: SkuGenerateIn, business: CurrentBusiness, session: SessionDep
) -> SkuGenerateOut:
    """A readable SKU for a combination, free in the business right now."""
    prefix = normalise_shortcode(body.business_shortcode or "") or business_prefix(business)
    [sku] = await free_skus(
        session, business.id, prefix, body.product_name, [[o.value for o in body.variant_options]]
    )
    return SkuGenerateOut(suggested_sku=sku)


@router.post("/skus/validate")
async def validate_sku(
    body: SkuValidateIn, business: CurrentBusiness, session: SessionDep
) -> SkuValidateOut:
    """Whether a SKU is well-formed and unused in the business, with the reason if not."""
    verdict = await check_sku_for(session, business.id, body.sku, item_id=body.inventory_item_id)
    return SkuValidateOut.model_validate(verdict)
