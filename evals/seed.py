"""A suite's business, seeded fresh through the services the API uses, and removed after.

Profile fields go through `core.business_profile` cleaning and the profile repository,
products through the catalog service, context facts and profile fields into the context
store (chunked and embedded, as the embedding job does), and each channel gets a
simulated connection, so a stray send from a kept eval business can only reach the
built-in fake Graph API. Every run gets a new owner and business: runs never share rows.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from typing import Final

from sqlmodel import col, delete
from sqlmodel.ext.asyncio.session import AsyncSession

from core.business_profile import ProfileValueError, clean_field
from core.errors import AppError, ValidationFailed
from core.variants import VariantSpec
from evals.format import BusinessFixture, ProductFixture
from evals.runtime import EvalRuntime
from store.catalog.drafts import ItemDraft, ProductDraft
from store.catalog.products import create_product
from store.context import sync
from store.conversations import connections
from store.conversations.connections import ConnectionDraft
from store.db import session_scope
from store.repositories import business_profile, businesses
from store.repositories.users import get_or_create_user
from store.tables.base import utcnow
from store.tables.enums import SocialPlatform
from store.tables.users import User

CHANNELS: Final = (SocialPlatform.INSTAGRAM, SocialPlatform.WHATSAPP)


class SeedError(ValidationFailed):
    """A fixture the services refuse (a bad profile value, variant or SKU)."""

    code = "suite_fixture"


@dataclass(frozen=True)
class SeededBusiness:
    """The business a suite (or an onboarding case) runs against."""

    business_id: uuid.UUID
    owner_id: uuid.UUID
    connections: dict[str, uuid.UUID]
    """platform ("instagram", "whatsapp") -> connection id."""
    accounts: dict[str, str]
    """platform -> the business's account id on it."""


def product_draft(product: ProductFixture) -> ProductDraft:
    """The catalog service's draft for a fixture product."""
    items = None
    if product.inventory_items is not None:
        items = tuple(
            ItemDraft(
                options=tuple(item.options.items()),
                sku=item.sku,
                price=item.price,
                stock_quantity=item.stock_quantity,
            )
            for item in product.inventory_items
        )
    return ProductDraft(
        name=product.name,
        base_price=product.base_price,
        description=product.description,
        category=product.category,
        variants=tuple(VariantSpec(v.option_name, tuple(v.values)) for v in product.variants),
        items=items,
    )


def cleaned_profile(fixture: BusinessFixture) -> dict[str, object]:
    """The fixture's profile fields as the profile API would store them."""
    try:
        return {field: clean_field(field, value) for field, value in fixture.profile().items()}
    except ProfileValueError as exc:
        raise SeedError(f"business: {exc}") from exc


async def _new_owner_business(session: AsyncSession, label: str) -> tuple[uuid.UUID, uuid.UUID]:
    owner_id = uuid.uuid4()
    email = f"evals-{owner_id.hex[:16]}@example.com"
    await get_or_create_user(session, user_id=owner_id, email=email, defaults={"full_name": label})
    business = await businesses.get_or_create_for_owner(session, owner_id)
    return owner_id, business.id


async def _connect_channels(
    session: AsyncSession, runtime: EvalRuntime, business_id: uuid.UUID
) -> tuple[dict[str, uuid.UUID], dict[str, str]]:
    keys = runtime.settings.encryption_key.get_secret_value()
    ids: dict[str, uuid.UUID] = {}
    accounts: dict[str, str] = {}
    for platform in CHANNELS:
        account = (
            str(10**14 + secrets.randbelow(10**14))
            if platform is SocialPlatform.WHATSAPP
            else f"evals-ig-{secrets.token_hex(6)}"
        )
        saved = await connections.save(
            session,
            business_id,
            ConnectionDraft(
                platform=platform,
                platform_account_id=account,
                display_name="CHIDI evals (simulated)",
                access_token=secrets.token_urlsafe(24),
                app_secret=secrets.token_urlsafe(24),
                verify_token=secrets.token_urlsafe(12),
                webhook_path_token=secrets.token_urlsafe(24),
                whatsapp_phone_number_id=account if platform is SocialPlatform.WHATSAPP else None,
                permissions={"messages": True, "simulated": True},
            ),
            keys,
        )
        ids[platform.value] = saved.id
        accounts[platform.value] = account
    return ids, accounts


async def _mark_onboarded(session: AsyncSession, business_id: uuid.UUID) -> None:
    """A business with a fixture has been set up: its onboarding counts as finished."""
    await business_profile.save_onboarding_progress(
        session,
        business_id,
        {"current_step": "complete", "percentage": 100, "milestones_completed": []},
        completed_at=utcnow(),
    )


async def _fill(
    session: AsyncSession, runtime: EvalRuntime, business_id: uuid.UUID, fixture: BusinessFixture
) -> None:
    """Profile, catalog, and embedded context (profile fields and facts)."""
    await business_profile.update_profile(session, business_id, cleaned_profile(fixture))
    business = await businesses.get_by_id(session, business_id)
    assert business is not None  # created in this transaction
    for product in fixture.products:
        try:
            await create_product(session, business, product_draft(product))
        except AppError as exc:
            raise SeedError(
                f"business.products '{product.name}': {exc.message}", details=exc.details
            ) from exc
    await sync.embed_business_context(session, runtime.context_store, business_id)
    await sync.add_context_facts(session, runtime.context_store, business_id, fixture.context)


async def seed_business(
    runtime: EvalRuntime, fixture: BusinessFixture | None, *, label: str, onboarded: bool = True
) -> SeededBusiness:
    """A new owner and business from `fixture` (an empty business for None), committed.

    `onboarded` marks onboarding finished, as for any business that is up and running;
    onboarding cases start with it unfinished.
    """
    async with session_scope(runtime.sessionmaker) as session:
        owner_id, business_id = await _new_owner_business(session, label)
        if fixture is not None:
            await _fill(session, runtime, business_id, fixture)
        if onboarded:
            await _mark_onboarded(session, business_id)
        ids, accounts = await _connect_channels(session, runtime, business_id)
    return SeededBusiness(business_id, owner_id, ids, accounts)


async def remove_business(runtime: EvalRuntime, seeded: SeededBusiness) -> None:
    """Delete the business with everything under it: vectors, graph threads, rows."""
    store = runtime.context_store
    await store.delete(seeded.business_id, sorted(await store.chunk_ids(seeded.business_id)))
    saver = await runtime.checkpoints.ready()
    for prefix in ("onboarding", "assistant"):
        await saver.adelete_thread(f"{prefix}:{seeded.business_id}")
    async with session_scope(runtime.sessionmaker) as session:
        # The owner's row cascades to the business and every row that hangs off it.
        await session.exec(delete(User).where(col(User.id) == seeded.owner_id))
