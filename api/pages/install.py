"""Wiring the web app into the FastAPI app: static files, page routes, middleware."""

from __future__ import annotations

import os

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response
from starlette.types import Scope

from api.pages import (
    routes_app,
    routes_auth,
    routes_inbox,
    routes_settings,
    routes_simulator,
    routes_workspace,
)
from api.pages.auth import LoginRequired, login_redirect
from api.pages.headers import SecurityHeadersMiddleware
from api.pages.refresh import SessionRefreshMiddleware
from api.pages.render import WEB_DIR


class RevalidatedStaticFiles(StaticFiles):
    """Static files the browser revalidates on each use (a cheap 304 by ETag).

    The files have no fingerprint in their names (there is no build step), so a cached
    copy must never outlive a deploy.
    """

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = "no-cache"
        return response


async def _to_login(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    return login_redirect(request, exc)


def install_web(app: FastAPI) -> None:
    """Serve the owners' web app from `app`.

    Call before the app's outer middleware is added: the session refresh must run inside
    the request-logging middleware, so its auth calls are logged with the request id.
    """
    app.mount("/static", RevalidatedStaticFiles(directory=WEB_DIR / "static"), name="static")
    app.include_router(routes_auth.router)
    app.include_router(routes_app.router)
    app.include_router(routes_inbox.router)
    app.include_router(routes_simulator.router)
    app.include_router(routes_workspace.router)
    app.include_router(routes_settings.router)
    app.add_exception_handler(LoginRequired, _to_login)
    app.add_middleware(SessionRefreshMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
