"""An onboarding turn as the API runs it: store, lock, run the graph, store, commit, stream.

Order matters for "a dropped connection loses nothing":
1. the owner's message is committed first (it is in the history even if the turn fails);
2. under the thread's lock the graph starts or resumes (its checkpoint commits itself);
3. the reply's tokens stream while the turn's writes (profile, progress, CHIDI's message)
   are committed; `ai_message` and `progress_update` follow the commit;
4. on completion the context embedding job is enqueued, after the commit.

Showing the pending question (no message) stores nothing new, unless the history lacks it
(a turn whose commit was lost after its checkpoint was written): then the question and
that turn's profile changes are stored now.
"""

from __future__ import annotations

import uuid
from typing import Any, Final

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from agents.onboarding.context import OnboardingContext
from agents.onboarding.graph import thread_id
from agents.onboarding.turns import OnboardingTurn, reply_for, restart, save_turn, take_turn
from api.schemas.workspace import OnboardingTurnIn
from api.workspace.embedding import enqueue_context_embedding
from api.workspace.messages import lock_thread, message_event, store_ai_message, store_user_message
from api.workspace.runtime import WorkspaceRuntime
from api.workspace.stream import TurnEvents
from core.analytics import Analytics, track_onboarding
from core.business_profile import PROFILE_FIELDS
from store.repositories import workspace_messages
from store.repositories.business_profile import profile_of
from store.repositories.businesses import get_by_id
from store.tables.enums import WorkspaceSenderType, WorkspaceThread
from store.tables.workspace import WorkspaceChatMessage

THREAD: Final = WorkspaceThread.ONBOARDING
# What the history shows for a turn that was only an action.
_ACTION_TEXT: Final[dict[str, str]] = {
    "skip": "Skip",
    "confirm": "Yes, looks good!",
    "restart": "Start over",
}


def turn_key(turn: OnboardingTurn) -> str:
    """Identifies what CHIDI is saying on a turn, so it is stored once."""
    return f"{turn.state.turns}:{turn.interrupt_id or turn.state.stage}"


def _metadata(turn: OnboardingTurn) -> dict[str, Any]:
    prompt = turn.prompt
    return {
        "turn_key": turn_key(turn),
        "asking": prompt["field"],
        "stage": prompt["stage"],
        "follow_up": prompt["follow_up"],
        "suggestions": prompt["suggestions"],
        "progress": prompt["progress"],
    }


async def _already_stored(
    session: AsyncSession, business_id: uuid.UUID, turn: OnboardingTurn
) -> WorkspaceChatMessage | None:
    """CHIDI's message for this turn if it is already the latest in the history."""
    latest = await workspace_messages.latest_message(session, business_id, THREAD)
    if (
        latest is not None
        and latest.sender_type == WorkspaceSenderType.AI
        and (latest.message_metadata or {}).get("turn_key") == turn_key(turn)
    ):
        return latest
    return None


def ai_message_event(message: WorkspaceChatMessage, turn: OnboardingTurn) -> dict[str, Any]:
    """The `ai_message` event of an onboarding turn."""
    prompt = turn.prompt
    return {
        **message_event(message),
        "suggestions": prompt["suggestions"],
        "asking": prompt["field"],
        "stage": prompt["stage"],
        "follow_up": prompt["follow_up"],
        "profile_changes": [],
    }


async def _store_owner_message(
    sessionmaker: async_sessionmaker[AsyncSession], business_id: uuid.UUID, body: OnboardingTurnIn
) -> WorkspaceChatMessage | None:
    """Commit what the owner sent before anything else happens."""
    if body.message is None and body.action is None:
        return None
    async with sessionmaker() as session:
        content = body.message or _ACTION_TEXT[body.action or "skip"]
        metadata = {"action": body.action} if body.action else None
        message = await store_user_message(session, business_id, THREAD, content, metadata)
        await session.commit()
        return message


async def run_onboarding_turn(
    workspace: WorkspaceRuntime,
    sessionmaker: async_sessionmaker[AsyncSession],
    business_id: uuid.UUID,
    body: OnboardingTurnIn,
    events: TurnEvents,
    *,
    analytics: Analytics | None = None,
    starting: bool = False,
) -> None:
    """One onboarding turn, streamed to `events` (see the module docstring for the order).

    `starting`: the thread had no turn before this one (or is being restarted), so a new
    reply is tracked as onboarding_started."""
    owner_message = await _store_owner_message(sessionmaker, business_id, body)
    action = None if body.action == "restart" else body.action
    context = OnboardingContext(business_id=business_id, chat_model=workspace.chat_model)
    async with sessionmaker() as session:
        await lock_thread(session, thread_id(business_id))
        if body.action == "restart":
            await restart(workspace.onboarding, session, business_id)
        business = await get_by_id(session, business_id)
        assert business is not None  # CurrentBusiness created it
        before = profile_of(business)
        turn = await take_turn(
            workspace.onboarding, context, profile=before, reply=reply_for(body.message, action)
        )
        events.tokens(turn.prompt["message"])
        message = await _already_stored(session, business_id, turn)
        new = message is None
        if message is None:
            # A new reply, or one whose commit was lost after its checkpoint was written:
            # either way the turn's profile changes and message are stored now.
            await save_turn(session, business_id, before, turn)
            message = await store_ai_message(
                session,
                business_id,
                THREAD,
                turn.prompt["message"],
                _metadata(turn),
                after=owner_message.timestamp if owner_message else None,
            )
        await session.commit()
    if analytics is not None and new:
        track_onboarding(analytics, business_id, started=starting, completed=turn.completed)
    if new and turn.completed:
        await enqueue_context_embedding(workspace.jobs, business_id, list(PROFILE_FIELDS))
    events.ai_message(ai_message_event(message, turn))
    events.progress(turn.prompt["progress"])
