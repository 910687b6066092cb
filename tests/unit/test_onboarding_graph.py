"""The onboarding graph's flow with the local brain, in memory (no database).

The same graph runs on the Postgres checkpointer in the API tests; here each rule of the
conversation is checked on its own: follow-ups once, skips revisited once, corrections.
"""

from __future__ import annotations

import uuid
from typing import Any

from langgraph.checkpoint.memory import InMemorySaver

from agents.onboarding.context import OnboardingContext
from agents.onboarding.graph import OnboardingGraph, compile_onboarding_graph
from agents.onboarding.turns import OnboardingTurn, reply_for, take_turn

ANSWERS = {
    "name": "The Cozy Corner Cafe",
    "business_type": "local coffee shop",
    "products_services_overview": "Coffee, pastries and sandwiches",
    "social_media_presence": "@cozycorner on Instagram, WhatsApp +234 803 123 4567",
    "target_audience_description": "Students and remote workers near campus",
    "goals_preferences": "More weekday regulars",
    "policies": "Open 7am to 6pm daily. Delivery within 3km. No refunds. Cash or transfer.",
}


class Conversation:
    """One business's onboarding, driven turn by turn."""

    def __init__(self, profile: dict[str, Any] | None = None) -> None:
        self.graph: OnboardingGraph = compile_onboarding_graph(InMemorySaver())
        self.context = OnboardingContext(business_id=uuid.uuid4())
        self.profile = profile or {}

    async def say(self, text: str | None = None, action: str | None = None) -> OnboardingTurn:
        return await take_turn(
            self.graph, self.context, profile=self.profile, reply=reply_for(text, action)
        )

    async def answer_until_summary(self, answers: dict[str, str]) -> OnboardingTurn:
        """Answer every question by its field ("skip" for fields not given)."""
        turn = await self.say()
        while turn.state.stage == "questions":
            field = turn.state.asking
            assert field is not None
            turn = await self.say(answers.get(field, "skip"))
        return turn


async def test_the_first_turn_welcomes_and_asks_for_the_name() -> None:
    turn = await Conversation().say()
    assert turn.state.asking == "name"
    assert turn.prompt["message"].startswith("Welcome to CHIDI!")
    assert turn.prompt["progress"]["percent"] == 0


async def test_showing_the_pending_question_again_changes_nothing() -> None:
    conversation = Conversation()
    first = await conversation.say()
    again = await conversation.say()
    assert again.interrupt_id == first.interrupt_id
    assert not again.ran


async def test_a_full_conversation_fills_the_profile() -> None:
    conversation = Conversation()
    turn = await conversation.answer_until_summary(ANSWERS)
    assert turn.state.stage == "summary"
    assert "Business type: local coffee shop" in turn.prompt["message"]
    turn = await conversation.say("yes, looks good")
    assert turn.completed
    assert turn.prompt["progress"]["percent"] == 100
    assert turn.prompt["progress"]["milestone_achieved"] == "Setup Complete"
    profile = turn.state.profile
    assert profile["social_media_presence"] == {
        "instagram": "@cozycorner",
        "whatsapp": "+2348031234567",
    }
    assert profile["policies"]["returns"] == "No refunds"


async def test_a_thin_answer_gets_one_follow_up_then_is_kept() -> None:
    conversation = Conversation()
    for text in (None, "Cozy"):
        await conversation.say(text)
    turn = await conversation.say("cafe")
    assert turn.state.asking == "products_services_overview"
    turn = await conversation.say("coffee")
    assert turn.state.asking == "products_services_overview"
    assert turn.state.follow_up
    assert "a little more" in turn.prompt["message"]
    turn = await conversation.say("coffee")  # the same thin answer again: kept, no 2nd follow-up
    assert turn.state.asking == "social_media_presence"
    assert turn.state.profile["products_services_overview"] == "coffee"


async def test_a_follow_up_answer_is_combined_with_the_first() -> None:
    conversation = Conversation()
    for text in (None, "Cozy", "cafe"):
        await conversation.say(text)
    await conversation.say("coffee")
    turn = await conversation.say("and fresh pastries from 1500 naira")
    assert turn.state.profile["products_services_overview"] == (
        "coffee. And fresh pastries from 1500 naira"
    )


