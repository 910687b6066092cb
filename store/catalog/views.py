"""What the catalog service returns: plain read models built from rows.

Items name their options by label ("Size: M"), not by option id, because that is what an
owner, an API client and the auto-responder all need; the ids stay in the database.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from core.variants import Combination, VariantSpec
from store.repositories.catalog import OptionLabelRow, VariantRow
from store.tables.catalog import InventoryItem, Product


@dataclass(frozen=True)
class OptionLabel:
    """Where an option id sits in its product: the type's position, name and the value."""

    variant_position: int
    option_name: str
    value: str


OptionIndex = Mapping[uuid.UUID, OptionLabel]


@dataclass(frozen=True)
class ChosenOption:
    """One option of an item's combination."""

    option_name: str
    value: str


@dataclass(frozen=True)
class OptionValueView:
    """One value of a variant type."""

    id: uuid.UUID
    value: str
    position: int


@dataclass(frozen=True)
class VariantView:
    """A variant type with its values."""

    id: uuid.UUID
    option_name: str
    position: int
    options: list[OptionValueView]


@dataclass(frozen=True)
class ItemView:
    """An inventory item; `variant_options` is empty for a product without options and for
    an item whose combination was retired by a structure change."""

    id: uuid.UUID
    product_id: uuid.UUID
    sku: str
    price: Decimal
    stock_quantity: int
    barcode: str | None
    is_active: bool
    variant_options: list[ChosenOption]
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class LowStockView:
    """An item running low, with its product's name."""

    item: ItemView
    product_name: str


@dataclass(frozen=True)
class ProductSummary:
    """A product as listed: no nested structure, its active items' stock added up."""

    id: uuid.UUID
    name: str
    description: str | None
    category: str | None
    base_price: Decimal
    images_urls: list[str]
    is_active: bool
    total_stock: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class ProductDetail(ProductSummary):
    """A product with its variant types, values and every item (inactive ones included)."""

    variants: list[VariantView]
    inventory_items: list[ItemView]


@dataclass(frozen=True)
class ItemRef:
    """An item named in a change report."""

    id: uuid.UUID
    sku: str
    stock_quantity: int
    variant_options: list[ChosenOption]


@dataclass(frozen=True)
class VariantChanges:
    """What a change of variant structure did to the items."""

    kept: list[ItemRef]
    deactivated: list[ItemRef]
    created: list[ItemRef]


@dataclass(frozen=True)
class ProductPageView:
    """One page of a product listing."""

    items: list[ProductSummary]
    total: int
    page: int
    limit: int


def option_index(structure: Sequence[VariantRow]) -> dict[uuid.UUID, OptionLabel]:
    """Every option id of a product's structure with its labels."""
    return {
        option.id: OptionLabel(row.variant.position, row.variant.option_name, option.value)
        for row in structure
        for option in row.options
    }


def index_of_labels(rows: Sequence[OptionLabelRow]) -> dict[uuid.UUID, OptionLabel]:
    """An option index from looked-up labels (for items outside a full product read)."""
    return {
        row.option_id: OptionLabel(row.variant_position, row.option_name, row.value) for row in rows
    }


def specs_of(structure: Sequence[VariantRow]) -> tuple[VariantSpec, ...]:
    """A stored structure as the domain's variant specs, in position order."""
    return tuple(
        VariantSpec(row.variant.option_name, tuple(o.value for o in row.options))
        for row in structure
    )


def combination_of(
    option_ids: Sequence[uuid.UUID] | None, index: OptionIndex
) -> Combination | None:
    """An item's combination in option order; None if any of its options is gone."""
    if not option_ids:
        return ()
    labels = [index.get(option_id) for option_id in option_ids]
    if any(label is None for label in labels):
        return None
    ordered = sorted(
        (label for label in labels if label is not None), key=lambda label: label.variant_position
    )
    return tuple((label.option_name, label.value) for label in ordered)


def chosen_options(combination: Combination | None) -> list[ChosenOption]:
    """A combination as the list an API response shows."""
    return [ChosenOption(name, value) for name, value in combination or ()]


def item_view(item: InventoryItem, index: OptionIndex) -> ItemView:
    """The read model of an item, its options labelled through `index`."""
    return ItemView(
        id=item.id,
        product_id=item.product_id,
        sku=item.sku,
        price=item.price,
        stock_quantity=item.stock_quantity,
        barcode=item.barcode,
        is_active=item.is_active,
        variant_options=chosen_options(combination_of(item.variant_options_ids, index)),
        created_at=item.created_at,
        updated_at=item.updated_at,
    )


def item_ref(item_id: uuid.UUID, sku: str, stock: int, combination: Combination | None) -> ItemRef:
    """An entry of a change report."""
    return ItemRef(item_id, sku, stock, chosen_options(combination))


def product_summary(product: Product, total_stock: int) -> ProductSummary:
    """The listing read model of a product."""
    return ProductSummary(
        id=product.id,
        name=product.name,
        description=product.description,
        category=product.category,
        base_price=product.base_price,
        images_urls=list(product.images_urls or []),
        is_active=product.is_active,
        total_stock=total_stock,
        created_at=product.created_at,
        updated_at=product.updated_at,
    )


def product_detail(
    product: Product, structure: Sequence[VariantRow], items: Sequence[InventoryItem]
) -> ProductDetail:
    """The full read model of a product."""
    index = option_index(structure)
    variants = [
        VariantView(
            row.variant.id,
            row.variant.option_name,
            row.variant.position,
            [OptionValueView(o.id, o.value, o.position) for o in row.options],
        )
        for row in structure
    ]
    summary = product_summary(product, sum(i.stock_quantity for i in items if i.is_active))
    return ProductDetail(
        **vars(summary),
        variants=variants,
        inventory_items=[item_view(item, index) for item in items],
    )
