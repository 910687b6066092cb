"""Recording a run in LangSmith as experiments, one dataset per suite.

Only with LANGSMITH_API_KEY set; without it nothing is sent anywhere. Each suite is a
dataset (`chidi-evals/<suite>`) whose examples are its cases: the inputs are what was
said, the reference outputs the expectations. An example's id is derived from the case's
content, so an unchanged case is uploaded once and an edited one becomes a new example.
Each run of a suite is an experiment (a project tied to the dataset) holding one run per
case, with its replies as outputs and a `pass` feedback score (1 or 0) whose comment
says why a case failed. The client posts runs directly (no background batching), so
everything is sent when `record_experiment` returns.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from langsmith import Client
from langsmith.schemas import TracerSession

from core.settings import Settings
from evals.loading import Suite
from evals.results import CaseResult, SuiteResult

DATASET_PREFIX = "chidi-evals/"
_NAMESPACE = uuid.UUID("5b0e6f0e-8f64-4c5e-9d52-2f0c7d1b9a11")


def dataset_name(suite: Suite) -> str:
    """The suite's dataset in LangSmith."""
    return f"{DATASET_PREFIX}{suite.name}"


def case_specs(suite: Suite) -> dict[str, dict[str, Any]]:
    """Each case as written in the file (JSON-ready), by id."""
    return {
        case.id: case.model_dump(mode="json", exclude_defaults=True) for case in suite.spec.cases
    }


def example_id(suite: Suite, spec: dict[str, Any]) -> uuid.UUID:
    """A stable id for a case's content: the same case is the same example."""
    digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()
    return uuid.uuid5(_NAMESPACE, f"{dataset_name(suite)}/{spec['id']}/{digest}")


def example_of(suite: Suite, spec: dict[str, Any]) -> dict[str, Any]:
    """The LangSmith example of a case: what is said as inputs, the rest as reference."""
    turns = spec.get("turns")
    if isinstance(turns, list):
        inputs = {k: v for k, v in spec.items() if k != "turns"}
        inputs["messages"] = [{k: v for k, v in t.items() if k != "expect"} for t in turns]
        reference = {"expect": [t.get("expect", {}) for t in turns]}
    else:  # onboarding: the scripted owner is the input
        inputs = {k: v for k, v in spec.items() if k != "expect"}
        reference = {"expect": spec.get("expect", {})}
    return {
        "id": example_id(suite, spec),
        "inputs": inputs,
        "reference_outputs": reference,
        "metadata": {"suite": suite.name, "kind": suite.kind, "case": spec["id"]},
    }


def _dataset_id(client: Client, suite: Suite, examples: Sequence[dict[str, Any]]) -> uuid.UUID:
    """The suite's dataset (created on first use), holding every current case."""
    name = dataset_name(suite)
    if client.has_dataset(dataset_name=name):
        dataset = client.read_dataset(dataset_name=name)
    else:
        dataset = client.create_dataset(name, description=f"CHIDI {suite.kind} suite {suite.name}")
    known = {example.id for example in client.list_examples(dataset_id=dataset.id)}
    missing = [example for example in examples if example["id"] not in known]
    if missing:
        client.create_examples(dataset_id=dataset.id, examples=missing)
    found: uuid.UUID = dataset.id
    return found


def run_outputs(case: CaseResult) -> dict[str, Any]:
    """What the graphs answered in a case."""
    return {
        "turns": [
            {
                "reply": turn.reply,
                "intent": turn.intent,
                "action": turn.action,
                "confidence": turn.confidence,
                "latency_ms": turn.latency_ms,
            }
            for turn in case.turns
        ],
        "failures": case.reasons(),
    }


def _record_case(
    client: Client, project: TracerSession, suite: Suite, spec: dict[str, Any], case: CaseResult
) -> None:
    run_id = uuid.uuid4()
    ended = datetime.now(UTC)
    spent = timedelta(milliseconds=sum(turn.latency_ms for turn in case.turns))
    example = example_of(suite, spec)
    client.create_run(
        id=run_id,
        name=f"{suite.name}/{case.case_id}",
        run_type="chain",
        inputs=example["inputs"],
        outputs=run_outputs(case),
        project_name=project.name,
        reference_example_id=example["id"],
        start_time=ended - spent,
        end_time=ended,
        error=case.error,
    )
    client.create_feedback(
        run_id,
        key="pass",
        score=1.0 if case.passed else 0.0,
        comment="; ".join(case.reasons()) or None,
        session_id=project.id,
        start_time=ended - spent,
    )


def record_suite(client: Client, suite: Suite, result: SuiteResult, *, brain: str) -> str:
    """One experiment for one suite's results; its name."""
    specs = case_specs(suite)
    dataset = _dataset_id(client, suite, [example_of(suite, s) for s in specs.values()])
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    name = f"{suite.name} {brain} {stamp} {uuid.uuid4().hex[:6]}"
    project = client.create_project(
        name,
        reference_dataset_id=dataset,
        metadata={"brain": brain, "suite": suite.name, "kind": suite.kind},
    )
    for case in result.cases:
        _record_case(client, project, suite, specs[case.case_id], case)
    client.update_project(project.id, end_time=datetime.now(UTC))
    return name


def langsmith_client(settings: Settings) -> Client | None:
    """A client for the configured LangSmith, or None when no key is set."""
    if settings.langsmith_api_key is None:
        return None
    return Client(
        api_url=settings.langsmith_endpoint,
        api_key=settings.langsmith_api_key.get_secret_value(),
        auto_batch_tracing=False,
    )


def record_experiment(
    settings: Settings, suites: Sequence[Suite], results: Sequence[SuiteResult], *, brain: str
) -> list[str]:
    """Record every suite's results as an experiment; the experiments' names ([] and
    nothing sent without a LangSmith key)."""
    client = langsmith_client(settings)
    if client is None:
        return []
    by_path = {str(suite.path): suite for suite in suites}
    try:
        return [record_suite(client, by_path[r.path], r, brain=brain) for r in results]
    finally:
        client.close()
