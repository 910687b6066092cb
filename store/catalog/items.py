"""Inventory items: add one to a product, read, change, switch off, and move stock.

Stock moves are single SQL statements (see `repo.change_stock`), so they are correct
under any number of concurrent callers without a lock held in Python.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence

from sqlmodel.ext.asyncio.session import AsyncSession

from core.errors import Conflict, NotFound
from core.variants import (
    Combination,
    VariantError,
    combination_key,
    combination_values,
    extend_specs,
    resolve_combination,
    variant_problems,
)
from store.catalog.drafts import ItemChanges, ItemDraft
from store.catalog.errors import integrity_errors_as_app_errors, validation_failed
from store.catalog.skus import business_prefix, free_skus, typed_sku
from store.catalog.structure import option_ids, sync_structure
from store.catalog.views import (
    ItemView,
    LowStockView,
    OptionIndex,
    combination_of,
    index_of_labels,
    item_view,
    option_index,
    specs_of,
)
from store.repositories import catalog as repo
from store.repositories.catalog import NewItem, VariantRow
from store.tables.businesses import Business
from store.tables.catalog import InventoryItem, Product

log = logging.getLogger("chidi.catalog")


async def _labels_for(
    session: AsyncSession, business_id: uuid.UUID, items: Sequence[InventoryItem]
) -> OptionIndex:
    ids = {option_id for item in items for option_id in item.variant_options_ids or ()}
    return index_of_labels(await repo.option_labels(session, business_id, ids))


async def _view(session: AsyncSession, business_id: uuid.UUID, item: InventoryItem) -> ItemView:
    return item_view(item, await _labels_for(session, business_id, [item]))


def _active_holder(
    items: Sequence[InventoryItem],
    index: OptionIndex,
    combination: Combination,
    *,
    besides: uuid.UUID | None = None,
) -> InventoryItem | None:
    """The active item already selling `combination`, if any (other than `besides`)."""
    key = combination_key(combination)
    for item in items:
        if item.is_active and item.id != besides:
            held = combination_of(item.variant_options_ids, index)
            if held is not None and combination_key(held) == key:
                return item
    return None


def _combination_taken(holder: InventoryItem) -> Conflict:
    return Conflict(
        f"The item {holder.sku} already sells this combination.",
        details={"sku": holder.sku, "inventory_item_id": str(holder.id)},
        code="combination_taken",
    )


async def _resolve_for_new_item(
    session: AsyncSession,
    product: Product,
    structure: list[VariantRow],
    chosen: Sequence[tuple[str, str]],
) -> tuple[Combination, list[VariantRow]]:
    """The combination a new item names; values new to an option type are added to it."""
    specs = specs_of(structure)
    extended = extend_specs(specs, chosen)
    try:
        combination = resolve_combination(extended, chosen)
    except VariantError as exc:
        raise validation_failed(exc.problems) from exc
    if extended != specs:
        if variant_problems(extended):
            raise validation_failed(variant_problems(extended))
        structure = await sync_structure(session, product, structure, extended)
    return combination, structure


async def add_item(
    session: AsyncSession, business: Business, product_id: uuid.UUID, draft: ItemDraft
) -> ItemView:
    """Add one sellable combination to a product (409 if an active item already sells it)."""
    product = await repo.get_product(session, business.id, product_id, for_update=True)
    if product is None:
        raise NotFound("No such product.")
    sku = typed_sku(draft.sku, "sku") if draft.sku is not None else None
    structure = await repo.load_structure(session, business.id, product_id)
    with integrity_errors_as_app_errors({sku: "sku"} if sku else None):
        combination, structure = await _resolve_for_new_item(
            session, product, structure, draft.options
        )
        existing = await repo.list_items(session, business.id, product_id, is_active=True)
        holder = _active_holder(existing, option_index(structure), combination)
        if holder is not None:
            raise _combination_taken(holder)
        if sku is None:
            [sku] = await free_skus(
                session,
                business.id,
                business_prefix(business),
                product.name,
                [combination_values(combination)],
            )
        [row] = await repo.insert_items(
            session,
            product,
            [
                NewItem(
                    sku=sku,
                    stock_quantity=draft.stock_quantity,
                    barcode=draft.barcode,
                    price=draft.price if draft.price is not None else product.base_price,
                    variant_options_ids=option_ids(structure, combination),
                )
            ],
        )
    log.info("inventory item created", extra={"inventory_item_id": str(row.id)})
    return item_view(row, option_index(structure))


async def get_item(session: AsyncSession, business_id: uuid.UUID, item_id: uuid.UUID) -> ItemView:
    """An item; 404 if the business has no such item."""
    item = await repo.get_item(session, business_id, item_id)
    if item is None:
        raise NotFound("No such inventory item.")
    return await _view(session, business_id, item)


async def list_items(
    session: AsyncSession,
    business_id: uuid.UUID,
    product_id: uuid.UUID,
    *,
    is_active: bool | None = None,
) -> list[ItemView]:
    """A product's items; 404 if the business has no such product."""
    if await repo.get_product(session, business_id, product_id) is None:
        raise NotFound("No such product.")
    structure = await repo.load_structure(session, business_id, product_id)
    items = await repo.list_items(session, business_id, product_id, is_active=is_active)
    index = option_index(structure)
    return [item_view(item, index) for item in items]


