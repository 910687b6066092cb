"""The customer simulator page (/simulator): write as a customer, watch CHIDI answer.

Only in embedded mode (no Meta app configured), where connections are simulated and
replies go to the built-in fake Graph API; elsewhere the page does not exist (404). The
page's script sends through `POST /api/v1/simulator/{connection}/messages` — a signed
webhook into CHIDI's real path — and shows the conversation as the inbox stores it, live.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from api.pages.auth import PageUser
from api.pages.render import render
from api.pages.routes_app import not_found
from core.settings import Settings

router = APIRouter(include_in_schema=False)


@router.get("/simulator")
async def simulator(request: Request, user: PageUser) -> Response:
    """The simulator, or a 404 where Meta is real."""
    settings: Settings = request.app.state.chidi.settings
    if not settings.meta_embedded:
        return not_found(request, user)
    return render(request, "simulator.html", user=user)
