"""Cutting a business profile and the owner's free-text facts into retrievable chunks.

Pure functions: the same profile always gives the same chunks (text and hash), which is
what lets re-embedding keep an unchanged chunk instead of embedding it again.

- a short field is one chunk, prefixed with its label ("Business type: artisan bakery") so
  the chunk still says what it is about when it is retrieved on its own;
- a long text field is split on paragraphs, then sentences, then words, into pieces of at
  most `MAX_CHUNK_CHARS` characters, each carrying the label;
- `policies` gives one chunk per policy ("Returns: 7 days with the receipt");
- `social_media_presence` gives one chunk listing the handles;
- each free-text fact is one chunk of its own (split only if it is very long).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from core.business_profile import FIELD_LABELS, POLICY_LABELS, PROFILE_FIELDS, SOCIAL_LABELS

MAX_CHUNK_CHARS: Final = 500
# The source_field of the owner's free-text facts ("We close early on Fridays").
FACT_SOURCE: Final = "fact"
CONTEXT_SOURCES: Final[tuple[str, ...]] = (*PROFILE_FIELDS, FACT_SOURCE)

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_PARAGRAPH = re.compile(r"\n\s*\n")


@dataclass(frozen=True)
class Chunk:
    """One piece of text to store and embed, with where it came from."""

    source_field: str
    text: str

    @property
    def content_hash(self) -> str:
        """SHA-256 of the text: equal hashes mean the stored vector is still right."""
        return content_hash(self.text)


def content_hash(text: str) -> str:
    """The hex SHA-256 of `text` as UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _label(field: str) -> str:
    label = FIELD_LABELS.get(field, field.replace("_", " "))
    return label[:1].upper() + label[1:]


def _policy_label(key: str) -> str:
    label = POLICY_LABELS.get(key, key.replace("_", " "))
    return label[:1].upper() + label[1:]


def _pieces(text: str, limit: int) -> list[str]:
    """`text` in order, as pieces of at most `limit` characters, cut at the largest unit
    that fits: paragraphs, then sentences, then words (a single word longer than the
    limit is cut hard, which only nonsense input produces)."""
    pieces: list[str] = []
    for unit in _split_units(text, limit):
        if pieces and len(pieces[-1]) + 1 + len(unit) <= limit:
            pieces[-1] = f"{pieces[-1]} {unit}"
        else:
            pieces.append(unit)
    return pieces


def _split_units(text: str, limit: int) -> list[str]:
    """The smallest units `_pieces` may join: paragraphs or sentences that fit, else words."""
    units: list[str] = []
    for paragraph in _PARAGRAPH.split(text):
        paragraph = " ".join(paragraph.split())
        if len(paragraph) <= limit:
            units.append(paragraph)
            continue
        for sentence in _SENTENCE_END.split(paragraph):
            if len(sentence) <= limit:
                units.append(sentence)
                continue
            for word in sentence.split(" "):
                units.extend(word[i : i + limit] for i in range(0, len(word), limit))
    return [unit for unit in units if unit]


def labelled_chunks(source_field: str, label: str, text: str) -> list[Chunk]:
    """`text` as chunks of at most `MAX_CHUNK_CHARS`, each starting with "label: "."""
    prefix = f"{label}: "
    return [
        Chunk(source_field, prefix + piece)
        for piece in _pieces(text, MAX_CHUNK_CHARS - len(prefix))
    ]


def _text_of(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def chunk_field(field: str, value: Any) -> list[Chunk]:
    """The chunks of one profile field's value (none for an empty value)."""
    if field == "policies":
        return _policy_chunks(value)
    if field == "social_media_presence":
        return _social_chunks(value)
    return labelled_chunks(field, _label(field), _text_of(value))


def _policy_chunks(value: Any) -> list[Chunk]:
    if not isinstance(value, Mapping):
        return []
    chunks: list[Chunk] = []
    for key, text in value.items():
        chunks.extend(labelled_chunks("policies", _policy_label(str(key)), _text_of(text)))
    return chunks


def _social_chunks(value: Any) -> list[Chunk]:
    if not isinstance(value, Mapping):
        return []
    entries = [
        f"{SOCIAL_LABELS.get(str(key), str(key))} {_text_of(handle)}"
        for key, handle in value.items()
        if _text_of(handle)
    ]
    return labelled_chunks(
        "social_media_presence", _label("social_media_presence"), "; ".join(entries)
    )


def chunk_profile(profile: Mapping[str, Any], fields: Iterable[str] | None = None) -> list[Chunk]:
    """The chunks of the profile's fields (all profile fields when `fields` is None)."""
    chosen = PROFILE_FIELDS if fields is None else tuple(fields)
    return [chunk for field in chosen for chunk in chunk_field(field, profile.get(field))]


def chunk_facts(facts: Iterable[str]) -> list[Chunk]:
    """Free-text facts as chunks of their own; blank facts and repeats are dropped."""
    seen: set[str] = set()
    chunks: list[Chunk] = []
    for fact in facts:
        for piece in _pieces(fact, MAX_CHUNK_CHARS):
            if piece not in seen:
                seen.add(piece)
                chunks.append(Chunk(FACT_SOURCE, piece))
    return chunks
