"""The AI quality numbers: the owner's summary for their business only, and the
operator's across businesses behind the metrics token."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import psycopg
import pytest

from core.settings import Settings
from store.tables.base import utcnow
from tests.integration.monitoring.conftest import METRICS_TOKEN
from tests.support.conversations import SeededConnection, one, seed_connection
from tests.support.live_server import LiveServer
from tests.support.workspace import owner_client


def _seed_decisions(pg: psycopg.Connection, connection: SeededConnection) -> None:
    """Two auto-replies and one escalation; a person answers after 60 s and resolves
    after 300 s."""
    conversation_id = uuid.uuid4()
    escalated_at = utcnow() - timedelta(hours=1)
    pg.execute(
        "INSERT INTO conversations (id, business_id, social_connection_id, "
        "customer_platform_id, last_message_at) VALUES (%s, %s, %s, %s, now())",
        (conversation_id, connection.business_id, connection.id, f"cust-{conversation_id.hex}"),
    )
    for action in ("responded_auto", "responded_auto", "escalated"):
        pg.execute(
            "INSERT INTO ai_responses_log (id, conversation_id, business_id, "
            "final_prompt_sent_to_llm, action_taken) VALUES (%s, %s, %s, '', %s)",
            (uuid.uuid4(), conversation_id, connection.business_id, action),
        )
    for status, after in (
        ("escalated_human_needed", 0),
        ("active_human", 60),
        ("resolved_by_human", 300),
    ):
        pg.execute(
            "INSERT INTO conversation_status_history (id, conversation_id, business_id, "
            "to_status, actor, created_at) VALUES (%s, %s, %s, %s, 'human', %s)",
            (
                uuid.uuid4(),
                conversation_id,
                connection.business_id,
                status,
                escalated_at + timedelta(seconds=after),
            ),
        )


async def test_the_owner_sees_their_own_numbers(
    metered: LiveServer, settings: Settings, pg: psycopg.Connection
) -> None:
    mine = seed_connection(pg, settings)
    _seed_decisions(pg, mine)
    _seed_decisions(pg, seed_connection(pg, settings))  # another business: not counted
    user_id = one(pg, "SELECT user_id FROM businesses WHERE id = %s", mine.business_id)
    async with owner_client(settings, metered, user_id) as owner:
        response = await owner.get("/api/v1/analytics/summary", params={"days": 7})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["decisions"], body["auto_replied"], body["escalated"]) == (3, 2, 1)
    assert body["auto_response_rate"] == pytest.approx(2 / 3)
    assert body["escalation_rate"] == pytest.approx(1 / 3)
    assert body["time_to_first_human_response"] == {
        "count": 1,
        "median_seconds": 60.0,
        "p90_seconds": 60.0,
    }
    assert body["time_to_resolve"]["median_seconds"] == 300.0


async def test_the_operator_numbers_span_businesses_behind_the_token(
    metered: LiveServer, settings: Settings, pg: psycopg.Connection
) -> None:
    _seed_decisions(pg, seed_connection(pg, settings))
    async with httpx.AsyncClient(base_url=metered.url) as client:
        assert (await client.get("/api/v1/analytics/overall")).status_code == 401
        response = await client.get(
            "/api/v1/analytics/overall",
            params={"days": 1},
            headers={"Authorization": f"Bearer {METRICS_TOKEN}"},
        )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["decisions"] >= 3
    assert body["auto_replied"] >= 2
    assert body["time_to_first_human_response"]["count"] >= 1
    assert body["auto_response_rate"] == pytest.approx(body["auto_replied"] / body["decisions"])
