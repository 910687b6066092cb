"""The progress bar: percentage and milestones."""

from __future__ import annotations

from agents.onboarding.progress import (
    MAX_BEFORE_CONFIRMATION,
    milestones_reached,
    new_milestone,
    progress_percent,
)
from core.business_profile import PROFILE_FIELDS


def test_nothing_addressed_is_zero() -> None:
    assert progress_percent(set(), {}, completed=False) == 0
    assert milestones_reached(set(), completed=False) == []


def test_basic_info_is_reached_with_name_and_type() -> None:
    assert milestones_reached({"name"}, completed=False) == []
    assert milestones_reached({"name", "business_type"}, completed=False) == ["basic_info"]


def test_full_answers_move_the_bar_further_than_skips() -> None:
    addressed = {"name", "business_type"}
    answered = progress_percent(addressed, {"name": "A", "business_type": "b"}, completed=False)
    skipped = progress_percent(addressed, {}, completed=False)
    assert answered > skipped > 0


def test_the_bar_reaches_100_only_when_confirmed() -> None:
    full = {
        "name": "A",
        "business_type": "b",
        "products_services_overview": "c d e",
        "social_media_presence": {"instagram": "@a"},
        "target_audience_description": "f g h",
        "goals_preferences": "i j k",
        "policies": {"hours": "1", "delivery": "2", "returns": "3", "payment": "4"},
    }
    everything = set(PROFILE_FIELDS)
    assert progress_percent(everything, full, completed=False) == MAX_BEFORE_CONFIRMATION
    assert progress_percent(everything, {}, completed=True) == 100
    assert milestones_reached(everything, completed=False)[-1] == "policies"
    assert milestones_reached(everything, completed=True)[-1] == "setup_complete"


def test_new_milestone_names_the_latest_one_gained() -> None:
    assert new_milestone([], ["basic_info"]) == "Basic Info"
    assert new_milestone(["basic_info"], ["basic_info"]) is None
    assert new_milestone(["basic_info"], ["basic_info", "business_details"]) == "Business Details"
