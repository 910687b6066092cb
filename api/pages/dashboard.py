"""What the dashboard (/) shows, read through the same services as the API.

The numbers are cards (`StatCard`) in a list: the profile's completeness, the product
count and the low-stock items today. The inbox adds its own (conversations today,
auto-answered share, escalations waiting) by appending cards in `dashboard_cards`; the
template renders whatever the list holds, so no empty slot is ever shown.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final, Literal

from sqlmodel.ext.asyncio.session import AsyncSession

from store.catalog import items, products
from store.catalog.views import LowStockView
from store.conversations.inbox import InboxToday, inbox_today
from store.repositories.catalog import DEFAULT_LOW_STOCK_THRESHOLD, MAX_PAGE_SIZE, ProductQuery
from store.tables.businesses import Business
from store.tables.users import User

LOW_STOCK_THRESHOLD: Final = DEFAULT_LOW_STOCK_THRESHOLD
# The product list's low-stock badges look at this many of the scarcest items at most.
LOW_STOCK_SCAN_PAGES: Final = 10
Tone = Literal["neutral", "good", "warning"]


@dataclass(frozen=True)
class StatCard:
    """One number on the dashboard, with what it means and where to act on it."""

    key: str
    label: str
    value: str
    detail: str
    href: str | None = None
    tone: Tone = "neutral"


@dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard template needs."""

    greeting_name: str | None
    business_name: str | None
    onboarding_done: bool
    onboarding_percent: int
    cards: list[StatCard]
    low_stock: list[LowStockView]


def onboarding_percent(business: Business) -> int:
    """How far onboarding is (100 once complete), from the stored progress."""
    if business.onboarding_completed_at is not None:
        return 100
    raw = (business.onboarding_progress or {}).get("percentage", 0)
    return max(0, min(100, int(raw))) if isinstance(raw, int | float) else 0


def dashboard_cards(
    business: Business, product_total: int, low_total: int, inbox: InboxToday | None = None
) -> list[StatCard]:
    """The dashboard's numbers, in display order (the inbox's first, when given)."""
    score = business.profile_completeness_score
    return [
        *([] if inbox is None else inbox_cards(inbox)),
        StatCard(
            key="profile",
            label="Profile completeness",
            value=f"{score}%",
            detail="Complete" if score >= 100 else "Fill in what's missing in your business setup",
            href="/workspace/onboarding",
            tone="good" if score >= 80 else "neutral",
        ),
        StatCard(
            key="products",
            label="Products",
            value=str(product_total),
            detail="active in your catalog",
            href="/products",
        ),
        StatCard(
            key="low_stock",
            label="Low-stock items",
            value=str(low_total),
            detail=f"with {LOW_STOCK_THRESHOLD} or fewer in stock",
            href="/products?sort=total_stock&order=asc",
            tone="warning" if low_total else "good",
        ),
    ]


def auto_answered_percent(inbox: InboxToday) -> int | None:
    """The share of today's bot decisions that needed no person (None before any)."""
    if inbox.decisions == 0:
        return None
    return round(100 * inbox.auto_answered / inbox.decisions)


def inbox_cards(inbox: InboxToday) -> list[StatCard]:
    """The inbox's numbers: today's conversations, the auto-answered share, escalations."""
    share = auto_answered_percent(inbox)
    waiting = inbox.escalations_waiting
    return [
        StatCard(
            key="conversations_today",
            label="Conversations today",
            value=str(inbox.conversations),
            detail="with a message since midnight (UTC)",
            href="/conversations",
        ),
        StatCard(
            key="auto_answered",
            label="Auto-answered",
            value="–" if share is None else f"{share}%",
            detail="no messages for CHIDI yet today"
            if share is None
            else f"{inbox.auto_answered} of {inbox.decisions} answered by CHIDI today",
            tone="neutral" if share is None else ("good" if share >= 70 else "warning"),
        ),
        StatCard(
            key="escalations",
            label="Escalations waiting",
            value=str(waiting),
            detail="need a person" if waiting else "nothing waiting for you",
            href="/conversations?status=escalated_human_needed",
            tone="warning" if waiting else "good",
        ),
    ]


def start_of_day(now: datetime) -> datetime:
    """Midnight UTC of `now`'s day: where "today" starts for the dashboard."""
    return now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def _first_name(user: User) -> str | None:
    name = (user.full_name or "").strip()
    return name.split()[0] if name else None


async def build_dashboard(session: AsyncSession, user: User, business: Business) -> Dashboard:
    """The dashboard of `business`."""
    listing = await products.list_products(session, business.id, ProductQuery(limit=1))
    low, low_total = await items.low_stock(
        session, business.id, threshold=LOW_STOCK_THRESHOLD, page=1, limit=5
    )
    today = await inbox_today(session, business.id, since=start_of_day(datetime.now(UTC)))
    return Dashboard(
        greeting_name=_first_name(user),
        business_name=business.name,
        onboarding_done=business.onboarding_completed_at is not None,
        onboarding_percent=onboarding_percent(business),
        cards=dashboard_cards(business, listing.total, low_total, today),
        low_stock=low,
    )


async def low_stock_by_product(
    session: AsyncSession, business_id: uuid.UUID
) -> tuple[Counter[uuid.UUID], int]:
    """How many low-stock items each product has (for the list's badges), and in all."""
    counts: Counter[uuid.UUID] = Counter()
    total = 0
    for page in range(1, LOW_STOCK_SCAN_PAGES + 1):
        rows, total = await items.low_stock(
            session, business_id, threshold=LOW_STOCK_THRESHOLD, page=page, limit=MAX_PAGE_SIZE
        )
        counts.update(row.item.product_id for row in rows)
        if page * MAX_PAGE_SIZE >= total:
            break
    return counts, total
