"""What the owner is asking the assistant, read by the local brain: pure functions.

The LLM brain chooses tools itself; the local brain sorts a message into one kind of
request with these rules, then calls the same tool functions and composes the answer.
Changes come first ("change my hours to 8am-6pm" is an update, not a policy question),
then the kinds from most to least specific.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final, Literal

from agents.onboarding.extract import policy_of
from agents.onboarding.rules import is_greeting, normalise
from agents.profile_edits import ProfileEdit, parse_edits

RequestKind = Literal[
    "update", "greeting", "help", "low_stock", "stock", "policy", "catalog", "profile", "other"
]

_THANKS: Final = re.compile(r"(?:ok |okay |great |cool )?(?:thanks|thank you|thx|ty)(?: \w+)?")
_HELP: Final = re.compile(
    r"\b(?:what can you do|how can you help|what do you do|help me|how does this work|"
    r"what are you)\b|^help$"
)
_LOW_STOCK: Final = re.compile(
    r"\b(?:low stock|low on stock|running low|running out|almost out|nearly out|restock|"
    r"re stock|out of stock|sold out|need to reorder|reorder)\b"
)
_STOCK: Final = re.compile(
    r"\b(?:how many|stock|in stock|inventory|left|units?|quantity|qty|available|availability)\b"
)
_CATALOG: Final = re.compile(
    r"\b(?:products?|catalog(?:ue)?|sell|selling|items?|price|prices|cost|costs|how much|"
    r"sizes?|colou?rs?|options?|variants?|skus?|menu)\b"
)
_POLICY: Final = re.compile(
    r"\b(?:polic(?:y|ies)|returns?|refunds?|exchanges?|deliver\w*|shipping|pick ?up|hours|"
    r"open|opening|close|closing|payments?|pay|accept)\b"
)
_PROFILE: Final = re.compile(
    r"\b(?:name|business type|type of business|kind of business|audience|customers|goals?|"
    r"instagram|whatsapp|tiktok|facebook|website|social|profile|about (?:my|our|the) business|"
    r"what do you know)\b"
)
# Which profile field a question is about, by the words it uses.
_PROFILE_FIELDS: Final[tuple[tuple[re.Pattern[str], str], ...]] = (
    (
        re.compile(r"\b(?:business type|type of business|kind of business|what type)\b"),
        "business_type",
    ),
    (re.compile(r"\b(?:audience|customers)\b"), "target_audience_description"),
    (re.compile(r"\bgoals?\b"), "goals_preferences"),
    (
        re.compile(r"\b(?:instagram|whatsapp|tiktok|facebook|website|social)\b"),
        "social_media_presence",
    ),
    (
        re.compile(r"\b(?:products and services|what (?:do )?(?:i|we) sell)\b"),
        "products_services_overview",
    ),
    (re.compile(r"\bname\b"), "name"),
)


@dataclass(frozen=True)
class OwnerRequest:
    """The kind of request, and what it is about."""

    kind: RequestKind
    edits: tuple[ProfileEdit, ...] = ()
    policy: str | None = None
    fields: tuple[str, ...] = field(default_factory=tuple)


def profile_fields_in(text: str) -> tuple[str, ...]:
    """The profile fields a question names (empty = the whole profile)."""
    said = normalise(text)
    return tuple(name for pattern, name in _PROFILE_FIELDS if pattern.search(said))


def classify_request(text: str) -> OwnerRequest:
    """Sort an owner's message into one kind of request."""
    edits = tuple(edit for edit in parse_edits(text) if edit.mode != "ask")
    if edits:
        return OwnerRequest("update", edits=edits)
    said = normalise(text)
    if is_greeting(text) or _THANKS.fullmatch(said):
        return OwnerRequest("greeting")
    if _HELP.search(said):
        return OwnerRequest("help")
    if _LOW_STOCK.search(said):
        return OwnerRequest("low_stock")
    if _STOCK.search(said):
        return OwnerRequest("stock")
    if _POLICY.search(said):
        return OwnerRequest("policy", policy=policy_of(text))
    if _CATALOG.search(said):
        return OwnerRequest("catalog")
    if _PROFILE.search(said):
        return OwnerRequest("profile", fields=profile_fields_in(text))
    return OwnerRequest("other")
