"""The inbox across real processes: two API processes and an arq worker on loopback.

A webhook received by API process A is answered by the worker; the owner's dashboard is
connected to API process B and sees it all live (the customer's message published by A,
the bot's reply and the escalation published by the worker), and a reconnect to A with
Last-Event-ID replays the same events. A person's reply sent through B is delivered by the
worker to the (fake) Graph API and silences the bot until the owner hands back.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import httpx
import psycopg
import pytest

from core.settings import Settings
from store.tables.base import utcnow
from tests.fakes.graph_api import FakeGraph, RecordedSend
from tests.integration.inbox.support import (
    event_of,
    event_stream,
    open_shop,
    seed_conversation,
)
from tests.support.conversations import (
    customer_message,
    eventually,
    new_customer,
    new_mid,
    one,
    post_webhook,
)
from tests.support.live_server import free_port
from tests.support.processes import running, wait_until_healthy
from tests.support.workers import clear_job_queue, worker


@dataclass(frozen=True)
class Deployment:
    """Two API processes (sharing one public URL, as behind a load balancer) and a worker."""

    api_a: str
    api_b: str
    public_url: str


@pytest.fixture(scope="module")
def deployment(
    settings: Settings, migrated_database: str, fake_graph_server: FakeGraph
) -> Iterator[Deployment]:
    clear_job_queue(settings)
    ports = free_port(), free_port()
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    shared = {
        "PUBLIC_URL": urls[0],  # tokens are issued for one public URL, whichever process
        "META_GRAPH_BASE_URL": fake_graph_server.url,
        "LOG_LEVEL": "WARNING",
    }
    api = ("uvicorn", "api.main:app", "--host", "127.0.0.1", "--no-access-log", "--port")
    with (
        running(*api, str(ports[0]), env=shared),
        running(*api, str(ports[1]), env=shared),
        worker(
            {
                **shared,
                "META_RETRY_INITIAL_SECONDS": "0.05",
                "RESPONDER_DEBOUNCE_SECONDS": "0.2",
            }
        ),
    ):
        for url in urls:
            wait_until_healthy(url, seconds=180)  # importing the app is slow on a busy machine
        yield Deployment(api_a=urls[0], api_b=urls[1], public_url=urls[0])


async def _sends(fake: FakeGraph, customer: str, count: int) -> list[RecordedSend]:
    """The sends to `customer`, once there are at least `count`."""

    def enough() -> list[RecordedSend]:
        found = fake.controller.sends_to(customer)
        return found if len(found) >= count else []

    sends: list[RecordedSend] = await eventually(enough, within=60)
    return sends


async def test_a_worker_s_events_reach_a_dashboard_on_the_other_api_process(
    deployment: Deployment, fake_graph: FakeGraph, pg: psycopg.Connection, settings: Settings
) -> None:
    shop = open_shop(pg, settings, issuer_url=deployment.public_url)
    rival = open_shop(pg, settings, issuer_url=deployment.public_url)
    customer = new_customer()
    async with (
        event_stream(deployment.api_b, headers=shop.auth) as dashboard,
        event_stream(deployment.api_a, headers=rival.auth) as rivals,
    ):
        start = await dashboard.wait_for(lambda e: e.event == "ready")
        await rivals.wait_for(lambda e: e.event == "ready")
        async with httpx.AsyncClient(base_url=deployment.api_a) as meta:
            posted = await post_webhook(
                meta,
                shop.connection,
                customer_message(shop.connection, customer, "I want a refund, it was terrible!"),
            )
        assert posted.status_code == 200

        started = await dashboard.wait_for(lambda e: e.event == "new_conversation")
        conversation_id = started.json()["conversation_id"]
        asked = await dashboard.wait_for(
            event_of("new_message", conversation_id, sender="customer")
        )  # from API A
        answered = await dashboard.wait_for(
            event_of("new_message", conversation_id, sender="ai_bot"), within=60
        )
        escalated = await dashboard.wait_for(
            lambda e: (
                e.event == "conversation_updated"
                and e.json().get("status") == "escalated_human_needed"
            )
        )
        notified = await dashboard.wait_for(lambda e: e.event == "notification")
        assert notified.json()["kind"] == "escalation"
        assert notified.json()["conversation_id"] == conversation_id
        [reply] = await _sends(fake_graph, customer, 1)
        assert reply.text == answered.json()["message"]["text_content"]
        # The rival's dashboard, on the process that received the webhook, saw none of it.
        assert [e.event for e in rivals.events] == ["ready"]

    # A reconnect to the other process replays the same events, with the same ids.
    assert start.id is not None
    async with event_stream(
        deployment.api_a, headers={**shop.auth, "Last-Event-ID": start.id}
    ) as resumed:
        ready = await resumed.wait_for(lambda e: e.event == "ready")
        assert ready.json()["resumed"] is True
        replayed = resumed.events[: ready.json()["replayed"]]
        ids = [e.id for e in replayed]
        for event in (started, asked, answered, escalated, notified):
            assert event.id in ids
        assert ids == sorted(ids, key=lambda i: tuple(int(p) for p in str(i).split("-")))


async def test_a_person_s_reply_is_delivered_and_silences_the_bot_until_handed_back(
    deployment: Deployment, fake_graph: FakeGraph, pg: psycopg.Connection, settings: Settings
) -> None:
    shop = open_shop(pg, settings, issuer_url=deployment.public_url)
    customer = new_customer()
    async with httpx.AsyncClient(base_url=deployment.api_a) as meta:

        async def customer_says(text: str) -> str:
            mid = new_mid()
            message = customer_message(shop.connection, customer, text, mid=mid)
            assert (await post_webhook(meta, shop.connection, message)).status_code == 200
            return mid

        def taken_up(mid: str) -> bool:
            return bool(
                one(
                    pg,
                    "SELECT count(*) FROM messages WHERE platform_message_id = %s "
                    "AND handled_at IS NOT NULL",
                    mid,
                )
            )

        await customer_says("I want a refund, it was terrible!")
        await _sends(fake_graph, customer, 1)  # the bot's holding message
        conversation_id = one(
            pg, "SELECT id FROM conversations WHERE customer_platform_id = %s", customer
        )

        async with shop.client(deployment.api_b) as owner:
            sent = await owner.post(
                f"/api/v1/conversations/{conversation_id}/messages",
                json={"text_content": "So sorry! What's your order number?"},
            )
            assert sent.status_code == 201, sent.text
            human = (await _sends(fake_graph, customer, 2))[-1]
            assert human.text == "So sorry! What's your order number?"
            assert human.body["messaging_type"] == "RESPONSE"  # within 24 h of the customer
            await eventually(
                lambda: (
                    one(pg, "SELECT delivery_status FROM messages WHERE id = %s", sent.json()["id"])
                    == "sent"
                )
            )

            # The bot stays quiet: the next message is recorded and the owner told, no reply.
            quiet = await customer_says("It's #1042")
            await eventually(lambda: taken_up(quiet), within=60)
            assert len(fake_graph.controller.sends_to(customer)) == 2
            assert (
                one(pg, "SELECT status::text FROM conversations WHERE id = %s", conversation_id)
                == "active_human"
            )

            handed = await owner.put(
                f"/api/v1/conversations/{conversation_id}/status", json={"status": "active_ai"}
            )
            assert handed.json()["status"] == "active_ai"
        await customer_says("Thanks! Do you deliver to Lekki?")
        bot = (await _sends(fake_graph, customer, 3))[-1]
    # The bot answered again once handed back (its message takes the platform's id once
    # the worker has recorded the send).
    await eventually(
        lambda: (
            one(
                pg,
                "SELECT count(*) FROM messages WHERE conversation_id = %s "
                "AND sender_type = 'ai_bot' AND platform_message_id = %s",
                conversation_id,
                bot.message_id,
            )
            == 1
        )
    )


async def test_a_late_human_reply_on_instagram_goes_out_with_the_human_agent_tag(
    deployment: Deployment, fake_graph: FakeGraph, pg: psycopg.Connection, settings: Settings
) -> None:
    shop = open_shop(pg, settings, issuer_url=deployment.public_url)
    customer = new_customer()
    two_days_ago = utcnow() - timedelta(days=2)
    conversation = seed_conversation(
        pg,
        shop,
        customer=customer,
        status="escalated_human_needed",
        messages=[("customer", "Is my order coming?", two_days_ago)],
    )
    async with shop.client(deployment.api_a) as owner:
        sent = await owner.post(
            f"/api/v1/conversations/{conversation}/messages",
            json={"text_content": "Sorry for the wait, it ships today."},
        )
    assert sent.status_code == 201
    [send] = await _sends(fake_graph, customer, 1)
    assert (send.body["messaging_type"], send.body["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")
