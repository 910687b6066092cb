"""Sentry error reporting, on when SENTRY_DSN is set, with personal data scrubbed.

CHIDI handles customers' messages and owners' credentials: an error report must carry
where it happened (request, job, user id, business id) but never what anyone wrote, nor
tokens, secrets, emails or phone numbers. `scrub_event` enforces that on every event.
Sentry being unreachable never affects the app: the SDK sends from a background thread
and drops what it cannot deliver.
"""

from __future__ import annotations

import re
from typing import Any, Literal

import sentry_sdk
from sentry_sdk.types import Event, Hint

from core.logs import business_id_var, request_id_var, user_id_var
from core.settings import Settings

REDACTED = "[redacted]"
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_PHONE = re.compile(r"\+?\d[\d\s().-]{7,}\d")
_BEARER = re.compile(r"(?i)bearer\s+[A-Za-z0-9._~+/=-]+")
# A key is sensitive when one of its words (split on _ - .) is one of these.
_SENSITIVE_WORDS = frozenset(
    {
        "pass",
        "password",
        "passwd",
        "secret",
        "token",
        "authorization",
        "cookie",
        "apikey",
        "signature",
        "text",
        "content",
        "body",
        "snippet",
        "email",
        "phone",
        "dsn",
        "key",
    }
)
_KEY_WORDS = re.compile(r"[_.\-]+")


def scrub_text(value: str) -> str:
    """Replace emails, phone numbers and bearer tokens inside free text."""
    value = _BEARER.sub(f"Bearer {REDACTED}", value)
    value = _EMAIL.sub(REDACTED, value)
    return _PHONE.sub(REDACTED, value)


def _is_sensitive(key: str) -> bool:
    return not _SENSITIVE_WORDS.isdisjoint(_KEY_WORDS.split(key.lower()))


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {
            key: REDACTED if isinstance(key, str) and _is_sensitive(key) else _scrub(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_scrub(item) for item in value]
    return value


def scrub_event(event: Event, _hint: Hint | None = None) -> Event:
    """Strip personal data from an event and tag it with the request's ids."""
    request = event.get("request")
    if request:
        request.pop("data", None)
        request.pop("cookies", None)
        request.pop("query_string", None)
        headers: dict[str, str] = dict(request.get("headers") or {})  # type: ignore[call-overload]
        request["headers"] = {
            name: value
            for name, value in headers.items()
            if name.lower() in {"user-agent", "content-type", "x-request-id", "host"}
        }
    scrubbed: Event = _scrub(dict(event))
    tags = dict(event.get("tags") or {})
    for name, var in (
        ("user_id", user_id_var),
        ("business_id", business_id_var),
        ("request_id", request_id_var),
    ):
        current = var.get()
        if current is not None:
            tags[name] = current
    scrubbed["tags"] = tags
    if "user" in scrubbed:
        scrubbed["user"] = {"id": tags["user_id"]} if "user_id" in tags else {}
    return scrubbed


def init_sentry(settings: Settings, component: Literal["api", "worker"]) -> bool:
    """Start the SDK when a DSN is configured; returns whether it was started."""
    if not settings.sentry_dsn:
        return False
    sentry_sdk.init(
        dsn=settings.sentry_dsn,
        environment=settings.environment,
        release=settings.release,
        max_request_body_size="never",
        include_local_variables=False,
        before_send=scrub_event,
        traces_sample_rate=0.0,
    )
    sentry_sdk.set_tag("component", component)
    return True
