"""How many the customer wants: "2 of them", "two pairs", "x3", "i need 5 black soaps".

Numbers in customer messages are mostly not quantities: sizes ("size 42", "chinos 32"),
prices ("40k"), times ("2pm", "2 weeks"), order and phone numbers. So a number counts only
in a shape that means a count:

- a multiplication sign: "x3", "3x", "x 3" (not in a product's name: "Nova X5");
- a counting word after it: "2 pieces", "two pairs", "3 of them", "5 more";
- a buying verb before it: "send me 2", "i'll take three", "i need 5";
- a product word after it, with at most two option words between: "3 linen shirts",
  "2 black totes" (the product words come from the products the message names).

Any of these is refused when a unit follows the number ("2 weeks", "500ml") or a size or
number cue precedes it ("size 2", "number 12"). Counts above 999 are not quantities
(order and phone numbers are longer).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Final

from core.catalog_match import MEASURE_UNITS, singular

MAX_QUANTITY: Final = 999
NUMBER_WORDS: Final[dict[str, int]] = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "dozen": 12,
}
_NUMBER: Final = r"(\d{1,4}|" + "|".join(NUMBER_WORDS) + r")"
_COUNTERS: Final = (
    r"(?:pieces?|pcs?|pairs?|units?|items?|sets?|packs?|bottles?|bars?|copies|more|"
    r"of (?:them|those|these|it|this|that|the|each|your))"
)
_VERBS: Final = r"(?:want|need|order|buy|take|get|send me|give me|add|reserve|book|put|deliver)"
_UNITS: Final = MEASURE_UNITS | frozenset(
    """am pm days day weeks week months month hours hour hrs hr mins minutes min years yrs
    k naira ngn percent times""".split()
)
# "order" is not among them: "order 2" is a count, and order numbers run past 999.
_NUMBER_CUES: Final = frozenset("size sz no number # ref invoice".split())
_TIMES_SHAPES: Final = (re.compile(r"\bx ?(\d{1,3})\b"), re.compile(r"\b(\d{1,3}) ?x\b"))
_QUANTITY_SHAPES: Final = (
    re.compile(rf"\b{_NUMBER} {_COUNTERS}\b"),
    re.compile(rf"\b{_VERBS} (?:me |us |for me |another |about )?{_NUMBER}\b"),
)
_WORD: Final = re.compile(r"[a-z0-9#]+")


def quantity_in(expanded: str, product_words: Collection[str] = ()) -> int | None:
    """The count the customer asks for in `expanded` (text after `slang.expand`), if any.

    `product_words` are the (singular) name tokens of the products the message names, so
    "3 linen shirts" counts while "size 3 shirt" does not.
    """
    candidates = [(m.start(1), m.group(1)) for p in _QUANTITY_SHAPES for m in p.finditer(expanded)]
    candidates += _times(expanded, product_words)
    candidates += _before_product(expanded, product_words)
    for start, number in sorted(candidates):
        value = _value(number)
        if value is not None and _is_count(expanded, start, len(number)):
            return value
    return None


def _times(expanded: str, product_words: Collection[str]) -> list[tuple[int, str]]:
    """Numbers with a multiplication sign ("x3", "3x"), unless the word is part of a
    product's name ("Nova X5")."""
    return [
        (m.start(1), m.group(1))
        for pattern in _TIMES_SHAPES
        for m in pattern.finditer(expanded)
        if m.group(0).replace(" ", "") not in product_words
    ]


def _before_product(expanded: str, product_words: Collection[str]) -> list[tuple[int, str]]:
    """Numbers followed (within two words) by a product word: "2 black totes"."""
    if not product_words:
        return []
    words = list(_WORD.finditer(expanded))
    found: list[tuple[int, str]] = []
    for index, match in enumerate(words):
        if _value(match.group()) is None:
            continue
        following = [singular(w.group()) for w in words[index + 1 : index + 4]]
        if any(word in product_words for word in following):
            found.append((match.start(), match.group()))
    return found


def _value(number: str) -> int | None:
    value = NUMBER_WORDS.get(number) if not number.isdigit() else int(number)
    if value is None or not 1 <= value <= MAX_QUANTITY:
        return None
    return value


def _is_count(expanded: str, start: int, length: int) -> bool:
    """Neither a unit after the number nor a size/number cue before it."""
    after = _WORD.findall(expanded[start + length :])
    before = _WORD.findall(expanded[:start])
    glued_unit = re.match(r"[a-z]+", expanded[start + length :])
    if glued_unit and glued_unit.group() in _UNITS:
        return False
    if after and after[0] in _UNITS:
        return False
    return not (before and before[-1] in _NUMBER_CUES)
