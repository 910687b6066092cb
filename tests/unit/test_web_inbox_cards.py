"""The inbox's dashboard numbers and the navigation of the new pages (pure rules)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from api.pages.dashboard import auto_answered_percent, inbox_cards, start_of_day
from api.pages.nav import current_section, visible_nav
from store.conversations.inbox import InboxToday


def today(decisions: int = 0, auto: int = 0, waiting: int = 0) -> InboxToday:
    return InboxToday(
        conversations=3, decisions=decisions, auto_answered=auto, escalations_waiting=waiting
    )


@pytest.mark.parametrize(
    ("decisions", "auto", "percent"), [(0, 0, None), (2, 1, 50), (3, 2, 67), (4, 4, 100)]
)
def test_the_auto_answered_share(decisions: int, auto: int, percent: int | None) -> None:
    assert auto_answered_percent(today(decisions, auto)) == percent


def test_the_inbox_cards() -> None:
    cards = {card.key: card for card in inbox_cards(today(decisions=4, auto=3, waiting=2))}
    assert list(cards) == ["conversations_today", "auto_answered", "escalations"]
    assert cards["conversations_today"].value == "3"
    assert cards["auto_answered"].value == "75%"
    assert cards["auto_answered"].detail == "3 of 4 answered by CHIDI today"
    assert cards["auto_answered"].tone == "good"
    assert cards["escalations"].value == "2"
    assert cards["escalations"].tone == "warning"
    assert cards["escalations"].href == "/conversations?status=escalated_human_needed"


def test_no_decisions_yet_is_a_dash_not_zero() -> None:
    cards = {card.key: card for card in inbox_cards(today())}
    assert cards["auto_answered"].value == "–"
    assert cards["auto_answered"].tone == "neutral"
    assert cards["escalations"].tone == "good"


def test_the_day_starts_at_midnight_utc() -> None:
    lagos = timezone(timedelta(hours=1))
    moment = datetime(2026, 11, 25, 0, 30, tzinfo=lagos)  # 23:30 UTC the day before
    assert start_of_day(moment) == datetime(2026, 11, 24, tzinfo=UTC)


def test_the_simulator_is_only_in_the_navigation_in_embedded_mode() -> None:
    assert "simulator" in [item.key for item in visible_nav(embedded=True)]
    assert "simulator" not in [item.key for item in visible_nav(embedded=False)]
    assert "conversations" in [item.key for item in visible_nav(embedded=False)]


@pytest.mark.parametrize(
    ("path", "section"),
    [
        ("/conversations", "conversations"),
        ("/conversations/6f1c", "conversations"),
        ("/workspace/profile", "assistant"),
        ("/workspace/onboarding", "workspace"),
        ("/settings/account", "settings"),
        ("/simulator", "simulator"),
    ],
)
def test_the_new_pages_highlight_their_section(path: str, section: str) -> None:
    assert current_section(path) == section
