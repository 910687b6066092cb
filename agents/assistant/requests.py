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

from agents.assistant.suggestions import FILL_PROMPTS
from agents.onboarding.extract import policy_of
from agents.onboarding.rules import is_greeting, normalise
from agents.profile_edits import ProfileEdit, parse_edit, parse_edits

RequestKind = Literal[
    "update",
    "fill",
    "setup",
    "greeting",
    "thanks",
    "help",
    "low_stock",
    "stock",
    "policy",
    "catalog",
    "profile",
    "other",
]

_SETUP: Final = re.compile(
    r"\b(?:continue|finish|resume|complete|carry on with)\b.*\b(?:set ?up|onboarding)\b"
)
# "to:" / "as:" before a dictated value ("Update my goals to: ...").
_LABEL_COLON: Final = re.compile(r"\b(to|as)\s*:\s*", re.I)
# Stands in for the value a "set my X" request leaves out, to find X with the edit rules.
_NO_VALUE: Final = "valuenotgiven"
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
    r"\b(?:products?|catalog(?:ue)?|sell|selling|items?|price|prices|priced|cost|costs|how much|"
    r"charge|charging|"
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
    target: str | None = None
    policy: str | None = None
    fields: tuple[str, ...] = field(default_factory=tuple)


def profile_fields_in(text: str) -> tuple[str, ...]:
    """The profile fields a question names (empty = the whole profile)."""
    said = normalise(text)
    return tuple(name for pattern, name in _PROFILE_FIELDS if pattern.search(said))


def target_to_fill(text: str) -> str | None:
    """The profile target a request to set something names without its value ("Set my
    opening hours", a suggestion the owner tapped) -> "policies.hours"; else None."""
    said = normalise(text)
    for target, prompt in FILL_PROMPTS.items():
        if normalise(prompt) == said:
            return target
    if re.search(r"\bto\b", said):
        return None
    edit = parse_edit(f"{text.strip().rstrip('.?!')} to {_NO_VALUE}")
    if edit is not None and edit.mode == "set" and edit.value == _NO_VALUE:
        return edit.target
    return None


def without_label_colon(text: str) -> str:
    """ "Set my goals to: open a second shop" read as "...to open a second shop": owners
    write a colon before the value they dictate, which the edit rules do not expect."""
    return _LABEL_COLON.sub(r"\1 ", text)


def classify_request(text: str) -> OwnerRequest:
    """Sort an owner's message into one kind of request."""
    parsed = parse_edits(without_label_colon(text))
    edits = tuple(edit for edit in parsed if edit.mode != "ask")
    if edits:
        return OwnerRequest("update", edits=edits)
    asked = [edit.target for edit in parsed if edit.mode == "ask"]
    target = asked[0] if asked else target_to_fill(text)
    if target is not None:
        return OwnerRequest("fill", target=target)
    said = normalise(text)
    if _SETUP.search(said):
        return OwnerRequest("setup")
    if is_greeting(text):
        return OwnerRequest("greeting")
    if _THANKS.fullmatch(said):
        return OwnerRequest("thanks")
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
