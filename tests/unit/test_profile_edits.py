"""Profile changes said in words: parsed, applied, described."""

from __future__ import annotations

import pytest

from agents.profile_edits import ProfileEdit, apply_edit, describe_edit, parse_edits
from core.business_profile import ProfileValueError


@pytest.mark.parametrize(
    ("text", "edits"),
    [
        (
            "Change business type to artisan bakery",
            [ProfileEdit("business_type", "artisan bakery")],
        ),
        ("actually our name is X Foods", [ProfileEdit("name", "X Foods")]),
        ("we're actually called Sweet Things", [ProfileEdit("name", "Sweet Things")]),
        ("update the return policy to 14 days", [ProfileEdit("policies.returns", "14 days")]),
        ("change my hours to 8am-6pm", [ProfileEdit("policies.hours", "8am-6pm")]),
        (
            "Can you change my instagram to @newhandle?",
            [ProfileEdit("social_media_presence.instagram", "@newhandle")],
        ),
        (
            "No, change the name to 'Ada Styles' and set delivery to Lagos only",
            [ProfileEdit("name", "Ada Styles"), ProfileEdit("policies.delivery", "Lagos only")],
        ),
        (
            "add more about my target audience",
            [ProfileEdit("target_audience_description", None, "ask")],
        ),
        (
            "add more about my goals: open a second branch",
            [ProfileEdit("goals_preferences", "open a second branch", "append")],
        ),
        ("remove my website", [ProfileEdit("social_media_presence.website", None, "clear")]),
        (
            "set payment methods to cash and transfer",
            [ProfileEdit("policies.payment", "cash and transfer")],
        ),
    ],
)
def test_edits_are_parsed(text: str, edits: list[ProfileEdit]) -> None:
    assert parse_edits(text) == edits


@pytest.mark.parametrize(
    "text", ["The name is fine", "yes looks good", "What is my return policy?", "thanks!"]
)
def test_no_edit_is_read_into_other_replies(text: str) -> None:
    assert parse_edits(text) == []


def test_edits_apply_to_structured_fields_without_losing_the_rest() -> None:
    policies = {"returns": "7 days", "hours": "9-5"}
    profile = {"name": "Cozy", "policies": policies}
    updated = apply_edit(profile, ProfileEdit("policies.returns", "14 days"))
    assert updated["policies"] == {"returns": "14 days", "hours": "9-5"}
    assert policies["returns"] == "7 days"  # the input is not changed
    assert describe_edit(updated, ProfileEdit("policies.returns", "14 days")) == (
        "set your return policy to '14 days'"
    )


def test_append_and_clear() -> None:
    profile = {"goals_preferences": "More sales", "social_media_presence": {"website": "a.com"}}
    updated = apply_edit(profile, ProfileEdit("goals_preferences", "a second branch", "append"))
    assert updated["goals_preferences"] == "More sales. a second branch"
    cleared = apply_edit(profile, ProfileEdit("social_media_presence.website", None, "clear"))
    assert cleared["social_media_presence"] is None


def test_a_value_the_rules_refuse_is_an_error() -> None:
    with pytest.raises(ProfileValueError):
        apply_edit({}, ProfileEdit("social_media_presence.instagram", "not a handle"))
