"""A worker killed with SIGKILL in the middle of sending: after a restart, exactly one reply.

The fake Graph API accepts the holding message and holds its answer back; the worker is
killed while waiting for it, so the message went out but nothing was recorded. The next
worker's sweeper re-drives the row once its lease has run out, sends it again with the same
idempotency key, gets the first answer back, and records it: one message reached the
customer, and the outbox knows its id.
"""

from __future__ import annotations

import httpx
import psycopg

from agents.responder import HOLDING_MESSAGE
from core.settings import Settings
from tests.fakes.graph_api import Delay, FakeGraph
from tests.support.conversations import (
    SeededConnection,
    customer_message,
    eventually,
    new_customer,
    one,
    post_webhook,
    rows,
)
from tests.support.workers import clear_job_queue, worker


async def test_a_worker_killed_mid_send_sends_exactly_once_after_restart(
    api: httpx.AsyncClient,
    instagram: SeededConnection,
    fake_graph: FakeGraph,
    pg: psycopg.Connection,
    settings: Settings,
) -> None:
    clear_job_queue(settings)
    env = {
        "META_GRAPH_BASE_URL": fake_graph.url,
        "OUTBOX_SENDING_LEASE_SECONDS": "6",
        "META_HTTP_TIMEOUT_SECONDS": "30",
    }
    fake_graph.controller.script(Delay(20, accept=True))
    customer = new_customer()

    def holding_row() -> tuple[object, ...]:
        found = rows(
            pg,
            "SELECT o.status, o.attempts, o.provider_message_id FROM outbox o "
            "JOIN conversations c ON c.id = o.conversation_id "
            "WHERE c.customer_platform_id = %s",
            customer,
        )
        return found[0] if found else ()

    with worker(env) as doomed:
        await post_webhook(
            api, instagram, customer_message(instagram, customer, "can I talk to a person please")
        )
        # The first send waits for the worker to boot (imports, embedding model): slow on a
        # busy machine.
        await eventually(lambda: fake_graph.controller.sends_to(customer), within=90)
        doomed.kill()  # SIGKILL: the send is out, its answer not yet back
        doomed.wait()
    assert holding_row()[:2] == ("sending", 1)

    with worker(env):
        await eventually(lambda: holding_row()[:1] == ("sent",), within=90)

    [sent] = fake_graph.controller.sends_to(customer)
    assert sent.text == HOLDING_MESSAGE
    assert holding_row() == ("sent", 2, sent.message_id)
    assert (
        one(
            pg,
            "SELECT delivery_status FROM messages WHERE platform_message_id = %s",
            sent.message_id,
        )
        == "sent"
    )
    assert fake_graph.controller.send_attempts == 2  # the repeat was answered, not resent
