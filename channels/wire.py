"""Small helpers for reading Meta's JSON defensively: payloads are not ours to trust.

A field of the wrong type is treated as absent rather than raising, so one odd entry in a
batched delivery cannot make the whole delivery fail (and Meta retry it forever).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any


def obj(value: Any) -> dict[str, Any]:
    """`value` if it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def items(value: Any) -> list[dict[str, Any]]:
    """The JSON objects in `value` if it is an array, else none."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def text(value: Any) -> str | None:
    """`value` as a non-empty string, else None (numbers become their decimal text)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return str(value)
    return value if isinstance(value, str) and value else None


def from_epoch(value: Any, *, millis: bool) -> datetime | None:
    """A UTC datetime from epoch seconds or milliseconds (number or numeric string); None
    for anything else, a NaN or a time no calendar holds included."""
    if isinstance(value, bool):
        return None
    try:
        return datetime.fromtimestamp(float(value) / (1000 if millis else 1), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def within_reported_second(reported: datetime | None, received_at: datetime) -> datetime:
    """When a message was sent, from a timestamp in whole seconds (WhatsApp's) and the
    time it arrived here.

    Bot and owner messages are stamped to the microsecond, so a customer's reply in the
    same second as the bot's message would sort before it. When the delivery arrived
    within the second the platform reported, its arrival time is the finer reading; a
    late or redelivered message keeps the platform's time.
    """
    if reported is None:
        return received_at
    if reported <= received_at < reported + timedelta(seconds=1):
        return received_at
    return reported
