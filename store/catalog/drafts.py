"""What callers ask the catalog service to create or change.

The API builds these from validated requests; seeds and evals build them directly. Field
names in `changes` mappings are column names; only the keys present are changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from core.variants import VariantSpec

PRODUCT_FIELDS = frozenset({"name", "description", "category", "base_price", "images_urls"})
ITEM_FIELDS = frozenset({"sku", "price", "stock_quantity", "barcode", "is_active"})


@dataclass(frozen=True)
class ItemDraft:
    """One sellable combination to create; a missing SKU is generated, a missing price is
    the product's base price."""

    options: tuple[tuple[str, str], ...] = ()
    sku: str | None = None
    price: Decimal | None = None
    stock_quantity: int = 0
    barcode: str | None = None


@dataclass(frozen=True)
class ProductDraft:
    """A product to create with its option structure.

    `items` None means one item per combination of the options, generated; otherwise
    exactly the items listed (a subset of the combinations is allowed).
    """

    name: str
    base_price: Decimal
    description: str | None = None
    category: str | None = None
    images_urls: tuple[str, ...] = ()
    variants: tuple[VariantSpec, ...] = ()
    items: tuple[ItemDraft, ...] | None = None


@dataclass(frozen=True)
class ProductChanges:
    """A partial update: the product columns given, and the new structure if any."""

    fields: Mapping[str, Any] = field(default_factory=dict)
    variants: tuple[VariantSpec, ...] | None = None

    def __post_init__(self) -> None:
        unknown = set(self.fields) - PRODUCT_FIELDS
        if unknown:
            raise ValueError(f"not product fields: {sorted(unknown)}")


@dataclass(frozen=True)
class ItemChanges:
    """A partial update of an item's columns."""

    fields: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = set(self.fields) - ITEM_FIELDS
        if unknown:
            raise ValueError(f"not item fields: {sorted(unknown)}")