async def test_policies_follow_up_asks_for_what_is_missing() -> None:
    conversation = Conversation()
    turn = await conversation.say()
    while turn.state.asking != "policies":
        turn = await conversation.say(ANSWERS[turn.state.asking or ""])
    turn = await conversation.say("No refunds")
    assert turn.state.follow_up
    assert "opening hours, delivery and payment" in turn.prompt["message"]
    turn = await conversation.say("Open 9 to 5, delivery in Lagos, transfer only")
    assert turn.state.stage == "summary"
    assert set(turn.state.profile["policies"]) == {"returns", "hours", "delivery", "payment"}


async def test_a_skipped_field_is_asked_once_more_at_the_end() -> None:
    conversation = Conversation()
    turn = await conversation.say()
    asked: list[str | None] = []
    replies = {**ANSWERS, "goals_preferences": "skip"}
    while turn.state.stage == "questions":
        asked.append(turn.state.asking)
        turn = await conversation.say(replies[turn.state.asking or ""])
    assert asked.count("goals_preferences") == 2
    assert asked[-1] == "goals_preferences"
    assert turn.state.profile.get("goals_preferences") is None
    assert turn.prompt["skipped"] == ["goals_preferences"]


async def test_a_skipped_field_answered_on_the_second_ask_is_kept() -> None:
    conversation = Conversation()
    turn = await conversation.say()
    skipped_once = False
    while turn.state.stage == "questions":
        field = turn.state.asking or ""
        if field == "target_audience_description" and not skipped_once:
            skipped_once = True
            turn = await conversation.say(action="skip")
        else:
            turn = await conversation.say(ANSWERS[field])
    assert (
        turn.state.profile["target_audience_description"] == ANSWERS["target_audience_description"]
    )
    assert turn.prompt["skipped"] == []


async def test_skipping_a_follow_up_keeps_the_first_answer() -> None:
    conversation = Conversation()
    for text in (None, "Cozy", "cafe"):
        await conversation.say(text)
    await conversation.say("coffee")
    turn = await conversation.say("skip")
    assert turn.state.profile["products_services_overview"] == "coffee"
    assert turn.state.asking == "social_media_presence"


async def test_a_greeting_repeats_the_question() -> None:
    conversation = Conversation()
    await conversation.say()
    turn = await conversation.say("hello")
    assert turn.state.asking == "name"
    assert turn.prompt["message"].startswith("Hello!")
    assert "name" not in turn.state.profile


async def test_corrections_at_the_summary_then_confirm() -> None:
    conversation = Conversation()
    await conversation.answer_until_summary(ANSWERS)
    turn = await conversation.say("Change business type to artisan bakery")
    assert turn.state.stage == "summary"
    assert "set your business type to 'artisan bakery'" in turn.prompt["message"]
    assert "Business type: artisan bakery" in turn.prompt["message"]
    turn = await conversation.say("actually our name is Crumbs & Co")
    turn = await conversation.say("update the return policy to 14 days")
    turn = await conversation.say("looks good")
    assert turn.completed
    assert turn.state.profile["name"] == "Crumbs & Co"
    assert turn.state.profile["business_type"] == "artisan bakery"
    assert turn.state.profile["policies"]["returns"] == "14 days"


async def test_no_at_the_summary_asks_what_to_change() -> None:
    conversation = Conversation()
    await conversation.answer_until_summary(ANSWERS)
    turn = await conversation.say("No, I need to change something")
    assert "What would you like to change" in turn.prompt["message"]
    assert turn.state.stage == "summary"
    turn = await conversation.say("gibberish words here")
    assert "didn't quite get that" in turn.prompt["message"]


async def test_adding_more_at_the_summary_asks_then_returns_to_it() -> None:
    conversation = Conversation()
    await conversation.answer_until_summary(ANSWERS)
    turn = await conversation.say("Add more about my target audience")
    assert turn.state.stage == "questions"
    assert turn.state.asking == "target_audience_description"
    turn = await conversation.say("Mostly aged 18 to 30")
    assert turn.state.stage == "summary"
    assert turn.state.profile["target_audience_description"] == (
        "Students and remote workers near campus. Mostly aged 18 to 30"
    )


async def test_an_existing_profile_seeds_the_conversation() -> None:
    conversation = Conversation(profile={"name": "Seeded Shop"})
    turn = await conversation.answer_until_summary({})
    assert "Business name: Seeded Shop" in turn.prompt["message"]
