"""Checking replies and computing the report: pure functions over case results."""

from __future__ import annotations

import io
import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from evals.checks import check_responder, check_text, forbidden_hits, missing_mentions
from evals.format import ResponderExpect, TextExpect
from evals.progress import Progress, bar
from evals.replay import OldDecision, ReplayTurn, bursts, verdict
from evals.report import (
    escalation_scores,
    failing_suites,
    figures,
    percentile,
    render,
    table,
    write_json,
)
from evals.results import CaseResult, SuiteResult, TurnResult
from evals.runners.responder import Decision
from store.tables.conversations import Message
from store.tables.enums import ConversationSenderType


def _turn(action: str | None, expected: str | None, **extra: object) -> TurnResult:
    expect = {"action": expected} if expected else {}
    return TurnResult("msg", "reply", 10.0, expected=expect, action=action, **extra)  # type: ignore[arg-type]


# --- checks ----------------------------------------------------------------------------


def test_mentions_are_case_insensitive_and_a_list_needs_any_one() -> None:
    reply = "Yes! The Cool Hoodie is IN STOCK at 40."
    assert missing_mentions(reply, ["40", ["in stock", "available"], "hoodie"]) == []
    assert missing_mentions(reply, ["blue", ["sold out", "none left"]]) == [
        "'blue'",
        "'sold out' / 'none left'",
    ]


def test_forbidden_phrases_found_in_the_reply() -> None:
    assert forbidden_hits("Sorry, it is Out of Stock.", ["out of stock", "pwned"]) == [
        "out of stock"
    ]


def test_a_text_verdict_counts_grounding_errors_by_kind() -> None:
    verdict = check_text(
        TextExpect(mentions=["40", "blue"], forbids=["sold out"]), "It's sold out, sorry."
    )
    assert verdict.mentions_missed == 2
    assert verdict.forbids_hit == 1
    assert len(verdict.failures) == 3
    assert "reply lacks '40'" in verdict.failures[0]


def test_a_responder_turn_checks_action_and_intent_only_when_stated() -> None:
    unstated = check_responder(ResponderExpect(), reply="", action="escalate", intent=None)
    assert unstated.failures == []
    verdict = check_responder(
        ResponderExpect(action="respond", intent="price"),
        reply="x",
        action="escalate",
        intent="order",
    )
    assert verdict.failures == [
        "action: expected respond, got escalate",
        "intent: expected price, got order",
    ]
    missing = check_responder(ResponderExpect(intent="price"), reply="", action=None, intent=None)
    assert missing.failures == ["intent: expected price, got none"]


# --- figures ---------------------------------------------------------------------------


def test_percentile_is_nearest_rank() -> None:
    assert percentile([], 50) is None
    assert percentile([5.0], 95) == 5.0
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 95) == 95.0
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0


def test_escalation_precision_and_recall_over_stated_turns() -> None:
    turns = [
        _turn("escalate", "escalate"),  # true positive
        _turn("escalate", "respond"),  # false positive
        _turn("respond", "escalate"),  # missed
        _turn("respond", "respond"),
        _turn("escalate", None),  # not stated: not counted
    ]
    assert escalation_scores(turns) == (50.0, 50.0)
    assert escalation_scores([_turn("respond", "respond")]) == (None, None)


def test_a_responder_suites_figures() -> None:
    right = TurnResult(
        "hi",
        "Hello!",
        20.0,
        expected={"action": "respond", "intent": "greeting"},
        intent="greeting",
        action="respond",
    )
    wrong = TurnResult(
        "refund pls",
        "Sure",
        40.0,
        expected={"action": "escalate", "intent": "refund"},
        intent="price",
        action="respond",
        failures=["action", "intent", "lacks"],
        mentions_missed=1,
        forbids_hit=1,
    )
    result = SuiteResult(
        "shop",
        "responder",
        "/x/shop.yaml",
        [
            CaseResult("shop", "responder", "a", [right]),
            CaseResult("shop", "responder", "b", [wrong]),
        ],
    )
    row = figures(result)
    assert (row.cases, row.passed, row.pass_pct) == (2, 1, 50.0)
    assert row.intent_accuracy == 50.0
    assert row.action_accuracy == 50.0
    assert row.auto_response_rate == 100.0
    assert row.escalation_precision is None  # nothing was escalated
    assert row.escalation_recall == 0.0
    assert row.grounding_errors == 2
    assert (row.p50_ms, row.p95_ms) == (20.0, 40.0)
    assert failing_suites([row], 50) == []
    assert failing_suites([row], 90) == ["shop"]


