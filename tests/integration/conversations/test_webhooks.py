"""Meta webhooks over real HTTP against the live server, real Postgres and Redis."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import httpx
import psycopg
from redis.asyncio import Redis

from channels.signature import HEADER, sign
from core.settings import Settings
from store.tables.base import utcnow
from tests.support.conversations import (
    SeededConnection,
    customer_message,
    instagram_echo,
    new_customer,
    new_mid,
    one,
    post_webhook,
    rows,
    whatsapp_status,
)
from tests.support.live_server import start_live_server


def _events(pg: psycopg.Connection, connection: SeededConnection) -> int:
    return int(
        one(pg, "SELECT count(*) FROM webhook_events WHERE connection_id = %s", connection.id)
    )


def _messages(pg: psycopg.Connection, connection: SeededConnection) -> list[tuple[object, ...]]:
    return rows(
        pg,
        "SELECT platform_message_id, sender_type::text, content_type::text, "
        "text_content, handled_at IS NOT NULL FROM messages "
        "WHERE business_id = %s ORDER BY platform_timestamp",
        connection.business_id,
    )


async def _respond_job_exists(redis: Redis, message_id: object) -> bool:
    return bool(await redis.exists(f"arq:job:respond:{message_id}"))


# --- the handshake -------------------------------------------------------------------------


async def test_handshake_echoes_the_challenge(
    api: httpx.AsyncClient, instagram: SeededConnection, pg: psycopg.Connection
) -> None:
    response = await api.get(
        instagram.webhook_path(),
        params={
            "hub.mode": "subscribe",
            "hub.verify_token": instagram.verify_token,
            "hub.challenge": "1158201444",
        },
    )
    assert response.status_code == 200
    assert response.text == "1158201444"
    assert response.headers["content-type"].startswith("text/plain")
    assert (
        one(pg, "SELECT last_webhook_status FROM social_connections WHERE id = %s", instagram.id)
        == "verified"
    )


async def test_handshake_refuses_a_wrong_token_or_mode(
    api: httpx.AsyncClient, whatsapp: SeededConnection
) -> None:
    wrong_token = await api.get(
        whatsapp.webhook_path(),
        params={"hub.mode": "subscribe", "hub.verify_token": "not-it", "hub.challenge": "1"},
    )
    wrong_mode = await api.get(
        whatsapp.webhook_path(),
        params={
            "hub.mode": "unsubscribe",
            "hub.verify_token": whatsapp.verify_token,
            "hub.challenge": "1",
        },
    )
    missing = await api.get(whatsapp.webhook_path(), params={"hub.challenge": "1"})
    assert [r.status_code for r in (wrong_token, wrong_mode, missing)] == [403, 403, 403]
    assert wrong_token.json()["error"]["code"] == "verify_token_mismatch"


async def test_unknown_or_mismatched_addresses_are_404(
    api: httpx.AsyncClient, instagram: SeededConnection
) -> None:
    payload = customer_message(instagram, new_customer(), "hi")
    unknown = await api.post("/api/v1/webhooks/instagram/not-a-token", json=payload)
    wrong_platform = await api.post(
        f"/api/v1/webhooks/whatsapp/{instagram.path_token}", json=payload
    )
    no_platform = await api.get(f"/api/v1/webhooks/telegram/{instagram.path_token}")
    assert [r.status_code for r in (unknown, wrong_platform, no_platform)] == [404, 404, 404]
    assert unknown.json()["error"]["code"] == "not_found"


# --- signatures ----------------------------------------------------------------------------


async def test_missing_or_bad_signatures_store_nothing(
    api: httpx.AsyncClient, instagram: SeededConnection, pg: psycopg.Connection
) -> None:
    payload = customer_message(instagram, new_customer(), "hello?")
    missing = await post_webhook(api, instagram, payload, sign=False)
    wrong_secret = await post_webhook(api, instagram, payload, secret="someone-elses-secret")
    body = json.dumps(payload).encode()
    tampered = await api.post(
        instagram.webhook_path(),
        content=body.replace(b"hello?", b"HELLO!"),
        headers={HEADER: sign(body, instagram.app_secret)},
    )
    assert (missing.status_code, missing.json()["error"]["code"]) == (401, "signature_missing")
    assert (wrong_secret.status_code, wrong_secret.json()["error"]["code"]) == (
        403,
        "signature_invalid",
    )
    assert tampered.status_code == 403
    assert _events(pg, instagram) == 0
    assert _messages(pg, instagram) == []


async def test_a_signed_message_is_stored_and_the_responder_enqueued(
    api: httpx.AsyncClient, instagram: SeededConnection, pg: psycopg.Connection, redis: Redis
) -> None:
    customer, mid = new_customer(), new_mid()
    response = await post_webhook(
        api, instagram, customer_message(instagram, customer, "Is the tote in stock?", mid=mid)
    )
    assert (response.status_code, response.text) == (200, "EVENT_RECEIVED")
    assert (
        one(pg, "SELECT status FROM webhook_events WHERE connection_id = %s", instagram.id)
        == "processed"
    )
    conversation = rows(
        pg,
        "SELECT id, status::text, unread_count, last_message_snippet, "
        "last_customer_message_at IS NOT NULL FROM conversations "
        "WHERE social_connection_id = %s AND customer_platform_id = %s",
        instagram.id,
        customer,
    )
    assert [c[1:] for c in conversation] == [("active_ai", 1, "Is the tote in stock?", True)]
    assert _messages(pg, instagram) == [(mid, "customer", "text", "Is the tote in stock?", False)]
    assert rows(
        pg,
        "SELECT from_status, to_status::text, actor FROM "
        "conversation_status_history WHERE conversation_id = %s",
        conversation[0][0],
    ) == [(None, "active_ai", "customer")]
    message_id = one(pg, "SELECT id FROM messages WHERE platform_message_id = %s", mid)
    assert await _respond_job_exists(redis, message_id)


async def test_a_message_with_text_postgres_cannot_store_is_stored_cleaned(
    api: httpx.AsyncClient, instagram: SeededConnection, pg: psycopg.Connection, redis: Redis
) -> None:
    """Postgres stores no NUL and no lone surrogate in text or JSON; a delivery carrying
    them must still be stored (an error would make Meta redeliver it until it gives up:
    the message would be lost)."""
    customer, mid = new_customer(), new_mid()
    payload = customer_message(instagram, customer, "Is the tote\x00 in stock? \ud83d", mid=mid)
    payload["entry"][0]["messaging"][0]["message"]["attachments\x00"] = []
    response = await post_webhook(api, instagram, payload)
    assert (response.status_code, response.text) == (200, "EVENT_RECEIVED")
    assert _messages(pg, instagram) == [
        (mid, "customer", "text", "Is the tote in stock? \ufffd", False)
    ]
    stored = one(
        pg, "SELECT payload::text FROM webhook_events WHERE connection_id = %s", instagram.id
    )
    assert "Is the tote in stock?" in stored
    assert "\\u0000" not in stored
    message_id = one(pg, "SELECT id FROM messages WHERE platform_message_id = %s", mid)
    assert await _respond_job_exists(redis, message_id)


async def test_a_message_with_an_impossible_timestamp_is_stored_as_it_arrived(
    api: httpx.AsyncClient, instagram: SeededConnection, pg: psycopg.Connection
) -> None:
    mid = new_mid()
    payload = customer_message(instagram, new_customer(), "hello", mid=mid)
    payload["entry"][0]["messaging"][0]["timestamp"] = 10**30
    before = utcnow()
    response = await post_webhook(api, instagram, payload)
    assert (response.status_code, response.text) == (200, "EVENT_RECEIVED")
    stored_at = one(
        pg, "SELECT platform_timestamp FROM messages WHERE platform_message_id = %s", mid
    )
    assert before <= stored_at <= utcnow()


async def test_a_redelivered_webhook_creates_and_enqueues_nothing(
    api: httpx.AsyncClient, whatsapp: SeededConnection, pg: psycopg.Connection, redis: Redis
) -> None:
    customer = new_customer("wa")
    payload = customer_message(whatsapp, customer, "hello", name="Ada")
    first = await post_webhook(api, whatsapp, payload)
    message_id = one(pg, "SELECT id FROM messages WHERE business_id = %s", whatsapp.business_id)
    # As if the worker had run it: arq drops the job from the queue and its key.
    await redis.zrem("arq:queue", f"respond:{message_id}")
    await redis.delete(f"arq:job:respond:{message_id}")
    again = await post_webhook(api, whatsapp, payload)
    assert (first.status_code, again.status_code) == (200, 200)
    assert len(_messages(pg, whatsapp)) == 1
    assert (
        one(
            pg,
            "SELECT unread_count FROM conversations WHERE business_id = %s",
            whatsapp.business_id,
        )
        == 1
    )
    assert (
        one(
            pg,
            "SELECT customer_name FROM conversations WHERE business_id = %s",
            whatsapp.business_id,
        )
        == "Ada"
    )
    assert _events(pg, whatsapp) == 2  # every delivery is kept raw
    assert not await _respond_job_exists(redis, message_id)


async def test_out_of_order_deliveries_never_move_the_conversation_back(
    api: httpx.AsyncClient, instagram: SeededConnection, pg: psycopg.Connection
) -> None:
    customer, later = new_customer(), utcnow()
    earlier = later - timedelta(seconds=30)
    await post_webhook(api, instagram, customer_message(instagram, customer, "second", at=later))
    await post_webhook(api, instagram, customer_message(instagram, customer, "first", at=earlier))
    last_at, snippet, last_customer_at, unread = rows(
        pg,
        "SELECT last_message_at, last_message_snippet, last_customer_message_at, "
        "unread_count FROM conversations WHERE business_id = %s",
        instagram.business_id,
    )[0]
    assert (snippet, unread) == ("second", 2)
    assert abs((last_at - later).total_seconds()) < 0.01
    assert abs((last_customer_at - later).total_seconds()) < 0.01
    assert [m[3] for m in _messages(pg, instagram)] == ["first", "second"]


async def test_every_whatsapp_message_type_is_recorded(
    api: httpx.AsyncClient, whatsapp: SeededConnection, pg: psycopg.Connection, redis: Redis
) -> None:
    customer = new_customer("wa")
    base = customer_message(whatsapp, customer, "x")
    value = base["entry"][0]["changes"][0]["value"]
    ts = value["messages"][0]["timestamp"]
    value["messages"] = [
        {
            "from": customer,
            "id": "wamid.img" + new_mid(),
            "timestamp": ts,
            "type": "image",
            "image": {"id": "media-1", "mime_type": "image/jpeg", "caption": "this one?"},
        },
        {
            "from": customer,
            "id": "wamid.loc" + new_mid(),
            "timestamp": ts,
            "type": "location",
            "location": {"latitude": 6.45, "longitude": 3.39, "name": "Shop"},
        },
        {
            "from": customer,
            "id": "wamid.btn" + new_mid(),
            "timestamp": ts,
            "type": "interactive",
            "interactive": {"type": "button_reply", "button_reply": {"id": "b1", "title": "Yes"}},
        },
        {
            "from": customer,
            "id": "wamid.rx" + new_mid(),
            "timestamp": ts,
            "type": "reaction",
            "reaction": {"message_id": "wamid.x", "emoji": "👍"},
        },
        {
            "from": customer,
            "id": "wamid.un" + new_mid(),
            "timestamp": ts,
            "type": "unsupported",
            "errors": [{"code": 131051, "title": "Message type unknown"}],
        },
    ]
    assert (await post_webhook(api, whatsapp, base)).status_code == 200
    assert {(m[2], m[3]) for m in _messages(pg, whatsapp)} == {
        ("image", "this one?"),
        ("unsupported", "[location] Shop (6.45, 3.39)"),
        ("text", "Yes"),
        ("unsupported", "Reacted 👍"),
        ("unsupported", "[unsupported]"),
    }
    reaction_id = one(
        pg,
        "SELECT id FROM messages WHERE business_id = %s AND text_content = 'Reacted 👍'",
        whatsapp.business_id,
    )
    assert one(pg, "SELECT handled_at IS NOT NULL FROM messages WHERE id = %s", reaction_id)
    assert not await _respond_job_exists(redis, reaction_id)


# --- receipts and echoes -------------------------------------------------------------------


def _outgoing(
    pg: psycopg.Connection, connection: SeededConnection, customer: str, provider_id: str
) -> object:
    """An AI reply already sent on a (new) conversation with `customer`; its message id."""
    conversation_id = one(
        pg,
        "INSERT INTO conversations (id, business_id, social_connection_id, "
        "customer_platform_id, last_message_at, last_customer_message_at) "
        "VALUES (gen_random_uuid(), %s, %s, %s, now(), now()) RETURNING id",
        connection.business_id,
        connection.id,
        customer,
    )
    message_id = one(
        pg,
        "INSERT INTO messages (id, conversation_id, business_id, platform_message_id, "
        "sender_type, text_content, platform_timestamp, delivery_status) VALUES "
        "(gen_random_uuid(), %s, %s, %s, 'ai_bot', 'Yes, in stock.', now(), 'sent') "
        "RETURNING id",
        conversation_id,
        connection.business_id,
        provider_id,
    )
    pg.execute(
        "INSERT INTO outbox (id, kind, business_id, conversation_id, message_id, "
        "idempotency_key, recipient, payload, status, provider_message_id) VALUES "
        "(gen_random_uuid(), %s, %s, %s, %s, %s, %s, %s, 'sent', %s)",
        (
            f"{connection.platform}_message",
            connection.business_id,
            conversation_id,
            message_id,
            f"test:{provider_id}",
            customer,
            json.dumps({"text": "Yes, in stock.", "provider_message_ids": [provider_id]}),
            provider_id,
        ),
    )
    return message_id


async def test_statuses_move_delivery_forward_only(
    api: httpx.AsyncClient, whatsapp: SeededConnection, pg: psycopg.Connection
) -> None:
    customer, wamid = new_customer("wa"), "wamid." + new_mid()
    message_id = _outgoing(pg, whatsapp, customer, wamid)

    def delivery() -> str:
        return str(one(pg, "SELECT delivery_status FROM messages WHERE id = %s", message_id))

    await post_webhook(api, whatsapp, whatsapp_status(whatsapp, wamid, "delivered", customer))
    assert delivery() == "delivered"
    await post_webhook(api, whatsapp, whatsapp_status(whatsapp, wamid, "sent", customer))
    assert delivery() == "delivered"  # a late "sent" does not undo "delivered"
    await post_webhook(api, whatsapp, whatsapp_status(whatsapp, wamid, "read", customer))
    assert delivery() == "read"


async def test_a_failed_status_marks_the_message_and_tells_the_owner(
    api: httpx.AsyncClient, whatsapp: SeededConnection, pg: psycopg.Connection
) -> None:
    customer, wamid = new_customer("wa"), "wamid." + new_mid()
    message_id = _outgoing(pg, whatsapp, customer, wamid)
    await post_webhook(
        api, whatsapp, whatsapp_status(whatsapp, wamid, "failed", customer, error_code=131047)
    )
    assert one(pg, "SELECT delivery_status FROM messages WHERE id = %s", message_id) == "failed"
    assert rows(
        pg, "SELECT kind, body FROM notifications WHERE business_id = %s", whatsapp.business_id
    ) == [("delivery_failed", "The platform reported: 131047: Re-engagement message.")]


async def test_instagram_read_receipts_mark_the_message_read(
    api: httpx.AsyncClient, instagram: SeededConnection, pg: psycopg.Connection
) -> None:
    customer, mid = new_customer(), new_mid()
    message_id = _outgoing(pg, instagram, customer, mid)
    millis = int(utcnow().timestamp() * 1000)
    read = {
        "object": "instagram",
        "entry": [
            {
                "id": instagram.account_id,
                "time": millis,
                "messaging": [
                    {
                        "sender": {"id": customer},
                        "recipient": {"id": instagram.account_id},
                        "timestamp": millis,
                        "read": {"mid": mid},
                    }
                ],
            }
        ],
    }
    assert (await post_webhook(api, instagram, read)).status_code == 200
    assert one(pg, "SELECT delivery_status FROM messages WHERE id = %s", message_id) == "read"


async def test_an_echo_chidi_did_not_send_means_a_person_took_over(
    api: httpx.AsyncClient, instagram: SeededConnection, pg: psycopg.Connection, redis: Redis
) -> None:
    customer = new_customer()
    await post_webhook(api, instagram, customer_message(instagram, customer, "hello"))
    echo_mid = new_mid()
    response = await post_webhook(
        api,
        instagram,
        instagram_echo(instagram, customer, "Hi! This is Ada, how can I help?", echo_mid),
    )
    assert response.status_code == 200
    conversation_id, status = rows(
        pg,
        "SELECT id, status::text FROM conversations WHERE business_id = %s",
        instagram.business_id,
    )[0]
    assert status == "active_human"
    assert (
        one(pg, "SELECT sender_type::text FROM messages WHERE platform_message_id = %s", echo_mid)
        == "business_human"
    )
    assert rows(
        pg,
        "SELECT from_status::text, to_status::text, actor FROM "
        "conversation_status_history WHERE conversation_id = %s "
        "ORDER BY created_at DESC LIMIT 1",
        conversation_id,
    ) == [("active_ai", "active_human", "human")]
    echo_message = one(pg, "SELECT id FROM messages WHERE platform_message_id = %s", echo_mid)
    assert not await _respond_job_exists(redis, echo_message)


async def test_an_echo_of_chidis_own_reply_changes_nothing(
    api: httpx.AsyncClient, instagram: SeededConnection, pg: psycopg.Connection
) -> None:
    customer, mid = new_customer(), new_mid()
    _outgoing(pg, instagram, customer, mid)
    await post_webhook(api, instagram, instagram_echo(instagram, customer, "Yes, in stock.", mid))
    assert (
        one(
            pg,
            "SELECT status::text FROM conversations WHERE business_id = %s",
            instagram.business_id,
        )
        == "active_ai"
    )
    assert (
        one(pg, "SELECT count(*) FROM messages WHERE business_id = %s", instagram.business_id) == 1
    )


# --- limits and failures -------------------------------------------------------------------


async def test_bodies_over_the_webhook_limit_are_refused(
    api: httpx.AsyncClient, instagram: SeededConnection, settings: Settings, pg: psycopg.Connection
) -> None:
    payload = customer_message(
        instagram, new_customer(), "x" * (settings.webhook_max_body_bytes + 10)
    )
    response = await post_webhook(api, instagram, payload)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert _events(pg, instagram) == 0


async def test_a_disconnected_account_gets_404(
    api: httpx.AsyncClient, instagram: SeededConnection, pg: psycopg.Connection
) -> None:
    pg.execute("UPDATE social_connections SET is_active = false WHERE id = %s", (instagram.id,))
    response = await post_webhook(api, instagram, customer_message(instagram, new_customer(), "hi"))
    assert response.status_code == 404
    assert _events(pg, instagram) == 0


async def test_a_database_failure_answers_5xx_so_meta_retries(
    settings: Settings, instagram: SeededConnection
) -> None:
    broken = settings.model_copy(
        update={"database_url": "postgresql+psycopg://postgres@127.0.0.1:1/unreachable"}
    )
    server = start_live_server(broken)
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            response = await post_webhook(
                client, instagram, customer_message(instagram, new_customer(), "hi")
            )
    finally:
        server.stop()
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"


async def test_deliveries_are_stored_after_the_database_dropped_its_connections(
    api: httpx.AsyncClient, instagram: SeededConnection, pg: psycopg.Connection
) -> None:
    """A restarted Postgres leaves the pool's connections dead: the next delivery is still
    stored (checked connections are replaced), none is lost."""
    customer = new_customer()
    first = await post_webhook(api, instagram, customer_message(instagram, customer, "one"))
    assert first.status_code == 200
    pg.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid() "
        "AND backend_type = 'client backend'"
    )
    replies = await asyncio.gather(
        *(
            post_webhook(api, instagram, customer_message(instagram, customer, text))
            for text in ("two", "three", "four")
        )
    )
    assert [r.status_code for r in replies] == [200, 200, 200]
    assert sorted(str(m[3]) for m in _messages(pg, instagram)) == ["four", "one", "three", "two"]


async def test_concurrent_first_messages_make_one_conversation(
    api: httpx.AsyncClient, whatsapp: SeededConnection, pg: psycopg.Connection
) -> None:
    customer = new_customer("wa")
    responses = await asyncio.gather(
        *(
            post_webhook(api, whatsapp, customer_message(whatsapp, customer, f"message {i}"))
            for i in range(12)
        )
    )
    assert {r.status_code for r in responses} == {200}
    assert rows(
        pg,
        "SELECT count(*), sum(unread_count) FROM conversations WHERE business_id = %s",
        whatsapp.business_id,
    ) == [(1, 12)]
    assert len(_messages(pg, whatsapp)) == 12
    assert (
        one(
            pg,
            "SELECT count(*) FROM conversation_status_history h JOIN conversations c "
            "ON c.id = h.conversation_id WHERE c.business_id = %s",
            whatsapp.business_id,
        )
        == 1
    )


async def test_a_customer_writing_again_reopens_a_resolved_conversation(
    api: httpx.AsyncClient, instagram: SeededConnection, pg: psycopg.Connection
) -> None:
    customer = new_customer()
    await post_webhook(api, instagram, customer_message(instagram, customer, "thanks!"))
    pg.execute(
        "UPDATE conversations SET status = 'resolved_by_human' WHERE business_id = %s",
        (instagram.business_id,),
    )
    await post_webhook(api, instagram, customer_message(instagram, customer, "one more thing"))
    conversation_id, status = rows(
        pg,
        "SELECT id, status::text FROM conversations WHERE business_id = %s",
        instagram.business_id,
    )[0]
    assert status == "active_ai"
    assert rows(
        pg,
        "SELECT from_status::text, to_status::text, actor, reason FROM "
        "conversation_status_history WHERE conversation_id = %s ORDER BY created_at",
        conversation_id,
    )[-1] == ("resolved_by_human", "active_ai", "customer", "The customer wrote again.")


async def test_disconnecting_takes_effect_even_for_a_recently_seen_address(
    api: httpx.AsyncClient, instagram: SeededConnection, pg: psycopg.Connection
) -> None:
    customer = new_customer()
    first = await post_webhook(api, instagram, customer_message(instagram, customer, "hi"))
    pg.execute("UPDATE social_connections SET is_active = false WHERE id = %s", (instagram.id,))
    second = await post_webhook(api, instagram, customer_message(instagram, customer, "hello?"))
    assert (first.status_code, second.status_code) == (200, 404)
    assert _events(pg, instagram) == 1
    assert [m[3] for m in _messages(pg, instagram)] == ["hi"]
