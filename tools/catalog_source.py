"""Where the catalog tools read products from: the database, or a snapshot taken earlier.

A responder decision loads the business's active catalog once (`load`, from the worker's
`CatalogCache`); its tool calls then read that snapshot instead of re-reading the same
rows three statements at a time. What a snapshot cannot answer — a product the owner
removed, a SKU of one — is read from the database, so both sources give the same answers.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from sqlmodel.ext.asyncio.session import AsyncSession

from core.catalog_match import Catalog, CatalogProduct
from store.repositories import catalog as catalog_repo
from store.repositories import catalog_reads


class CatalogSource(Protocol):
    """The catalog reads the tools make, for one business."""

    async def products(self, product_ids: Collection[uuid.UUID]) -> Catalog:
        """These products (active or not) with their options and items."""
        ...

    async def by_sku(self, sku: str) -> tuple[CatalogProduct, str] | None:
        """The product with this SKU (any case) and the SKU as stored, or None."""
        ...

    async def active_names(self) -> Catalog:
        """The active products; at least names, prices and descriptions."""
        ...


class DatabaseCatalog:
    """Reads straight from the business's rows, in the given session."""

    def __init__(self, session: AsyncSession, business_id: uuid.UUID) -> None:
        self.session, self.business_id = session, business_id

    async def products(self, product_ids: Collection[uuid.UUID]) -> Catalog:
        return await catalog_reads.load_catalog(self.session, self.business_id, product_ids)

    async def by_sku(self, sku: str) -> tuple[CatalogProduct, str] | None:
        item = await catalog_repo.find_item_by_sku(self.session, self.business_id, sku)
        if item is None:
            return None
        found = await self.products([item.product_id])
        return (found.products[0], item.sku) if found.products else None

    async def active_names(self) -> Catalog:
        return await catalog_reads.active_product_names(self.session, self.business_id)


class SessionOpener(Protocol):
    def __call__(self) -> AbstractAsyncContextManager[AsyncSession]: ...


class SnapshotCatalog:
    """Reads a snapshot of the active catalog; the rest from the database, in a session
    opened only when needed (`sessions`, as the tools' context gives them)."""

    def __init__(self, snapshot: Catalog, business_id: uuid.UUID, sessions: SessionOpener) -> None:
        self.snapshot, self.business_id, self.sessions = snapshot, business_id, sessions

    async def products(self, product_ids: Collection[uuid.UUID]) -> Catalog:
        wanted = list(dict.fromkeys(product_ids))
        missing = [i for i in wanted if i not in self.snapshot.by_id]
        if not missing:
            return Catalog(tuple(self.snapshot.by_id[i] for i in wanted))
        async with self.sessions() as session:
            read = await DatabaseCatalog(session, self.business_id).products(missing)
        found = {**self.snapshot.by_id, **read.by_id}
        return Catalog(tuple(found[i] for i in wanted if i in found))

    async def by_sku(self, sku: str) -> tuple[CatalogProduct, str] | None:
        hit = self.snapshot.by_sku.get(sku.strip().upper())
        if hit is not None:
            return hit[0], hit[1].sku
        async with self.sessions() as session:
            return await DatabaseCatalog(session, self.business_id).by_sku(sku)

    async def active_names(self) -> Catalog:
        return self.snapshot
