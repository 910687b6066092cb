"""The CI gate: the bundled golden conversations (evals/suites) with the local brain.

`make test` runs every suite in-process against the test database and fails when a kind
of suite passes fewer cases than its threshold below (set from measured runs; README and
docs/evals.md say where they stand), and on any breach of the two rules that hold
whatever the threshold: every complaint, refund and request for a person is escalated,
and no reply says a forbidden phrase (an invented price or stock figure, an injected
instruction obeyed).
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
# Minimum % of cases passing, per kind of suite, with the local brain: a few points under
# the measured rates (README "What make test does"), so a regression fails the build. The
# target for all three is 90 %; raise these as the graphs get there.
MIN_PASS: Final[dict[str, float]] = {"responder": 92.0, "onboarding": 85.0, "assistant": 90.0}
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
