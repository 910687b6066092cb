"""One onboarding turn, for every caller (the API, the eval runner): start or resume the
business's thread, then store what the turn changed.

A turn is: start the thread if it has no checkpoint yet (up to the first question), then
resume the pending question with the owner's reply if there is one. With no reply it only
reads the pending question back, which is how a client reconnects after a dropped stream
or an API restart. The graph itself never writes the database; `save_turn` does, inside
the caller's transaction, so the caller commits and only then enqueues context embedding.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.types import Command
from sqlmodel.ext.asyncio.session import AsyncSession

from agents.onboarding import view
from agents.onboarding.context import OnboardingContext
from agents.onboarding.graph import OnboardingGraph, thread_config, thread_id
from agents.onboarding.progress import MILESTONE_LABELS
from agents.onboarding.state import OnboardingInput, OnboardingState
from core.business_profile import PROFILE_FIELDS, is_filled
from core.errors import Conflict
from store.repositories import business_profile
from store.tables.base import utcnow


class OnboardingAlreadyComplete(Conflict):
    """A reply was sent to a finished onboarding."""

    code = "onboarding_complete"


class NothingToConfirm(Conflict):
    """ "confirm" was sent while no summary is waiting for it."""

    code = "nothing_to_confirm"


@dataclass(frozen=True)
class OnboardingTurn:
    """Where the conversation stands after a turn."""

    state: OnboardingState
    interrupt_id: str | None
    """The pending question's interrupt id (None once complete)."""
    ran: bool
    """Whether the graph ran (so CHIDI said something new)."""

    @property
    def prompt(self) -> dict[str, Any]:
        """What the owner sees: message, field, stage, progress, suggestions."""
        return view.prompt(self.state)

    @property
    def completed(self) -> bool:
        """Whether the owner has confirmed the summary."""
        return self.state.stage == "complete"


async def current_turn(graph: OnboardingGraph, business_id: uuid.UUID) -> OnboardingTurn | None:
    """The thread as it stands, or None if onboarding has not started."""
    snapshot = await graph.aget_state(thread_config(business_id))
    if not snapshot.values:
        return None
    pending = snapshot.interrupts[0].id if snapshot.interrupts else None
    return OnboardingTurn(state=OnboardingState(**snapshot.values), interrupt_id=pending, ran=False)


def reply_for(text: str | None, action: str | None) -> dict[str, Any] | None:
    """The resume value for a message and/or action, or None for "just show me"."""
    if text is None and action is None:
        return None
    return {"text": text or "", "action": action}


def check_reply(turn: OnboardingTurn | None, reply: dict[str, Any] | None) -> None:
    """Refuse replies the conversation cannot take, before anything is stored."""
    if reply is None or turn is None:
        return
    if turn.completed:
        raise OnboardingAlreadyComplete(
            "Onboarding is already complete. Send action 'restart' to start over, or talk "
            "to the assistant at /api/v1/workspaces/chat."
        )
    if reply.get("action") == "confirm" and turn.state.stage != "summary":
        raise NothingToConfirm("There is no summary to confirm yet; answer the question first.")


async def take_turn(
    graph: OnboardingGraph,
    context: OnboardingContext,
    *,
    profile: dict[str, Any],
    reply: dict[str, Any] | None,
) -> OnboardingTurn:
    """Start the thread if needed, then resume it with `reply` (if any)."""
    config = thread_config(context.business_id)
    existing = await current_turn(graph, context.business_id)
    check_reply(existing, reply)
    ran = False
    # durability="exit": one checkpoint per turn, written when the turn pauses or ends, so a
    # turn that dies midway leaves the previous question pending (all or nothing).
    if existing is None:
        await graph.ainvoke(
            OnboardingInput(profile=profile), config, context=context, durability="exit"
        )
        ran = True
    if reply is not None:
        await graph.ainvoke(Command(resume=reply), config, context=context, durability="exit")
        ran = True
    after = await current_turn(graph, context.business_id)
    assert after is not None  # the thread was started above
    return OnboardingTurn(state=after.state, interrupt_id=after.interrupt_id, ran=ran)


async def restart(graph: OnboardingGraph, session: AsyncSession, business_id: uuid.UUID) -> None:
    """Forget the conversation (its checkpoints) and the progress; profile values stay."""
    checkpointer = graph.checkpointer
    if not isinstance(checkpointer, BaseCheckpointSaver):
        raise TypeError("the onboarding graph is compiled without a checkpointer")
    await checkpointer.adelete_thread(thread_id(business_id))
    await business_profile.reset_onboarding(session, business_id)


def progress_record(state: OnboardingState) -> dict[str, Any]:
    """The `businesses.onboarding_progress` JSON (PRD §6.2.5 shape, plus the percentage)."""
    progress = view.progress(state)
    return {
        "current_step": state.asking or state.stage,
        "percentage": progress["percent"],
        "milestones_completed": [
            MILESTONE_LABELS[key] for key in view.reached(state) if key in MILESTONE_LABELS
        ],
        "skipped": view.prompt(state)["skipped"],
    }


async def save_turn(
    session: AsyncSession, business_id: uuid.UUID, before: dict[str, Any], turn: OnboardingTurn
) -> list[str]:
    """Store what the turn changed: new answers, progress, and on completion the whole
    confirmed profile and the completion time. Returns the profile fields that changed.

    `before` is the profile the turn started from; only fields the conversation changed
    are written, so an edit made elsewhere mid-onboarding is not overwritten by a stale
    value. On completion every filled field of the confirmed summary is written too.
    """
    profile = turn.state.profile
    changes: dict[str, Any] = {
        field: profile.get(field)
        for field in PROFILE_FIELDS
        if field in profile
        and (
            profile.get(field) != before.get(field)
            or (turn.completed and is_filled(profile[field]))
        )
    }
    _, changed = await business_profile.update_profile(session, business_id, changes)
    await business_profile.save_onboarding_progress(
        session,
        business_id,
        progress_record(turn.state),
        completed_at=utcnow() if turn.completed else None,
    )
    return changed
