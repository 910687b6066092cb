"""Read-only catalog queries for the agents' tools and the local brain, scoped to a business.

The catalog service (`store.catalog`) serves owners one product at a time; the agents need
a business's whole active catalog at once, as a `core.catalog_match.Catalog` snapshot that
fuzzy matching runs over. Three statements build it whatever the catalog's size: products,
their option values, their items (labelled in Python from the option values already read).
Every statement starts from `business_id = :business_id` (variant rows are reached only
through their product).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import ColumnElement, true
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.catalog_match import Catalog, CatalogItem, CatalogProduct
from store.tables.catalog import InventoryItem, Product, ProductVariant, ProductVariantOption


@dataclass(frozen=True)
class _OptionLabel:
    variant_position: int
    option_name: str
    value: str


def _product_filter(
    business_id: uuid.UUID, product_ids: Collection[uuid.UUID] | None
) -> list[ColumnElement[bool]]:
    """Products of the business: the given ids, or every active one."""
    filters: list[ColumnElement[bool]] = [col(Product.business_id) == business_id]
    if product_ids is None:
        filters.append(col(Product.is_active) == true())
    else:
        filters.append(col(Product.id).in_(list(product_ids)))
    return filters


async def _products(
    session: AsyncSession, business_id: uuid.UUID, product_ids: Collection[uuid.UUID] | None
) -> list[Product]:
    rows = await session.exec(
        select(Product)
        .where(*_product_filter(business_id, product_ids))
        .order_by(col(Product.name), col(Product.id))
    )
    return list(rows.all())


async def _structure(
    session: AsyncSession, business_id: uuid.UUID, product_ids: Collection[uuid.UUID] | None
) -> tuple[dict[uuid.UUID, dict[str, list[str]]], dict[uuid.UUID, _OptionLabel]]:
    """Per product, option name -> values (in position order); and every option id's label."""
    rows = await session.exec(
        select(ProductVariant, ProductVariantOption)
        .join(Product, col(Product.id) == col(ProductVariant.product_id))
        .join(ProductVariantOption, col(ProductVariantOption.variant_id) == col(ProductVariant.id))
        .where(*_product_filter(business_id, product_ids))
        .order_by(
            col(ProductVariant.product_id),
            col(ProductVariant.position),
            col(ProductVariant.option_name),
            col(ProductVariantOption.position),
            col(ProductVariantOption.value),
        )
    )
    variants: dict[uuid.UUID, dict[str, list[str]]] = {}
    labels: dict[uuid.UUID, _OptionLabel] = {}
    for variant, option in rows.all():
        values = variants.setdefault(variant.product_id, {}).setdefault(variant.option_name, [])
        values.append(option.value)
        labels[option.id] = _OptionLabel(variant.position, variant.option_name, option.value)
    return variants, labels


async def _items(
    session: AsyncSession, business_id: uuid.UUID, product_ids: Collection[uuid.UUID] | None
) -> list[InventoryItem]:
    rows = await session.exec(
        select(InventoryItem)
        .join(
            Product,
            (col(Product.id) == col(InventoryItem.product_id))
            & (col(Product.business_id) == col(InventoryItem.business_id)),
        )
        .where(
            col(InventoryItem.business_id) == business_id,
            *_product_filter(business_id, product_ids),
        )
        .order_by(col(InventoryItem.created_at), col(InventoryItem.sku))
    )
    return list(rows.all())


def _item(row: InventoryItem, labels: dict[uuid.UUID, _OptionLabel]) -> CatalogItem:
    """An item with its option values by name; options since removed are left out."""
    found = [labels[i] for i in row.variant_options_ids or () if i in labels]
    found.sort(key=lambda label: label.variant_position)
    return CatalogItem(
        id=row.id,
        sku=row.sku,
        price=row.price,
        stock_quantity=row.stock_quantity,
        is_active=row.is_active,
        options={label.option_name: label.value for label in found},
    )


async def load_catalog(
    session: AsyncSession,
    business_id: uuid.UUID,
    product_ids: Collection[uuid.UUID] | None = None,
) -> Catalog:
    """The business's catalog: every active product (or the given ones, active or not)
    with its options and all its items, inactive items included (marked so)."""
    if product_ids is not None and not product_ids:
        return Catalog()
    products = await _products(session, business_id, product_ids)
    variants, labels = await _structure(session, business_id, product_ids)
    items: dict[uuid.UUID, list[CatalogItem]] = {}
    for row in await _items(session, business_id, product_ids):
        items.setdefault(row.product_id, []).append(_item(row, labels))
    return Catalog(
        tuple(
            CatalogProduct(
                id=p.id,
                name=p.name,
                base_price=p.base_price,
                description=p.description,
                category=p.category,
                variants={n: tuple(v) for n, v in variants.get(p.id, {}).items()},
                items=tuple(items.get(p.id, ())),
                is_active=p.is_active,
            )
            for p in products
        )
    )


async def active_product_names(session: AsyncSession, business_id: uuid.UUID) -> Catalog:
    """The business's active products with names, prices and descriptions only (no options
    or items): enough to match names, in one statement."""
    return Catalog(
        tuple(
            CatalogProduct(
                id=p.id,
                name=p.name,
                base_price=p.base_price,
                description=p.description,
                category=p.category,
            )
            for p in await _products(session, business_id, None)
        )
    )
