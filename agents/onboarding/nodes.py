"""The onboarding graph's nodes; each returns the part of the state it changes.

Conventions the routers rely on: a node that has decided the next question sets
`question`; one that leaves `question` empty hands over to `choose_next` (questions) or
`summarize` (the summary is rewritten from the current profile).
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import interrupt

from agents.onboarding import prompts, view
from agents.onboarding.context import OnboardingContext
from agents.onboarding.progress import MILESTONE_LABELS, milestones_reached, new_milestone
from agents.onboarding.rules import is_greeting, is_skip
from agents.onboarding.state import OnboardingState
from agents.onboarding.understand import Reading, read_reply, review_reply
from agents.profile_edits import ProfileEdit, apply_edit, describe_edit, target_label
from core.business_profile import ProfileValueError, is_filled

Update = dict[str, Any]


def owner_reply(raw: Any) -> dict[str, Any]:
    """A resume value as {"text", "action"}: clients send a dict, scripts may send a string."""
    if isinstance(raw, dict):
        action = raw.get("action")
        return {"text": str(raw.get("text") or ""), "action": action if action else None}
    return {"text": "" if raw is None else str(raw), "action": None}


def _with_milestone(state: OnboardingState, update: Update) -> Update:
    """Add the milestone this update reaches, if any, to its preface."""
    answered = update.get("answered", state.answered)
    skipped = update.get("skipped", state.skipped)
    after = milestones_reached({*answered, *skipped}, completed=False)
    label = new_milestone(state.milestones, after)
    update["milestones"] = after
    update["milestone"] = label
    if label:
        update["preface"] = f"{update.get('preface', '')} Milestone reached: {label}!".strip()
    return update


def open_onboarding(state: OnboardingState) -> Update:
    """Greet the owner; the first question follows."""
    return {"preface": prompts.WELCOME}


def choose_next(state: OnboardingState) -> Update:
    """The next field to ask: the queue in order, then each skipped field once more."""
    if state.queue:
        field = state.queue[0]
        return {
            "stage": "questions",
            "asking": field,
            "question": prompts.QUESTIONS[field],
            "queue": state.queue[1:],
            "follow_up": False,
            "draft": None,
        }
    for field in state.skipped:
        if field not in state.revisited and not is_filled(state.profile.get(field)):
            return {
                "stage": "questions",
                "asking": field,
                "question": prompts.revisit_question(field),
                "revisited": [*state.revisited, field],
                "follow_up": False,
                "draft": None,
            }
    return {"asking": None, "question": ""}


def summarize(state: OnboardingState) -> Update:
    """Show the profile for the owner to confirm or correct."""
    return {
        "stage": "summary",
        "asking": None,
        "follow_up": False,
        "question": prompts.summary(state.profile),
    }


def ask_owner(state: OnboardingState) -> Update:
    """Pause for the owner's reply; the pending prompt is the interrupt's payload.

    On resume LangGraph runs this node again and `interrupt` returns the reply, so nothing
    before it may have side effects.
    """
    reply = interrupt(view.prompt(state))
    return {"reply": owner_reply(reply), "preface": "", "milestone": None}


def _skip(state: OnboardingState, field: str, preface: str | None = None) -> Update:
    """Skipping: keep a thin first answer if there is one; else come back to it once."""
    if state.draft is not None and is_filled(state.draft):
        return _store(state, field, Reading(value=state.draft), "No problem, I'll keep that.")
    if preface is None:
        final = field in state.revisited
        preface = prompts.SKIP_FINAL if final else f"{prompts.SKIP_ACK} For now, let's move on."
    skipped = state.skipped if field in state.skipped else [*state.skipped, field]
    update: Update = {
        "skipped": skipped,
        "preface": preface,
        "question": "",
        "follow_up": False,
        "draft": None,
    }
    return _with_milestone(state, update)


def _store(state: OnboardingState, field: str, reading: Reading, ack: str | None = None) -> Update:
    """Keep a field's value and acknowledge it."""
    if ack is None:
        rich = prompts.RICH_ACK if reading.rich else None
        ack = (
            reading.acknowledgement
            or rich
            or prompts.acknowledgement(field, reading.value, state.turns)
        )
    answered = state.answered if field in state.answered else [*state.answered, field]
    update: Update = {
        "profile": {**state.profile, field: reading.value},
        "answered": answered,
        "preface": ack,
        "question": "",
        "follow_up": False,
        "draft": None,
    }
    return _with_milestone(state, update)


