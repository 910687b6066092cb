"""Onboarding over real HTTP and SSE with the local brain: the whole conversation, resume
after a dropped stream or an API restart, tenant isolation, actions and their errors."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import psycopg
from arq.connections import ArqRedis
from redis.asyncio import Redis

from agents.onboarding.context import OnboardingContext
from agents.onboarding.graph import compile_onboarding_graph
from agents.onboarding.turns import reply_for, take_turn
from core.settings import Settings
from store.checkpoints import open_checkpoints
from tests.support.live_server import start_live_server
from tests.support.workspace import ONBOARDING, Owner, Turn, owner_client, signed_in

ANSWERS = {
    "name": "The Cozy Corner Cafe",
    "business_type": "We are a local coffee shop",
    "products_services_overview": "Coffee, pastries and sandwiches from 1,500 naira",
    "social_media_presence": "@cozycorner on Instagram and WhatsApp +234 803 123 4567",
    "target_audience_description": "Students and remote workers near campus",
    "goals_preferences": "More weekday regulars and a bigger Instagram following",
    "policies": (
        "Open Monday to Friday, 7am to 6pm. We deliver within 3km. "
        "Returns within 7 days with a receipt. We take cash, card and transfer."
    ),
}


async def answer_until_summary(owner: Owner, answers: dict[str, str]) -> tuple[Turn, list[str]]:
    """Answer each question by the field it asks about; returns the summary turn and the
    fields asked, in order."""
    turn = await owner.onboarding()
    asked: list[str] = []
    while turn.message["stage"] == "questions":
        field = turn.asking
        assert field is not None
        asked.append(field)
        turn = await owner.onboarding(answers.get(field, "skip"))
    return turn, asked


async def business_id(owner: Owner) -> str:
    return str((await owner.context())["id"])


async def queued_embeddings(redis: Redis, business: str) -> list[Any]:
    jobs = await ArqRedis(redis.connection_pool).queued_jobs()
    return [
        job for job in jobs if job.function == "embed_business_context" and business in job.args
    ]


async def test_a_full_onboarding_with_a_skip_and_a_correction(
    owner: Owner, redis: Redis, pg: psycopg.Connection
) -> None:
    first = await owner.onboarding()
    assert first.message["text"].startswith("Welcome to CHIDI!")
    assert first.text == first.message["text"]  # the tokens spell the stored message
    assert first.asking == "name"
    assert first.progress["percent"] == 0
    assert [e.event for e in first.events][-2:] == ["ai_message", "progress_update"]

    summary, asked = await answer_until_summary(
        owner, {**ANSWERS, "target_audience_description": "skip"}
    )
    # The skipped field comes back once, at the end, and is skipped again.
    assert asked.count("target_audience_description") == 2
    assert asked[-1] == "target_audience_description"
    assert summary.message["stage"] == "summary"
    assert summary.message["suggestions"][0] == "Yes, looks good!"
    assert "Business type: local coffee shop" in summary.text

    corrected = await owner.onboarding("Change business type to artisan bakery")
    assert "set your business type to 'artisan bakery'" in corrected.text
    assert "Business type: artisan bakery" in corrected.text
    done = await owner.onboarding("Yes, looks good!")
    assert done.message["stage"] == "complete"
    assert done.progress["percent"] == 100
    assert done.progress["milestone_achieved"] == "Setup Complete"
    assert all(m["reached"] for m in done.progress["milestones"][:2])

    profile = await owner.context()
    assert profile["name"] == "The Cozy Corner Cafe"
    assert profile["business_type"] == "artisan bakery"
    assert profile["target_audience_description"] is None
    assert profile["social_media_presence"] == {
        "instagram": "@cozycorner",
        "whatsapp": "+2348031234567",
    }
    assert profile["policies"]["returns"] == "Returns within 7 days with a receipt"
    assert profile["policies"]["hours"] == "Open Monday to Friday, 7am to 6pm"
    assert profile["onboarding_completed_at"] is not None
    assert profile["profile_completeness_score"] == 85
    assert profile["onboarding_progress"]["percentage"] == 100

    business = await business_id(owner)
    assert len(await queued_embeddings(redis, business)) == 1
    rows = pg.execute(
        "SELECT sender_type::text, content FROM workspace_chat_messages "
        "WHERE business_id = %s AND thread = 'onboarding' ORDER BY timestamp",
        (business,),
    ).fetchall()
    senders = [sender for sender, _ in rows]
    assert senders[:3] == ["ai", "user", "ai"]
    assert senders.count("user") == len(asked) + 2  # every answer, the correction, the yes
    assert senders.count("ai") == senders.count("user") + 1  # plus the welcome
    assert rows[-2][1] == "Yes, looks good!"


async def test_posting_nothing_shows_the_pending_question_again(owner: Owner) -> None:
    await owner.onboarding()
    asked = await owner.onboarding("Cozy Corner")
    again = await owner.onboarding()
    assert again.message["id"] == asked.message["id"]  # the stored message, not a new one
    assert again.asking == "business_type"
    state = (await owner.client.get(ONBOARDING)).json()
    assert state["asking"] == "business_type"
    assert state["message"] == asked.message["text"]
    assert state["progress"]["percent"] == asked.progress["percent"]
    history = await owner.client.get(
        "/api/v1/workspaces/chat_history", params={"thread": "onboarding"}
    )
    assert len(history.json()["messages"]) == 3


async def test_a_dropped_stream_still_takes_the_answer(owner: Owner) -> None:
    await owner.onboarding()
    async with owner.client.stream("POST", ONBOARDING, json={"message": "Cozy Corner"}) as stream:
        async for _ in stream.aiter_lines():
            break  # the client goes away after the first line
    for _ in range(50):  # the turn finishes on the server regardless
        state = (await owner.client.get(ONBOARDING)).json()
        if state["asking"] == "business_type":
            break
        await asyncio.sleep(0.05)
    resumed = await owner.onboarding()
    assert resumed.asking == "business_type"
    assert resumed.message["text"].startswith("Great, 'Cozy Corner'!")
    assert (await owner.context())["name"] == "Cozy Corner"


async def test_onboarding_resumes_on_a_new_api_process(settings: Settings) -> None:
    user_id = uuid.uuid4()
    first_server = start_live_server(settings)
    try:
        async for owner in signed_in(settings, first_server, user_id):
            await owner.onboarding()
            await owner.onboarding("Cozy Corner")
            await owner.onboarding("bakery")
    finally:
        first_server.stop()
    second_server = start_live_server(settings)
    try:
        async for owner in signed_in(settings, second_server, user_id):
            resumed = await owner.onboarding()
            assert resumed.asking == "products_services_overview"
            assert resumed.progress["milestones"][0]["reached"]  # Basic Info
            answered = await owner.onboarding("Bread, cakes and pastries baked daily")
            assert answered.asking == "social_media_presence"
            profile = await owner.context()
            assert profile["business_type"] == "bakery"
            assert profile["products_services_overview"] == "Bread, cakes and pastries baked daily"
    finally:
        second_server.stop()


async def test_another_owner_cannot_read_or_resume_the_thread(owner: Owner, rival: Owner) -> None:
    await owner.onboarding()
    await owner.onboarding("Owner's Secret Shop")
    theirs = await rival.onboarding()
    assert theirs.asking == "name"  # their own, new thread
    assert "Secret" not in theirs.text
    answered = await rival.onboarding("Rival Stores")
    assert answered.asking == "business_type"
    assert (await owner.context())["name"] == "Owner's Secret Shop"
    assert (await rival.context())["name"] == "Rival Stores"
    history = await rival.client.get(
        "/api/v1/workspaces/chat_history", params={"thread": "onboarding", "limit": 100}
    )
    assert all("Secret" not in m["content"] for m in history.json()["messages"])
    mine = (await owner.client.get(ONBOARDING)).json()
    assert mine["asking"] == "business_type"
    assert mine["progress"]["percent"] == answered.progress["percent"]


async def test_actions_skip_confirm_and_restart(owner: Owner, redis: Redis) -> None:
    await owner.onboarding()
    early = await owner.client.post(ONBOARDING, json={"action": "confirm"})
    assert early.status_code == 409
    assert early.json()["error"]["code"] == "nothing_to_confirm"
    skipped = await owner.onboarding(action="skip")
    assert skipped.asking == "business_type"
    assert skipped.text.startswith("Okay, we can come back to that later.")

    await answer_until_summary(owner, ANSWERS)
    done = await owner.onboarding(action="confirm")
    assert done.message["stage"] == "complete"
    late = await owner.client.post(ONBOARDING, json={"message": "one more thing"})
    assert late.status_code == 409
    assert late.json()["error"]["code"] == "onboarding_complete"
    assert (await owner.context())["onboarding_completed_at"] is not None

    again = await owner.onboarding(action="restart")
    assert again.asking == "name"
    assert not any(m["reached"] for m in again.progress["milestones"])
    assert again.progress["percent"] < 100
    assert (await owner.context())["onboarding_completed_at"] is None
    assert (await owner.context())["name"] == ANSWERS["name"]  # values stay until replaced


async def test_turn_requests_are_validated(owner: Owner) -> None:
    for body in ({"action": "jump"}, {"message": "x" * 5000}, {"business_id": str(uuid.uuid4())}):
        response = await owner.client.post(ONBOARDING, json=body)
        assert response.status_code == 422, body
        assert response.json()["error"]["code"] == "validation_error"


async def test_turns_need_a_signed_in_owner(live_server: Any) -> None:
    async with httpx.AsyncClient(base_url=live_server.url) as client:
        response = await client.post(ONBOARDING, json={})
    assert response.status_code == 401


async def test_concurrent_answers_are_taken_one_at_a_time(
    settings: Settings, live_server: Any
) -> None:
    user_id = uuid.uuid4()
    async with owner_client(settings, live_server, user_id) as client:
        owner = Owner(client)
        await owner.onboarding()
        turns = await asyncio.gather(owner.onboarding("First Name"), owner.onboarding("bakery"))
    asked = sorted(turn.asking or "" for turn in turns)
    # One answered the name and the other the type: neither answer was lost or doubled.
    assert asked == ["business_type", "products_services_overview"]


async def test_a_turn_whose_commit_was_lost_is_stored_on_the_next_visit(
    owner: Owner, settings: Settings
) -> None:
    """A process that dies after the checkpoint is written but before its commit: the next
    request finds the checkpoint ahead of the history and stores what is missing."""
    await owner.onboarding()
    business = uuid.UUID(await business_id(owner))
    async with open_checkpoints(settings) as checkpoints:
        graph = compile_onboarding_graph(await checkpoints.ready())
        context = OnboardingContext(business_id=business)
        await take_turn(graph, context, profile={}, reply=reply_for("Lost Commit Cafe", None))
    assert (await owner.context())["name"] is None  # the dead process stored nothing

    resumed = await owner.onboarding()
    assert resumed.asking == "business_type"
    assert resumed.text.startswith("Great, 'Lost Commit Cafe'!")
    assert (await owner.context())["name"] == "Lost Commit Cafe"
    again = await owner.onboarding()
    assert again.message["id"] == resumed.message["id"]
