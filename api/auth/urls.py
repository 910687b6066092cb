"""Where auth sends browsers back to, and how results ride along (GoTrue's conventions)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from core.security import is_redirect_allowed
from core.settings import Settings


def site_url(settings: Settings) -> str:
    """The site: where auth redirects when no acceptable `redirect_to` was given."""
    return settings.public_url


def safe_redirect(settings: Settings, requested: str | None) -> str:
    """`requested` when it is the site or on the allow-list, else the site (no open redirect)."""
    if requested and is_redirect_allowed(
        requested, site_url=site_url(settings), allow_list=settings.auth_redirect_allow_list
    ):
        return requested
    return site_url(settings)


def with_fragment(url: str, params: dict[str, str]) -> str:
    """`url` with `params` as its fragment (tokens in a fragment never reach servers/logs)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(fragment=urlencode(params)))


def with_query(url: str, params: dict[str, str]) -> str:
    """`url` with `params` added to its query string."""
    parts = urlsplit(url)
    query = [*parse_qsl(parts.query, keep_blank_values=True), *params.items()]
    return urlunsplit(parts._replace(query=urlencode(query)))


def error_redirect(url: str, *, status: int, error_code: str, description: str, pkce: bool) -> str:
    """GoTrue's error redirect: details in the fragment, and in the query for PKCE clients."""
    error = {
        400: "invalid_request",
        401: "unauthorized_client",
        403: "access_denied",
        500: "server_error",
        503: "temporarily_unavailable",
    }.get(status, "server_error")
    params = {"error": error, "error_code": error_code, "error_description": description}
    target = with_query(url, params) if pkce else url
    return with_fragment(target, {**params, "sb": ""})
