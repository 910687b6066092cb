"""The businesses' catalogs kept in memory, reloaded only when they changed.

The auto-responder reads a business's whole active catalog for every message (entities
are matched against it). The catalog changes far less often than customers write, so a
worker keeps the last snapshot per business with the stamp it was loaded at: the
business row's `catalog_version` (bumped by triggers on every catalog write, migration
0006) and the id of the transaction that last wrote that row (`xmin`). Reading the stamp
comes with the business row the responder reads anyway; a snapshot is reused only while
both match. The transaction id keeps a rolled-back write from ever matching: its version
number may be reached again by a later committed write, its transaction id never.

A snapshot may be a little newer than its stamp (the stamp is read first, then the
catalog, each statement seeing the latest commits), never older, so a reused snapshot is
always at least as fresh as the stamp the reader just saw.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from dataclasses import dataclass

from sqlalchemy import String, literal_column
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.catalog_match import Catalog
from core.metrics import observe_catalog_read
from store.repositories.catalog_reads import load_catalog
from store.tables.businesses import Business


@dataclass(frozen=True)
class CatalogStamp:
    """Which state of a business's catalog a snapshot shows."""

    version: int
    writer: str  # the business row's xmin


async def business_with_stamp(
    session: AsyncSession, business_id: uuid.UUID
) -> tuple[Business, CatalogStamp] | None:
    """The business row as stored now (not as this session last saw it) and its stamp."""
    query = (
        select(Business, literal_column("businesses.xmin::text", String))
        .where(col(Business.id) == business_id)
        .execution_options(populate_existing=True)
    )
    row = (await session.exec(query)).first()
    if row is None:
        return None
    business, writer = row
    return business, CatalogStamp(business.catalog_version, writer)


class CatalogCache:
    """The latest catalog snapshot of up to `max_businesses` businesses (least recently
    used dropped first). One per process; safe for concurrent jobs on one event loop."""

    def __init__(self, max_businesses: int = 512) -> None:
        self.max_businesses = max_businesses
        self._entries: OrderedDict[uuid.UUID, tuple[CatalogStamp, Catalog]] = OrderedDict()
        self.hits = 0
        self.loads = 0

    async def catalog(
        self, session: AsyncSession, business_id: uuid.UUID, stamp: CatalogStamp
    ) -> Catalog:
        """The business's active catalog as of `stamp` (or later)."""
        entry = self._entries.get(business_id)
        if entry is not None and entry[0] == stamp:
            self._entries.move_to_end(business_id)
            self.hits += 1
            observe_catalog_read(from_memory=True)
            return entry[1]
        catalog = await load_catalog(session, business_id)
        self.loads += 1
        observe_catalog_read(from_memory=False)
        self._entries[business_id] = (stamp, catalog)
        self._entries.move_to_end(business_id)
        while len(self._entries) > self.max_businesses:
            self._entries.popitem(last=False)
        return catalog
