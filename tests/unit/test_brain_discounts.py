"""Telling a request for a better price from a price question."""

from __future__ import annotations

import pytest

from core.brain.discounts import about_discount


@pytest.mark.parametrize(
    "text",
    [
        "can I get a discount?",
        "last price?",
        "abeg wetin be your last price",
        "can you reduce am small",
        "pls reduce the price",
        "any discount if I buy 3",
        "is it negotiable",
        "what's your best price for 2",
        "do you have a promo code",
        "any offers this week?",
        "10% off?",
        "the price is too high",
    ],
)
def test_a_request_for_a_better_price_is_about_a_discount(text: str) -> None:
    assert about_discount(text)


@pytest.mark.parametrize(
    "text",
    [
        "how much is the hoodie",
        "what's the price",
        "do you have anything cheaper?",  # another product, not a lower price
        "any update on my order?",
        "It's 40 for the Cool Hoodie.",
        "I want to order 2",
    ],
)
def test_a_price_question_or_a_plain_answer_is_not(text: str) -> None:
    assert not about_discount(text)
