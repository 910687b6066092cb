"""Profile changes said in words, for both workspace graphs, as pure functions.

At the end of onboarding the owner corrects the summary ("Change business type to artisan
bakery", "actually our name is Ada Styles", "update the return policy to 14 days"), and
later tells the assistant the same kind of thing ("change my hours to 8am-6pm"). The local
brain reads those with the patterns here; the LLM brain produces the same `ProfileEdit`
through structured output, and both are applied by `apply_edit`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from agents.onboarding.extract import clean_answer, extract_business_type, extract_name
from core.business_profile import (
    FIELD_LABELS,
    SOCIAL_LABELS,
    ProfileValueError,
    clean_field,
    describe_value,
)

# Phrases owners use for each editable target, longest first within a target.
_TARGET_PHRASES: Final[dict[str, tuple[str, ...]]] = {
    "name": ("business name", "company name", "shop name", "store name", "brand name", "name"),
    "business_type": (
        "type of business",
        "kind of business",
        "business category",
        "business type",
        "category",
        "type",
    ),
    "products_services_overview": (
        "products and services",
        "products/services",
        "products & services",
        "product overview",
        "what we sell",
        "offerings",
        "products",
        "services",
        "menu",
    ),
    "target_audience_description": (
        "target audience",
        "target market",
        "ideal customers?",
        "customer base",
        "audience",
        "customers",
    ),
    "goals_preferences": ("business goals?", "main goals?", "goals?"),
    "social_media_presence.instagram": ("instagram handle", "instagram", "insta", "ig"),
    "social_media_presence.whatsapp": (
        "whatsapp number",
        "whatsapp",
        "phone number",
        "phone",
        "number",
    ),
    "social_media_presence.tiktok": ("tiktok handle", "tiktok"),
    "social_media_presence.twitter": ("twitter handle", "twitter"),
    "social_media_presence.facebook": ("facebook page", "facebook"),
    "social_media_presence.website": ("website", "site"),
    "policies.hours": (
        "opening hours",
        "business hours",
        "working hours",
        "opening times",
        "open hours",
        "hours",
    ),
    "policies.delivery": ("delivery policy", "shipping policy", "delivery", "shipping"),
    "policies.returns": (
        "return policy",
        "returns policy",
        "refund policy",
        "exchange policy",
        "returns",
        "refunds",
        "return",
    ),
    "policies.payment": (
        "payment methods?",
        "payment options",
        "payment policy",
        "payments?",
    ),
}
EDIT_TARGETS: Final = tuple(_TARGET_PHRASES)
_PHRASE_TARGET: Final = sorted(
    ((phrase, target) for target, phrases in _TARGET_PHRASES.items() for phrase in phrases),
    key=lambda pair: -len(pair[0]),
)
_FIELD: Final = "|".join(phrase for phrase, _ in _PHRASE_TARGET)
_OWNER: Final = r"(?:(?:my|our|the|your)\s+)?"
_LEAD: Final = (
    r"^(?:(?:no|yes|ok|okay|oh|and|also|but|please|actually|sorry|wait)\b[\s,]*)*"
    r"(?:(?:can|could|would)\s+you\s+|i\s+(?:want|need|would\s+like)\s+to\s+|"
    r"(?:let'?s|lets)\s+|please\s+)?"
)
_CHANGE: Final = re.compile(
    _LEAD
    + r"(?:change|update|set|make|switch|edit|correct|fix|rename)\s+"
    + _OWNER
    + rf"(?P<field>{_FIELD})(?:\s+(?:policy|to\s+be))?\s+(?:to|as|into|=|:|->)\s+(?P<value>.+)$",
    re.IGNORECASE,
)
_STATE: Final = re.compile(
    _LEAD + r"(?:actually\s+)?" + _OWNER + rf"(?P<field>{_FIELD})(?:\s+policy)?\s+"
    r"(?:is\s+actually|are\s+actually|should\s+be|must\s+be|will\s+be|is|are|=|:)\s+"
    r"(?P<value>.+)$",
    re.IGNORECASE,
)
_CALLED: Final = re.compile(
    _LEAD + r"(?:actually\s+)?(?:we'?re|we\s+are|it'?s|it\s+is)\s+(?:actually\s+)?called\s+"
    r"(?P<value>.+)$",
    re.IGNORECASE,
)
_ADD_MORE: Final = re.compile(
    _LEAD + r"(?:add|tell\s+you|say|share)\s+(?:some\s+)?(?:more|something|a\s+bit\s+more|"
    r"a\s+little\s+more|details?)\s+(?:about|to|on|for|regarding)\s+"
    + _OWNER
    + rf"(?P<field>{_FIELD})(?:\s+policy)?(?:\s*[:,\-]\s*(?P<value>.+))?$",
    re.IGNORECASE,
)
_CLEAR: Final = re.compile(
    _LEAD + r"(?:remove|clear|delete|drop|erase)\s+" + _OWNER + rf"(?P<field>{_FIELD})"
    r"(?:\s+policy)?$",
    re.IGNORECASE,
)
_POLICY_TARGET_LABELS: Final[dict[str, str]] = {
    "hours": "opening hours",
    "delivery": "delivery policy",
    "returns": "return policy",
    "payment": "payment methods",
}
# "The name is fine" is a verdict on the value, not a new value.
_VERDICTS: Final = frozenset(
    {"fine", "ok", "okay", "good", "great", "right", "correct", "wrong", "perfect", "incorrect"}
)
_SPLIT: Final = re.compile(
    r"(?:[.;\n]+|,?\s+(?:and|but)\s+(?=(?:also\s+)?(?:change|update|set|make|switch|edit|"
    r"correct|fix|rename|add|remove|clear)\b))\s*",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ProfileEdit:
    """One change: a target ("business_type", "policies.returns", ...) and its new value.

    `mode` "set" replaces, "append" adds to the text, "clear" empties it, and "ask" means
    the owner wants to say more without having said it yet.
    """

    target: str
    value: str | None
    mode: str = "set"

    @property
    def field(self) -> str:
        """The profile field the target belongs to."""
        return self.target.split(".", 1)[0]

    @property
    def key(self) -> str | None:
        """The sub-key within a structured field (a platform or policy aspect)."""
        return self.target.split(".", 1)[1] if "." in self.target else None


def _target(phrase: str) -> str:
    said = phrase.lower()
    for candidate, target in _PHRASE_TARGET:
        if re.fullmatch(candidate, said):
            return target
    raise ValueError(f"no target for {phrase!r}")


def _value(target: str, raw: str) -> str:
    value = clean_answer(raw)
    if target == "name":
        return extract_name(value) or value
    if target == "business_type":
        return extract_business_type(value) or value
    return value


def parse_edit(sentence: str) -> ProfileEdit | None:
    """The change one sentence asks for, or None when it asks for none."""
    text = sentence.strip()
    if match := _CLEAR.match(text):
        return ProfileEdit(_target(match["field"]), None, "clear")
    if match := _ADD_MORE.match(text):
        target = _target(match["field"])
        if match["value"]:
            return ProfileEdit(target, _value(target, match["value"]), "append")
        return ProfileEdit(target, None, "ask")
    if match := _CALLED.match(text):
        return ProfileEdit("name", _value("name", match["value"]))
    # A question about a value ("my hours are what?") states nothing.
    patterns = (_CHANGE,) if text.endswith("?") else (_CHANGE, _STATE)
    for pattern in patterns:
        if match := pattern.match(text):
            target = _target(match["field"])
            value = _value(target, match["value"])
            if value and value.lower() not in _VERDICTS:
                return ProfileEdit(target, value)
    return None


def parse_edits(text: str) -> list[ProfileEdit]:
    """Every change a message asks for ("change X to Y and set Z to W" is two)."""
    edits = []
    for sentence in _SPLIT.split(text):
        edit = parse_edit(sentence)
        if edit is not None:
            edits.append(edit)
    return edits


def _updated_text(current: Any, edit: ProfileEdit) -> str | None:
    if edit.mode == "clear":
        return None
    if edit.mode == "append" and isinstance(current, str) and current.strip():
        return f"{current.rstrip(' .')}. {edit.value}"
    return edit.value


def apply_edit(profile: Mapping[str, Any], edit: ProfileEdit) -> dict[str, Any]:
    """The profile with `edit` applied (a new dict); raises `ProfileValueError` for a value
    the field's rules refuse (e.g. a handle with spaces)."""
    updated = dict(profile)
    if edit.key is None:
        updated[edit.field] = clean_field(edit.field, _updated_text(profile.get(edit.field), edit))
        return updated
    current = profile.get(edit.field)
    entries = dict(current) if isinstance(current, Mapping) else {}
    new_value = _updated_text(entries.get(edit.key), edit)
    if new_value is None:
        entries.pop(edit.key, None)
    else:
        entries[edit.key] = new_value
    updated[edit.field] = clean_field(edit.field, entries)
    return updated


def target_label(target: str) -> str:
    """How a person calls a target: "business type", "return policy", "Instagram"."""
    field, _, key = target.partition(".")
    if field == "policies" and key:
        return _POLICY_TARGET_LABELS.get(key, f"{key.replace('_', ' ')} policy")
    if field == "social_media_presence" and key:
        return SOCIAL_LABELS.get(key, key)
    return FIELD_LABELS[field]


def describe_edit(profile: Mapping[str, Any], edit: ProfileEdit) -> str:
    """What an applied edit did, read back from the updated profile, for a confirmation."""
    label = target_label(edit.target)
    value = profile.get(edit.field)
    if edit.key is not None:
        value = value.get(edit.key) if isinstance(value, Mapping) else None
    if value is None:
        return f"cleared your {label}"
    return f"set your {label} to '{describe_value(edit.field, value)}'"


__all__ = [
    "EDIT_TARGETS",
    "ProfileEdit",
    "ProfileValueError",
    "apply_edit",
    "describe_edit",
    "parse_edit",
    "parse_edits",
    "target_label",
]
