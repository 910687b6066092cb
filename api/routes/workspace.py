"""The workspace API (PRD §6.2.6): onboarding and assistant turns over SSE, the editable
business profile, and the chat history.

Every handler acts for the caller's business (`CurrentBusiness`); the graph threads are
named from that business's id alone, so no request can reach another business's thread.
The SSE event protocol is documented in `api.workspace.stream`.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from sse_starlette import EventSourceResponse

from agents.onboarding import view
from agents.onboarding.state import OnboardingState
from agents.onboarding.turns import check_reply, current_turn, reply_for
from api.deps import AppStateDep, CurrentBusiness, SessionDep
from api.schemas.workspace import (
    ChatHistoryOut,
    ChatIn,
    ChatMessageOut,
    OnboardingStateOut,
    OnboardingTurnIn,
    ProfileOut,
    ProfileUpdate,
)
from api.workspace.assistant import assistant_context, run_assistant_turn
from api.workspace.embedding import enqueue_context_embedding
from api.workspace.onboarding import run_onboarding_turn
from api.workspace.runtime import WorkspaceRuntime
from api.workspace.stream import stream_turn
from store.repositories import business_profile, workspace_messages
from store.repositories.workspace_messages import MessageCursor
from store.tables.enums import WorkspaceThread

router = APIRouter(prefix="/api/v1/workspaces", tags=["workspace"])


async def ready_workspace(state: AppStateDep) -> WorkspaceRuntime:
    """The workspace runtime, its checkpoint tables created on first use.

    Declared before any dependency that opens a transaction: the checkpointer's first-time
    migration builds indexes CONCURRENTLY, which waits for every open transaction, so it
    must never run while this request holds one.
    """
    await state.workspace.ready()
    return state.workspace


WorkspaceDep = Annotated[WorkspaceRuntime, Depends(ready_workspace)]

SSE_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "A stream of server-sent events: token, ai_message, progress_update, "
        "error (see docs/workspace.md).",
        "content": {"text/event-stream": {}},
    }
}


@router.post("/onboarding", response_class=EventSourceResponse, responses=SSE_RESPONSE)
async def onboarding_turn(
    workspace: WorkspaceDep, body: OnboardingTurnIn, business: CurrentBusiness, state: AppStateDep
) -> EventSourceResponse:
    """Start or continue onboarding: answer the pending question, skip it, confirm the
    summary, restart; with no message and no action, the pending question is sent again."""
    starting = body.action == "restart"
    if body.action != "restart":
        existing = await current_turn(workspace.onboarding, business.id)
        check_reply(existing, reply_for(body.message, body.action))
        starting = existing is None
    turn = partial(
        run_onboarding_turn,
        workspace,
        state.sessionmaker,
        business.id,
        body,
        analytics=state.analytics,
        starting=starting,
    )
    return stream_turn(turn, workspace.running)


@router.get("/onboarding")
async def onboarding_state(
    workspace: WorkspaceDep, business: CurrentBusiness
) -> OnboardingStateOut:
    """Where onboarding stands: the pending question and progress (nothing is run)."""
    turn = await current_turn(workspace.onboarding, business.id)
    if turn is None:
        return OnboardingStateOut.model_validate(
            {
                **view.prompt(OnboardingState()),
                "started": False,
                "completed": False,
                "stage": "not_started",
                "message": None,
                "question": None,
                "asking": None,
            }
        )
    prompt = turn.prompt
    return OnboardingStateOut.model_validate(
        {**prompt, "started": True, "completed": turn.completed, "asking": prompt["field"]}
    )


@router.post("/chat", response_class=EventSourceResponse, responses=SSE_RESPONSE)
async def chat_turn(
    workspace: WorkspaceDep, body: ChatIn, business: CurrentBusiness, state: AppStateDep
) -> EventSourceResponse:
    """Ask the assistant something, or tell it what to change in the profile. Open before
    onboarding is finished too (its suggestions then lead back to onboarding)."""
    context = assistant_context(workspace, state.sessionmaker, business)
    turn = partial(run_assistant_turn, workspace, state.sessionmaker, context, body)
    return stream_turn(turn, workspace.running)


@router.get("/context")
async def get_context(business: CurrentBusiness) -> ProfileOut:
    """The business profile."""
    return ProfileOut.model_validate(business)


@router.put("/context")
async def update_context(
    body: ProfileUpdate,
    business: CurrentBusiness,
    session: SessionDep,
    state: AppStateDep,
) -> ProfileOut:
    """Change profile fields; the changed ones are re-embedded once the change is committed."""
    updated, changed = await business_profile.update_profile(session, business.id, body.changes())
    # Committed here, not at the end of the request, so the job (which reads the new
    # values) is queued by the time the owner sees the answer.
    await session.commit()
    await enqueue_context_embedding(state.workspace.jobs, business.id, changed)
    return ProfileOut.model_validate(updated)


@router.get("/chat_history")
async def chat_history(
    business: CurrentBusiness,
    session: SessionDep,
    thread: WorkspaceThread = WorkspaceThread.ASSISTANT,
    before: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> ChatHistoryOut:
    """A page of one conversation's messages, newest first (`before` = `next_cursor`)."""
    cursor = MessageCursor.decode(before) if before else None
    page = await workspace_messages.list_messages(
        session, business.id, thread, before=cursor, limit=limit + 1
    )
    more = len(page) > limit
    page = page[:limit]
    last = page[-1] if page and more else None
    return ChatHistoryOut(
        messages=[ChatMessageOut.model_validate(message) for message in page],
        next_cursor=MessageCursor(last.timestamp, last.id).encode() if last else None,
    )