async def _check_reactivation(
    session: AsyncSession, business_id: uuid.UUID, item: InventoryItem
) -> None:
    """Refuse to switch an item back on if its combination is gone or sold by another.

    The product row is locked first, as `add_item` does, so the check cannot race one.
    """
    await repo.get_product(session, business_id, item.product_id, for_update=True)
    structure = await repo.load_structure(session, business_id, item.product_id)
    index = option_index(structure)
    combination = combination_of(item.variant_options_ids, index)
    if combination is None or (structure and not combination):
        raise Conflict(
            "This item's option combination was removed from the product.",
            code="combination_retired",
        )
    active = await repo.list_items(session, business_id, item.product_id, is_active=True)
    holder = _active_holder(active, index, combination, besides=item.id)
    if holder is not None:
        raise _combination_taken(holder)


async def update_item(
    session: AsyncSession, business_id: uuid.UUID, item_id: uuid.UUID, changes: ItemChanges
) -> ItemView:
    """Change an item's SKU, price, stock, barcode or active flag; 404 if unknown."""
    item = await repo.get_item(session, business_id, item_id)
    if item is None:
        raise NotFound("No such inventory item.")
    fields = dict(changes.fields)
    if fields.get("sku") is not None:
        fields["sku"] = typed_sku(fields["sku"], "sku")
    if fields.get("is_active") is True and not item.is_active:
        await _check_reactivation(session, business_id, item)
    if fields:
        with integrity_errors_as_app_errors({fields["sku"]: "sku"} if "sku" in fields else None):
            item = await repo.update_item(session, business_id, item_id, fields) or item
    log.info(
        "inventory item updated",
        extra={"inventory_item_id": str(item_id), "fields": sorted(fields)},
    )
    return await _view(session, business_id, item)


async def delete_item(session: AsyncSession, business_id: uuid.UUID, item_id: uuid.UUID) -> None:
    """Switch an item off (kept for order history); 404 if unknown."""
    if await repo.update_item(session, business_id, item_id, {"is_active": False}) is None:
        raise NotFound("No such inventory item.")
    log.info("inventory item deleted", extra={"inventory_item_id": str(item_id)})


async def adjust_stock(
    session: AsyncSession,
    business_id: uuid.UUID,
    item_id: uuid.UUID,
    *,
    change: int | None = None,
    set_to: int | None = None,
) -> ItemView:
    """Move stock by `change` or set it to `set_to` (exactly one), atomically.

    404 for an unknown item; 409 with the current stock when a decrease would go below 0.
    """
    if (change is None) == (set_to is None):
        raise ValueError("give exactly one of change and set_to")
    if set_to is not None:
        item = await repo.set_stock(session, business_id, item_id, set_to)
    else:
        item = await repo.change_stock(session, business_id, item_id, change or 0)
    if item is None:
        current = await repo.stock_of(session, business_id, item_id)
        if current is None:
            raise NotFound("No such inventory item.")
        raise Conflict(
            f"Not enough stock: {current} left, cannot remove {-(change or 0)}.",
            details={"current_stock": current, "change": change},
            code="insufficient_stock",
        )
    log.info(
        "stock adjusted",
        extra={
            "inventory_item_id": str(item_id),
            "change": change,
            "set_to": set_to,
            "stock": item.stock_quantity,
        },
    )
    return await _view(session, business_id, item)


async def low_stock(
    session: AsyncSession, business_id: uuid.UUID, *, threshold: int, page: int, limit: int
) -> tuple[list[LowStockView], int]:
    """Active items of active products at or under `threshold`, and how many in all."""
    found = await repo.low_stock(session, business_id, threshold=threshold, page=page, limit=limit)
    index = await _labels_for(session, business_id, [row.item for row in found.rows])
    return [LowStockView(item_view(r.item, index), r.product_name) for r in found.rows], found.total
