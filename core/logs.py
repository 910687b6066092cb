"""Structured JSON logs, one object per line, with the request's context attached.

`request_id`, `user_id` and `business_id` live in context variables so every line logged
while serving a request (or running a job) carries them without being passed around.
Never log passwords, tokens or message bodies: log ids and sizes instead.
"""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import sentry_sdk

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
user_id_var: ContextVar[str | None] = ContextVar("user_id", default=None)
business_id_var: ContextVar[str | None] = ContextVar("business_id", default=None)


def bind_user(user_id: str) -> None:
    """Attach the caller's user id to this request's logs and error reports."""
    user_id_var.set(user_id)
    sentry_sdk.set_tag("user_id", user_id)


def bind_business(business_id: str) -> None:
    """Attach the business being served to this request's logs and error reports."""
    business_id_var.set(business_id)
    sentry_sdk.set_tag("business_id", business_id)


def bind_request(request_id: str) -> Any:
    """Start a request's context; returns the token to reset the request id with."""
    sentry_sdk.set_tag("request_id", request_id)
    return request_id_var.set(request_id)


_CONTEXT = (
    ("request_id", request_id_var),
    ("user_id", user_id_var),
    ("business_id", business_id_var),
)
# Attributes every LogRecord has; anything else was passed with `extra=` and is logged.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON object: time, level, logger, message, context, extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, var in _CONTEXT:
            value = var.get()
            if value is not None:
                entry[key] = value
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(level: str = "INFO") -> None:
    """Send every logger's output to stdout as JSON lines (idempotent)."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("uvicorn.access", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # Uvicorn installs its own handlers; route its lines through ours.
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
