"""What running a case produced, turn by turn, and whether it met its expectations.

Plain dataclasses so the report, the JSON file and the LangSmith export read the same
values. A case passes when it raised nothing and no turn (nor the case itself) recorded a
failure.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class TurnResult:
    """One message sent to a graph and what came back.

    `action` (responder only): respond, escalate, stored_only (a person already handles
    the conversation) or none. `expected` is the turn's expectation as written.
    `mentions_missed` and `forbids_hit` count grounding errors.
    """

    input: str
    reply: str
    latency_ms: float
    expected: dict[str, Any] = field(default_factory=dict)
    intent: str | None = None
    action: str | None = None
    confidence: float | None = None
    failures: list[str] = field(default_factory=list)
    mentions_missed: int = 0
    forbids_hit: int = 0

    @property
    def passed(self) -> bool:
        """Whether the turn met every expectation it states."""
        return not self.failures


@dataclass
class CaseResult:
    """One case of a suite."""

    suite: str
    kind: str
    case_id: str
    turns: list[TurnResult] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    """Case-level failures (onboarding expectations, a run that raised)."""
    error: str | None = None
    """The exception that stopped the case, if any."""

    @property
    def passed(self) -> bool:
        """Whether the whole case passed."""
        return self.error is None and not self.failures and all(t.passed for t in self.turns)

    def reasons(self) -> list[str]:
        """Why the case failed: case-level failures, then each failing turn's."""
        found = list(self.failures)
        if self.error:
            found.append(f"error: {self.error}")
        for number, turn in enumerate(self.turns, start=1):
            found.extend(f"turn {number}: {failure}" for failure in turn.failures)
        return found

    def to_json(self) -> dict[str, Any]:
        """The case as written by `--json`."""
        return {
            "suite": self.suite,
            "kind": self.kind,
            "case": self.case_id,
            "passed": self.passed,
            "why": self.reasons(),
            "error": self.error,
            "failures": self.failures,
            "turns": [{**asdict(turn), "passed": turn.passed} for turn in self.turns],
        }


@dataclass
class SuiteResult:
    """Every case of one suite, in file order."""

    name: str
    kind: str
    path: str
    cases: list[CaseResult] = field(default_factory=list)
