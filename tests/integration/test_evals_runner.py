"""The eval runner end to end on a tiny suite, against the real database and graphs: the
business is seeded through the services, customer turns go through webhook ingestion and
the responder job (replies read from the outbox, never delivered), consecutive turns are
one conversation, onboarding and assistant cases run their graphs, and the CLI prints
the report, writes the JSON and exits non-zero under --min-pass."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

import psycopg
import pytest

from core.settings import Settings
from evals.__main__ import main, run_command
from evals.runtime import open_runtime
from evals.seed import SeededBusiness, remove_business
from tests.support.conversations import one, rows

SUITE = """
suite: responder
business:
  name: "{name}"
  business_type: bakery
  context:
    - "We are open every day from 8am to 4pm."
  products:
    - name: Sourdough Loaf
      base_price: "4500.00"
      variants: [{{option_name: Size, values: [Small, Large]}}]
      inventory_items:
        - {{sku: SD-SMALL, options: {{Size: Small}}, stock_quantity: 4}}
        - {{sku: SD-LARGE, options: {{Size: Large}}, price: "6500.00", stock_quantity: 0}}
cases:
  - id: complaint
    channel: whatsapp
    turns:
      - customer: "the bread I bought yesterday was mouldy, I'm really upset"
        expect: {{action: escalate}}
  - id: two-turns
    turns:
      - customer: "hello"
      - customer: "what time do you open?"
  - id: impossible
    turns:
      - customer: "hi"
        expect: {{mentions: ["a phrase no reply contains 7f3a"]}}
"""
ONBOARDING = """
suite: onboarding
cases:
  - id: name-only
    owner: {name: "Runner Test Bakery"}
    expect: {completed: true, progress: 100, profile: {name: "Runner Test Bakery"}}
"""
ASSISTANT = """
suite: assistant
business_from: shop.yaml
cases:
  - id: hours
    turns:
      - owner: "what are my opening hours?"
"""


@pytest.fixture
def suites(tmp_path: Path) -> tuple[Path, str]:
    name = f"Evals Runner Bakery {uuid.uuid4().hex[:8]}"
    (tmp_path / "shop.yaml").write_text(SUITE.format(name=name))
    (tmp_path / "onboarding.yaml").write_text(ONBOARDING)
    (tmp_path / "assistant.yaml").write_text(ASSISTANT)
    return tmp_path, name


def _businesses(pg: psycopg.Connection, name: str) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(business id, owner id) of the businesses seeded with this name, the one with
    conversations (the responder suite's) first."""
    return [
        (row[0], row[1])
        for row in rows(
            pg,
            "SELECT b.id, b.user_id FROM businesses b WHERE b.name = %s ORDER BY "
            "(SELECT count(*) FROM conversations c WHERE c.business_id = b.id) DESC",
            name,
        )
    ]


async def _remove(settings: Settings, seeded: list[tuple[uuid.UUID, uuid.UUID]]) -> None:
    async with open_runtime(settings, "local") as runtime:
        for business_id, owner_id in seeded:
            await remove_business(runtime, SeededBusiness(business_id, owner_id, {}, {}))


def test_the_cli_runs_a_tiny_suite_through_the_real_graphs(
    settings: Settings,
    pg: psycopg.Connection,
    suites: tuple[Path, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder, name = suites
    out = tmp_path / "results.json"

    code = main(["run", str(folder), "--json", str(out), "--min-pass", "100", "--keep"])

    printed = capsys.readouterr()
    assert code == 1  # the "impossible" case fails, so the shop suite is under 100%
    assert "| shop " in printed.out
    assert "- shop/impossible: turn 1: reply lacks 'a phrase no reply contains 7f3a'" in printed.out
    assert "Under 100% passing: shop" in printed.err
    document = json.loads(out.read_text())
    cases = {(c["suite"], c["case"]): c for c in document["cases"]}
    assert set(cases) == {
        ("shop", "complaint"),
        ("shop", "two-turns"),
        ("shop", "impossible"),
        ("onboarding", "name-only"),
        ("assistant", "hours"),
    }
    complaint = cases["shop", "complaint"]
    assert complaint["passed"], complaint["why"]
    [turn] = complaint["turns"]
    assert turn["action"] == "escalate"
    assert turn["reply"]  # the holding message, read from the outbox
    assert turn["latency_ms"] > 0
    assert cases["onboarding", "name-only"]["passed"], cases["onboarding", "name-only"]["why"]
    assert cases["assistant", "hours"]["error"] is None
    assert cases["assistant", "hours"]["turns"][0]["reply"]

    seeded = _businesses(pg, name)
    assert len(seeded) == 2  # --keep: the responder suite's and the assistant case's
    business_id = seeded[0][0]
    try:
        # Catalog through the catalog service, facts embedded as context chunks.
        skus = rows(
            pg,
            "SELECT sku, stock_quantity FROM inventory_items WHERE business_id = %s ORDER BY sku",
            business_id,
        )
        assert skus == [("SD-LARGE", 0), ("SD-SMALL", 4)]
        facts = "SELECT count(*) FROM business_context_chunks WHERE business_id = %s AND "
        assert one(pg, facts + "source_field = 'fact'", business_id) == 1
        # One conversation per case; the two turns of a case are one conversation.
        per_conversation = rows(
            pg,
            "SELECT count(*) FROM messages WHERE business_id = %s AND sender_type = 'customer' "
            "GROUP BY conversation_id ORDER BY 1",
            business_id,
        )
        assert per_conversation == [(1,), (1,), (2,)]
        # The responder ran as the job does (a log row per decision) and nothing was sent.
        assert (
            one(pg, "SELECT count(*) FROM ai_responses_log WHERE business_id = %s", business_id)
            >= 3
        )
        statuses = rows(
            pg,
            "SELECT DISTINCT status FROM outbox WHERE business_id = %s AND kind <> 'email'",
            business_id,
        )
        assert statuses == [("pending",)]
    finally:
        asyncio.run(_remove(settings, seeded))
    assert _businesses(pg, name) == []


async def test_without_keep_every_seeded_business_is_removed(
    settings: Settings, pg: psycopg.Connection, suites: tuple[Path, str]
) -> None:
    folder, name = suites
    before = one(pg, "SELECT count(*) FROM businesses")
    results = await run_command(settings, [folder], brain="local")
    assert [r.name for r in results] == ["assistant", "onboarding", "shop"]
    assert sum(len(r.cases) for r in results) == 5
    assert _businesses(pg, name) == []
    assert one(pg, "SELECT count(*) FROM businesses") == before


def test_a_broken_suite_stops_the_run_before_anything_is_seeded(
    tmp_path: Path, pg: psycopg.Connection, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.yaml").write_text(
        "suite: responder\ncases: [{id: a, turns: [{customer: hi, expect: {intent: chat}}]}]\n"
    )
    before = one(pg, "SELECT count(*) FROM businesses")
    assert main(["run", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml: case a (#1): turns[0].expect.intent" in err
    assert one(pg, "SELECT count(*) FROM businesses") == before


def test_the_openai_brain_needs_a_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], settings: Settings
) -> None:
    if settings.openai_api_key is not None:
        pytest.skip("an OpenAI key is configured here")
    (tmp_path / "o.yaml").write_text(ONBOARDING)
    assert main(["run", str(tmp_path), "--brain", "openai"]) == 2
    assert "OPENAI_API_KEY" in capsys.readouterr().err
