"""The product catalog (PRD §6.3.5): products, variant types, their values, and SKUs.

A product has variant types ("Size", "Colour"), each with values ("S", "Red"); an
inventory item is one sellable combination with its own SKU, price and stock. Items carry
their business's id so a SKU is unique per business by a constraint, not by luck; a
composite foreign key to (products.id, products.business_id) makes it impossible for that
copy to disagree with the product's business.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKeyConstraint,
    Index,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field, SQLModel

from store.tables.base import created_at, updated_at, uuid_pk
from store.tables.columns import (
    MONEY,
    fk_column,
    flag_column,
    jsonb_column,
    non_negative,
    text_column,
    zero_column,
)

# Mirrors core.sku's format: letters, digits and hyphens, 1-50 characters.
SKU_FORMAT_SQL = "^[A-Za-z0-9-]{1,50}$"


class Product(SQLModel, table=True):
    """Something a business sells; its sellable units are its inventory items."""

    __tablename__ = "products"
    __table_args__ = (
        # Target of the items' composite foreign key (see the module docstring).
        UniqueConstraint("id", "business_id", name="uq_products_id_business"),
        non_negative("products", "base_price"),
        CheckConstraint("length(btrim(name)) > 0", name="ck_products_name_not_blank"),
        Index("ix_products_business_name", "business_id", "name"),
        Index("ix_products_business_category", "business_id", "category"),
        Index("ix_products_business_active", "business_id", "is_active"),
        # The listing's other sort orders, so a page is read in order rather than sorted
        # from the whole catalog (migration 0003; figures in docs/catalog.md).
        Index("ix_products_business_created_at", "business_id", "created_at"),
        Index("ix_products_business_updated_at", "business_id", "updated_at"),
        Index("ix_products_business_base_price", "business_id", "base_price"),
    )

    id: uuid.UUID = uuid_pk()
    business_id: uuid.UUID = Field(sa_column=fk_column("businesses.id", ondelete="CASCADE"))
    name: str = Field(sa_column=text_column(nullable=False))
    description: str | None = Field(default=None, sa_column=text_column())
    category: str | None = Field(default=None, sa_column=text_column())
    base_price: Decimal = Field(sa_column=Column(MONEY, nullable=False))
    images_urls: list[str] = Field(
        default_factory=list, sa_column=jsonb_column(nullable=False, default="[]")
    )
    is_active: bool = Field(default=True, sa_column=flag_column())
    created_at: datetime = created_at()
    updated_at: datetime = updated_at()


class ProductVariant(SQLModel, table=True):
    """A variant type of one product, such as "Size"."""

    __tablename__ = "product_variants"
    __table_args__ = (
        UniqueConstraint(
            "product_id", "option_name", name="uq_product_variants_product_option_name"
        ),
        non_negative("product_variants", "position"),
    )

    id: uuid.UUID = uuid_pk()
    product_id: uuid.UUID = Field(sa_column=fk_column("products.id", ondelete="CASCADE"))
    option_name: str = Field(sa_column=text_column(nullable=False))
    # Display order of the variant types, and the order of their values within a SKU.
    position: int = Field(default=0, sa_column=zero_column())
    created_at: datetime = created_at()
    updated_at: datetime = updated_at()


class ProductVariantOption(SQLModel, table=True):
    """One value of a variant type, such as "Small"."""

    __tablename__ = "product_variant_options"
    __table_args__ = (
        UniqueConstraint("variant_id", "value", name="uq_product_variant_options_variant_value"),
        non_negative("product_variant_options", "position"),
    )

    id: uuid.UUID = uuid_pk()
    variant_id: uuid.UUID = Field(sa_column=fk_column("product_variants.id", ondelete="CASCADE"))
    value: str = Field(sa_column=text_column(nullable=False))
    position: int = Field(default=0, sa_column=zero_column())
    created_at: datetime = created_at()
    updated_at: datetime = updated_at()


class InventoryItem(SQLModel, table=True):
    """One sellable combination of a product's variant values: a SKU with price and stock."""

    __tablename__ = "inventory_items"
    __table_args__ = (
        UniqueConstraint("business_id", "sku", name="uq_inventory_items_business_sku"),
        ForeignKeyConstraint(
            ["product_id", "business_id"],
            ["products.id", "products.business_id"],
            name="fk_inventory_items_product_business",
            ondelete="CASCADE",
        ),
        CheckConstraint(f"sku ~ '{SKU_FORMAT_SQL}'", name="ck_inventory_items_sku_format"),
        non_negative("inventory_items", "price"),
        non_negative("inventory_items", "stock_quantity"),
        Index(
            "ix_inventory_items_product_active_stock", "product_id", "is_active", "stock_quantity"
        ),
        # Low-stock listing: a business's active items at or under a threshold.
        Index(
            "ix_inventory_items_business_active_stock", "business_id", "is_active", "stock_quantity"
        ),
    )

    id: uuid.UUID = uuid_pk()
    business_id: uuid.UUID = Field(sa_column=fk_column("businesses.id", ondelete="CASCADE"))
    product_id: uuid.UUID = Field(sa_column=Column(Uuid(), nullable=False))
    sku: str = Field(sa_column=text_column(nullable=False))
    # product_variant_options ids, in the variants' `position` order; NULL without variants.
    variant_options_ids: list[uuid.UUID] | None = Field(
        default=None, sa_column=Column(ARRAY(Uuid()))
    )
    price: Decimal = Field(sa_column=Column(MONEY, nullable=False))
    stock_quantity: int = Field(default=0, sa_column=zero_column())
    barcode: str | None = Field(default=None, sa_column=text_column())
    is_active: bool = Field(default=True, sa_column=flag_column())
    created_at: datetime = created_at()
    updated_at: datetime = updated_at()
