"""SKUs against a business's catalog: its prefix, free generated SKUs, and validation."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence

from sqlmodel.ext.asyncio.session import AsyncSession

from core.sku import (
    SkuCheck,
    check_sku,
    collision_prefix,
    derive_shortcode,
    generate_sku,
    generate_unique_skus,
    normalise_shortcode,
    normalise_sku,
)
from core.variants import Problem
from store.catalog.errors import validation_failed
from store.repositories import catalog as repo
from store.tables.businesses import Business


def business_prefix(business: Business) -> str:
    """The shortcode a business's generated SKUs start with: its own, or one from its name."""
    return normalise_shortcode(business.shortcode or "") or derive_shortcode(business.name or "")


async def free_skus(
    session: AsyncSession,
    business_id: uuid.UUID,
    prefix: str,
    product_name: str,
    value_lists: Sequence[Sequence[str]],
    reserved: Collection[str] = (),
) -> list[str]:
    """Generated SKUs for these combinations, none used by the business or in `reserved`.

    Only SKUs sharing a collision prefix with a candidate are read. Two requests racing
    for the same SKU are settled by the unique constraint (one gets a 409).
    """
    candidates = [generate_sku(prefix, product_name, values) for values in value_lists]
    taken = await repo.skus_starting_with(
        session, business_id, {collision_prefix(c) for c in candidates}
    )
    return generate_unique_skus(prefix, product_name, value_lists, taken | set(reserved))


async def check_sku_for(
    session: AsyncSession, business_id: uuid.UUID, raw: str, *, item_id: uuid.UUID | None = None
) -> SkuCheck:
    """Whether a typed SKU is well-formed and free in the business.

    `item_id` is the item being edited: its own current SKU does not count as taken.
    """
    holder = await repo.find_item_by_sku(session, business_id, raw) if raw.strip() else None
    taken = [holder.sku] if holder is not None and holder.id != item_id else []
    return check_sku(raw, taken)


def typed_sku(raw: str, field: str) -> str:
    """A SKU a person typed, normalised; raises a 422 naming `field` if malformed.

    Uniqueness is left to the database constraint, which alone is race-free.
    """
    verdict = check_sku(raw, ())
    if not verdict.is_valid_format:
        raise validation_failed([Problem(field, verdict.reason or "Invalid SKU.")])
    return normalise_sku(raw)
