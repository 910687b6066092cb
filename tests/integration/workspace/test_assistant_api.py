"""The assistant over real HTTP and SSE with the local brain: answers from the profile, the
context store and the catalog, profile changes, suggestions, history, tenant isolation,
a restart of the API, and input validation."""

from __future__ import annotations

import uuid

import httpx
import psycopg
from arq.connections import ArqRedis
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from agents.assistant import prompts
from agents.assistant.suggestions import FINISH_SETUP
from core.embeddings import LocalEmbeddings
from core.settings import Settings
from tests.integration.workspace.shop import (
    FACT,
    PROFILE,
    business_id,
    finish_onboarding,
    history,
    open_shop,
    set_profile,
)
from tests.support.live_server import LiveServer, start_live_server
from tests.support.workspace import CHAT, Owner, Turn, signed_in


async def embedding_jobs(redis: Redis, business: uuid.UUID) -> int:
    jobs = await ArqRedis(redis.connection_pool).queued_jobs()
    return sum(
        1 for job in jobs if job.function == "embed_business_context" and str(business) in job.args
    )


def assert_streamed(turn: Turn) -> None:
    """The tokens spell the stored message, and `ai_message` ends the stream."""
    assert turn.text == turn.message["text"]
    assert len(turn.named("token")) > 1
    assert turn.events[-1].event == "ai_message"
    assert turn.message["thread"] == "assistant"


async def test_answers_come_from_the_profile_the_context_and_the_catalog(
    owner: Owner, engine: AsyncEngine
) -> None:
    await open_shop(owner, engine, LocalEmbeddings())

    policy = await owner.chat("What's my return policy?")
    assert_streamed(policy)
    assert policy.text == f"Your return policy: {PROFILE['policies']['returns']}."
    assert policy.message["profile_changes"] == []

    stock = await owner.chat("How many black leather bags do I have?")
    assert stock.text.startswith("You have 4 units of Leather Bag (Black) in stock.")
    assert "BAG-BLK" in stock.text
    assert "BAG-BRN" not in stock.text

    low = await owner.chat("What's low on stock?")
    lines = low.text.splitlines()
    assert lines[0] == "2 items at 5 units or fewer:"
    assert lines[1] == "- Woven Belt, BELT-1: 2 left"  # scarcest first
    assert lines[2] == "- Leather Bag (Black), BAG-BLK: 4 left"

    where = await owner.chat("Where is the shop located?")
    assert where.text == prompts.CONTEXT_LEAD + FACT

    refused = await owner.chat("Who won the world cup in 2018?")
    assert refused.text == prompts.OFF_TOPIC

    stored = await history(owner)
    assert [m["sender_type"] for m in stored] == ["user", "ai"] * 5
    assert stored[0]["content"] == "What's my return policy?"
    assert stored[1]["content"] == policy.text
    assert stored[3]["metadata"]["turn"] == 2
    assert stored[3]["metadata"]["suggestions"] == stock.message["suggestions"]


async def test_a_profile_change_is_confirmed_saved_and_reembedded(
    owner: Owner, engine: AsyncEngine, redis: Redis, pg: psycopg.Connection
) -> None:
    business = await open_shop(owner, engine, LocalEmbeddings())
    queued = await embedding_jobs(redis, business)

    changed = await owner.chat("Change my hours to 9am-6pm")
    assert_streamed(changed)
    assert changed.text == "Done! I set your opening hours to '9am-6pm'."
    assert changed.message["profile_changes"] == [
        {"field": "policies", "value": {**PROFILE["policies"], "hours": "9am-6pm"}}
    ]
    profile = await owner.context()
    assert profile["policies"] == {**PROFILE["policies"], "hours": "9am-6pm"}
    assert await embedding_jobs(redis, business) == queued + 1
    # The tool re-embedded the field at once, too: the stale chunk is gone.
    chunks = [
        text
        for (text,) in pg.execute(
            "SELECT chunk_text FROM business_context_chunks "
            "WHERE business_id = %s AND source_field = 'policies'",
            (str(business),),
        ).fetchall()
    ]
    assert any("9am-6pm" in text for text in chunks)
    assert not any("10am-7pm" in text for text in chunks)

    asked = await owner.chat("What are my opening hours?")
    assert asked.text == "Your opening hours: 9am-6pm."

    same = await owner.chat("Change my hours to 9am-6pm")
    assert same.text.startswith("Your opening hours already says that")
    assert same.message["profile_changes"] == []
    assert await embedding_jobs(redis, business) == queued + 1

    refused = await owner.chat("Set my instagram to has spaces in it")
    assert refused.text.startswith("I couldn't change your Instagram:")
    assert (await owner.context())["social_media_presence"] is None


