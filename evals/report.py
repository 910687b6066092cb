"""The run's report: per-suite figures (EVALS_FORMAT.md "The report"), as a table and JSON.

Figures are computed from the case results alone (pure functions):

- pass % — cases that met every expectation;
- intent / action accuracy — over the turns that state an intent / an action;
- auto-response rate — responder turns answered without a person (action respond);
- escalation precision and recall — over turns that state an action: of the turns the
  responder escalated, how many should have been; of those that should have been, how
  many were;
- grounding errors — mentions missed plus forbidden phrases said;
- p50 / p95 latency per turn (nearest rank).

A figure with nothing to measure is None and printed as "-".
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from evals.results import CaseResult, SuiteResult, TurnResult


@dataclass(frozen=True)
class SuiteFigures:
    """One row of the report."""

    suite: str
    kind: str
    cases: int
    passed: int
    pass_pct: float
    intent_accuracy: float | None
    action_accuracy: float | None
    auto_response_rate: float | None
    escalation_precision: float | None
    escalation_recall: float | None
    grounding_errors: int
    p50_ms: float | None
    p95_ms: float | None


def percentile(values: Sequence[float], pct: float) -> float | None:
    """The nearest-rank percentile of `values` (None when empty)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def ratio(part: int, whole: int) -> float | None:
    """part / whole as a percentage, None when there is nothing to divide."""
    return round(100 * part / whole, 1) if whole else None


def _turns(cases: Iterable[CaseResult]) -> list[TurnResult]:
    return [turn for case in cases for turn in case.turns]


def _expected(turn: TurnResult, key: str) -> str | None:
    value = turn.expected.get(key)
    return value if isinstance(value, str) else None


def escalation_scores(turns: Sequence[TurnResult]) -> tuple[float | None, float | None]:
    """(precision, recall) of escalating, over turns whose expected action is stated."""
    stated = [t for t in turns if _expected(t, "action")]
    escalated = [t for t in stated if t.action == "escalate"]
    should = [t for t in stated if _expected(t, "action") == "escalate"]
    both = [t for t in escalated if _expected(t, "action") == "escalate"]
    return ratio(len(both), len(escalated)), ratio(len(both), len(should))


def _accuracy(turns: Sequence[TurnResult], key: str) -> float | None:
    stated = [t for t in turns if _expected(t, key)]
    right = [t for t in stated if getattr(t, key) == _expected(t, key)]
    return ratio(len(right), len(stated))


def figures(result: SuiteResult) -> SuiteFigures:
    """The report row of one suite."""
    turns = _turns(result.cases)
    passed = sum(case.passed for case in result.cases)
    latencies = [turn.latency_ms for turn in turns]
    responder = result.kind == "responder"
    precision, recall = escalation_scores(turns) if responder else (None, None)
    return SuiteFigures(
        suite=result.name,
        kind=result.kind,
        cases=len(result.cases),
        passed=passed,
        pass_pct=ratio(passed, len(result.cases)) or 0.0,
        intent_accuracy=_accuracy(turns, "intent") if responder else None,
        action_accuracy=_accuracy(turns, "action") if responder else None,
        auto_response_rate=(
            ratio(sum(t.action == "respond" for t in turns), len(turns)) if responder else None
        ),
        escalation_precision=precision,
        escalation_recall=recall,
        grounding_errors=sum(t.mentions_missed + t.forbids_hit for t in turns),
        p50_ms=percentile(latencies, 50),
        p95_ms=percentile(latencies, 95),
    )


def failing_suites(rows: Iterable[SuiteFigures], min_pass: float) -> list[str]:
    """Suites passing fewer than `min_pass` % of their cases."""
    return [row.suite for row in rows if row.pass_pct < min_pass]


# --- rendering ------------------------------------------------------------------------

_COLUMNS = (
    ("suite", "suite"),
    ("kind", "kind"),
    ("cases", "cases"),
    ("pass_pct", "pass %"),
    ("intent_accuracy", "intent %"),
    ("action_accuracy", "action %"),
    ("auto_response_rate", "auto %"),
    ("escalation_precision", "esc prec %"),
    ("escalation_recall", "esc rec %"),
    ("grounding_errors", "grounding err"),
    ("p50_ms", "p50 ms"),
    ("p95_ms", "p95 ms"),
)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def table(rows: Sequence[SuiteFigures]) -> str:
    """The report as a plain-text table (Markdown-compatible)."""
    header = [title for _, title in _COLUMNS]
    body = [[_cell(getattr(row, key)) for key, _ in _COLUMNS] for row in rows]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        padded = [
            c.ljust(w) if i < 2 else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "| " + " | ".join(padded) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(header), rule, *(line(cells) for cells in body)])


def failure_lines(results: Sequence[SuiteResult], limit: int) -> list[str]:
    """One line per failing case (its first reasons), at most `limit` of them."""
    failing = [case for result in results for case in result.cases if not case.passed]
    lines = [f"- {case.suite}/{case.case_id}: " + "; ".join(case.reasons()[:2]) for case in failing]
    if len(lines) > limit:
        lines = [*lines[:limit], f"... and {len(lines) - limit} more (write them with --json)"]
    return lines


def render(results: Sequence[SuiteResult], *, brain: str, failures_limit: int = 40) -> str:
    """The whole printed report: the table, then why cases failed."""
    rows = [figures(result) for result in results]
    parts = [f"CHIDI evals ({brain} brain)", "", table(rows)]
    failing = failure_lines(results, failures_limit)
    if failing:
        parts += ["", "Failing cases:", *failing]
    return "\n".join(parts)


def write_json(path: Path, results: Sequence[SuiteResult], *, brain: str) -> None:
    """Every case's result (input, reply, intent, action, confidence, pass/fail and why)."""
    document = {
        "brain": brain,
        "suites": [{**asdict(figures(r)), "path": r.path} for r in results],
        "cases": [case.to_json() for result in results for case in result.cases],
    }
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
