"""Onboarding cases: a scripted owner talks to the real onboarding graph.

Each case gets a new business and its own checkpointed thread. A turn is what the API's
onboarding turn does (`agents.onboarding.turns`: take the turn, store what it changed,
commit), and finishing re-embeds the profile as the embedding job would. The owner
answers whichever field the graph asks for (its state exposes it) from `owner`, "skip"
for a field not listed; at the summary it says each correction in order, then "yes"
(or stops there when `confirm` is false). Expectations are checked against the stored
business row, not the graph's state.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any, Final

from agents.onboarding.context import OnboardingContext
from agents.onboarding.graph import OnboardingGraph, compile_onboarding_graph
from agents.onboarding.turns import OnboardingTurn, reply_for, save_turn, take_turn
from core.business_profile import PROFILE_FIELDS, describe_value
from evals.format import OnboardingCase, OnboardingExpect
from evals.loading import Suite
from evals.results import CaseResult, TurnResult
from evals.runtime import EvalRuntime
from evals.seed import SeededBusiness, remove_business, seed_business
from store.context import sync
from store.db import session_scope
from store.repositories.business_profile import profile_of
from store.repositories.businesses import get_by_id
from store.tables.businesses import Business

MAX_TURNS: Final = 60
# A field asked this often means the conversation is going round in circles.
MAX_ASKS_PER_FIELD: Final = 4


async def onboarding_graph(runtime: EvalRuntime) -> OnboardingGraph:
    """The onboarding graph on the run's Postgres checkpointer."""
    return compile_onboarding_graph(await runtime.checkpoints.ready())


async def owner_turn(
    runtime: EvalRuntime,
    graph: OnboardingGraph,
    seeded: SeededBusiness,
    text: str | None,
) -> OnboardingTurn:
    """One reply (None: open the conversation), stored and committed as the API does."""
    context = OnboardingContext(business_id=seeded.business_id, chat_model=runtime.chat_model)
    async with session_scope(runtime.sessionmaker) as session:
        business = await get_by_id(session, seeded.business_id)
        assert business is not None  # seeded for this case
        before = profile_of(business)
        turn = await take_turn(graph, context, profile=before, reply=reply_for(text, None))
        await save_turn(session, seeded.business_id, before, turn)
    if turn.completed:
        async with session_scope(runtime.sessionmaker) as session:
            await sync.embed_business_context(
                session, runtime.context_store, seeded.business_id, list(PROFILE_FIELDS)
            )
    return turn


def next_reply(turn: OnboardingTurn, case: OnboardingCase, corrections: list[str]) -> str | None:
    """What the scripted owner says next; None when it stops (done, or not confirming)."""
    if turn.completed:
        return None
    if turn.state.stage == "questions" and turn.state.asking is not None:
        answers = {str(field): text for field, text in case.owner.items()}
        return answers.get(turn.state.asking, "skip")
    if corrections:
        return corrections.pop(0)
    return "yes" if case.confirm else None


def stored_value(profile: dict[str, Any], key: str) -> str:
    """A profile field (or `field.sub_key`) of the stored profile, as text."""
    field, _, sub = key.partition(".")
    value = profile.get(field)
    if sub:
        found = value.get(sub) if isinstance(value, dict) else None
        return str(found) if found else ""
    return describe_value(field, value) if value else ""


def expectation_failures(expect: OnboardingExpect, business: Business) -> list[str]:
    """How the stored business falls short of the case's expectations."""
    failures: list[str] = []
    completed = business.onboarding_completed_at is not None
    if expect.completed is not None and completed != expect.completed:
        failures.append(f"completed: expected {expect.completed}, got {completed}")
    percent = int((business.onboarding_progress or {}).get("percentage") or 0)
    if expect.progress is not None and percent < expect.progress:
        failures.append(f"progress: expected at least {expect.progress}, got {percent}")
    profile = profile_of(business)
    for key, wanted in expect.profile.items():
        value = stored_value(profile, key)
        if wanted.casefold() not in value.casefold():
            failures.append(f"profile.{key}: expected to contain {wanted!r}, got {value!r}")
    return failures


async def _converse(
    runtime: EvalRuntime, graph: OnboardingGraph, seeded: SeededBusiness, case: OnboardingCase
) -> CaseResult:
    result = CaseResult(suite="", kind="onboarding", case_id=case.id)
    corrections = list(case.corrections)
    asked: Counter[str] = Counter()
    reply: str | None = None
    for _ in range(MAX_TURNS):
        started = time.perf_counter()
        turn = await owner_turn(runtime, graph, seeded, reply)
        result.turns.append(
            TurnResult(
                input=reply or "",
                reply=turn.prompt["message"],
                latency_ms=round((time.perf_counter() - started) * 1000, 2),
            )
        )
        if turn.state.stage == "questions" and turn.state.asking:
            asked[turn.state.asking] += 1
            if asked[turn.state.asking] > MAX_ASKS_PER_FIELD:
                result.failures.append(f"asked for {turn.state.asking} over and over")
                return result
        reply = next_reply(turn, case, corrections)
        if reply is None:
            return result
    result.failures.append(f"onboarding did not end within {MAX_TURNS} turns")
    return result


async def run_onboarding_case(
    runtime: EvalRuntime, graph: OnboardingGraph, suite: Suite, case: OnboardingCase, *, keep: bool
) -> CaseResult:
    """The case on a business of its own (removed afterwards unless `keep`)."""
    seeded = await seed_business(
        runtime, suite.business, label=f"{suite.name}/{case.id}", onboarded=False
    )
    try:
        result = await _converse(runtime, graph, seeded, case)
        async with runtime.sessionmaker() as session:
            business = await get_by_id(session, seeded.business_id)
            assert business is not None
            result.failures.extend(expectation_failures(case.expect, business))
    finally:
        if not keep:
            await remove_business(runtime, seeded)
    result.suite = suite.name
    return result
