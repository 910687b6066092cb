"""Splitting a reply that is too long for one platform message.

Instagram refuses text over 1,000 bytes. A reply is cut at sentence ends (or line breaks)
so every part reads as whole sentences; only a single sentence longer than the limit is
cut between words, and only a single word longer than that between characters (never
inside a UTF-8 sequence).
"""

from __future__ import annotations

import re

_SENTENCES = re.compile(r"((?<=[.!?…])\s+|\n+)")
_WORDS = re.compile(r"(\s+)")


def split_message(text: str, max_bytes: int) -> list[str]:
    """`text` in order, as parts of at most `max_bytes` UTF-8 bytes each."""
    if max_bytes < 4:  # one UTF-8 character can take four bytes
        raise ValueError("max_bytes must be at least 4")
    parts = _pack(text.strip(), max_bytes, (_SENTENCES, _WORDS))
    return [part.strip() for part in parts if part.strip()]


def _fits(text: str, max_bytes: int) -> bool:
    return len(text.encode()) <= max_bytes


def _pack(text: str, max_bytes: int, splitters: tuple[re.Pattern[str], ...]) -> list[str]:
    """Greedily join the units `splitters[0]` cuts `text` into, recursing for big units."""
    if _fits(text, max_bytes):
        return [text]
    if not splitters:
        return _by_characters(text, max_bytes)
    tokens = splitters[0].split(text)  # unit, separator, unit, separator, ...
    chunks: list[str] = []
    current = ""
    for index in range(0, len(tokens), 2):
        unit = tokens[index]
        if not unit.strip():
            continue
        if not _fits(unit, max_bytes):
            chunks += [current] if current else []
            chunks += _pack(unit, max_bytes, splitters[1:])
            current = ""
            continue
        candidate = current + tokens[index - 1] + unit if current else unit
        if _fits(candidate, max_bytes):
            current = candidate
        else:
            chunks.append(current)
            current = unit
    return [*chunks, current] if current else chunks


def _by_characters(text: str, max_bytes: int) -> list[str]:
    chunks: list[str] = []
    current = ""
    for char in text:
        if not _fits(current + char, max_bytes):
            chunks.append(current)
            current = ""
        current += char
    return [*chunks, current] if current else chunks
