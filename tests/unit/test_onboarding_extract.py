"""The local brain's reading of onboarding answers."""

from __future__ import annotations

import pytest

from agents.onboarding.extract import (
    extract_business_type,
    extract_name,
    extract_policies,
    extract_social,
)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("The Cozy Corner Cafe", "The Cozy Corner Cafe"),
        ("It's called Mama's Kitchen.", "Mama's Kitchen"),
        ("our name is Ada Styles. We sell bags", "Ada Styles"),
        ("We are a bakery called Sweet Treats", "Sweet Treats"),
        ('"Zee Gadgets"', "Zee Gadgets"),
    ],
)
def test_names(text: str, name: str) -> None:
    assert extract_name(text) == name


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("We are a local coffee shop.", "local coffee shop"),
        ("it's an artisan bakery in Lagos", "artisan bakery in Lagos"),
        ("I run a fashion boutique", "fashion boutique"),
        ("e-commerce store", "e-commerce store"),
    ],
)
def test_business_types(text: str, kind: str) -> None:
    assert extract_business_type(text) == kind


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (
            "@cozycorner on instagram and +234 803 123 4567 on whatsapp",
            {"instagram": "@cozycorner", "whatsapp": "+2348031234567"},
        ),
        (
            "IG: cozy.corner, WhatsApp 0803 123 4567",
            {"instagram": "@cozy.corner", "whatsapp": "08031234567"},
        ),
        (
            "instagram.com/adastyles and www.adastyles.com",
            {"instagram": "@adastyles", "website": "www.adastyles.com"},
        ),
        ("tiktok @adatok and instagram @ada_ig", {"instagram": "@ada_ig", "tiktok": "@adatok"}),
        ("@ada", {"instagram": "@ada"}),
        # A handle with a dot is not a website's domain ("@shop.ng" is not shop.ng).
        (
            "our tiktok is @ada.closet.ng and ig @adacloset",
            {"instagram": "@adacloset", "tiktok": "@ada.closet.ng"},
        ),
        (
            "TikTok: @kemi.styles.co, site kemistyles.com",
            {"tiktok": "@kemi.styles.co", "website": "kemistyles.com"},
        ),
        ("email hello@adastyles.com", {}),
        ("wa.me/2348031234567", {"whatsapp": "2348031234567"}),
        ("we're not really online yet", {}),
    ],
)
def test_social_presence(text: str, found: dict[str, str]) -> None:
    assert extract_social(text) == found


def test_policies_are_split_by_aspect() -> None:
    text = (
        "Open Monday to Friday, 8am to 6pm. Delivery within Lagos in 24 hours. "
        "Returns accepted within 7 days. We take cash, card and bank transfer."
    )
    assert extract_policies(text) == {
        "hours": "Open Monday to Friday, 8am to 6pm",
        "delivery": "Delivery within Lagos in 24 hours",
        "returns": "Returns accepted within 7 days",
        "payment": "We take cash, card and bank transfer",
    }


def test_one_sentence_can_hold_several_policies() -> None:
    assert extract_policies("Open 9-5 daily; delivery in Lagos only, no refunds") == {
        "hours": "Open 9-5 daily",
        "delivery": "delivery in Lagos only",
        "returns": "no refunds",
    }


def test_a_sentence_without_keywords_continues_the_previous_policy() -> None:
    assert extract_policies("Returns within 14 days. Items must be unused.") == {
        "returns": "Returns within 14 days. Items must be unused"
    }


def test_unplaced_text_is_kept_as_other() -> None:
    assert extract_policies("Be nice to our staff") == {"other": "Be nice to our staff"}
