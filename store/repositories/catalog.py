"""Every SQL statement of the product catalog, scoped to one business.

Tenant scoping is structural: every read, update and delete is built on one of the
`_scoped_*` helpers below, each of which starts with `business_id = :business_id` (the
variant tables, which have no business_id, are reached only through a join to their
product's business). Inserts take the parent `Product` row, which can only have come from
a scoped read or have just been inserted for that business, and copy its business_id.

Functions flush, never commit: the request (or job) that owns the session commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import ColumnElement, Delete, Update, delete, func, or_, true, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from store.tables.catalog import InventoryItem, Product, ProductVariant, ProductVariantOption

SortField = Literal["name", "base_price", "created_at", "updated_at", "total_stock"]
SortOrder = Literal["asc", "desc"]
SORT_FIELDS: tuple[SortField, ...] = (
    "name",
    "base_price",
    "created_at",
    "updated_at",
    "total_stock",
)
MAX_PAGE_SIZE = 100
DEFAULT_LOW_STOCK_THRESHOLD = 5


# --- scoping helpers: the only places a query on these tables starts ------------------

# Reads refresh rows already in the session: bulk UPDATEs here bypass the identity map.
_FRESH = {"populate_existing": True}


def _scoped_products(business_id: uuid.UUID) -> SelectOfScalar[Product]:
    return select(Product).where(Product.business_id == business_id).execution_options(**_FRESH)


def _scoped_items(business_id: uuid.UUID) -> SelectOfScalar[InventoryItem]:
    return (
        select(InventoryItem)
        .where(InventoryItem.business_id == business_id)
        .execution_options(**_FRESH)
    )


def _scoped_product_ids(business_id: uuid.UUID) -> SelectOfScalar[uuid.UUID]:
    return select(Product.id).where(Product.business_id == business_id)


def _scoped_variant_ids(business_id: uuid.UUID) -> SelectOfScalar[uuid.UUID]:
    return (
        select(ProductVariant.id)
        .join(Product, col(Product.id) == col(ProductVariant.product_id))
        .where(Product.business_id == business_id)
    )


def _update_products(business_id: uuid.UUID) -> Update:
    return update(Product).where(col(Product.business_id) == business_id)


def _update_items(business_id: uuid.UUID) -> Update:
    return update(InventoryItem).where(col(InventoryItem.business_id) == business_id)


def _update_variants(business_id: uuid.UUID) -> Update:
    return update(ProductVariant).where(
        col(ProductVariant.product_id).in_(_scoped_product_ids(business_id))
    )


def _update_options(business_id: uuid.UUID) -> Update:
    return update(ProductVariantOption).where(
        col(ProductVariantOption.variant_id).in_(_scoped_variant_ids(business_id))
    )


def _delete_variants(business_id: uuid.UUID) -> Delete:
    return delete(ProductVariant).where(
        col(ProductVariant.product_id).in_(_scoped_product_ids(business_id))
    )


def _delete_options(business_id: uuid.UUID) -> Delete:
    return delete(ProductVariantOption).where(
        col(ProductVariantOption.variant_id).in_(_scoped_variant_ids(business_id))
    )


# --- value types -----------------------------------------------------------------------


@dataclass(frozen=True)
class NewProduct:
    """The columns of a product to insert."""

    name: str
    base_price: Decimal
    description: str | None = None
    category: str | None = None
    images_urls: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class NewItem:
    """The columns of an inventory item to insert under a product."""

    sku: str
    price: Decimal
    stock_quantity: int
    variant_options_ids: list[uuid.UUID] | None
    barcode: str | None = None


@dataclass(frozen=True)
class ProductQuery:
    """Filters, order and page of a product listing."""

    page: int = 1
    limit: int = 20
    category: str | None = None
    search_term: str | None = None
    is_active: bool | None = True
    sort_by: SortField = "created_at"
    order: SortOrder = "desc"


@dataclass(frozen=True)
class ProductRow:
    """A product with the stock of its active items added up."""

    product: Product
    total_stock: int


@dataclass(frozen=True)
class ProductPage:
    """One page of a listing and how many products match in all."""

    rows: list[ProductRow]
    total: int


@dataclass(frozen=True)
class VariantRow:
    """A variant type with its values, both in position order."""

    variant: ProductVariant
    options: list[ProductVariantOption]


@dataclass(frozen=True)
class OptionLabelRow:
    """An option id with its type's position and name and its value."""

    option_id: uuid.UUID
    variant_position: int
    option_name: str
    value: str


