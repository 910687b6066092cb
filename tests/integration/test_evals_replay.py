"""Replay: a stored conversation's customer messages through today's responder, beside
the decisions logged at the time, with nothing kept and nothing sent."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import psycopg
import pytest

from core.settings import Settings
from evals.__main__ import main
from evals.format import BusinessFixture
from evals.replay import render_replay, replay_conversation
from evals.runners.responder import Decision, customer_turn
from evals.runtime import open_runtime
from evals.seed import SeededBusiness, remove_business, seed_business
from store.conversations.ingest import WebhookSource
from tests.support.conversations import one

FIXTURE = BusinessFixture.model_validate(
    {
        "name": "Replay Test Shop",
        "context": ["We are open Monday to Friday, 9am to 5pm."],
        "products": [
            {
                "name": "Canvas Tote",
                "base_price": "5000.00",
                "inventory_items": [{"sku": "RPL-TOTE", "stock_quantity": 3}],
            }
        ],
    }
)
COUNTED = ("conversations", "messages", "outbox", "ai_responses_log", "notifications")


@dataclass(frozen=True)
class Stored:
    """A conversation as the worker left it, and the decisions it made then."""

    seeded: SeededBusiness
    conversation_id: uuid.UUID
    decisions: list[Decision]


@pytest.fixture
async def stored(settings: Settings, pg: psycopg.Connection) -> AsyncIterator[Stored]:
    async with open_runtime(settings, "local") as runtime:
        seeded = await seed_business(runtime, FIXTURE, label="replay")
        source = WebhookSource(seeded.connections["instagram"], seeded.business_id, "instagram")
        customer = f"replay-test-{uuid.uuid4().hex[:8]}"
        decisions = [
            await customer_turn(runtime, source, customer, text)
            for text in ("hi, how much is the canvas tote?", "it arrived torn, I'm upset")
        ]
        conversation_id = one(
            pg, "SELECT id FROM conversations WHERE customer_platform_id = %s", customer
        )
        yield Stored(seeded, conversation_id, decisions)
        await remove_business(runtime, seeded)


def _counts(pg: psycopg.Connection, business_id: uuid.UUID) -> dict[str, int]:
    return {
        table: one(pg, f"SELECT count(*) FROM {table} WHERE business_id = %s", business_id)  # noqa: S608
        for table in COUNTED
    }


async def test_replay_shows_the_old_and_new_decision_per_turn_and_keeps_nothing(
    settings: Settings, pg: psycopg.Connection, stored: Stored
) -> None:
    before = _counts(pg, stored.seeded.business_id)

    turns = await replay_conversation(settings, stored.conversation_id, brain="local")

    assert [turn.messages for turn in turns] == [
        ["hi, how much is the canvas tote?"],
        ["it arrived torn, I'm upset"],
    ]
    for turn, then in zip(turns, stored.decisions, strict=True):
        assert turn.old is not None
        assert turn.old.action == then.action
        assert turn.old.reply == then.reply
        assert turn.old.intent == then.intent
        assert turn.new.action in ("respond", "escalate")
        assert turn.new.reply
    # The conversation was escalated after the complaint, yet each replayed turn is decided
    # afresh (the scratch conversation is put back to active_ai).
    assert turns[1].new.action == "escalate"
    assert _counts(pg, stored.seeded.business_id) == before

    text = render_replay(turns)
    assert text.startswith("Turn 1\n  customer: hi, how much is the canvas tote?")
    assert text.count("  old: ") == 2
    assert text.count("  new: ") == 2


def test_the_replay_command_prints_turn_by_turn(
    stored: Stored, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["replay", "--conversation", str(stored.conversation_id)])
    out = capsys.readouterr().out
    assert code == 0
    assert "Turn 2\n  customer: it arrived torn, I'm upset" in out
    assert "=> " in out


def test_replaying_an_unknown_conversation_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    missing = uuid.uuid4()
    assert main(["replay", "--conversation", str(missing)]) == 2
    assert f"No conversation {missing}." in capsys.readouterr().err
