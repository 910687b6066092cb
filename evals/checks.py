"""Checking a reply against a turn's expectations: pure functions.

Matching is case-insensitive substring on the text sent (EVALS_FORMAT.md). Each miss is
recorded as a sentence saying what was expected and what came instead, so a failing case
reads without opening the JSON.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from evals.format import ResponderExpect, TextExpect
from evals.results import TurnResult


@dataclass(frozen=True)
class Verdict:
    """The failures of one turn, and its grounding errors by kind."""

    failures: list[str] = field(default_factory=list)
    mentions_missed: int = 0
    forbids_hit: int = 0


def _contains(reply: str, phrase: str) -> bool:
    return phrase.casefold() in reply.casefold()


def _short(reply: str, limit: int = 160) -> str:
    flat = " ".join(reply.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def missing_mentions(reply: str, mentions: Sequence[str | Sequence[str]]) -> list[str]:
    """The mention entries the reply does not meet (a list entry needs any one phrase)."""
    missing: list[str] = []
    for entry in mentions:
        options = [entry] if isinstance(entry, str) else list(entry)
        if not any(_contains(reply, option) for option in options):
            missing.append(" / ".join(repr(option) for option in options))
    return missing


def forbidden_hits(reply: str, forbids: Sequence[str]) -> list[str]:
    """The forbidden phrases the reply contains."""
    return [phrase for phrase in forbids if _contains(reply, phrase)]


def check_text(expect: TextExpect, reply: str) -> Verdict:
    """Mentions and forbids of any turn."""
    missing = missing_mentions(reply, expect.mentions)
    hits = forbidden_hits(reply, expect.forbids)
    failures = [f"reply lacks {entry}: {_short(reply)!r}" for entry in missing]
    failures += [f"reply says forbidden {phrase!r}: {_short(reply)!r}" for phrase in hits]
    return Verdict(failures, mentions_missed=len(missing), forbids_hit=len(hits))


def check_responder(
    expect: ResponderExpect, *, reply: str, action: str | None, intent: str | None
) -> Verdict:
    """A customer turn: action and intent (when stated), then the reply's text."""
    failures: list[str] = []
    if expect.action is not None and action != expect.action:
        failures.append(f"action: expected {expect.action}, got {action or 'none'}")
    if expect.intent is not None and intent != expect.intent:
        failures.append(f"intent: expected {expect.intent}, got {intent or 'none'}")
    text = check_text(expect, reply)
    return Verdict([*failures, *text.failures], text.mentions_missed, text.forbids_hit)


def checked_turn(
    text: str,
    reply: str,
    latency_ms: float,
    expect: TextExpect,
    verdict: Verdict,
    *,
    intent: str | None = None,
    action: str | None = None,
    confidence: float | None = None,
) -> TurnResult:
    """A turn's result: what was said and answered, what was expected, and the verdict."""
    return TurnResult(
        input=text,
        reply=reply,
        latency_ms=round(latency_ms, 2),
        expected=expect.model_dump(exclude_defaults=True),
        intent=intent,
        action=action,
        confidence=confidence,
        failures=verdict.failures,
        mentions_missed=verdict.mentions_missed,
        forbids_hit=verdict.forbids_hit,
    )
