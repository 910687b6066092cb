"""Rendering a page: the Jinja2 templates of `web/templates` with what every page needs.

Every page gets the browser's CSRF token (and the nonce cookie on its first visit), the
signed-in user, the navigation, and whether Google sign-in is offered. Pages are never
cached (`no-store`): they show one owner's data, and must not come back from the browser's
cache after logging out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from fastapi.templating import Jinja2Templates
from starlette.requests import Request
from starlette.responses import Response

from api.pages.csrf import CSRF_COOKIE, new_nonce, request_token, set_nonce_cookie
from api.pages.nav import current_section, visible_nav
from core.settings import Settings
from store.tables.users import User

WEB_DIR: Final = Path(__file__).resolve().parents[2] / "web"
TEMPLATES: Final = Jinja2Templates(directory=WEB_DIR / "templates")

# One-line messages a redirect may ask the next page to show (`?notice=<key>`); only these
# keys are shown, so a link cannot make the page say anything else.
NOTICES: Final = {
    "signed-out": "You have been signed out.",
    "password-updated": "Your password has been changed.",
}


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.chidi.settings
    return settings


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    user: User | None = None,
    status_code: int = 200,
) -> Response:
    """The page `template` rendered for this request."""
    settings = _settings(request)
    nonce = request.cookies.get(CSRF_COOKIE)
    fresh = nonce is None
    nonce = nonce or new_nonce()
    values: dict[str, Any] = {
        "csrf_token": request_token(request, settings, nonce),
        "user": user,
        "nav": visible_nav(settings.meta_embedded),
        "section": current_section(request.url.path),
        "google_enabled": settings.google_enabled,
        "notice": NOTICES.get(request.query_params.get("notice", "")),
        "password_min_length": settings.password_min_length,
        "errors": {},
        "values": {},
        **(context or {}),
    }
    response = TEMPLATES.TemplateResponse(request, template, values, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    if fresh:
        set_nonce_cookie(response, settings, nonce)
    return response
