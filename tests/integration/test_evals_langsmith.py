"""Eval runs recorded in LangSmith through the real `langsmith` client, against a local
server speaking its REST API: one dataset per suite, one experiment per run, nothing sent
without a key."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from core.settings import Settings
from evals.langsmith_export import DATASET_PREFIX, case_specs, example_id, record_experiment
from evals.loading import Suite, load_suite
from evals.results import CaseResult, SuiteResult, TurnResult
from tests.fakes.langsmith_server import LangSmithStore, langsmith_app
from tests.support.live_server import free_port, serve_in_thread

SUITE = """
suite: responder
business:
  name: Tiny Shop
  products:
    - {name: Cool Hoodie, base_price: "40.00"}
cases:
  - id: price
    turns:
      - customer: "how much is the hoodie?"
        expect: {action: respond, intent: price, mentions: ["40"]}
  - id: complaint
    channel: whatsapp
    turns:
      - customer: "it arrived torn"
        expect: {action: escalate}
"""


@pytest.fixture
def langsmith() -> Iterator[tuple[str, LangSmithStore]]:
    store = LangSmithStore()
    port = free_port()
    server = serve_in_thread(langsmith_app(store), port=port, ready_path="/ready")
    yield f"http://127.0.0.1:{port}", store
    server.stop()


@pytest.fixture
def suite(tmp_path: Path) -> Suite:
    path = tmp_path / "tiny_shop.yaml"
    path.write_text(SUITE)
    return load_suite(path)


def _results(suite: Suite) -> SuiteResult:
    passed = CaseResult(
        suite=suite.name,
        kind="responder",
        case_id="price",
        turns=[
            TurnResult(
                "how much is the hoodie?", "It's 40.", 12.5, intent="price", action="respond"
            )
        ],
    )
    failed = CaseResult(
        suite=suite.name,
        kind="responder",
        case_id="complaint",
        turns=[
            TurnResult(
                "it arrived torn",
                "Sorry!",
                8.0,
                action="respond",
                failures=["action: expected escalate, got respond"],
            )
        ],
    )
    return SuiteResult(suite.name, "responder", str(suite.path), [passed, failed])


def _settings(settings: Settings, url: str, key: str | None) -> Settings:
    return settings.model_copy(
        update={"langsmith_api_key": SecretStr(key) if key else None, "langsmith_endpoint": url}
    )


def test_a_run_becomes_an_experiment_on_the_suites_dataset(
    settings: Settings, langsmith: tuple[str, LangSmithStore], suite: Suite
) -> None:
    url, store = langsmith
    names = record_experiment(
        _settings(settings, url, "ls-test-key"), [suite], [_results(suite)], brain="local"
    )

    assert len(names) == 1
    assert {key for _, _, key in store.requests} == {"ls-test-key"}
    [dataset] = store.datasets.values()
    assert dataset["name"] == f"{DATASET_PREFIX}tiny_shop"
    examples = {e["metadata"]["case"]: e for e in store.examples.values()}
    assert set(examples) == {"price", "complaint"}
    assert examples["price"]["inputs"]["messages"] == [{"customer": "how much is the hoodie?"}]
    assert examples["complaint"]["outputs"]["expect"] == [{"action": "escalate"}]
    [experiment] = store.sessions.values()
    assert experiment["name"] == names[0]
    assert experiment["reference_dataset_id"] == dataset["id"]
    assert experiment["end_time"] is not None
    runs = {run["name"]: run for run in store.runs}
    assert set(runs) == {"tiny_shop/price", "tiny_shop/complaint"}
    assert runs["tiny_shop/price"]["reference_example_id"] == examples["price"]["id"]
    assert runs["tiny_shop/price"]["outputs"]["turns"][0]["reply"] == "It's 40."
    assert runs["tiny_shop/price"]["session_name"] == names[0]
    scores = {f["run_id"]: (f["key"], f["score"]) for f in store.feedback}
    by_run = {run["name"]: scores[run["id"]] for run in store.runs}
    assert by_run == {"tiny_shop/price": ("pass", 1.0), "tiny_shop/complaint": ("pass", 0.0)}
    comment = next(f["comment"] for f in store.feedback if f["score"] == 0.0)
    assert "expected escalate" in comment


def test_a_second_run_reuses_the_dataset_and_uploads_only_changed_cases(
    settings: Settings, langsmith: tuple[str, LangSmithStore], suite: Suite, tmp_path: Path
) -> None:
    url, store = langsmith
    configured = _settings(settings, url, "ls-test-key")
    record_experiment(configured, [suite], [_results(suite)], brain="local")
    edited_path = tmp_path / "edited" / "tiny_shop.yaml"
    edited_path.parent.mkdir()
    edited_path.write_text(SUITE.replace("it arrived torn", "it arrived torn and dirty"))
    edited = load_suite(edited_path)

    record_experiment(configured, [edited], [_results(edited)], brain="local")

    assert len(store.datasets) == 1
    assert len(store.sessions) == 2
    assert len(store.examples) == 3  # the unchanged case is the same example
    unchanged = example_id(suite, case_specs(suite)["price"])
    assert example_id(edited, case_specs(edited)["price"]) == unchanged
    changed = example_id(edited, case_specs(edited)["complaint"])
    assert changed != example_id(suite, case_specs(suite)["complaint"])
    assert len(store.runs) == 4


def test_without_a_key_nothing_is_sent(
    settings: Settings, langsmith: tuple[str, LangSmithStore], suite: Suite
) -> None:
    url, store = langsmith
    names = record_experiment(
        _settings(settings, url, None), [suite], [_results(suite)], brain="local"
    )
    assert names == []
    assert store.requests == []
