"""A product's option structure in the database, and changing it with its items.

Rows are matched to the new structure by label (case- and spacing-insensitive), so a type
or value that survives keeps its row id, and the items pointing at it keep pointing at it.
Rows for removed types and values are deleted; items that used them are deactivated and
keep their ids for the record (they no longer resolve to labels).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlmodel.ext.asyncio.session import AsyncSession

from core.variants import (
    Combination,
    ItemState,
    VariantSpec,
    combination_values,
    label_key,
    reconcile,
)
from store.catalog.skus import business_prefix, free_skus
from store.catalog.views import VariantChanges, combination_of, item_ref, option_index, specs_of
from store.repositories import catalog as repo
from store.repositories.catalog import NewItem, VariantRow
from store.tables.businesses import Business
from store.tables.catalog import Product, ProductVariant, ProductVariantOption


def option_ids(structure: Sequence[VariantRow], combination: Combination) -> list[uuid.UUID] | None:
    """The option ids of a combination, in option order; None for the no-option item."""
    by_label = {
        (label_key(row.variant.option_name), label_key(option.value)): option.id
        for row in structure
        for option in row.options
    }
    if not combination:
        return None
    return [by_label[(label_key(name), label_key(value))] for name, value in combination]


async def _insert_variant(
    session: AsyncSession, product: Product, spec: VariantSpec, position: int
) -> VariantRow:
    variant = await repo.insert_variant(session, product, spec.option_name, position)
    options = await repo.insert_options(
        session, product, variant, [(v, i) for i, v in enumerate(spec.values)]
    )
    return VariantRow(variant, options)


async def insert_structure(
    session: AsyncSession, product: Product, specs: Sequence[VariantSpec]
) -> list[VariantRow]:
    """Store a new product's option types and values, positions in the given order."""
    return [
        await _insert_variant(session, product, spec, position)
        for position, spec in enumerate(specs)
    ]


async def _sync_options(
    session: AsyncSession,
    product: Product,
    variant: ProductVariant,
    old: Sequence[ProductVariantOption],
    values: Sequence[str],
) -> list[ProductVariantOption]:
    old_by_key = {label_key(o.value): o for o in old}
    wanted = {label_key(v) for v in values}
    await repo.delete_options(
        session, product.business_id, [o.id for key, o in old_by_key.items() if key not in wanted]
    )
    result = []
    for position, value in enumerate(values):
        option = old_by_key.get(label_key(value))
        if option is None:
            option = (await repo.insert_options(session, product, variant, [(value, position)]))[0]
        elif (option.value, option.position) != (value, position):
            await repo.update_option(session, product.business_id, option.id, value, position)
            option.value, option.position = value, position
        result.append(option)
    return result


async def sync_structure(
    session: AsyncSession, product: Product, old: Sequence[VariantRow], specs: Sequence[VariantSpec]
) -> list[VariantRow]:
    """Make the stored structure equal `specs`, keeping the rows of surviving labels."""
    old_by_key = {label_key(row.variant.option_name): row for row in old}
    wanted = {label_key(spec.option_name) for spec in specs}
    await repo.delete_variants(
        session,
        product.business_id,
        [r.variant.id for key, r in old_by_key.items() if key not in wanted],
    )
    rows = []
    for position, spec in enumerate(specs):
        row = old_by_key.get(label_key(spec.option_name))
        if row is None:
            rows.append(await _insert_variant(session, product, spec, position))
            continue
        variant = row.variant
        if (variant.option_name, variant.position) != (spec.option_name, position):
            await repo.update_variant(
                session, product.business_id, variant.id, spec.option_name, position
            )
            variant.option_name, variant.position = spec.option_name, position
        options = await _sync_options(session, product, variant, row.options, spec.values)
        rows.append(VariantRow(variant, options))
    return rows


async def restructure(
    session: AsyncSession, business: Business, product: Product, specs: Sequence[VariantSpec]
) -> VariantChanges:
    """Change a product's options to `specs` and reconcile its items (see core.variants).

    Items of surviving combinations keep SKU, price and stock; items of removed ones are
    deactivated; new combinations get items with generated SKUs, the base price and no
    stock. The caller holds the product's row lock.
    """
    structure = await repo.load_structure(session, business.id, product.id)
    items = await repo.list_items(session, business.id, product.id)
    index = option_index(structure)
    states = [
        ItemState(
            i.id,
            combination_of(i.variant_options_ids, index),
            i.sku,
            i.price,
            i.stock_quantity,
            i.is_active,
        )
        for i in items
    ]
    plan = reconcile(states, specs_of(structure), specs)

    new_structure = await sync_structure(session, product, structure, specs)
    by_id = {i.id: i for i in items}
    for survivor in (*plan.kept, *plan.retained_inactive):
        ids = option_ids(new_structure, survivor.combination)
        if ids != by_id[survivor.item.item_id].variant_options_ids:
            await repo.update_item(
                session, business.id, survivor.item.item_id, {"variant_options_ids": ids}
            )
    await repo.deactivate_items(session, business.id, [d.item_id for d in plan.deactivated])
    skus = await free_skus(
        session,
        business.id,
        business_prefix(business),
        product.name,
        [combination_values(c) for c in plan.created],
    )
    created = await repo.insert_items(
        session,
        product,
        [
            NewItem(
                sku=sku,
                price=product.base_price,
                stock_quantity=0,
                variant_options_ids=option_ids(new_structure, combo),
            )
            for sku, combo in zip(skus, plan.created, strict=True)
        ],
    )
    return VariantChanges(
        kept=[
            item_ref(s.item.item_id, s.item.sku, s.item.stock_quantity, s.combination)
            for s in plan.kept
        ],
        deactivated=[
            item_ref(d.item_id, d.sku, d.stock_quantity, d.combination) for d in plan.deactivated
        ],
        created=[
            item_ref(row.id, row.sku, 0, combo)
            for row, combo in zip(created, plan.created, strict=True)
        ],
    )