@dataclass(frozen=True)
class LowStockRow:
    """An item at or under the threshold, with the name of its product."""

    item: InventoryItem
    product_name: str


@dataclass(frozen=True)
class LowStockPage:
    """One page of low-stock items and how many there are in all."""

    rows: list[LowStockRow]
    total: int


def escape_like(term: str) -> str:
    """`term` with the LIKE wildcards escaped, for `ESCAPE '\\'`: matched literally."""
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def like_pattern(term: str) -> str:
    """`%term%` matching `term` literally anywhere."""
    return f"%{escape_like(term)}%"


# --- products --------------------------------------------------------------------------


async def insert_product(
    session: AsyncSession, business_id: uuid.UUID, values: NewProduct
) -> Product:
    """Insert a product for `business_id`."""
    product = Product(
        business_id=business_id,
        name=values.name,
        base_price=values.base_price,
        description=values.description,
        category=values.category,
        images_urls=list(values.images_urls),
    )
    session.add(product)
    await session.flush()
    return product


async def get_product(
    session: AsyncSession,
    business_id: uuid.UUID,
    product_id: uuid.UUID,
    *,
    for_update: bool = False,
) -> Product | None:
    """The business's product, or None (another tenant's id included).

    `for_update` locks the row, so two structure changes to one product run one at a time.
    """
    query = _scoped_products(business_id).where(Product.id == product_id)
    if for_update:
        query = query.with_for_update()
    return (await session.exec(query)).first()


def _total_stock() -> ColumnElement[int]:
    """The stock of the active items of the product in the enclosing (scoped) query.

    No business filter of its own: items reach their product through the composite
    foreign key (product_id, business_id), so they share its business, and leaving it out
    lets Postgres answer from the (product_id, is_active, stock_quantity) index alone.
    """
    return (
        select(func.coalesce(func.sum(InventoryItem.stock_quantity), 0))
        .where(
            col(InventoryItem.product_id) == col(Product.id), col(InventoryItem.is_active) == true()
        )
        .scalar_subquery()
    )


def _listing_filters(business_id: uuid.UUID, query: ProductQuery) -> list[ColumnElement[bool]]:
    filters: list[ColumnElement[bool]] = [col(Product.business_id) == business_id]
    if query.is_active is not None:
        filters.append(col(Product.is_active) == query.is_active)
    if query.category is not None:
        filters.append(func.lower(Product.category) == query.category.lower())
    if query.search_term:
        pattern = like_pattern(query.search_term)
        filters.append(
            or_(
                col(Product.name).ilike(pattern, escape="\\"),
                col(Product.description).ilike(pattern, escape="\\"),
            )
        )
    return filters


async def list_products(
    session: AsyncSession, business_id: uuid.UUID, query: ProductQuery
) -> ProductPage:
    """A filtered, sorted page of the business's products with their total stock."""
    filters = _listing_filters(business_id, query)
    total_stock = _total_stock().label("total_stock")
    key: Any = (
        total_stock if query.sort_by == "total_stock" else col(getattr(Product, query.sort_by))
    )
    direction = key.desc() if query.order == "desc" else key.asc()
    # Ties broken by id so that pages never overlap or skip a product.
    tiebreak = col(Product.id).desc() if query.order == "desc" else col(Product.id).asc()
    limit = max(1, min(query.limit, MAX_PAGE_SIZE))
    rows = (
        await session.exec(
            select(Product, total_stock)
            .where(*filters)
            .order_by(direction, tiebreak)
            .limit(limit)
            .offset((max(query.page, 1) - 1) * limit)
            .execution_options(**_FRESH)
        )
    ).all()
    total = (await session.exec(select(func.count()).select_from(Product).where(*filters))).one()
    return ProductPage([ProductRow(product, int(stock)) for product, stock in rows], total)


