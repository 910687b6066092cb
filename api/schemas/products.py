"""Request and response models of the catalog API (PRD §6.3.6).

Requests are checked at the edge for types, lengths and ranges; rules that depend on the
whole structure (unique option names and values, items matching the combinations) are the
domain's (core.variants) and come back as the same 422 shape naming the field. Unknown
fields are refused so that a misspelt field is an error rather than silently ignored.
Money goes out as a string with two decimals ("40.00"), never as a float.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, ClassVar
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    model_validator,
)

from api.schemas.base import RequestBody
from core.variants import MAX_COMBINATIONS, MAX_OPTION_TYPES, MAX_VALUES_PER_OPTION, VariantSpec
from store.catalog.drafts import ItemChanges, ItemDraft, ProductChanges, ProductDraft

MAX_IMAGES = 10
MAX_URL_LENGTH = 2048
MAX_STOCK = 2_147_483_647  # INTEGER


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http or https URL")
    if any(ch.isspace() or ord(ch) < 32 for ch in value):
        raise ValueError("must not contain spaces or control characters")
    return value


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]
Category = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
SkuText = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=50, pattern=r"^[A-Za-z0-9-]+$"
    ),
]
Barcode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Money = Annotated[Decimal, Field(ge=0, lt=Decimal(10) ** 8, max_digits=10, decimal_places=2)]
Stock = Annotated[int, Field(ge=0, le=MAX_STOCK)]
ImageUrl = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_URL_LENGTH),
    AfterValidator(_http_url),
]
MoneyOut = Annotated[Decimal, PlainSerializer(lambda d: f"{d:.2f}", return_type=str)]


class _Partial(RequestBody):
    """A partial update: absent fields are unchanged; `null` only where a column may be
    empty (listed in `nullable`)."""

    nullable: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _no_null_for_required(self) -> _Partial:
        for name in self.model_fields_set - self.nullable:
            if getattr(self, name) is None:
                raise ValueError(f"{name} may not be null")
        return self

    def given(self, exclude: set[str] | None = None) -> dict[str, Any]:
        """The fields the caller sent, by name."""
        return {name: getattr(self, name) for name in self.model_fields_set - (exclude or set())}


class OptionChoice(RequestBody):
    """One option of an item: {"option_name": "Size", "value": "M"}."""

    option_name: Label
    value: Label


class VariantIn(RequestBody):
    """An option type and its values: {"option_name": "Size", "values": ["S", "M"]}."""

    option_name: Label
    values: list[Label] = Field(min_length=1, max_length=MAX_VALUES_PER_OPTION)

    def to_spec(self) -> VariantSpec:
        """The domain's form."""
        return VariantSpec(self.option_name, tuple(self.values))


Variants = Annotated[list[VariantIn], Field(max_length=MAX_OPTION_TYPES)]
Images = Annotated[list[ImageUrl], Field(max_length=MAX_IMAGES)]


class ItemIn(RequestBody):
    """An item to create; without `sku` one is generated, without `price` the base price."""

    sku: SkuText | None = None
    variant_options: list[OptionChoice] = Field(default_factory=list, max_length=MAX_OPTION_TYPES)
    price: Money | None = None
    stock_quantity: Stock = 0
    barcode: Barcode | None = None

    def to_draft(self) -> ItemDraft:
        """The service's form."""
        return ItemDraft(
            options=tuple((o.option_name, o.value) for o in self.variant_options),
            sku=self.sku,
            price=self.price,
            stock_quantity=self.stock_quantity,
            barcode=self.barcode,
        )


class ProductCreate(RequestBody):
    """POST /api/v1/products. Without `inventory_items`, one item per combination."""

    name: Name
    description: Description | None = None
    category: Category | None = None
    base_price: Money
    images_urls: Images = Field(default_factory=list)
    variants: Variants = Field(default_factory=list)
    inventory_items: list[ItemIn] | None = Field(
        default=None, min_length=1, max_length=MAX_COMBINATIONS
    )

    def to_draft(self) -> ProductDraft:
        """The service's form."""
        items = (
            None
            if self.inventory_items is None
            else tuple(i.to_draft() for i in self.inventory_items)
        )
        return ProductDraft(
            name=self.name,
            base_price=self.base_price,
            description=self.description or None,
            category=self.category,
            images_urls=tuple(self.images_urls),
            variants=tuple(v.to_spec() for v in self.variants),
            items=items,
        )


