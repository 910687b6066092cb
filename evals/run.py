"""Running suites: seed each suite's business, run its cases, collect the results.

A responder suite shares one seeded business across its cases (each case is a new
customer, so a new conversation); onboarding and assistant cases each get a business of
their own, because both graphs keep one thread per business. A case that raises is
recorded as failed with its error, and the run goes on. Seeded businesses are deleted
at the end of their suite unless `keep` (to look at the conversations in the inbox).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from evals.format import (
    AssistantCase,
    OnboardingCase,
    OnboardingSuite,
    ResponderCase,
    ResponderSuite,
)
from evals.loading import Suite
from evals.progress import Progress
from evals.results import CaseResult, SuiteResult
from evals.runners.assistant import assistant_graph, run_assistant_case
from evals.runners.onboarding import onboarding_graph, run_onboarding_case
from evals.runners.responder import run_responder_case
from evals.runtime import EvalRuntime
from evals.seed import remove_business, seed_business

log = logging.getLogger("chidi.evals")


Case = TypeVar("Case", ResponderCase, OnboardingCase, AssistantCase)


async def _each_case(
    suite: Suite,
    cases: Sequence[Case],
    progress: Progress,
    run: Callable[[Case], Awaitable[CaseResult]],
) -> list[CaseResult]:
    """Run the cases in order; a case that raises becomes a failed result with its error."""
    results: list[CaseResult] = []
    for case in cases:
        try:
            result = await run(case)
        except Exception as exc:
            log.debug("case raised", exc_info=True)
            error = f"{type(exc).__name__}: {exc}"
            result = CaseResult(suite.name, suite.kind, case.id, error=error)
        results.append(result)
        progress.case_done(suite.name, case.id, passed=result.passed)
    return results


async def _run_responder(
    runtime: EvalRuntime, suite: Suite, spec: ResponderSuite, progress: Progress, keep: bool
) -> list[CaseResult]:
    seeded = await seed_business(runtime, suite.business, label=suite.name)
    try:
        return await _each_case(
            suite,
            spec.cases,
            progress,
            lambda case: run_responder_case(runtime, seeded, case, suite=suite.name),
        )
    finally:
        if not keep:
            await remove_business(runtime, seeded)


async def run_suite(
    runtime: EvalRuntime, suite: Suite, progress: Progress, *, keep: bool = False
) -> SuiteResult:
    """Every case of one suite."""
    spec = suite.spec
    if isinstance(spec, ResponderSuite):
        cases = await _run_responder(runtime, suite, spec, progress, keep)
    elif isinstance(spec, OnboardingSuite):
        onboarding = await onboarding_graph(runtime)
        cases = await _each_case(
            suite,
            spec.cases,
            progress,
            lambda case: run_onboarding_case(runtime, onboarding, suite, case, keep=keep),
        )
    else:
        assistant = await assistant_graph(runtime)
        cases = await _each_case(
            suite,
            spec.cases,
            progress,
            lambda case: run_assistant_case(runtime, assistant, suite, case, keep=keep),
        )
    result = SuiteResult(name=suite.name, kind=suite.kind, path=str(suite.path), cases=cases)
    progress.suite_done(suite.name, sum(c.passed for c in cases), len(cases))
    return result


async def run_suites(
    runtime: EvalRuntime, suites: Sequence[Suite], progress: Progress, *, keep: bool = False
) -> list[SuiteResult]:
    """Every suite, one after another (turn latencies are measured on a quiet process)."""
    return [await run_suite(runtime, suite, progress, keep=keep) for suite in suites]