async def update_product(
    session: AsyncSession, business_id: uuid.UUID, product_id: uuid.UUID, values: Mapping[str, Any]
) -> Product | None:
    """Set columns of the business's product; None if it has no such product."""
    statement = (
        _update_products(business_id)
        .where(col(Product.id) == product_id)
        .values(**values, updated_at=func.now())
        .returning(Product)
        .execution_options(populate_existing=True)
    )
    result = await session.exec(statement)
    return result.scalars().first()


async def deactivate_product(
    session: AsyncSession, business_id: uuid.UUID, product_id: uuid.UUID
) -> bool:
    """Soft-delete a product and all its items; False if the business has no such product."""
    result = await session.exec(
        _update_products(business_id)
        .where(col(Product.id) == product_id)
        .values(is_active=False, updated_at=func.now())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 0:
        return False
    await session.exec(
        _update_items(business_id)
        .where(col(InventoryItem.product_id) == product_id, col(InventoryItem.is_active) == true())
        .values(is_active=False, updated_at=func.now())
        .execution_options(synchronize_session=False)
    )
    return True


# --- variant structure -----------------------------------------------------------------


async def load_structure(
    session: AsyncSession, business_id: uuid.UUID, product_id: uuid.UUID
) -> list[VariantRow]:
    """The product's variant types and their values, in position order (one query)."""
    rows = (
        await session.exec(
            select(ProductVariant, ProductVariantOption)
            .join(Product, col(Product.id) == col(ProductVariant.product_id))
            .join(
                ProductVariantOption,
                col(ProductVariantOption.variant_id) == col(ProductVariant.id),
                isouter=True,
            )
            .where(Product.business_id == business_id, ProductVariant.product_id == product_id)
            .order_by(
                col(ProductVariant.position),
                col(ProductVariant.option_name),
                col(ProductVariantOption.position),
                col(ProductVariantOption.value),
            )
            .execution_options(**_FRESH)
        )
    ).all()
    structure: dict[uuid.UUID, VariantRow] = {}
    for variant, option in rows:
        row = structure.setdefault(variant.id, VariantRow(variant, []))
        if option is not None:
            row.options.append(option)
    return list(structure.values())


async def option_labels(
    session: AsyncSession, business_id: uuid.UUID, option_ids: Collection[uuid.UUID]
) -> list[OptionLabelRow]:
    """For each of these option ids still on one of the business's products: the position
    and name of its type, and its value."""
    if not option_ids:
        return []
    rows = await session.exec(
        select(
            ProductVariantOption.id,
            ProductVariant.position,
            ProductVariant.option_name,
            ProductVariantOption.value,
        )
        .join(ProductVariant, col(ProductVariant.id) == col(ProductVariantOption.variant_id))
        .join(Product, col(Product.id) == col(ProductVariant.product_id))
        .where(
            Product.business_id == business_id, col(ProductVariantOption.id).in_(list(option_ids))
        )
    )
    return [OptionLabelRow(*row) for row in rows.all()]


async def insert_variant(
    session: AsyncSession, product: Product, option_name: str, position: int
) -> ProductVariant:
    """Add a variant type to a product loaded through a scoped read."""
    variant = ProductVariant(product_id=product.id, option_name=option_name, position=position)
    session.add(variant)
    await session.flush()
    return variant


async def insert_options(
    session: AsyncSession,
    product: Product,
    variant: ProductVariant,
    values: Sequence[tuple[str, int]],
) -> list[ProductVariantOption]:
    """Add (value, position) pairs to one of `product`'s variant types."""
    if variant.product_id != product.id:
        raise ValueError("the variant does not belong to this product")
    options = [
        ProductVariantOption(variant_id=variant.id, value=value, position=position)
        for value, position in values
    ]
    session.add_all(options)
    await session.flush()
    return options


async def update_variant(
    session: AsyncSession,
    business_id: uuid.UUID,
    variant_id: uuid.UUID,
    option_name: str,
    position: int,
) -> None:
    """Respell or move a variant type of one of the business's products."""
    await session.exec(
        _update_variants(business_id)
        .where(col(ProductVariant.id) == variant_id)
        .values(option_name=option_name, position=position, updated_at=func.now())
        .execution_options(synchronize_session=False)
    )


async def update_option(
    session: AsyncSession, business_id: uuid.UUID, option_id: uuid.UUID, value: str, position: int
) -> None:
    """Respell or move a variant value of one of the business's products."""
    await session.exec(
        _update_options(business_id)
        .where(col(ProductVariantOption.id) == option_id)
        .values(value=value, position=position, updated_at=func.now())
        .execution_options(synchronize_session=False)
    )


async def delete_variants(
    session: AsyncSession, business_id: uuid.UUID, variant_ids: Collection[uuid.UUID]
) -> None:
    """Remove variant types (and, by cascade, their values) of the business's products."""
    if variant_ids:
        await session.exec(
            _delete_variants(business_id)
            .where(col(ProductVariant.id).in_(list(variant_ids)))
            .execution_options(synchronize_session=False)
        )


async def delete_options(
    session: AsyncSession, business_id: uuid.UUID, option_ids: Collection[uuid.UUID]
) -> None:
    """Remove variant values of the business's products."""
    if option_ids:
        await session.exec(
            _delete_options(business_id)
            .where(col(ProductVariantOption.id).in_(list(option_ids)))
            .execution_options(synchronize_session=False)
        )


# --- inventory items -------------------------------------------------------------------


async def insert_items(
    session: AsyncSession, product: Product, items: Sequence[NewItem]
) -> list[InventoryItem]:
    """Insert items under a product loaded through a scoped read, in the given order."""
    rows = [
        InventoryItem(
            business_id=product.business_id,
            product_id=product.id,
            sku=i.sku,
            price=i.price,
            stock_quantity=i.stock_quantity,
            barcode=i.barcode,
            variant_options_ids=i.variant_options_ids,
        )
        for i in items
    ]
    session.add_all(rows)
    await session.flush()
    return rows


async def get_item(
    session: AsyncSession, business_id: uuid.UUID, item_id: uuid.UUID
) -> InventoryItem | None:
    """The business's item, or None (another tenant's id included)."""
    return (
        await session.exec(_scoped_items(business_id).where(InventoryItem.id == item_id))
    ).first()


async def list_items(
    session: AsyncSession,
    business_id: uuid.UUID,
    product_id: uuid.UUID,
    *,
    is_active: bool | None = None,
) -> list[InventoryItem]:
    """The items of one of the business's products, oldest first."""
    query = _scoped_items(business_id).where(InventoryItem.product_id == product_id)
    if is_active is not None:
        query = query.where(col(InventoryItem.is_active) == is_active)
    ordered = query.order_by(col(InventoryItem.created_at), col(InventoryItem.sku))
    return list((await session.exec(ordered)).all())


async def find_item_by_sku(
    session: AsyncSession, business_id: uuid.UUID, sku: str
) -> InventoryItem | None:
    """The business's item with this SKU, case-insensitively (SKUs are stored upper-case)."""
    return (
        await session.exec(
            _scoped_items(business_id).where(InventoryItem.sku == sku.strip().upper())
        )
    ).first()


async def skus_in_use(
    session: AsyncSession, business_id: uuid.UUID, skus: Collection[str]
) -> set[str]:
    """Which of `skus` (upper-case) the business already uses."""
    if not skus:
        return set()
    found = await session.exec(
        select(InventoryItem.sku).where(
            InventoryItem.business_id == business_id, col(InventoryItem.sku).in_(list(skus))
        )
    )
    return set(found.all())


async def skus_starting_with(
    session: AsyncSession, business_id: uuid.UUID, prefixes: Collection[str]
) -> set[str]:
    """The business's SKUs that start with any of `prefixes`: the candidates a generated
    SKU could collide with, read through the (business_id, sku) index."""
    if not prefixes:
        return set()
    matches = [
        col(InventoryItem.sku).like(escape_like(p) + "%", escape="\\")
        for p in sorted(set(prefixes))
    ]
    found = await session.exec(
        select(InventoryItem.sku).where(InventoryItem.business_id == business_id, or_(*matches))
    )
    return set(found.all())


async def update_item(
    session: AsyncSession, business_id: uuid.UUID, item_id: uuid.UUID, values: Mapping[str, Any]
) -> InventoryItem | None:
    """Set columns of the business's item; None if it has no such item."""
    statement = (
        _update_items(business_id)
        .where(col(InventoryItem.id) == item_id)
        .values(**values, updated_at=func.now())
        .returning(InventoryItem)
        .execution_options(populate_existing=True)
    )
    return (await session.exec(statement)).scalars().first()


async def deactivate_items(
    session: AsyncSession, business_id: uuid.UUID, item_ids: Collection[uuid.UUID]
) -> None:
    """Soft-delete several of the business's items."""
    if item_ids:
        await session.exec(
            _update_items(business_id)
            .where(col(InventoryItem.id).in_(list(item_ids)))
            .values(is_active=False, updated_at=func.now())
            .execution_options(synchronize_session=False)
        )


async def change_stock(
    session: AsyncSession, business_id: uuid.UUID, item_id: uuid.UUID, change: int
) -> InventoryItem | None:
    """Add `change` to the item's stock in one statement, never going below zero.

    The guard is in the UPDATE's WHERE, which Postgres re-checks against the newest row
    version after waiting for a concurrent writer's lock: concurrent callers cannot
    oversell. None means no row was updated — no such item, or too little stock.
    """
    statement = (
        _update_items(business_id)
        .where(col(InventoryItem.id) == item_id, col(InventoryItem.stock_quantity) + change >= 0)
        .values(stock_quantity=col(InventoryItem.stock_quantity) + change, updated_at=func.now())
        .returning(InventoryItem)
        .execution_options(populate_existing=True)
    )
    return (await session.exec(statement)).scalars().first()


async def set_stock(
    session: AsyncSession, business_id: uuid.UUID, item_id: uuid.UUID, quantity: int
) -> InventoryItem | None:
    """Set the item's stock to `quantity` (a count taken by hand); None if no such item."""
    return await update_item(session, business_id, item_id, {"stock_quantity": quantity})


async def stock_of(session: AsyncSession, business_id: uuid.UUID, item_id: uuid.UUID) -> int | None:
    """The item's current stock, or None if the business has no such item."""
    found = await session.exec(
        select(InventoryItem.stock_quantity).where(
            InventoryItem.business_id == business_id, InventoryItem.id == item_id
        )
    )
    return found.first()


def _low_stock_filters(business_id: uuid.UUID, threshold: int) -> list[ColumnElement[bool]]:
    return [
        col(InventoryItem.business_id) == business_id,
        col(InventoryItem.is_active) == true(),
        col(InventoryItem.stock_quantity) <= threshold,
        col(Product.is_active) == true(),
    ]


async def low_stock(
    session: AsyncSession,
    business_id: uuid.UUID,
    *,
    threshold: int = DEFAULT_LOW_STOCK_THRESHOLD,
    page: int = 1,
    limit: int = 50,
) -> LowStockPage:
    """Active items of active products at or under `threshold`, scarcest first."""
    filters = _low_stock_filters(business_id, threshold)
    joined = col(Product.id) == col(InventoryItem.product_id)
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    rows = (
        await session.exec(
            select(InventoryItem, Product.name)
            .join(Product, joined)
            .where(*filters)
            .order_by(col(InventoryItem.stock_quantity), col(InventoryItem.sku))
            .limit(limit)
            .offset((max(page, 1) - 1) * limit)
            .execution_options(**_FRESH)
        )
    ).all()
    total = (
        await session.exec(
            select(func.count()).select_from(InventoryItem).join(Product, joined).where(*filters)
        )
    ).one()
    return LowStockPage([LowStockRow(item, name) for item, name in rows], total)
