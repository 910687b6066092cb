"""Load the demo data `make dev` shows: an owner, an onboarded business, a catalog and a
simulated Instagram connection. Safe to run again: what exists is left as it is.

    python -m scripts.seed_demo
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import sys
import uuid
from decimal import Decimal

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.crypto import encrypt_secret
from core.logs import configure_logging
from core.security import hash_password
from core.settings import Settings, get_settings
from core.variants import VariantSpec
from store.catalog.drafts import ItemDraft, ProductDraft
from store.catalog.products import create_product
from store.db import create_engine, create_sessionmaker, session_scope
from store.repositories import auth as auth_repo
from store.repositories import businesses
from store.repositories.catalog import ProductQuery, list_products
from store.repositories.users import get_or_create_user
from store.tables.base import utcnow
from store.tables.businesses import Business
from store.tables.enums import SocialPlatform
from store.tables.social import SocialConnection

DEMO_EMAIL = "demo@chidi.local"
DEMO_PASSWORD = "chidi-demo-password"  # noqa: S105 (a published demo login, local only)
DEMO_FULL_NAME = "Ada Obi"
SIMULATED_ACCOUNT_ID = "simulated-instagram-adascloset"

log = logging.getLogger("chidi.seed")

PROFILE = {
    "name": "Ada's Closet",
    "business_type": "fashion boutique",
    "target_audience_description": "Young professionals in Lagos who want affordable, "
    "stylish everyday wear.",
    "products_services_overview": "Hoodies, t-shirts, leather bags and sneakers, with "
    "delivery across Lagos.",
    "social_media_presence": {"instagram": "@adascloset", "whatsapp": "+2348000000000"},
    "goals_preferences": "Answer customer DMs fast and sell more on Instagram.",
    "policies": {
        "hours": "We are open Monday to Saturday, 9am to 7pm. Closed on Sundays.",
        "delivery": "Delivery within Lagos takes 1-2 days and costs 2,000 naira.",
        "returns": "Returns are accepted within 7 days if the item is unworn with tags.",
        "payment": "We accept bank transfer and card payments.",
    },
    "shortcode": "ADAS",
}

CATALOG = (
    ProductDraft(
        name="Cool Hoodie",
        base_price=Decimal("40.00"),
        category="Apparel",
        description="Heavy cotton hoodie with a kangaroo pocket.",
        variants=(VariantSpec("Size", ("S", "M", "L")), VariantSpec("Color", ("Red", "Blue"))),
        items=tuple(
            ItemDraft(options=(("Size", size), ("Color", color)), stock_quantity=stock)
            for (size, color), stock in {
                ("S", "Red"): 3,
                ("S", "Blue"): 0,
                ("M", "Red"): 5,
                ("M", "Blue"): 4,
                ("L", "Red"): 2,
                ("L", "Blue"): 0,
            }.items()
        ),
    ),
    ProductDraft(
        name="Classic Tee",
        base_price=Decimal("15.00"),
        category="Apparel",
        description="Soft 100% cotton t-shirt.",
        variants=(
            VariantSpec("Size", ("S", "M", "L", "XL")),
            VariantSpec("Color", ("White", "Black")),
        ),
        items=tuple(
            ItemDraft(options=(("Size", size), ("Color", color)), stock_quantity=10)
            for size in ("S", "M", "L", "XL")
            for color in ("White", "Black")
        ),
    ),
    ProductDraft(
        name="Leather Tote Bag",
        base_price=Decimal("85.00"),
        category="Bags",
        description="Full-grain leather tote with an inner zip pocket.",
        variants=(VariantSpec("Color", ("Black", "Brown")),),
        items=(
            ItemDraft(options=(("Color", "Black"),), stock_quantity=2),
            ItemDraft(options=(("Color", "Brown"),), stock_quantity=0),
        ),
    ),
    ProductDraft(
        name="Canvas Sneakers",
        base_price=Decimal("55.00"),
        category="Shoes",
        description="Low-top canvas sneakers with a rubber sole.",
        variants=(VariantSpec("Size", ("40", "41", "42", "43")),),
        items=tuple(
            ItemDraft(options=(("Size", size),), stock_quantity=6)
            for size in ("40", "41", "42", "43")
        ),
    ),
)


async def ensure_owner(session: AsyncSession) -> tuple[uuid.UUID, bool]:
    """The demo owner's auth identity and profile; returns (user id, created now)."""
    user = await auth_repo.get_user_by_email(session, DEMO_EMAIL)
    created = user is None
    if user is None:
        user = await auth_repo.create_user(
            session,
            email=DEMO_EMAIL,
            password_hash=hash_password(DEMO_PASSWORD),
            app_metadata={"provider": "email", "providers": ["email"]},
            user_metadata={"full_name": DEMO_FULL_NAME},
            confirmed=True,
        )
        assert user is not None
    await get_or_create_user(
        session, user_id=user.id, email=DEMO_EMAIL, defaults={"full_name": DEMO_FULL_NAME}
    )
    return user.id, created


