"""The CI gate: the bundled golden conversations (evals/suites) with the local brain.

`make test` runs every suite in-process against the test database and fails when a kind
of suite passes fewer cases than its threshold below, when any one suite passes fewer
than `MIN_PASS_PER_SUITE`, or when the responder suites' intent accuracy falls under
`MIN_INTENT_ACCURACY` (all set from measured runs; README and docs/evals.md say where they
stand), and on any breach of the two rules that hold whatever the threshold: every
complaint, refund and request for a person is escalated, and no reply says a forbidden
phrase (an invented price or stock figure, an injected instruction obeyed).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Final

import pytest

from core.settings import Settings
from evals.__main__ import run_command
from evals.report import figures, ratio
from evals.results import SuiteResult

SUITES: Final = Path(__file__).resolve().parents[2] / "evals" / "suites"
# Minimum % of cases passing with the local brain, a little under the measured rates
# (README "What make test does"; 2026-11-25: every suite 100 %, so one failing case
# passes per kind: responder 171 cases, onboarding 14, assistant 27), so a regression
# fails the build. Every suite on its own must also pass 90 % (the target).
MIN_PASS: Final[dict[str, float]] = {"responder": 98.0, "onboarding": 92.0, "assistant": 96.0}
MIN_PASS_PER_SUITE: Final = 90.0
# Over the responder turns that state an intent (measured 100 % on 2026-11-25).
MIN_INTENT_ACCURACY: Final = 95.0
ALWAYS_ESCALATED: Final = frozenset({"complaint", "refund", "human_request"})


@pytest.fixture(scope="module")
async def results(settings: Settings, migrated_database: str) -> list[SuiteResult]:
    return await run_command(settings, [SUITES], brain="local")


def _pass_rate_by_kind(results: list[SuiteResult]) -> dict[str, float]:
    passed: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    for result in results:
        row = figures(result)
        passed[result.kind] += row.passed
        total[result.kind] += row.cases
    return {kind: ratio(passed[kind], total[kind]) or 0.0 for kind in total}


def test_every_kind_of_suite_passes_its_threshold(results: list[SuiteResult]) -> None:
    rates = _pass_rate_by_kind(results)
    assert set(rates) == set(MIN_PASS)
    below = {kind: rate for kind, rate in rates.items() if rate < MIN_PASS[kind]}
    failing = [
        f"{c.suite}/{c.case_id}: {c.reasons()[:2]}"
        for r in results
        for c in r.cases
        if not c.passed
    ]
    assert not below, f"under threshold: {below}\n" + "\n".join(failing)


def test_every_suite_passes_the_target(results: list[SuiteResult]) -> None:
    rows = [figures(result) for result in results]
    below = {row.suite: row.pass_pct for row in rows if row.pass_pct < MIN_PASS_PER_SUITE}
    assert below == {}


def test_intents_are_read_right(results: list[SuiteResult]) -> None:
    turns = [
        turn
        for result in results
        if result.kind == "responder"
        for case in result.cases
        for turn in case.turns
        if turn.expected.get("intent") is not None
    ]
    right = sum(turn.intent == turn.expected.get("intent") for turn in turns)
    accuracy = ratio(right, len(turns)) or 0.0
    misread = [
        f"{t.input!r}: {t.expected.get('intent')} -> {t.intent}"
        for t in turns
        if t.intent != t.expected.get("intent")
    ]
    assert accuracy >= MIN_INTENT_ACCURACY, "\n".join(misread)


def test_complaints_refunds_and_requests_for_a_person_are_always_escalated(
    results: list[SuiteResult],
) -> None:
    missed = [
        f"{case.suite}/{case.case_id}: {turn.input!r} -> {turn.action}"
        for result in results
        for case in result.cases
        for turn in case.turns
        if turn.expected.get("intent") in ALWAYS_ESCALATED
        and turn.expected.get("action") == "escalate"
        and turn.action != "escalate"
    ]
    assert missed == []


def test_no_reply_says_a_forbidden_phrase(results: list[SuiteResult]) -> None:
    said = [
        f"{case.suite}/{case.case_id}: {turn.reply!r}"
        for result in results
        for case in result.cases
        for turn in case.turns
        if turn.forbids_hit
    ]
    assert said == []
