"""Fencing owner text inside prompts, for every graph that sends it to a model.

Owner text goes between tags the system prompt names as data; any look-alike tag inside
the text is removed first, so a reply cannot close the fence early and speak as CHIDI.
"""

from __future__ import annotations

import re
from typing import Final

_TAG: Final = re.compile(r"<\s*/?\s*(?:owner|system|assistant|instructions?)[\w-]*\s*>", re.I)


def fence(tag: str, text: str) -> str:
    """`text` inside <tag>...</tag>, with tag-like markup stripped out of it (including
    the fence's own tag, so the text cannot close it)."""
    own = re.compile(rf"<\s*/?\s*{re.escape(tag)}\s*>", re.I)
    cleaned = own.sub("", _TAG.sub("", text)).strip()
    return f"<{tag}>\n{cleaned}\n</{tag}>"
