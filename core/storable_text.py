"""Text Postgres can store: no NUL character, no unpaired UTF-16 surrogate.

Postgres refuses both in text and JSON columns. Python lets both through: `json.loads`
turns `\\u0000` into a NUL and leaves a surrogate unpaired when its partner is missing
(half of an emoji cut off) or was encoded raw. A valid pair becomes one character, so any
surrogate left in a parsed string is a lone one.
"""

from __future__ import annotations

import re
from typing import Any

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def has_unstorable(value: Any) -> bool:
    """Whether a NUL or a lone surrogate is in `value` or any text, list or mapping in it."""
    if isinstance(value, str):
        return _UNSTORABLE.search(value) is not None
    if isinstance(value, dict):
        return any(has_unstorable(key) or has_unstorable(item) for key, item in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return any(has_unstorable(item) for item in value)
    return False


def storable(value: Any) -> Any:
    """Parsed JSON whose strings and keys Postgres can store: NUL removed, a lone
    surrogate replaced by U+FFFD (the replacement character)."""
    if isinstance(value, str):
        return _UNSTORABLE.sub(_replacement, value)
    if isinstance(value, dict):
        return {storable(key): storable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [storable(item) for item in value]
    return value


def _replacement(found: re.Match[str]) -> str:
    return "" if found.group() == "\x00" else "\ufffd"
