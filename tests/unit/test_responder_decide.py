"""The confidence policy: when a draft is sent and when a person takes over."""

from __future__ import annotations

from typing import Any

import pytest

from agents.responder.decide import (
    ALWAYS_ESCALATE,
    DISCOUNT_REASON,
    Decision,
    decide,
    group_confidence,
    reply_confidence,
)
from core.brain.understanding import INTENTS, Intent

SURE: dict[str, Any] = {
    "sentiment": "neutral",
    "confidence": 0.9,
    "threshold": 0.6,
    "has_draft": True,
    "verified": True,
}


def test_a_sure_verified_draft_is_sent() -> None:
    decision = decide(intent="price", **SURE)
    assert decision.action == "send"
    assert "0.90" in decision.reason


@pytest.mark.parametrize("intent", ["complaint", "refund", "human_request", "order"])
def test_some_intents_always_go_to_a_person(intent: Intent) -> None:
    decision = decide(intent=intent, **{**SURE, "confidence": 1.0})
    assert decision.action == "escalate"
    assert decision.reason == ALWAYS_ESCALATE[intent]


@pytest.mark.parametrize("intent", sorted(set(INTENTS) - set(ALWAYS_ESCALATE)))
def test_other_intents_are_sent_when_sure_and_verified(intent: Intent) -> None:
    assert decide(intent=intent, **SURE).action == "send"


def test_an_unhappy_customer_goes_to_a_person() -> None:
    decision = decide(intent="availability", **{**SURE, "sentiment": "negative"})
    assert decision == decide(intent="price", **{**SURE, "sentiment": "negative"})
    assert decision.action == "escalate"
    assert "unhappy" in decision.reason


def test_without_a_draft_a_person_answers() -> None:
    decision = decide(intent="policy", **{**SURE, "has_draft": False})
    assert decision.action == "escalate"
    assert "nothing" in decision.reason


def test_an_unverified_draft_is_never_sent_however_sure() -> None:
    decision = decide(
        intent="price",
        **{**SURE, "confidence": 1.0, "verified": False},
        problems=("price '14,000' is not a retrieved price",),
    )
    assert decision.action == "escalate"
    assert "14,000" in decision.reason


def test_a_failed_step_escalates() -> None:
    decision = decide(intent="price", **SURE, error="draft: the model failed (APITimeoutError)")
    assert decision.action == "escalate"
    assert "APITimeoutError" in decision.reason


def test_messages_that_cannot_be_read_escalate_first() -> None:
    decision = decide(
        intent="greeting", **SURE, unreadable="The customer sent a photo, which CHIDI cannot read."
    )
    assert decision.action == "escalate"
    assert decision.reason.startswith("The customer sent a photo")


@pytest.mark.parametrize(
    ("confidence", "threshold", "action"),
    [(0.59, 0.6, "escalate"), (0.6, 0.6, "send"), (0.61, 0.6, "send"), (0.95, 1.0, "escalate")],
)
def test_the_business_threshold_decides(confidence: float, threshold: float, action: str) -> None:
    decision = decide(
        intent="availability", **{**SURE, "confidence": confidence, "threshold": threshold}
    )
    assert decision.action == action


def test_the_rules_apply_in_order() -> None:
    # A refund that is also unverified and unsure: the refund is the reason given.
    decision = decide(
        intent="refund",
        sentiment="negative",
        confidence=0.1,
        threshold=0.6,
        has_draft=False,
        verified=False,
    )
    assert decision.reason == ALWAYS_ESCALATE["refund"]


def test_a_clarifying_question_is_judged_without_the_entity_doubt() -> None:
    # Intent certainty 0.9 x "several products match" 0.5 = 0.45: too unsure to answer,
    # sure enough to ask which product.
    assert reply_confidence(0.45, clarifying=True, entity_part=0.5) == pytest.approx(0.9)
    assert reply_confidence(0.45, clarifying=False, entity_part=0.5) == 0.45
    assert reply_confidence(0.6, clarifying=True, entity_part=0.3) == 1.0
    assert reply_confidence(0.45, clarifying=True, entity_part=0.0) == 0.45


def test_doubt_between_product_questions_does_not_stop_an_answer() -> None:
    """ "what about silver?" scores close for availability and price; both are answered
    with the same catalog facts, so only the gap to an order or complaint counts."""
    scores: dict[Intent, float] = {
        "availability": 0.41,
        "price": 0.40,
        "product_info": 0.39,
        "order": 0.26,
    }
    assert group_confidence("availability", scores, 0.8) == pytest.approx(0.8)


def test_a_close_complaint_keeps_the_doubt() -> None:
    scores: dict[Intent, float] = {"availability": 0.42, "complaint": 0.39, "refund": 0.34}
    assert group_confidence("availability", scores, 1.0) == pytest.approx(0.6)


def test_intents_outside_an_answer_group_are_not_regrouped() -> None:
    assert group_confidence("order", {"order": 0.9, "price": 0.2}, 1.0) is None
    assert group_confidence("policy", {"policy": 0.9}, 1.0) is None


def test_a_greeting_is_judged_against_everything_else() -> None:
    scores: dict[Intent, float] = {"greeting": 0.45, "other": 0.25}
    assert group_confidence("greeting", scores, 1.0) == pytest.approx(1.0)


def test_an_unanswered_discount_request_goes_to_a_person() -> None:
    decision = decide(intent="price", **{**SURE, "confidence": 1.0}, discount_unanswered=True)
    assert decision == Decision("escalate", DISCOUNT_REASON)
    # An order that also haggles is an order first.
    assert (
        decide(intent="order", **SURE, discount_unanswered=True).reason == ALWAYS_ESCALATE["order"]
    )