def test_other_suites_have_no_responder_figures() -> None:
    case = CaseResult("onb", "onboarding", "a", [TurnResult("", "Welcome", 5.0)])
    row = figures(SuiteResult("onb", "onboarding", "/x/onb.yaml", [case]))
    assert row.pass_pct == 100.0
    assert row.intent_accuracy is None
    assert row.auto_response_rate is None


def test_a_case_that_raised_fails_with_its_error() -> None:
    case = CaseResult("s", "responder", "boom", error="RuntimeError: gone")
    assert not case.passed
    assert case.reasons() == ["error: RuntimeError: gone"]


def test_the_table_and_the_failures_are_printed() -> None:
    failed = CaseResult(
        "shop", "assistant", "hours", [TurnResult("q", "a", 1.0, failures=["lacks 9am"])]
    )
    result = SuiteResult("shop", "assistant", "/x/shop.yaml", [failed])
    text = render([result], brain="local")
    assert text.startswith("CHIDI evals (local brain)")
    lines = table([figures(result)]).splitlines()
    assert lines[0].startswith("| suite | kind")
    assert "| shop  | assistant |     1 |    0.0 |" in lines[2]
    assert "- shop/hours: turn 1: lacks 9am" in text


def test_json_has_every_case_with_why(tmp_path: Path) -> None:
    turn = TurnResult("hi", "Hello", 3.0, intent="greeting", action="respond", confidence=0.9)
    result = SuiteResult(
        "shop", "responder", "/x/shop.yaml", [CaseResult("shop", "responder", "a", [turn])]
    )
    path = tmp_path / "out.json"
    write_json(path, [result], brain="local")
    document = json.loads(path.read_text())
    assert document["brain"] == "local"
    assert document["suites"][0]["suite"] == "shop"
    [case] = document["cases"]
    assert case["passed"] is True
    assert case["why"] == []
    assert case["turns"][0] | {"passed": True} == case["turns"][0]
    assert case["turns"][0]["confidence"] == 0.9


# --- progress --------------------------------------------------------------------------


def test_the_progress_bar() -> None:
    assert bar(0, 4, width=8) == "[--------] 0/4"
    assert bar(2, 4, width=8) == "[####----] 2/4"
    assert bar(4, 4, width=8) == "[########] 4/4"


def test_progress_off_a_terminal_prints_a_line_per_suite() -> None:
    stream = io.StringIO()
    progress = Progress(3, stream)
    progress.case_done("shop", "a", passed=True)
    progress.case_done("shop", "b", passed=False)
    progress.suite_done("shop", 1, 2)
    assert stream.getvalue() == f"{bar(2, 3)} shop: 1/2 passed\n"
    assert progress.failed == 1


# --- replay grouping -------------------------------------------------------------------


def test_replay_groups_messages_by_the_decision_that_took_them_up() -> None:
    start = datetime(2026, 11, 1, 12, tzinfo=UTC)

    def message(text: str, minute: int, handled: int | None) -> Message:
        return Message(
            conversation_id=uuid.uuid4(),
            business_id=uuid.uuid4(),
            text_content=text,
            sender_type=ConversationSenderType.CUSTOMER,
            platform_timestamp=start + timedelta(minutes=minute),
            created_at=start + timedelta(minutes=minute),
            handled_at=None if handled is None else start + timedelta(minutes=handled),
        )

    stored = [
        message("hi", 0, 1),
        message("do you have the tote", 0, 1),
        message("how much", 5, 6),
        message("still there?", 9, None),
    ]
    groups = [[m.text_content for m in group] for group in bursts(stored)]
    assert groups == [["hi", "do you have the tote"], ["how much"], ["still there?"]]


def test_replay_verdicts() -> None:
    new = Decision("respond", "Hey! The tote is 5,000.", "price", 1.0, None)
    same = OldDecision("respond", "Hey!  The tote is 5,000.", "price", 1.0)
    reworded = OldDecision("respond", "Hi! The tote is 5,000.", "price", 1.0)
    escalated = OldDecision("escalate", "Passed to the team.", "price", 0.2)
    assert verdict(ReplayTurn(["q"], same, new)) == "same decision"
    assert verdict(ReplayTurn(["q"], reworded, new)) == "same action, reply worded differently"
    assert verdict(ReplayTurn(["q"], escalated, new)) == "decision changed"
    assert verdict(ReplayTurn(["q"], None, new)) == "decision changed"