class ProductUpdate(_Partial):
    """PUT /api/v1/products/{id}: any subset; `variants` replaces the option structure."""

    nullable = frozenset({"description", "category"})

    name: Name | None = None
    description: Description | None = None
    category: Category | None = None
    base_price: Money | None = None
    images_urls: Images | None = None
    variants: Variants | None = None

    def to_changes(self) -> ProductChanges:
        """The service's form."""
        fields = self.given(exclude={"variants"})
        if "description" in fields:
            fields["description"] = fields["description"] or None
        variants = None if self.variants is None else tuple(v.to_spec() for v in self.variants)
        return ProductChanges(fields=fields, variants=variants)


class ItemUpdate(_Partial):
    """PUT /api/v1/inventory_items/{id}: any subset."""

    nullable = frozenset({"barcode"})

    sku: SkuText | None = None
    price: Money | None = None
    stock_quantity: Stock | None = None
    barcode: Barcode | None = None
    is_active: bool | None = None

    def to_changes(self) -> ItemChanges:
        """The service's form."""
        return ItemChanges(fields=self.given())


class StockAdjustment(RequestBody):
    """{"change": -2} moves stock by a delta; {"set_to": 50} sets it. Exactly one."""

    change: int | None = Field(default=None, ge=-MAX_STOCK, le=MAX_STOCK)
    set_to: Stock | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> StockAdjustment:
        if (self.change is None) == (self.set_to is None):
            raise ValueError("give exactly one of change and set_to")
        return self


class SkuGenerateIn(RequestBody):
    """POST /api/v1/skus/generate. `business_shortcode` overrides the business's own."""

    product_name: Name
    variant_options: list[OptionChoice] = Field(default_factory=list, max_length=MAX_OPTION_TYPES)
    business_shortcode: Annotated[str, StringConstraints(max_length=20)] | None = None


class SkuGenerateOut(BaseModel):
    """A SKU free in the caller's business at the time of asking."""

    suggested_sku: str


class SkuValidateIn(RequestBody):
    """POST /api/v1/skus/validate. `inventory_item_id` is the item being edited (its own
    SKU is not a clash); a `business_id` is accepted for PRD compatibility and ignored —
    the caller's business is always the one checked."""

    sku: Annotated[str, StringConstraints(max_length=200)]
    inventory_item_id: uuid.UUID | None = None
    business_id: uuid.UUID | None = None


class SkuValidateOut(BaseModel):
    """The verdict, with a reason when the SKU cannot be used."""

    model_config = ConfigDict(from_attributes=True)

    sku: str
    is_valid_format: bool
    is_unique: bool
    reason: str | None


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ChosenOptionOut(_Out):
    """One option of an item."""

    option_name: str
    value: str


class OptionValueOut(_Out):
    """One value of an option type."""

    id: uuid.UUID
    value: str
    position: int


class VariantOut(_Out):
    """An option type with its values."""

    id: uuid.UUID
    option_name: str
    position: int
    options: list[OptionValueOut]


class ItemOut(_Out):
    """An inventory item (a SKU)."""

    id: uuid.UUID
    product_id: uuid.UUID
    sku: str
    price: MoneyOut
    stock_quantity: int
    barcode: str | None
    is_active: bool
    variant_options: list[ChosenOptionOut]
    created_at: datetime
    updated_at: datetime


class ProductOut(_Out):
    """A product as listed; `total_stock` adds up its active items."""

    id: uuid.UUID
    name: str
    description: str | None
    category: str | None
    base_price: MoneyOut
    images_urls: list[str]
    is_active: bool
    total_stock: int
    created_at: datetime
    updated_at: datetime


class ProductDetailOut(ProductOut):
    """A product with its option types and every item."""

    variants: list[VariantOut]
    inventory_items: list[ItemOut]


class ItemRefOut(_Out):
    """An item named in a change report."""

    id: uuid.UUID
    sku: str
    stock_quantity: int
    variant_options: list[ChosenOptionOut]


class VariantChangesOut(_Out):
    """What changing the options did: items kept as they were, deactivated, created."""

    kept: list[ItemRefOut]
    deactivated: list[ItemRefOut]
    created: list[ItemRefOut]


class ProductUpdateOut(ProductDetailOut):
    """The updated product; `changes` is null unless `variants` was sent."""

    changes: VariantChangesOut | None


class ProductListOut(_Out):
    """One page of products."""

    items: list[ProductOut]
    total: int
    page: int
    limit: int


class LowStockItemOut(ItemOut):
    """An item at or under the threshold, with its product's name."""

    product_name: str


class LowStockOut(BaseModel):
    """One page of low-stock items, scarcest first."""

    items: list[LowStockItemOut]
    total: int
    page: int
    limit: int
    threshold: int
