"""A drafted reply, whichever brain wrote it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# "answer": states facts; "clarify": asks which product or option is meant (it may state
# facts too); "greeting": a hello or thanks with no facts in it.
DraftKind = Literal["answer", "clarify", "greeting"]


@dataclass(frozen=True)
class Draft:
    """The text to send, what kind of reply it is, and the situation it answers
    ("availability.out_of_stock", "llm"), for the log."""

    text: str
    kind: DraftKind
    situation: str
