"""Products as whole operations: create with options and items, read, change, delete.

A product, its option structure and its items are created or changed in the caller's
transaction; anything invalid raises before the request commits, so nothing partial is
ever stored.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from core.errors import NotFound
from core.sku import check_sku
from core.variants import (
    Combination,
    Problem,
    VariantError,
    VariantSpec,
    clean_specs,
    combination_key,
    combination_values,
    combinations,
    resolve_combination,
)
from store.catalog.drafts import ItemDraft, ProductChanges, ProductDraft
from store.catalog.errors import integrity_errors_as_app_errors, validation_failed
from store.catalog.skus import business_prefix, free_skus
from store.catalog.structure import insert_structure, option_ids, restructure
from store.catalog.views import (
    ProductDetail,
    ProductPageView,
    VariantChanges,
    product_detail,
    product_summary,
)
from store.repositories import catalog as repo
from store.repositories.catalog import NewItem, NewProduct, ProductQuery
from store.tables.businesses import Business

log = logging.getLogger("chidi.catalog")


@dataclass(frozen=True)
class PlannedItem:
    """An item a create will insert: its combination, the draft, the typed SKU if any."""

    combination: Combination
    draft: ItemDraft
    sku: str | None
    field: str


def checked_specs(specs: Sequence[VariantSpec]) -> tuple[VariantSpec, ...]:
    """Cleaned option specs, or a 422 naming every broken rule."""
    try:
        return clean_specs(specs)
    except VariantError as exc:
        raise validation_failed(exc.problems) from exc


def _plan_explicit(
    specs: Sequence[VariantSpec], drafts: Sequence[ItemDraft]
) -> tuple[list[PlannedItem], list[Problem]]:
    planned: list[PlannedItem] = []
    problems: list[Problem] = []
    seen_combos: dict[frozenset[tuple[str, str]], int] = {}
    seen_skus: dict[str, int] = {}
    for index, draft in enumerate(drafts):
        base = f"inventory_items.{index}"
        try:
            combo = resolve_combination(specs, draft.options, f"{base}.variant_options")
        except VariantError as exc:
            problems.extend(exc.problems)
            continue
        if (other := seen_combos.setdefault(combination_key(combo), index)) != index:
            problems.append(
                Problem(f"{base}.variant_options", f"Item {other} already has this combination.")
            )
        sku = None
        if draft.sku is not None:
            verdict = check_sku(draft.sku, ())
            sku = verdict.sku
            if not verdict.is_valid_format:
                problems.append(Problem(f"{base}.sku", verdict.reason or "Invalid SKU."))
            elif (other := seen_skus.setdefault(sku, index)) != index:
                problems.append(Problem(f"{base}.sku", f"Item {other} has the SKU {sku} too."))
        planned.append(PlannedItem(combo, draft, sku, f"{base}.sku"))
    return planned, problems


def plan_items(
    specs: Sequence[VariantSpec], drafts: Sequence[ItemDraft] | None
) -> list[PlannedItem]:
    """The items a new product gets: one per combination, or exactly those drafted.

    Raises a 422 naming each drafted item whose options or SKU are wrong.
    """
    if drafts is None:
        return [PlannedItem(c, ItemDraft(), None, "") for c in combinations(specs)]
    planned, problems = _plan_explicit(specs, drafts)
    if problems:
        raise validation_failed(problems)
    return planned


async def create_product(
    session: AsyncSession, business: Business, draft: ProductDraft
) -> ProductDetail:
    """Create a product with its options and items, all or nothing."""
    specs = checked_specs(draft.variants)
    planned = plan_items(specs, draft.items)
    typed = {p.sku: p.field for p in planned if p.sku is not None}
    with integrity_errors_as_app_errors(typed):
        product = await repo.insert_product(
            session,
            business.id,
            NewProduct(
                name=draft.name,
                base_price=draft.base_price,
                description=draft.description,
                category=draft.category,
                images_urls=list(draft.images_urls),
            ),
        )
        structure = await insert_structure(session, product, specs)
        untyped = [p for p in planned if p.sku is None]
        generated = iter(
            await free_skus(
                session,
                business.id,
                business_prefix(business),
                product.name,
                [combination_values(p.combination) for p in untyped],
                reserved=typed,
            )
        )
        await repo.insert_items(
            session,
            product,
            [
                NewItem(
                    sku=p.sku or next(generated),
                    stock_quantity=p.draft.stock_quantity,
                    price=p.draft.price if p.draft.price is not None else product.base_price,
                    variant_options_ids=option_ids(structure, p.combination),
                    barcode=p.draft.barcode,
                )
                for p in planned
            ],
        )
    log.info("product created", extra={"product_id": str(product.id), "items": len(planned)})
    return await get_product(session, business.id, product.id)


async def get_product(
    session: AsyncSession, business_id: uuid.UUID, product_id: uuid.UUID
) -> ProductDetail:
    """A product with its options and items; 404 if the business has no such product."""
    product = await repo.get_product(session, business_id, product_id)
    if product is None:
        raise NotFound("No such product.")
    structure = await repo.load_structure(session, business_id, product_id)
    items = await repo.list_items(session, business_id, product_id)
    return product_detail(product, structure, items)


async def list_products(
    session: AsyncSession, business_id: uuid.UUID, query: ProductQuery
) -> ProductPageView:
    """A page of the business's products with their total stock."""
    page = await repo.list_products(session, business_id, query)
    return ProductPageView(
        [product_summary(r.product, r.total_stock) for r in page.rows],
        page.total,
        query.page,
        query.limit,
    )


async def update_product(
    session: AsyncSession, business: Business, product_id: uuid.UUID, changes: ProductChanges
) -> tuple[ProductDetail, VariantChanges | None]:
    """Change a product's columns and, if given, its options (reconciling its items).

    The product row is locked first, so concurrent structure changes apply one by one.
    """
    specs = checked_specs(changes.variants) if changes.variants is not None else None
    product = await repo.get_product(session, business.id, product_id, for_update=True)
    if product is None:
        raise NotFound("No such product.")
    report = None
    with integrity_errors_as_app_errors():
        if changes.fields:
            product = (
                await repo.update_product(session, business.id, product_id, changes.fields)
                or product
            )
        if specs is not None:
            report = await restructure(session, business, product, specs)
    log.info(
        "product updated",
        extra={
            "product_id": str(product_id),
            "fields": sorted(changes.fields),
            "restructured": specs is not None,
        },
    )
    return await get_product(session, business.id, product_id), report


async def delete_product(
    session: AsyncSession, business_id: uuid.UUID, product_id: uuid.UUID
) -> None:
    """Soft-delete a product and its items (kept for order history); 404 if unknown."""
    if not await repo.deactivate_product(session, business_id, product_id):
        raise NotFound("No such product.")
    log.info("product deleted", extra={"product_id": str(product_id)})
