"""The profile's rules: cleaning values, completeness, what is missing."""

from __future__ import annotations

import pytest

from core.business_profile import (
    ProfileValueError,
    clean_field,
    completeness_score,
    describe_value,
    is_filled,
    missing_fields,
)

FULL = {
    "name": "Cozy Corner",
    "business_type": "coffee shop",
    "products_services_overview": "Coffee and pastries",
    "social_media_presence": {"instagram": "@cozy"},
    "target_audience_description": "Students near campus",
    "goals_preferences": "More weekday regulars",
    "policies": {"hours": "7-6", "delivery": "none", "returns": "none", "payment": "cash"},
}


def test_an_empty_profile_scores_zero_and_misses_everything() -> None:
    assert completeness_score({}) == 0
    assert missing_fields({})[:2] == ["name", "business_type"]
    assert "policies.returns" in missing_fields({})


def test_a_full_profile_scores_100_and_misses_nothing() -> None:
    assert completeness_score(FULL) == 100
    assert missing_fields(FULL) == []


def test_policies_score_per_aspect() -> None:
    half = {**FULL, "policies": {"hours": "7-6", "returns": "7 days"}}
    assert completeness_score(half) == 90
    assert missing_fields(half) == ["policies.delivery", "policies.payment"]


def test_blank_values_do_not_count() -> None:
    assert not is_filled("  ")
    assert not is_filled({"instagram": ""})
    assert completeness_score({"name": " ", "social_media_presence": {}}) == 0


def test_text_is_trimmed_and_blank_clears() -> None:
    assert clean_field("name", "  Cozy   Corner ") == "Cozy Corner"
    assert clean_field("goals_preferences", "   ") is None


def test_handles_and_numbers_are_normalised() -> None:
    cleaned = clean_field(
        "social_media_presence", {"instagram": "cozy.corner", "whatsapp": "+234 803-123 4567"}
    )
    assert cleaned == {"instagram": "@cozy.corner", "whatsapp": "+2348031234567"}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("social_media_presence", {"myspace": "x"}, "Unknown social platform"),
        ("social_media_presence", {"instagram": "has spaces"}, "not a valid handle"),
        ("social_media_presence", {"whatsapp": "call me"}, "not a valid phone"),
        ("policies", {"Not a key!": "x"}, "not a valid policy name"),
        ("name", "x" * 201, "at most 200"),
        ("name", "bad\x00name", "control characters"),
        ("business_type", 42, "must be text"),
        ("policies", "open daily", "must be an object"),
    ],
)
def test_values_breaking_a_rule_are_refused(field: str, value: object, message: str) -> None:
    with pytest.raises(ProfileValueError, match=message):
        clean_field(field, value)


def test_values_are_described_for_people() -> None:
    assert describe_value("name", None) == "not provided yet"
    assert describe_value("social_media_presence", {"instagram": "@a", "whatsapp": "+1234567"}) == (
        "Instagram @a, WhatsApp +1234567"
    )
    assert describe_value("policies", {"returns": "7 days"}) == "returns: 7 days"
