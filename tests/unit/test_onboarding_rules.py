"""How onboarding reads replies: skips, thin and rich answers, yes and no."""

from __future__ import annotations

import pytest

from agents.onboarding.rules import (
    is_confirmation,
    is_greeting,
    is_rejection,
    is_rich,
    is_skip,
    missing_policies,
    thin_reason,
)


@pytest.mark.parametrize(
    "text",
    [
        "skip",
        "Skip!",
        "skip this one",
        "can we skip for now?",
        "I don't know yet",
        "dont know",
        "later",
        "maybe later",
        "ask me later",
        "not now",
        "Not yet",
        "pass",
        "next",
        "idk",
        "not sure yet",
        "let's come back to it",
        "",
    ],
)
def test_skips_are_recognised(text: str) -> None:
    assert is_skip(text)


@pytest.mark.parametrize(
    "text",
    [
        "We deliver later in the day",
        "Students who skip breakfast",
        "I don't know many shops like ours, we are unique",
        "Passionate coffee lovers",
        "The Cozy Corner Cafe",
    ],
)
def test_answers_mentioning_skip_words_are_not_skips(text: str) -> None:
    assert not is_skip(text)


@pytest.mark.parametrize(
    "text",
    ["yes", "Yes, looks good!", "looks good", "that's right", "yep all good", "Perfect", "correct"],
)
def test_confirmations(text: str) -> None:
    assert is_confirmation(text)


@pytest.mark.parametrize(
    "text", ["no", "change business type to bakery", "yes but change the name", "what?"]
)
def test_not_confirmations(text: str) -> None:
    assert not is_confirmation(text)


@pytest.mark.parametrize("text", ["No", "nope", "No, I need to change something", "not quite"])
def test_rejections(text: str) -> None:
    assert is_rejection(text)


def test_greetings() -> None:
    assert is_greeting("Hi")
    assert is_greeting("hello there")
    assert not is_greeting("Hi-Fi Electronics")


@pytest.mark.parametrize(
    ("field", "text", "value", "reason"),
    [
        ("target_audience_description", "students", "students", "short"),
        ("target_audience_description", "everyone and anyone", "everyone and anyone", "vague"),
        ("target_audience_description", "Students near campus", "Students near campus", None),
        ("products_services_overview", "cakes", "cakes", "short"),
        ("goals_preferences", "more sales", "more sales", "short"),
        ("business_type", "shop", "shop", "vague"),
        ("business_type", "bakery", "bakery", None),
        ("name", "Zee", "Zee", None),
        ("social_media_presence", "we are on instagram", {}, "no_contact"),
        ("social_media_presence", "@zee", {"instagram": "@zee"}, None),
        ("policies", "no refunds", {"returns": "no refunds"}, "few_policies"),
        ("policies", "x", {"returns": "none", "payment": "cash"}, None),
    ],
)
def test_thin_answers(field: str, text: str, value: object, reason: str | None) -> None:
    assert thin_reason(field, text, value) == reason


def test_missing_policies_lists_the_uncovered_aspects() -> None:
    assert missing_policies({"returns": "7 days"}) == ["hours", "delivery", "payment"]


def test_rich_answers() -> None:
    long = "University students and remote workers who spend long afternoons studying " * 2
    assert is_rich("target_audience_description", long, long)
    assert not is_rich("target_audience_description", "Students", "Students")
    assert is_rich("policies", "", {"hours": "a", "returns": "b", "payment": "c"})
    assert is_rich("social_media_presence", "", {"instagram": "@a", "whatsapp": "+12345678"})