async def ensure_business(session: AsyncSession, owner_id: uuid.UUID) -> Business:
    """The demo business with a completed onboarding profile."""
    business = await businesses.get_or_create_for_owner(session, owner_id)
    if business.onboarding_completed_at is None:
        for field, value in PROFILE.items():
            setattr(business, field, value)
        business.profile_completeness_score = 100
        business.onboarding_progress = {
            "current_step": "complete",
            "milestones_completed": [
                "basic_info",
                "business_details",
                "audience_goals",
                "policies",
                "setup_complete",
            ],
        }
        business.onboarding_completed_at = utcnow()
        session.add(business)
        await session.flush()
    return business


async def ensure_catalog(session: AsyncSession, business: Business) -> int:
    """The demo products, created only when the business has none; returns how many exist."""
    page = await list_products(session, business.id, ProductQuery(page=1, limit=1, is_active=None))
    if page.total:
        return page.total
    for draft in CATALOG:
        await create_product(session, business, draft)
    return len(CATALOG)


async def ensure_connection(
    session: AsyncSession, business: Business, settings: Settings
) -> SocialConnection:
    """A simulated Instagram connection the customer simulator posts webhooks for."""
    existing = (
        await session.exec(
            select(SocialConnection).where(
                SocialConnection.business_id == business.id,
                SocialConnection.platform_account_id == SIMULATED_ACCOUNT_ID,
            )
        )
    ).first()
    if existing is not None:
        return existing
    key = settings.encryption_key.get_secret_value()
    connection = SocialConnection(
        business_id=business.id,
        platform=SocialPlatform.INSTAGRAM,
        platform_account_id=SIMULATED_ACCOUNT_ID,
        display_name="@adascloset (simulated)",
        webhook_path_token=secrets.token_urlsafe(24),
        access_token_encrypted=encrypt_secret(secrets.token_urlsafe(32), key),
        app_secret_encrypted=encrypt_secret(secrets.token_urlsafe(32), key),
        verify_token_encrypted=encrypt_secret(secrets.token_urlsafe(16), key),
        permissions={"messages": True, "simulated": True},
    )
    session.add(connection)
    await session.flush()
    return connection


async def seed(settings: Settings) -> None:
    """Create whatever part of the demo data is missing."""
    engine = create_engine(settings)
    try:
        async with session_scope(create_sessionmaker(engine)) as session:
            owner_id, created = await ensure_owner(session)
            business = await ensure_business(session, owner_id)
            products = await ensure_catalog(session, business)
            await ensure_connection(session, business, settings)
        log.info(
            "demo data ready",
            extra={"owner_created": created, "products": products, "business_id": str(business.id)},
        )
    finally:
        await engine.dispose()


def main() -> None:
    settings = get_settings()
    configure_logging(settings.log_level)
    asyncio.run(seed(settings))
    sys.stderr.write(f"[seed] demo login: {DEMO_EMAIL} / {DEMO_PASSWORD}\n")


if __name__ == "__main__":
    main()
