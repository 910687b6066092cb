"""The business profile's vocabulary and rules, as pure functions.

Onboarding fills these fields, the workspace assistant edits them, the profile API
validates them and the responder answers from them; all of them share this one list of
fields, their labels, the sub-keys of the two structured fields, the cleaning rules and
the completeness score (PRD §6.2.5 `profile_completeness_score`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any, Final, Literal

ProfileField = Literal[
    "name",
    "business_type",
    "products_services_overview",
    "social_media_presence",
    "target_audience_description",
    "goals_preferences",
    "policies",
]

# In the order onboarding asks for them (grouped by milestone).
PROFILE_FIELDS: Final[tuple[ProfileField, ...]] = (
    "name",
    "business_type",
    "products_services_overview",
    "social_media_presence",
    "target_audience_description",
    "goals_preferences",
    "policies",
)
TEXT_FIELDS: Final = frozenset(
    {
        "name",
        "business_type",
        "products_services_overview",
        "target_audience_description",
        "goals_preferences",
    }
)
FIELD_LABELS: Final[dict[str, str]] = {
    "name": "business name",
    "business_type": "business type",
    "products_services_overview": "products and services",
    "social_media_presence": "social media",
    "target_audience_description": "target audience",
    "goals_preferences": "goals",
    "policies": "policies",
}

SOCIAL_KEYS: Final = ("instagram", "whatsapp", "facebook", "tiktok", "twitter", "website")
SOCIAL_LABELS: Final[dict[str, str]] = {
    "instagram": "Instagram",
    "whatsapp": "WhatsApp",
    "facebook": "Facebook",
    "tiktok": "TikTok",
    "twitter": "X (Twitter)",
    "website": "website",
}
POLICY_KEYS: Final = ("hours", "delivery", "returns", "payment")
POLICY_LABELS: Final[dict[str, str]] = {
    "hours": "opening hours",
    "delivery": "delivery",
    "returns": "returns",
    "payment": "payment",
}

# Points per field; together 100. Policies earn theirs per aspect (hours, delivery, ...).
COMPLETENESS_WEIGHTS: Final[dict[str, int]] = {
    "name": 15,
    "business_type": 15,
    "products_services_overview": 15,
    "social_media_presence": 10,
    "target_audience_description": 15,
    "goals_preferences": 10,
    "policies": 20,
}

MAX_NAME_LENGTH: Final = 200
MAX_TEXT_LENGTH: Final = 4000
MAX_ITEM_LENGTH: Final = 500

_HANDLE = re.compile(r"^@?[A-Za-z0-9._]{1,30}$")
_PHONE = re.compile(r"^\+?[0-9]{7,15}$")


class ProfileValueError(ValueError):
    """A profile value breaks a rule; the message says which, for a person."""


def is_filled(value: Any) -> bool:
    """Whether a profile value says something (None, blanks and empty dicts do not)."""
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, Mapping):
        return any(is_filled(item) for item in value.values())
    return True


def completeness_score(profile: Mapping[str, Any]) -> int:
    """0-100: how much of the profile is filled, weighted by how much answers rely on it."""
    score = 0
    for field, weight in COMPLETENESS_WEIGHTS.items():
        value = profile.get(field)
        if field == "policies":
            known = policy_aspects(value)
            score += weight * len(known) // len(POLICY_KEYS)
        elif is_filled(value):
            score += weight
    return score


def policy_aspects(policies: Any) -> list[str]:
    """The standard policy aspects (hours, delivery, returns, payment) that have a value."""
    if not isinstance(policies, Mapping):
        return []
    return [key for key in POLICY_KEYS if is_filled(policies.get(key))]


def missing_fields(profile: Mapping[str, Any]) -> list[str]:
    """Fields (and policy aspects as "policies.<aspect>") still empty, in asking order."""
    missing: list[str] = []
    for field in PROFILE_FIELDS:
        value = profile.get(field)
        if field == "policies":
            known = set(policy_aspects(value))
            missing.extend(f"policies.{key}" for key in POLICY_KEYS if key not in known)
        elif not is_filled(value):
            missing.append(field)
    return missing


def _no_control_characters(text: str, label: str) -> None:
    if any(unicodedata.category(char) == "Cc" and char not in "\n\t" for char in text):
        raise ProfileValueError(f"The {label} must not contain control characters.")


def clean_text(value: str, *, label: str, max_length: int = MAX_TEXT_LENGTH) -> str | None:
    """Trimmed text with inner runs of spaces collapsed; None when blank."""
    _no_control_characters(value, label)
    text = re.sub(r"[ \t]+", " ", value).strip()
    if len(text) > max_length:
        raise ProfileValueError(f"The {label} must be at most {max_length} characters.")
    return text or None


def clean_handle(value: str) -> str:
    """A social handle as "@name" (a leading @ added; letters, digits, dot, underscore)."""
    handle = value.strip()
    if not _HANDLE.match(handle):
        raise ProfileValueError(f"'{value}' is not a valid handle (letters, digits, . and _).")
    return handle if handle.startswith("@") else f"@{handle}"


def clean_phone(value: str) -> str:
    """A phone number with spaces, dashes, dots and brackets removed; 7-15 digits."""
    phone = re.sub(r"[\s\-().]", "", value)
    if not _PHONE.match(phone):
        raise ProfileValueError(f"'{value}' is not a valid phone number.")
    return phone


def clean_social(value: Mapping[str, Any]) -> dict[str, str]:
    """Social presence with known platforms only; handles and numbers normalised."""
    unknown = sorted(set(value) - set(SOCIAL_KEYS))
    if unknown:
        raise ProfileValueError(
            f"Unknown social platform(s): {', '.join(unknown)}. Use {', '.join(SOCIAL_KEYS)}."
        )
    cleaned: dict[str, str] = {}
    for key in SOCIAL_KEYS:
        raw = value.get(key)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        if not isinstance(raw, str):
            raise ProfileValueError(f"The {SOCIAL_LABELS[key]} entry must be text.")
        if key in ("instagram", "tiktok", "twitter"):
            cleaned[key] = clean_handle(raw)
        elif key == "whatsapp":
            cleaned[key] = clean_phone(raw)
        else:
            text = clean_text(raw, label=SOCIAL_LABELS[key], max_length=MAX_ITEM_LENGTH)
            if text:
                cleaned[key] = text
    return cleaned


def clean_policies(value: Mapping[str, Any]) -> dict[str, str]:
    """Policies as {aspect: text}; the standard aspects plus short custom ones."""
    cleaned: dict[str, str] = {}
    for key, raw in value.items():
        name = str(key).strip().lower()
        if not re.fullmatch(r"[a-z][a-z_]{0,39}", name):
            raise ProfileValueError(f"'{key}' is not a valid policy name.")
        if raw is None:
            continue
        if not isinstance(raw, str):
            raise ProfileValueError(f"The {name} policy must be text.")
        text = clean_text(raw, label=f"{name} policy", max_length=MAX_ITEM_LENGTH)
        if text:
            cleaned[name] = text
    return cleaned


def clean_field(field: str, value: Any) -> Any:
    """One profile field's value, cleaned; raises `ProfileValueError` when it breaks a rule."""
    if value is None:
        return None
    if field in TEXT_FIELDS:
        if not isinstance(value, str):
            raise ProfileValueError(f"The {FIELD_LABELS[field]} must be text.")
        limit = MAX_NAME_LENGTH if field in ("name", "business_type") else MAX_TEXT_LENGTH
        return clean_text(value, label=FIELD_LABELS[field], max_length=limit)
    if field in ("social_media_presence", "policies"):
        if not isinstance(value, Mapping):
            raise ProfileValueError(f"The {FIELD_LABELS[field]} must be an object.")
        cleaned = clean_social(value) if field == "social_media_presence" else clean_policies(value)
        return cleaned or None
    raise ProfileValueError(f"'{field}' is not a profile field.")


def describe_value(field: str, value: Any) -> str:
    """A profile value as a short phrase for a person ("Instagram @x, WhatsApp +234...")."""
    if not is_filled(value):
        return "not provided yet"
    if field == "social_media_presence" and isinstance(value, Mapping):
        return ", ".join(
            f"{SOCIAL_LABELS.get(key, key)} {item}" for key, item in value.items() if item
        )
    if field == "policies" and isinstance(value, Mapping):
        return "; ".join(
            f"{POLICY_LABELS.get(key, key.replace('_', ' '))}: {item}"
            for key, item in value.items()
            if item
        )
    return str(value)
