"""What the tools return: pydantic models a model reads as JSON and code reads as objects.

Money is `Decimal` (serialised as a string, "40.00"), never float. Every tool returns
either its result model or a `ToolError`, never a traceback.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field

from core.catalog_match import CatalogItem, CatalogProduct


class ToolError(BaseModel):
    """A tool that could not answer, and why, in words the model can pass on or act on."""

    error: str
    code: str = "tool_error"


class ItemInfo(BaseModel):
    """One SKU: its options, price and stock."""

    sku: str
    product_name: str
    options: dict[str, str] = Field(default_factory=dict)
    price: Decimal
    stock_quantity: int
    is_active: bool
    in_stock: bool

    @classmethod
    def of(cls, product: CatalogProduct, item: CatalogItem) -> ItemInfo:
        """The info of `item`, a SKU of `product`."""
        return cls(
            sku=item.sku,
            product_name=product.name,
            options=dict(item.options),
            price=item.price,
            stock_quantity=item.stock_quantity,
            is_active=item.is_active,
            in_stock=item.in_stock,
        )


class ProductInfo(BaseModel):
    """A product as a customer asks about it: prices, stock and options in one place."""

    id: str
    name: str
    description: str | None = None
    category: str | None = None
    base_price: Decimal
    price_min: Decimal
    price_max: Decimal
    total_stock: int
    in_stock: bool
    is_active: bool = Field(
        default=True, description="False: the business no longer sells this product"
    )
    options: dict[str, list[str]] = Field(default_factory=dict)
    matched_by: Literal["sku", "name", "semantic"] = "name"
    score: float = 100.0
    sku: str | None = Field(default=None, description="The SKU asked for, when found by SKU")

    @classmethod
    def of(
        cls,
        product: CatalogProduct,
        *,
        matched_by: Literal["sku", "name", "semantic"] = "name",
        score: float = 100.0,
        sku: str | None = None,
    ) -> ProductInfo:
        """The info of `product`; prices span its active items (the base price if none)."""
        prices = [item.price for item in product.active_items] or [product.base_price]
        return cls(
            id=str(product.id),
            name=product.name,
            description=product.description,
            category=product.category,
            base_price=product.base_price,
            price_min=min(prices),
            price_max=max(prices),
            total_stock=product.total_stock,
            in_stock=any(item.in_stock for item in product.items),
            is_active=product.is_active,
            options={name: list(values) for name, values in product.variants.items()},
            matched_by=matched_by,
            score=score,
            sku=sku,
        )


class FindProductsResult(BaseModel):
    """Products a customer's words refer to, best first."""

    query: str
    products: list[ProductInfo]
    ambiguous: bool = Field(
        default=False, description="Several products fit equally well: ask which one is meant"
    )


class InventoryResult(BaseModel):
    """The SKUs of a product that have the options asked for (at least one)."""

    product: str
    options_asked: dict[str, str] = Field(
        default_factory=dict, description="The options asked for, as the catalog spells them"
    )
    items: list[ItemInfo]


class OptionsResult(BaseModel):
    """A product's option values, and which of them are in stock on some SKU."""

    product: str
    options: dict[str, list[str]]
    in_stock_values: dict[str, list[str]]


class LowStockResult(BaseModel):
    """Active SKUs at or under the threshold, scarcest first."""

    threshold: int
    total: int
    items: list[ItemInfo]


class ContextSnippet(BaseModel):
    """A retrieved piece of what the business told CHIDI about itself."""

    text: str
    source_field: str
    score: float


class ContextSearchResult(BaseModel):
    """The business's context chunks nearest to a question."""

    query: str
    snippets: list[ContextSnippet]


class ProfileResult(BaseModel):
    """The business profile as stored, with how complete it is."""

    profile: dict[str, Any]
    completeness: int
    missing: list[str]


class ProfileUpdateResult(BaseModel):
    """A profile field after an update."""

    field: str
    value: Any
    changed: bool
    reembedded: bool
