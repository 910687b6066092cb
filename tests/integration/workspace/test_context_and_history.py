"""The editable profile (GET/PUT /api/v1/workspaces/context) and the chat history pages."""

from __future__ import annotations

from typing import Any

from arq.connections import ArqRedis
from redis.asyncio import Redis

from tests.support.workspace import Owner

CONTEXT = "/api/v1/workspaces/context"
HISTORY = "/api/v1/workspaces/chat_history"


async def embedding_jobs(redis: Redis, business: str) -> list[Any]:
    jobs = await ArqRedis(redis.connection_pool).queued_jobs()
    return [
        job for job in jobs if job.function == "embed_business_context" and business in job.args
    ]


async def test_a_new_owner_has_an_empty_profile(owner: Owner) -> None:
    profile = await owner.context()
    assert profile["name"] is None
    assert profile["profile_completeness_score"] == 0
    assert profile["onboarding_completed_at"] is None


async def test_put_changes_fields_and_reembeds_only_on_change(owner: Owner, redis: Redis) -> None:
    body = {
        "name": "  Ada   Styles ",
        "business_type": "fashion boutique",
        "social_media_presence": {"instagram": "ada.styles", "whatsapp": "+234 803 000 1111"},
        "policies": {"returns": "7 days", "hours": "9am-6pm"},
    }
    response = await owner.client.put(CONTEXT, json=body)
    assert response.status_code == 200, response.text
    profile = response.json()
    assert profile["name"] == "Ada Styles"
    assert profile["social_media_presence"] == {
        "instagram": "@ada.styles",
        "whatsapp": "+2348030001111",
    }
    assert profile["profile_completeness_score"] == 15 + 15 + 10 + 10
    assert (await owner.context())["policies"] == {"returns": "7 days", "hours": "9am-6pm"}
    business = profile["id"]
    assert len(await embedding_jobs(redis, business)) == 1

    same = await owner.client.put(CONTEXT, json={"name": "Ada Styles"})
    assert same.status_code == 200
    assert len(await embedding_jobs(redis, business)) == 1  # nothing changed, nothing queued

    cleared = await owner.client.put(CONTEXT, json={"business_type": None, "name": "Ada"})
    assert cleared.json()["business_type"] is None
    assert cleared.json()["name"] == "Ada"
    assert cleared.json()["social_media_presence"]["instagram"] == "@ada.styles"  # untouched
    assert len(await embedding_jobs(redis, business)) == 2


async def test_put_refuses_invalid_values_naming_the_field(owner: Owner) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"social_media_presence": {"instagram": "has spaces"}}, "social_media_presence"),
        ({"social_media_presence": {"myspace": "@x"}}, "social_media_presence"),
        ({"policies": {"returns": 7}}, "policies.returns"),
        ({"name": "x" * 201}, "name"),
        ({"goals_preferences": "bad\x00value"}, "goals_preferences"),
        ({"user_id": "someone-else"}, "user_id"),
    ]
    for body, field in cases:
        response = await owner.client.put(CONTEXT, json=body)
        assert response.status_code == 422, body
        error = response.json()["error"]
        assert error["code"] == "validation_error"
        assert any(detail["field"].startswith(field) for detail in error["details"]), error
    assert (await owner.context())["name"] is None  # nothing was written


async def test_another_owner_sees_only_their_own_profile(owner: Owner, rival: Owner) -> None:
    await owner.client.put(CONTEXT, json={"name": "Mine"})
    assert (await rival.context())["name"] is None
    assert (await rival.context())["id"] != (await owner.context())["id"]


async def test_history_pages_newest_first_without_gaps_or_repeats(owner: Owner) -> None:
    await owner.onboarding()
    for answer in ("Cozy Corner", "coffee shop", "skip", "skip"):
        await owner.onboarding(answer)
    seen: list[dict[str, Any]] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"thread": "onboarding", "limit": 3}
        if cursor:
            params["before"] = cursor
        page = (await owner.client.get(HISTORY, params=params)).json()
        pages += 1
        seen.extend(page["messages"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert len(seen) == 9  # the welcome, then four answers and four replies
    assert len({m["id"] for m in seen}) == 9
    stamps = [m["timestamp"] for m in seen]
    assert stamps == sorted(stamps, reverse=True)
    assert seen[-1]["sender_type"] == "ai"
    assert seen[-1]["content"].startswith("Welcome to CHIDI!")
    assert seen[-2] == {**seen[-2], "sender_type": "user", "content": "Cozy Corner"}
    assert seen[0]["metadata"]["asking"] == "target_audience_description"
    assert seen[0]["metadata"]["progress"]["percent"] > 0


async def test_history_threads_are_separate_and_cursors_are_checked(owner: Owner) -> None:
    await owner.onboarding()
    assistant = await owner.client.get(HISTORY, params={"thread": "assistant"})
    assert assistant.json() == {"messages": [], "next_cursor": None}
    for params in ({"before": "not-a-cursor"}, {"thread": "other"}, {"limit": 0}):
        response = await owner.client.get(HISTORY, params=params)
        assert response.status_code == 422, params
        assert response.json()["error"]["code"] == "validation_error"


async def test_history_is_only_the_owners(owner: Owner, rival: Owner) -> None:
    await owner.onboarding()
    await owner.onboarding("Private Name")
    theirs = (await rival.client.get(HISTORY, params={"thread": "onboarding"})).json()
    assert theirs["messages"] == []