def _follow_up(state: OnboardingState, field: str, reading: Reading) -> Update:
    return {
        "followed_up": [*state.followed_up, field],
        "draft": reading.value if is_filled(reading.value) else None,
        "question": reading.follow_up_question or prompts.UNCLEAR,
        "follow_up": True,
        "preface": "",
    }


async def read_answer(state: OnboardingState, runtime: Runtime[OnboardingContext]) -> Update:
    """Take the reply to a field's question: skip it, follow up once if thin, or keep it."""
    field = state.asking
    reply = state.reply or {"text": "", "action": None}
    if field is None:
        raise ValueError("read_answer ran with no field being asked")
    text = reply["text"]
    turn: Update = {"turns": state.turns + 1}
    if reply.get("action") == "skip" or is_skip(text):
        return turn | _skip(state, field)
    if is_greeting(text):
        return turn | {"preface": prompts.GREETING}
    reading = await read_reply(runtime.context.chat_model, field, state.question, text, state.draft)
    if reading.skipped:
        return turn | _skip(state, field)
    if reading.thin and field not in state.followed_up:
        return turn | _follow_up(state, field, reading)
    if not is_filled(reading.value):
        if field == "social_media_presence":
            return turn | _skip(state, field, prompts.NOTHING_FOUND)
        return turn | {"preface": prompts.UNCLEAR}
    return turn | _store(state, field, reading)


def _apply_edits(state: OnboardingState, edits: list[ProfileEdit]) -> Update:
    """Apply the owner's corrections and say what changed; the summary is rewritten."""
    profile = dict(state.profile)
    done: list[str] = []
    for edit in edits:
        try:
            profile = apply_edit(profile, edit)
        except ProfileValueError as exc:
            return {"preface": f"{exc} Could you try again?", "question": prompts.SUMMARY_QUESTION}
        done.append(describe_edit(profile, edit))
    preface = "Done! I've " + "; ".join(done) + ". Here's the updated summary."
    return {"profile": profile, "preface": preface, "question": ""}


def _ask_more(state: OnboardingState, edit: ProfileEdit) -> Update:
    """The owner wants to add to a field: ask for it, then come back to the summary."""
    return {
        "stage": "questions",
        "asking": edit.field,
        "question": f"Sure! What would you like to add about your {target_label(edit.target)}?",
        "follow_up": True,
        "followed_up": [*state.followed_up, edit.field],
        "draft": state.profile.get(edit.field),
        "preface": "",
    }


async def review_summary(state: OnboardingState, runtime: Runtime[OnboardingContext]) -> Update:
    """Take the reply to the summary: confirm, apply corrections, or ask what to change."""
    reply = state.reply or {"text": "", "action": None}
    turn: Update = {"turns": state.turns + 1}
    if reply.get("action") == "confirm":
        return turn | {"stage": "complete"}
    decision, edits = await review_reply(runtime.context.chat_model, reply["text"])
    if decision == "confirm":
        return turn | {"stage": "complete"}
    if decision == "change":
        asks = [edit for edit in edits if edit.mode == "ask"]
        if asks:
            return turn | _ask_more(state, asks[0])
        return turn | _apply_edits(state, edits)
    if decision == "reject":
        return turn | {"preface": "", "question": prompts.CHANGE_PROMPT}
    return turn | {"preface": prompts.UNCLEAR, "question": prompts.SUMMARY_QUESTION}


def finish(state: OnboardingState) -> Update:
    """Close onboarding; the caller stores the profile and starts context embedding."""
    return {
        "stage": "complete",
        "asking": None,
        "question": "",
        "follow_up": False,
        "preface": prompts.FINISHED,
        "milestones": milestones_reached(view.addressed(state), completed=True),
        "milestone": MILESTONE_LABELS["setup_complete"],
    }
