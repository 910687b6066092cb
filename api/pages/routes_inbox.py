"""The inbox pages: /conversations (the list) and /conversations/{id} (the list beside one chat).

Both render one shell; `inbox.js` reads the conversations and messages through the JSON
inbox API and keeps them live over `GET /api/v1/events`. The server only checks that an
opened conversation is the owner's (a page-shaped 404 otherwise) and passes the filters the
address carries, so a filtered or opened inbox is a link the owner can keep.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from starlette.responses import Response

from api.deps import SessionDep
from api.pages.auth import PageBusiness, PageUser
from api.pages.render import render
from api.pages.routes_app import not_found
from store.conversations import inbox
from store.tables.enums import ConversationStatus, SocialPlatform

router = APIRouter(include_in_schema=False)

STATUS_LABELS = {
    ConversationStatus.ACTIVE_AI: "CHIDI is answering",
    ConversationStatus.ESCALATED_HUMAN_NEEDED: "Needs you",
    ConversationStatus.ACTIVE_HUMAN: "You're handling it",
    ConversationStatus.RESOLVED_BY_AI: "Resolved by CHIDI",
    ConversationStatus.RESOLVED_BY_HUMAN: "Resolved by you",
    ConversationStatus.ARCHIVED: "Archived",
}
PLATFORM_LABELS = {SocialPlatform.INSTAGRAM: "Instagram", SocialPlatform.WHATSAPP: "WhatsApp"}


def _context(request: Request, conversation_id: uuid.UUID | None) -> dict[str, object]:
    params = request.query_params
    return {
        "conversation_id": None if conversation_id is None else str(conversation_id),
        "status_labels": {status.value: label for status, label in STATUS_LABELS.items()},
        "platform_labels": {platform.value: label for platform, label in PLATFORM_LABELS.items()},
        "filters": {
            "status": params.get("status", ""),
            "platform": params.get("platform", ""),
            "q": params.get("q", ""),
        },
    }


@router.get("/conversations")
async def conversation_list(request: Request, user: PageUser) -> Response:
    """The inbox with no conversation open."""
    return render(request, "conversations/inbox.html", _context(request, None), user=user)


@router.get("/conversations/{conversation_id}")
async def conversation_page(
    conversation_id: str,
    request: Request,
    user: PageUser,
    business: PageBusiness,
    session: SessionDep,
) -> Response:
    """The inbox with one conversation open (the chat pane)."""
    try:
        wanted = uuid.UUID(conversation_id)
    except ValueError:
        return not_found(request, user)
    if await inbox.get_conversation(session, business.id, wanted) is None:
        return not_found(request, user)
    return render(request, "conversations/inbox.html", _context(request, wanted), user=user)
