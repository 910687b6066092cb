"""The inbox API over real HTTP: listing, search, messages, owner actions, errors."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import psycopg

from store.tables.base import utcnow
from tests.integration.inbox.support import Shop, seed_conversation
from tests.support.conversations import one, rows
from tests.support.live_server import LiveServer

NOW = utcnow()


def _ago(minutes: float) -> Any:
    return NOW - timedelta(minutes=minutes)


def _error(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    error: dict[str, Any] = body["error"]
    return error


async def test_the_list_filters_sorts_and_pages_the_callers_conversations(
    owner_api: httpx.AsyncClient, shop: Shop, rival: Shop, pg: psycopg.Connection
) -> None:
    old = seed_conversation(pg, shop, name="Ada Obi", messages=[("customer", "hi", _ago(30))])
    escalated = seed_conversation(
        pg,
        shop,
        name="Bola",
        status="escalated_human_needed",
        messages=[("customer", "refund please", _ago(10))],
    )
    newest = seed_conversation(pg, shop, name="Chi", messages=[("customer", "price?", _ago(1))])
    seed_conversation(pg, rival, name="Ada Obi", messages=[("customer", "hi", _ago(2))])

    listed = (await owner_api.get("/api/v1/conversations")).json()
    assert [c["id"] for c in listed["items"]] == [str(newest), str(escalated), str(old)]
    assert (listed["total"], listed["page"], listed["limit"]) == (3, 1, 20)
    item = listed["items"][1]
    assert (item["platform"], item["status"], item["customer_name"]) == (
        "instagram",
        "escalated_human_needed",
        "Bola",
    )
    assert item["last_message_snippet"] == "refund please"

    oldest_first = (await owner_api.get("/api/v1/conversations", params={"order": "asc"})).json()
    assert [c["id"] for c in oldest_first["items"]] == [str(old), str(escalated), str(newest)]
    second_page = (
        await owner_api.get("/api/v1/conversations", params={"limit": 2, "page": 2})
    ).json()
    assert ([c["id"] for c in second_page["items"]], second_page["total"]) == ([str(old)], 3)
    by_status = await owner_api.get(
        "/api/v1/conversations",
        params=[("status", "escalated_human_needed"), ("status", "active_human")],
    )
    assert [c["id"] for c in by_status.json()["items"]] == [str(escalated)]
    whatsapp = await owner_api.get("/api/v1/conversations", params={"platform": "whatsapp"})
    assert whatsapp.json()["total"] == 0


async def test_search_matches_word_prefixes_of_names_and_message_text(
    owner_api: httpx.AsyncClient, shop: Shop, rival: Shop, pg: psycopg.Connection
) -> None:
    ada = seed_conversation(
        pg,
        shop,
        name="Adaeze Okafor",
        messages=[("customer", "Do you deliver to Lekki?", _ago(5))],
    )
    refund = seed_conversation(
        pg,
        shop,
        name="Tunde",
        messages=[
            ("customer", "The zip on my Fjord jacket broke, I'd like a refund", _ago(9)),
            ("ai_bot", "Sorry to hear that!", _ago(8)),
            ("customer", "ok thanks", _ago(7)),
        ],
    )
    seed_conversation(pg, rival, name="Adaeze Other", messages=[("customer", "refund", _ago(1))])

    async def found(term: str) -> list[str]:
        listed = await owner_api.get("/api/v1/conversations", params={"search_term": term})
        assert listed.status_code == 200, listed.text
        return [c["id"] for c in listed.json()["items"]]

    assert await found("adae") == [str(ada)]  # the rival's Adaeze stays the rival's
    assert await found("OKAFOR") == [str(ada)]
    assert await found("refu") == [str(refund)]  # an older message, not the latest
    assert await found("fjord jack") == [str(refund)]
    assert await found("lekki refund") == []  # every word must match
    assert await found("!!! ???") == []
    assert set(await found("  ")) == {str(ada), str(refund)}  # blank: no filter


async def test_messages_page_backwards_and_forwards_by_cursor(
    owner_api: httpx.AsyncClient, shop: Shop, pg: psycopg.Connection
) -> None:
    texts = [f"message {n}" for n in range(7)]
    conversation = seed_conversation(
        pg, shop, messages=[("customer", text, _ago(30 - n)) for n, text in enumerate(texts)]
    )
    path = f"/api/v1/conversations/{conversation}/messages"
    latest = (await owner_api.get(path, params={"limit": 3})).json()
    assert [m["text_content"] for m in latest["items"]] == texts[4:]
    assert latest["has_more"] is True
    earlier = (
        await owner_api.get(
            path, params={"limit": 3, "before_message_id": latest["items"][0]["id"]}
        )
    ).json()
    assert [m["text_content"] for m in earlier["items"]] == texts[1:4]
    first = (
        await owner_api.get(
            path, params={"limit": 3, "before_message_id": earlier["items"][0]["id"]}
        )
    ).json()
    assert ([m["text_content"] for m in first["items"]], first["has_more"]) == (texts[:1], False)
    newer = (
        await owner_api.get(path, params={"limit": 2, "after_message_id": first["items"][0]["id"]})
    ).json()
    assert ([m["text_content"] for m in newer["items"]], newer["has_more"]) == (texts[1:3], True)
    message = latest["items"][-1]
    assert (message["sender_type"], message["content_type"], message["conversation_id"]) == (
        "customer",
        "text",
        str(conversation),
    )


async def test_bad_cursors_statuses_and_replies_are_refused_in_the_one_error_shape(
    owner_api: httpx.AsyncClient, shop: Shop, pg: psycopg.Connection
) -> None:
    conversation = seed_conversation(pg, shop)
    other = seed_conversation(pg, shop)
    other_message = one(pg, "SELECT id FROM messages WHERE conversation_id = %s", other)
    base = f"/api/v1/conversations/{conversation}"

    unknown = await owner_api.get(f"{base}/messages", params={"before_message_id": other_message})
    assert _error(unknown, 422)["code"] == "invalid_cursor"
    malformed = await owner_api.get(f"{base}/messages", params={"after_message_id": "nope"})
    assert _error(malformed, 422)["code"] == "validation_error"
    both = await owner_api.get(
        f"{base}/messages",
        params={"before_message_id": str(uuid.uuid4()), "after_message_id": str(uuid.uuid4())},
    )
    assert _error(both, 422)["code"] == "validation_error"
    too_many = await owner_api.get(f"{base}/messages", params={"limit": 101})
    assert _error(too_many, 422)["details"][0]["field"] == "query.limit"

    not_a_status = await owner_api.put(f"{base}/status", json={"status": "done"})
    assert _error(not_a_status, 422)["code"] == "validation_error"
    bots_only = await owner_api.put(f"{base}/status", json={"status": "escalated_human_needed"})
    assert _error(bots_only, 422)["code"] == "status_not_settable"
    nothing = await owner_api.put(f"{base}/status", json={})
    assert _error(nothing, 422)["code"] == "validation_error"
    stranger = await owner_api.put(
        f"{base}/status", json={"assigned_to_user_id": str(uuid.uuid4())}
    )
    assert _error(stranger, 422)["details"][0]["field"] == "assigned_to_user_id"

    too_long = await owner_api.post(f"{base}/messages", json={"text_content": "x" * 4097})
    assert _error(too_long, 422)["details"][0]["field"] == "text_content"
    blank = await owner_api.post(f"{base}/messages", json={"text_content": "   "})
    assert _error(blank, 422)["code"] == "validation_error"
    image = await owner_api.post(
        f"{base}/messages", json={"text_content": "see", "content_type": "image"}
    )
    assert _error(image, 422)["code"] == "validation_error"
    too_many_tags = await owner_api.put(f"{base}/tags", json={"tags": [f"t{n}" for n in range(21)]})
    assert _error(too_many_tags, 422)["code"] == "validation_error"
    nul = await owner_api.post(f"{base}/messages", json={"text_content": "see\x00you"})
    assert _error(nul, 422)["details"][0]["field"] == "text_content"
    nul_note = await owner_api.post(f"{base}/notes", json={"text": "\x00"})
    assert _error(nul_note, 422)["details"][0]["field"] == "text"
    nul_tag = await owner_api.get("/api/v1/conversations", params={"tag": "vip\x00"})
    assert _error(nul_tag, 422)["details"] == [
        {
            "field": "query.tag",
            "message": "must be text without NUL characters",
            "type": "value_error",
        }
    ]
    # Nothing of this changed the conversation.
    assert rows(pg, "SELECT status::text, tags FROM conversations WHERE id = %s", conversation) == [
        ("active_ai", [])
    ]
    assert one(pg, "SELECT count(*) FROM outbox WHERE conversation_id = %s", conversation) == 0


async def test_another_business_s_conversation_is_not_found_on_every_route(
    owner_api: httpx.AsyncClient, rival: Shop, pg: psycopg.Connection
) -> None:
    theirs = seed_conversation(pg, rival, name="Their customer")
    message = one(pg, "SELECT id FROM messages WHERE conversation_id = %s", theirs)
    base = f"/api/v1/conversations/{theirs}"
    attempts = [
        owner_api.get(base),
        owner_api.get(f"{base}/messages"),
        owner_api.get(f"{base}/messages", params={"before_message_id": str(message)}),
        owner_api.post(f"{base}/messages", json={"text_content": "hello from a stranger"}),
        owner_api.put(f"{base}/status", json={"status": "archived"}),
        owner_api.post(f"{base}/notes", json={"text": "snooping"}),
        owner_api.put(f"{base}/tags", json={"tags": ["mine"]}),
    ]
    for attempt in attempts:
        assert _error(await attempt, 404)["code"] == "not_found"
    unknown = await owner_api.get(f"/api/v1/conversations/{uuid.uuid4()}")
    assert _error(unknown, 404)["message"] == "No such conversation."
    listed = (await owner_api.get("/api/v1/conversations", params={"search_term": "their"})).json()
    assert listed["total"] == 0
    assert rows(
        pg, "SELECT status::text, tags, notes FROM conversations WHERE id = %s", theirs
    ) == [("active_ai", [], None)]
    assert one(pg, "SELECT count(*) FROM outbox WHERE conversation_id = %s", theirs) == 0


async def test_a_request_without_a_token_is_refused(
    live_server: LiveServer, shop: Shop, pg: psycopg.Connection
) -> None:
    conversation = seed_conversation(pg, shop)
    async with httpx.AsyncClient(base_url=live_server.url) as anonymous:
        for response in (
            await anonymous.get("/api/v1/conversations"),
            await anonymous.get(f"/api/v1/conversations/{conversation}/messages"),
            await anonymous.get("/api/v1/conversations/stats"),
        ):
            assert _error(response, 401)["code"] == "missing_token"


async def test_a_human_reply_is_queued_and_takes_the_conversation_over(
    owner_api: httpx.AsyncClient, shop: Shop, pg: psycopg.Connection
) -> None:
    conversation = seed_conversation(
        pg, shop, status="escalated_human_needed", messages=[("customer", "refund?", _ago(3))]
    )
    pg.execute("UPDATE conversations SET unread_count = 2 WHERE id = %s", (conversation,))
    pg.execute("UPDATE messages SET handled_at = NULL WHERE conversation_id = %s", (conversation,))
    path = f"/api/v1/conversations/{conversation}/messages"
    sent = await owner_api.post(
        path,
        json={"text_content": "So sorry! Your order number?"},
        headers={"Idempotency-Key": "k1"},
    )
    assert sent.status_code == 201, sent.text
    message = sent.json()
    assert (message["sender_type"], message["delivery_status"], message["text_content"]) == (
        "business_human",
        "pending",
        "So sorry! Your order number?",
    )
    again = await owner_api.post(
        path,
        json={"text_content": "So sorry! Your order number?"},
        headers={"Idempotency-Key": "k1"},
    )
    assert again.json()["id"] == message["id"]  # a retried request sends nothing twice
    customer = one(pg, "SELECT customer_platform_id FROM conversations WHERE id = %s", conversation)
    assert rows(
        pg,
        "SELECT kind, recipient, payload->>'sender' FROM outbox WHERE conversation_id = %s",
        conversation,
    ) == [("instagram_message", customer, "business_human")]
    detail = (await owner_api.get(f"/api/v1/conversations/{conversation}")).json()
    assert (detail["status"], detail["unread_count"]) == ("active_human", 0)
    assert detail["last_message_snippet"] == "So sorry! Your order number?"
    assert detail["first_human_response_at"] is not None
    # The customer's waiting message counts as answered: the bot will not take it up.
    assert (
        one(
            pg,
            "SELECT count(*) FROM messages WHERE conversation_id = %s AND handled_at IS NULL "
            "AND sender_type = 'customer'",
            conversation,
        )
        == 0
    )
    assert rows(
        pg,
        "SELECT from_status::text, to_status::text, actor, changed_by_user_id "
        "FROM conversation_status_history WHERE conversation_id = %s",
        conversation,
    ) == [("escalated_human_needed", "active_human", "human", shop.owner_id)]


async def test_owners_resolve_archive_hand_back_assign_tag_and_note(
    owner_api: httpx.AsyncClient, shop: Shop, pg: psycopg.Connection
) -> None:
    conversation = seed_conversation(pg, shop, status="active_human")
    base = f"/api/v1/conversations/{conversation}"

    resolved = (await owner_api.put(f"{base}/status", json={"status": "resolved_by_human"})).json()
    assert (resolved["status"], resolved["resolved_at"] is not None) == ("resolved_by_human", True)
    assigned = (
        await owner_api.put(f"{base}/status", json={"assigned_to_user_id": str(shop.owner_id)})
    ).json()
    assert (assigned["status"], assigned["assigned_to_user_id"]) == (
        "resolved_by_human",
        str(shop.owner_id),
    )
    unassigned = (await owner_api.put(f"{base}/status", json={"assigned_to_user_id": None})).json()
    assert unassigned["assigned_to_user_id"] is None
    handed_back = (await owner_api.put(f"{base}/status", json={"status": "active_ai"})).json()
    assert handed_back["status"] == "active_ai"
    archived = (await owner_api.put(f"{base}/status", json={"status": "archived"})).json()
    assert archived["status"] == "archived"
    same = await owner_api.put(f"{base}/status", json={"status": "archived"})
    assert same.status_code == 200  # already there: nothing recorded

    tagged = (await owner_api.put(f"{base}/tags", json={"tags": [" VIP", "vip", "refund"]})).json()
    assert tagged["tags"] == ["VIP", "refund"]
    listed = (await owner_api.get("/api/v1/conversations", params={"tag": "refund"})).json()
    assert [c["id"] for c in listed["items"]] == [str(conversation)]
    await owner_api.post(f"{base}/notes", json={"text": "Called her."})
    noted = (await owner_api.post(f"{base}/notes", json={"text": "Refund sent."})).json()
    first, second = noted["notes"].split("\n\n")
    assert first.endswith("] Called her.")
    assert second.endswith("] Refund sent.")

    assert rows(
        pg,
        "SELECT from_status::text, to_status::text, actor FROM conversation_status_history "
        "WHERE conversation_id = %s ORDER BY created_at",
        conversation,
    ) == [
        ("active_human", "resolved_by_human", "human"),
        ("resolved_by_human", "active_ai", "human"),
        ("active_ai", "archived", "human"),
    ]


async def test_the_owners_numbers_come_from_the_status_history(
    owner_api: httpx.AsyncClient, shop: Shop, pg: psycopg.Connection
) -> None:
    def history(conversation: uuid.UUID, *moves: tuple[str, str, float]) -> None:
        for to_status, actor, minutes_ago in moves:
            pg.execute(
                "INSERT INTO conversation_status_history (id, conversation_id, business_id, "
                "to_status, actor, created_at) VALUES (gen_random_uuid(), %s, %s, %s, %s, %s)",
                (conversation, shop.business_id, to_status, actor, _ago(minutes_ago)),
            )

    quick = seed_conversation(pg, shop, status="resolved_by_human")
    history(
        quick,
        ("escalated_human_needed", "ai", 100),
        ("active_human", "human", 98),  # 2 min to respond
        ("resolved_by_human", "human", 90),  # 10 min to resolve
    )
    twice = seed_conversation(pg, shop, status="active_human")
    history(
        twice,
        ("escalated_human_needed", "ai", 80),
        ("active_human", "human", 76),  # 4 min
        ("active_ai", "human", 70),
        ("escalated_human_needed", "ai", 60),
        ("active_human", "human", 54),  # 6 min
    )
    waiting = seed_conversation(pg, shop, status="escalated_human_needed")
    history(waiting, ("escalated_human_needed", "ai", 5))
    ancient = seed_conversation(pg, shop, status="resolved_by_human")
    history(
        ancient,
        ("escalated_human_needed", "ai", 60 * 24 * 40),
        ("active_human", "human", 60 * 24 * 40 - 600),
    )

    stats = (await owner_api.get("/api/v1/conversations/stats")).json()
    assert (stats["window_days"], stats["escalations"], stats["awaiting_human"]) == (30, 4, 1)
    response = stats["time_to_first_human_response"]
    assert response["count"] == 3
    assert response["median_seconds"] == 240.0
    assert round(response["p90_seconds"]) == 336  # 240 + 0.8 * (360 - 240)
    assert stats["time_to_resolve"] == {
        "count": 1,
        "median_seconds": 600.0,
        "p90_seconds": 600.0,
    }
    assert stats["conversations_by_status"] == {
        "active_ai": 0,
        "escalated_human_needed": 1,
        "active_human": 1,
        "resolved_by_ai": 0,
        "resolved_by_human": 2,
        "archived": 0,
    }
    longer = (await owner_api.get("/api/v1/conversations/stats", params={"days": 60})).json()
    assert longer["escalations"] == 5
    bad = await owner_api.get("/api/v1/conversations/stats", params={"days": 0})
    assert _error(bad, 422)["code"] == "validation_error"
