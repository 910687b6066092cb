"""Assistant cases: the owner talks to the workspace assistant graph.

Each case gets a business of its own, seeded from the suite's fixture, so a profile change
one case asks for never leaks into another, and a fresh assistant thread (the graph keeps
one per business). A turn is what the API's chat turn does: `agents.assistant.turns`
with a session per tool call, then the changed profile fields re-embedded as the
embedding job would.
"""

from __future__ import annotations

import time

from agents.assistant.context import AssistantContext
from agents.assistant.graph import AssistantGraph, compile_assistant_graph
from agents.assistant.turns import AssistantTurn, take_turn
from evals.checks import check_text, checked_turn
from evals.format import AssistantCase
from evals.loading import Suite
from evals.results import CaseResult, TurnResult
from evals.runtime import EvalRuntime
from evals.seed import SeededBusiness, remove_business, seed_business
from store.context import sync
from store.db import session_scope
from tools.context import sessions_from


async def assistant_graph(runtime: EvalRuntime) -> AssistantGraph:
    """The assistant graph on the run's Postgres checkpointer."""
    return compile_assistant_graph(await runtime.checkpoints.ready())


def _ignore_token(_: str) -> None:
    """Replies are read whole from the turn; streamed tokens are not needed."""


async def owner_message(
    runtime: EvalRuntime, graph: AssistantGraph, seeded: SeededBusiness, text: str
) -> AssistantTurn:
    """One owner message on the business's assistant thread."""
    context = AssistantContext(
        business_id=seeded.business_id,
        sessions=sessions_from(runtime.sessionmaker),
        context_store=runtime.context_store,
        product_vectors=runtime.product_vectors,
        audience="assistant",
        chat_model=runtime.chat_model,
        onboarding_complete=True,
    )
    turn = await take_turn(graph, context, text, _ignore_token)
    if turn.changed_fields:
        async with session_scope(runtime.sessionmaker) as session:
            await sync.embed_business_context(
                session, runtime.context_store, seeded.business_id, turn.changed_fields
            )
    return turn


async def _converse(
    runtime: EvalRuntime, graph: AssistantGraph, seeded: SeededBusiness, case: AssistantCase
) -> list[TurnResult]:
    turns: list[TurnResult] = []
    for step in case.turns:
        started = time.perf_counter()
        answer = await owner_message(runtime, graph, seeded, step.owner)
        elapsed = (time.perf_counter() - started) * 1000
        verdict = check_text(step.expect, answer.reply)
        turns.append(checked_turn(step.owner, answer.reply, elapsed, step.expect, verdict))
    return turns


async def run_assistant_case(
    runtime: EvalRuntime, graph: AssistantGraph, suite: Suite, case: AssistantCase, *, keep: bool
) -> CaseResult:
    """The case on a business of its own (removed afterwards unless `keep`)."""
    seeded = await seed_business(runtime, suite.business, label=f"{suite.name}/{case.id}")
    try:
        turns = await _converse(runtime, graph, seeded, case)
    finally:
        if not keep:
            await remove_business(runtime, seeded)
    return CaseResult(suite=suite.name, kind="assistant", case_id=case.id, turns=turns)
