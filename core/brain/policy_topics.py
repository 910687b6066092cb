"""Which of the shop's policies a message is about: delivery, returns, hours, payment, location.

The retrieve step searches the business context by topic, so a policy question must name
its topic even when misspelt ("delivry", "adress"). Phrases are matched on the expanded
text; single keywords of six letters or more also match a close misspelling (rapidfuzz
ratio >= 85, about one wrong letter), while shorter ones must match exactly, since one
letter turns them into another word ("open"/"oven", "ship"/"shop").
"""

from __future__ import annotations

import re
from typing import Final

from rapidfuzz import fuzz, process

POLICY_TOPICS: Final = (
    "delivery",
    "returns",
    "hours",
    "payment",
    "location",
    "warranty",
    "ordering",
)
_TYPO_CUTOFF: Final = 85.0
_TYPO_MIN_LENGTH: Final = 6
_LONG_WORD: Final = re.compile(rf"[a-z]{{{_TYPO_MIN_LENGTH},}}")

_PHRASES: Final[dict[str, re.Pattern[str]]] = {
    "delivery": re.compile(
        r"\b(?:deliver\w*|shipping|ship|ships|shipped|dispatch\w*|waybill|courier|rider|"
        r"logistics|same day|next day|how (?:many|long) (?:days|weeks)|send (?:it )?to|"
        r"(?:come|get) to (?:me|my)|nationwide|outside (?:lagos|abuja|the country|nigeria)|"
        r"(?:will|would|can|when|how (?:long|soon)) (?:\w+ )?(?:it|they|the \w+|my \w+) "
        r"(?:get|reach|arrive|come) (?:to|in|at)?)\b"
    ),
    "returns": re.compile(
        r"\b(?:return policy|returns?|exchange\w*|refund policy|doesn ?t fit|does not fit|"
        r"change it|swap)\b"
    ),
    "hours": re.compile(
        r"\b(?:open|opens|opening|close|closes|closing|hours|what time|working days|weekends?|"
        r"saturdays?|sundays?|public holidays?|mondays?|fridays?)\b"
    ),
    "payment": re.compile(
        r"\b(?:pay|paying|payment\w*|transfer|bank|account (?:number|details)|card|cards|pos|"
        r"cash|cash on delivery|installments?|instalments?|paystack|flutterwave|crypto|usdt)\b"
    ),
    "location": re.compile(
        r"\b(?:address|located|location|where (?:is|are) (?:you|your)|where (?:are )?you "
        r"(?:are|based|located)|shops?|stores?|offices?|"
        r"branch|branches|pick ?up|collect|walk in|showroom|physical)\b"
    ),
    "warranty": re.compile(r"\b(?:warrant(?:y|ies|ee)|guarantee[ds]?)\b"),
    # Lead times and rules for orders: notice for events, minimums, pre-orders.
    "ordering": re.compile(
        r"\b(?:(?:advance|how much|minimum|hours?|days?|weeks?) notice|in advance|ahead of time|"
        r"how (?:early|far ahead|far in advance)|"
        r"minimum order|bulk orders?|(?:party|event|large|catering) orders?|pre ?orders?)\b"
    ),
}
_KEYWORDS: Final[dict[str, str]] = {
    "delivery": "delivery",
    "deliver": "delivery",
    "shipping": "delivery",
    "dispatch": "delivery",
    "returns": "returns",
    "exchange": "returns",
    "opening": "hours",
    "closing": "hours",
    "payment": "payment",
    "transfer": "payment",
    "address": "location",
    "location": "location",
    "located": "location",
    "warranty": "warranty",
    "guarantee": "warranty",
}


# A street address: a number then a name and a street word ("27 Fola Osibo Road"), or a
# shop number in a plaza ("Shop 14, Banex Plaza").
_ADDRESS: Final = re.compile(
    r"\b\d+[a-z]?,? (?:[a-z]+ ){1,4}(?:road|rd|street|st|avenue|ave|way|close|crescent|"
    r"drive|lane|boulevard|expressway|estate)\b|\b(?:shop|suite|block|plot) \d+\b"
)


def gives_address(expanded: str) -> bool:
    """Whether the (lower-case) text states a street address: such a sentence answers
    "where are you?" though it names no location word."""
    return _ADDRESS.search(expanded) is not None


# Words that set a condition or a deadline rather than name what is asked: "if I pay
# today, will it reach Ibadan by Friday?" asks about delivery, not payment or hours.
_CONDITION: Final = re.compile(
    r"\bif (?:i|we) (?:pay|paid|order|ordered|buy|bought)\b|\bby (?:monday|tuesday|wednesday|"
    r"thursday|friday|saturday|sunday|tomorrow|the weekend|next week)\b"
)


def policy_topics(expanded: str) -> tuple[str, ...]:
    """The policy topics `expanded` (text after `slang.expand`) mentions, in a fixed order."""
    asked = _CONDITION.sub(" ", expanded)
    found = {topic for topic, pattern in _PHRASES.items() if pattern.search(asked)}
    found |= _misspelt_topics(asked)
    return tuple(topic for topic in POLICY_TOPICS if topic in found)


def _misspelt_topics(expanded: str) -> set[str]:
    topics: set[str] = set()
    for word in _LONG_WORD.findall(expanded):
        hit = process.extractOne(
            word, list(_KEYWORDS), scorer=fuzz.ratio, score_cutoff=_TYPO_CUTOFF
        )
        if hit is not None:
            topics.add(_KEYWORDS[hit[0]])
    return topics
