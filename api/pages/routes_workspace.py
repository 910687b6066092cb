"""The business profile page (/workspace/profile): the profile as an editable form beside
the assistant chat.

The form is filled on the server from the stored profile and saved by `profile.js`
through `PUT /api/v1/workspaces/context`; the chat streams `POST /api/v1/workspaces/chat`
and reads its history from `GET /api/v1/workspaces/chat_history?thread=assistant`.
"""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, Request
from starlette.responses import Response

from api.pages.auth import PageBusiness, PageUser
from api.pages.render import render
from api.schemas.workspace import ProfileOut

router = APIRouter(include_in_schema=False)

# The keys the form offers for the two dictionary fields; other stored keys are kept as
# they are when the form is saved.
SOCIAL_FIELDS: Final = (
    ("instagram", "Instagram"),
    ("whatsapp", "WhatsApp"),
    ("facebook", "Facebook"),
    ("tiktok", "TikTok"),
    ("twitter", "X (Twitter)"),
    ("website", "Website"),
)
POLICY_FIELDS: Final = (
    ("hours", "Opening hours"),
    ("delivery", "Delivery"),
    ("returns", "Returns and refunds"),
    ("payment", "Payment"),
)


@router.get("/workspace/profile")
async def profile(request: Request, user: PageUser, business: PageBusiness) -> Response:
    """The profile form and the assistant chat."""
    context = {
        "profile": ProfileOut.model_validate(business),
        "social_fields": SOCIAL_FIELDS,
        "policy_fields": POLICY_FIELDS,
    }
    return render(request, "workspace/profile.html", context, user=user)
