"""Checking a draft reply against the retrieved facts before anything is sent (pure).

DESIGN.md: a price or stock figure that does not come from the catalog is a defect, never
an acceptable answer. So whichever brain wrote the draft, it goes out only if

- every number in it is a retrieved fact: an amount said as a price ("₦15,000", "is 25",
  "15k") is a catalog price or an amount in the business's own words (a delivery fee); a
  figure said as stock ("3 left", "5 in stock") is a stock figure of a retrieved SKU or
  product; any other number appears in a retrieved text (a size, a name, "7 days");
- every SKU-like code in it is a retrieved SKU (or one the catalog confirmed it lacks);
- every sentence that states a policy (delivery, returns, hours, payment, location...)
  is covered by one retrieved text of the business: most of its words are there, and so
  is each word that flips its meaning (not, closed, free, a weekday...).

Anything unmatched makes the draft unverified; the caller escalates instead of sending.
The checks are deliberately strict: a false alarm costs a holding message and a person's
reply, a false pass costs a customer a wrong price.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Final, Literal

from rapidfuzz import fuzz

from agents.responder.facts import Facts
from core.catalog_match import fold, singular, tokens

# Currency written before an amount ("₦15,000", "N15,000", "NGN 15000", "$25").
_CURRENCY_BEFORE: Final = re.compile(
    r"(?:[₦$£€]|\b(?:NGN|USD|GBP|EUR|GHS|KES|ZAR)\b|\bN(?=\s?\d))\s?(?=\d)", re.I
)
_MARK: Final = "¤"
_NUMBER: Final = re.compile(
    r"(?<![A-Za-z0-9.])(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?P<dec>\.\d+)?(?!\d)(?P<k>[kK]\b)?"
)
_CURRENCY_AFTER: Final = re.compile(
    r"^\s?(?:naira|dollars?|ngn|usd|pounds?|euros?|cedis?|shillings?|bucks)\b", re.I
)
_PRICE_BEFORE: Final = re.compile(
    r"\b(?:is|are|its|it's|it’s|thats|that's|costs?|for|at|prices?|priced|pay|total|now)"
    r"\s*[:\-]?\s*$",
    re.I,
)
_STOCK_AFTER: Final = re.compile(
    r"^\s*(?:units?|pieces?|pcs|items?|pairs?|of (?:them|those|these|it))?\s*"
    r"(?:left|in stock|available|remaining|in store)\b",
    re.I,
)
_STOCK_BEFORE: Final = re.compile(r"\b(?:stock(?: level)?(?: of| is)?|only|just)\s*:?\s*$", re.I)
_SENTENCE: Final = re.compile(r"(?<=[.!?])\s+|\n+")
_WORD: Final = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")

# Words that make a sentence a statement about how the business works.
POLICY_WORDS: Final = frozenset(
    """deliver delivery delivering delivered deliveries ship ships shipping shipped dispatch
    return returns returned refund refunds refunded exchange exchanges exchanged open opens
    opening close closes closed closing hours pay payment payments paid transfer cash card
    cards pickup collect collection located location address warranty guarantee guaranteed
    free nationwide weekend weekends weekday weekdays monday tuesday wednesday thursday
    friday saturday sunday holiday holidays""".split()
)
# Words that flip or narrow a statement: each must also be in the supporting text.
_NEGATIONS: Final = frozenset(
    "no not never dont doesnt cant cannot wont isnt arent without none nor".split()
)
_CRITICAL: Final = _NEGATIONS | frozenset(
    """open opens opening close closes closed closing free only except daily everyday
    monday tuesday wednesday thursday friday saturday sunday weekend weekends weekday
    weekdays holiday holidays""".split()
)
# Framing a reply wraps around a quoted policy, ignored when measuring coverage.
_FRAMING: Final = frozenset(
    """our policy policies here sure happy help thank thanks question about info
    information regarding great good course absolutely currently note kindly let know
    also hope helps quick answer customer""".split()
)
_UNIFIED: Final = {
    "opens": "open",
    "opening": "open",
    "closes": "close",
    "closed": "close",
    "closing": "close",
    "weekends": "weekend",
    "weekdays": "weekday",
    "holidays": "holiday",
    "everyday": "daily",
    "cannot": "cant",
}
COVERAGE: Final = 0.6

NumberKind = Literal["price", "stock", "number"]


@dataclass(frozen=True)
class Verification:
    """Whether a draft may be sent, and what did not match when it may not."""

    verified: bool
    problems: tuple[str, ...] = ()
    checked: int = 0


@dataclass(frozen=True)
class NumberClaim:
    """A number in the draft and what it was said as."""

    value: Decimal
    kind: NumberKind
    written: str


def number_claims(text: str) -> list[NumberClaim]:
    """The numbers in `text`, each classified as a price, a stock figure or a number."""
    marked = _CURRENCY_BEFORE.sub(_MARK, text)
    claims: list[NumberClaim] = []
    for match in _NUMBER.finditer(marked):
        value = _value(match)
        if value is None:
            continue
        before, after = marked[max(0, match.start() - 24) : match.start()], marked[match.end() :]
        claims.append(NumberClaim(value, _kind(match, before, after[:40]), match.group(0)))
    return claims


def _value(match: re.Match[str]) -> Decimal | None:
    try:
        value = Decimal(match.group("int").replace(",", "") + (match.group("dec") or ""))
    except InvalidOperation:
        return None
    return value * 1000 if match.group("k") else value


def _kind(match: re.Match[str], before: str, after: str) -> NumberKind:
    if _STOCK_AFTER.match(after) or _STOCK_BEFORE.search(before):
        return "stock"
    decimals = match.group("dec")
    if (
        before.rstrip().endswith(_MARK)
        or match.group("k")
        or _CURRENCY_AFTER.match(after)
        or (decimals is not None and len(decimals) == 3)  # ".50": two decimal places
        or _PRICE_BEFORE.search(before)
    ):
        return "price"
    return "number"


def numbers_in(texts: Iterable[str]) -> set[Decimal]:
    """Every number written in `texts` (for numbers quoted from the business's words)."""
    return {claim.value for text in texts for claim in number_claims(text)}


# --- the checks -------------------------------------------------------------------------


def _check_numbers(text: str, facts: Facts, allowed_quantity: int | None) -> list[str]:
    quoted = numbers_in(facts.texts())
    prices = facts.prices()
    stock = {Decimal(n) for n in facts.stock_figures()}
    if allowed_quantity is not None:
        stock.add(Decimal(allowed_quantity))
    worded = numbers_in([p.text for p in facts.policies]) | numbers_in(
        p.description for p in facts.products if p.description
    )
    problems: list[str] = []
    for claim in number_claims(text):
        if claim.kind == "price" and claim.value not in prices | worded:
            problems.append(f"price {claim.written!r} is not a retrieved price")
        elif claim.kind == "stock" and claim.value not in stock:
            problems.append(f"stock figure {claim.written!r} is not a retrieved stock figure")
        elif claim.kind == "number" and claim.value not in prices | stock | quoted:
            problems.append(f"number {claim.written!r} is not in the retrieved facts")
    return problems


def code_mentions(text: str) -> list[str]:
    """SKU-like codes in `text` (upper-cased): upper-case words of four characters or more
    with a digit or a hyphen ("TOTE-BLK", "AB12"), or hyphenated words with a digit
    ("tote-01"). "T-shirt", "9am" and "1-2" are not codes."""
    found: list[str] = []
    for word in _WORD.findall(text):
        has_digit = any(ch.isdigit() for ch in word)
        has_letter = any(ch.isalpha() for ch in word)
        upper_code = word.upper() == word and len(word) >= 4 and ("-" in word or has_digit)
        if has_letter and (upper_code or ("-" in word and has_digit)):
            found.append(word.upper())
    return list(dict.fromkeys(found))


def _quoted_words(facts: Facts) -> set[str]:
    """Every word and hyphenated run of the facts' texts, upper-cased."""
    out: set[str] = set()
    for text in facts.texts():
        for run in _WORD.findall(text):
            out.add(run.upper())
            out.update(part.upper() for part in run.split("-"))
    return out


def _check_skus(text: str, facts: Facts) -> list[str]:
    known = facts.skus() | _quoted_words(facts)
    return [
        f"code {code!r} is not a retrieved SKU" for code in code_mentions(text) if code not in known
    ]


def _words(text: str) -> list[str]:
    """Folded words, singular, with forms of one word unified ("closes" -> "close")."""
    words = (singular(w) for w in fold(text).split())
    return [_UNIFIED.get(w, w) for w in words]


def is_policy_statement(sentence: str) -> bool:
    """Whether the sentence says something about delivery, returns, hours, payment..."""
    words = fold(sentence).replace("feel free", "").split()
    return any(w in POLICY_WORDS or singular(w) in POLICY_WORDS for w in words)


def _same_word(a: str, b: str) -> bool:
    if a == b:
        return True
    if min(len(a), len(b)) >= 4 and (a.startswith(b[:5]) and b.startswith(a[:5])):
        return True
    return len(a) >= 5 and len(b) >= 5 and fuzz.ratio(a, b) >= 85


def _coverage(sentence: str, support: str) -> float:
    wanted = [t for t in tokens(sentence) if t not in _FRAMING and not t.isdigit()]
    if not wanted:
        return 1.0
    have = tokens(support)
    found = sum(1 for t in wanted if any(_same_word(t, h) for h in have))
    return found / len(wanted)


def _negated(text: str) -> bool:
    return any(w in _NEGATIONS for w in _words(text))


def _supports(sentence: str, support: str) -> bool:
    """Whether `support` (one text of the business) says what `sentence` says: most of
    its words are there, all its numbers, and one sentence of `support` holds every word
    that flips its meaning (so "open on Sundays" is not backed by "Open Monday to
    Saturday. Closed on Sundays.")."""
    if _coverage(sentence, support) < COVERAGE:
        return False
    if not numbers_in([sentence]) <= numbers_in([support]):
        return False
    critical = {w for w in _words(sentence) if w in _CRITICAL}
    parts = [p for p in _SENTENCE.split(support) if p.strip()] or [support]
    holding = [part for part in parts if critical <= set(_words(part))]
    if not holding:
        return False
    closest = max(holding, key=lambda part: _coverage(sentence, part))
    return _negated(sentence) or not _negated(closest)


def policy_statements(text: str) -> list[str]:
    """The sentences of `text` that state a policy."""
    sentences = (s.strip() for s in _SENTENCE.split(text))
    return [s for s in sentences if s and is_policy_statement(s)]


def _check_policies(text: str, facts: Facts) -> list[str]:
    supports = [p.text for p in facts.policies] + [
        p.description for p in facts.products if p.description
    ]
    return [
        f"statement {sentence!r} is not backed by the business's words"
        for sentence in policy_statements(text)
        if not any(_supports(sentence, support) for support in supports)
    ]


def verify(text: str, facts: Facts, *, allowed_quantity: int | None = None) -> Verification:
    """Check every price, stock figure, number, SKU and policy statement of `text`.

    `allowed_quantity` is a quantity the customer asked for that a retrieved SKU has in
    stock ("yes, we have 3"), the one number a reply may take from the customer.
    """
    problems = [
        *_check_numbers(text, facts, allowed_quantity),
        *_check_skus(text, facts),
        *_check_policies(text, facts),
    ]
    checked = len(number_claims(text)) + len(code_mentions(text)) + len(policy_statements(text))
    return Verification(verified=not problems, problems=tuple(problems), checked=checked)
