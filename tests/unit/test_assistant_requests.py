"""The local brain's sorting of owner requests, and the suggested next prompts."""

from __future__ import annotations

import pytest

from agents.assistant.requests import classify_request, target_to_fill
from agents.assistant.suggestions import COMMON_TASKS, FILL_PROMPTS, FINISH_SETUP, next_prompts
from agents.profile_edits import ProfileEdit


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("What is my return policy?", "policy"),
        ("do we deliver to Abuja?", "policy"),
        ("what are my opening hours", "policy"),
        ("change my hours to 8am-6pm", "update"),
        ("Set my return policy to 14 days", "update"),
        ("How many Cool Hoodie in blue M do I have?", "stock"),
        ("is HOOD-M-BLU in stock", "stock"),
        ("what is running low?", "low_stock"),
        ("anything I need to restock?", "low_stock"),
        ("what products do I sell?", "catalog"),
        ("how much is the hoodie", "catalog"),
        ("what do we charge for the large tray?", "catalog"),
        ("what is the hoodie priced at", "catalog"),
        ("what is my instagram handle?", "profile"),
        ("summarize my business profile", "profile"),
        ("hi", "greeting"),
        ("thanks!", "thanks"),
        ("Set my opening hours", "fill"),
        ("Add my Instagram handle", "fill"),
        ("add more about my target audience", "fill"),
        ("Continue my business setup", "setup"),
        ("how do I finish onboarding?", "setup"),
        ("what can you do", "help"),
        ("Who won the world cup?", "other"),
    ],
)
def test_requests_are_sorted(text: str, kind: str) -> None:
    assert classify_request(text).kind == kind


def test_an_update_carries_its_edits() -> None:
    request = classify_request("change my hours to 8am-6pm")
    assert request.edits == (ProfileEdit("policies.hours", "8am-6pm"),)


def test_a_policy_question_names_its_aspect() -> None:
    assert classify_request("What is my return policy?").policy == "returns"
    assert classify_request("What payment methods do we accept?").policy == "payment"


def test_a_profile_question_names_its_fields() -> None:
    assert classify_request("what is my instagram?").fields == ("social_media_presence",)
    assert classify_request("summarize my business profile").fields == ()


def test_suggestions_fill_the_gaps_first() -> None:
    assert next_prompts({}) == [
        "Set my business name",
        "Set my business type",
        "Describe what I sell",
    ]
    nearly = {
        "name": "A",
        "business_type": "b",
        "products_services_overview": "c",
        "social_media_presence": {"instagram": "@a"},
        "target_audience_description": "d",
        "goals_preferences": "e",
        "policies": {"hours": "1", "delivery": "2", "payment": "3"},
    }
    assert next_prompts(nearly)[0] == "Set my return policy"


def test_a_full_profile_gets_common_tasks_but_not_the_question_just_asked() -> None:
    full = {
        "name": "A",
        "business_type": "b",
        "products_services_overview": "c",
        "social_media_presence": {"instagram": "@a"},
        "target_audience_description": "d",
        "goals_preferences": "e",
        "policies": {"hours": "1", "delivery": "2", "returns": "3", "payment": "4"},
    }
    assert next_prompts(full) == list(COMMON_TASKS)
    assert "What is my return policy?" not in next_prompts(full, "what is my return policy?")


@pytest.mark.parametrize(("target", "prompt"), sorted(FILL_PROMPTS.items()))
def test_every_suggested_fill_prompt_reads_back_as_its_target(target: str, prompt: str) -> None:
    assert target_to_fill(prompt) == target
    assert classify_request(prompt).target == target


def test_a_request_to_set_without_a_value_names_what_to_fill() -> None:
    assert target_to_fill("update my delivery policy") == "policies.delivery"
    assert target_to_fill("change my favourite colour") is None  # not a profile target
    assert target_to_fill("set my hours to 9am-6pm") is None  # has its value: an update
    assert target_to_fill("what is my name") is None


def test_unfinished_onboarding_is_suggested_first() -> None:
    assert next_prompts({}, onboarding_complete=False) == [
        FINISH_SETUP,
        "Set my business name",
        "Set my business type",
    ]
    assert FINISH_SETUP not in next_prompts({}, FINISH_SETUP, onboarding_complete=False)


def test_an_empty_social_field_is_filled_with_a_handle() -> None:
    profile = {"name": "A", "business_type": "b", "products_services_overview": "c"}
    assert next_prompts(profile)[0] == "Add my Instagram handle"
