"""An assistant turn as the API runs it: store, lock, run the graph, store, commit, stream.

1. the owner's message is committed first (it is in the history even if the turn fails);
2. under the thread's lock the graph runs on the business's assistant thread; its reply
   streams as `token` events while it is produced, and its tools commit what they change
   as they run (a profile change is saved when `update_business_profile` runs);
3. CHIDI's message is committed, then `ai_message` (with suggestions and the profile
   changes) is sent;
4. for each changed field the context embedding job is enqueued, after the commit, as
   PUT /context does.

Chat is open before onboarding is finished: the assistant answers from whatever the
profile holds, and the first suggestion is to finish onboarding.
"""

from __future__ import annotations

import logging
from typing import Any, Final

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from agents.assistant.context import AssistantContext
from agents.assistant.graph import thread_id
from agents.assistant.turns import AssistantTurn, take_turn
from api.schemas.workspace import ChatIn
from api.workspace.embedding import enqueue_context_embedding
from api.workspace.messages import lock_thread, message_event, store_ai_message, store_user_message
from api.workspace.runtime import WorkspaceRuntime
from api.workspace.stream import TurnEvents
from store.tables.businesses import Business
from store.tables.enums import WorkspaceThread
from store.tables.workspace import WorkspaceChatMessage
from tools.context import sessions_from

log = logging.getLogger("chidi.workspace")

THREAD: Final = WorkspaceThread.ASSISTANT


def _metadata(turn: AssistantTurn) -> dict[str, Any]:
    return {
        "turn": turn.turn,
        "tools": turn.tools,
        "suggestions": turn.suggestions,
        "profile_changes": turn.profile_changes,
    }


def ai_message_event(message: WorkspaceChatMessage, turn: AssistantTurn) -> dict[str, Any]:
    """The `ai_message` event of an assistant turn."""
    return {
        **message_event(message),
        "suggestions": turn.suggestions,
        "asking": None,
        "stage": None,
        "follow_up": False,
        "profile_changes": turn.profile_changes,
        "turn": turn.turn,
    }


def assistant_context(
    workspace: WorkspaceRuntime,
    sessionmaker: async_sessionmaker[AsyncSession],
    business: Business,
) -> AssistantContext:
    """The run-time context: this business, a session per tool call, the owner's tools.

    Read from the business as the request loaded it, before the request's session ends.
    """
    return AssistantContext(
        business_id=business.id,
        sessions=sessions_from(sessionmaker),
        context_store=workspace.context_store,
        product_vectors=workspace.product_vectors,
        audience="assistant",
        chat_model=workspace.chat_model,
        onboarding_complete=business.onboarding_completed_at is not None,
    )


async def run_assistant_turn(
    workspace: WorkspaceRuntime,
    sessionmaker: async_sessionmaker[AsyncSession],
    context: AssistantContext,
    body: ChatIn,
    events: TurnEvents,
) -> None:
    """One assistant turn, streamed to `events` (see the module docstring for the order)."""
    business_id = context.business_id
    async with sessionmaker() as session:
        owner_message = await store_user_message(session, business_id, THREAD, body.message)
        await session.commit()
        await lock_thread(session, thread_id(business_id))
        turn = await take_turn(workspace.assistant, context, body.message, events.tokens)
        message = await store_ai_message(
            session, business_id, THREAD, turn.reply, _metadata(turn), after=owner_message.timestamp
        )
        await session.commit()
    log.info(
        "assistant turn",
        extra={
            "business_id": str(business_id),
            "turn": turn.turn,
            "brain": "local" if workspace.chat_model is None else "openai",
            "tools": turn.tools,
            "changed_fields": turn.changed_fields,
        },
    )
    await enqueue_context_embedding(workspace.jobs, business_id, turn.changed_fields)
    events.ai_message(ai_message_event(message, turn))