async def test_suggestions_lead_to_onboarding_then_to_the_profile_gaps(
    owner: Owner, pg: psycopg.Connection
) -> None:
    first = await owner.chat("hi")
    assert first.text == prompts.GREETING
    assert first.message["suggestions"] == [
        FINISH_SETUP,
        "Set my business name",
        "Set my business type",
    ]
    setup = await owner.chat(FINISH_SETUP)
    assert setup.text == prompts.SETUP_PENDING

    await set_profile(owner, {"name": "Ada Leather", "business_type": "leather goods shop"})
    finish_onboarding(pg, await business_id(owner))
    later = await owner.chat("thanks")
    assert later.text == prompts.THANKS
    assert later.message["suggestions"] == [
        "Describe what I sell",
        "Add my Instagram handle",
        "Describe my target audience",
    ]

    tapped = await owner.chat("Add my Instagram handle")
    assert tapped.text.startswith("Sure! What should your Instagram be?")
    assert '"Set my Instagram to @adastyles"' in tapped.text
    assert "Add my Instagram handle" not in tapped.message["suggestions"]

    named = await owner.chat("Set my business name")
    assert "Right now it's: Ada Leather." in named.text


async def test_another_owner_cannot_see_or_use_the_thread(
    owner: Owner, rival: Owner, engine: AsyncEngine
) -> None:
    await open_shop(owner, engine, LocalEmbeddings())
    await owner.chat("What's my return policy?")

    theirs = await rival.chat("What's my return policy?")
    assert theirs.text.startswith("You haven't set your return policy yet.")
    assert theirs.message["turn"] == 1  # a thread of their own
    bags = await rival.chat("How many black leather bags do I have?")
    assert bags.text == prompts.NO_PRODUCT
    where = await rival.chat("Where is the shop located?")
    assert where.text == prompts.OFF_TOPIC  # the owner's fact is not theirs to find
    secrets = (PROFILE["policies"]["returns"], "BAG-BLK", "Allen Avenue")
    seen = " ".join(m["content"] for m in await history(rival))
    assert not any(secret in seen for secret in secrets)
    assert len(await history(owner)) == 2


async def test_the_conversation_survives_an_api_restart(settings: Settings) -> None:
    user_id = uuid.uuid4()
    first_server = start_live_server(settings)
    try:
        async for owner in signed_in(settings, first_server, user_id):
            await set_profile(owner)
            await owner.chat("hi")
            await owner.chat("What's my return policy?")
    finally:
        first_server.stop()
    second_server = start_live_server(settings)
    try:
        async for owner in signed_in(settings, second_server, user_id):
            resumed = await owner.chat("What are my opening hours?")
            assert resumed.message["turn"] == 3  # the checkpointed thread went on
            assert resumed.text == "Your opening hours: Mon-Sat, 10am-7pm."
            assert len(await history(owner)) == 6
    finally:
        second_server.stop()


async def test_chat_requests_are_validated(owner: Owner, live_server: LiveServer) -> None:
    bodies: list[dict[str, object]] = [
        {},
        {"message": ""},
        {"message": "   "},
        {"message": "x" * 4001},
        {"message": "hi", "business_id": str(uuid.uuid4())},
    ]
    for body in bodies:
        response = await owner.client.post(CHAT, json=body)
        assert response.status_code == 422, body
        error = response.json()["error"]
        assert error["code"] == "validation_error"
        assert error["details"], body
    assert await history(owner) == []  # nothing was stored
    async with httpx.AsyncClient(base_url=live_server.url) as anonymous:
        assert (await anonymous.post(CHAT, json={"message": "hi"})).status_code == 401


async def test_the_assistant_answers_after_the_database_dropped_its_connections(
    owner: Owner, engine: AsyncEngine, pg: psycopg.Connection
) -> None:
    """A restarted Postgres leaves every pooled connection dead, the checkpointer's too:
    the next turn still answers (lent connections are checked and replaced)."""
    await open_shop(owner, engine, LocalEmbeddings())
    assert_streamed(await owner.chat("What's my return policy?"))
    pg.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid() "
        "AND backend_type = 'client backend'"
    )
    again = await owner.chat("What's my return policy?")
    assert_streamed(again)
    assert again.text == f"Your return policy: {PROFILE['policies']['returns']}."
