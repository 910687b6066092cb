"""Rules for the editable profile fields (full name, avatar URL), as pure functions.

The API validates input with them, and the first authenticated call uses them to decide
whether a name or picture from the sign-in provider is fit to prefill the profile.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

MAX_FULL_NAME_LENGTH = 200
MAX_AVATAR_URL_LENGTH = 2048


class ProfileValueError(ValueError):
    """A profile value breaks a rule; the message says which, for a person."""


def clean_full_name(value: str) -> str | None:
    """The name trimmed (None when blank); refuses control characters and over-long names."""
    name = value.strip()
    if any(unicodedata.category(char) == "Cc" for char in name):
        raise ProfileValueError("Full name must not contain control characters.")
    if len(name) > MAX_FULL_NAME_LENGTH:
        raise ProfileValueError(f"Full name must be at most {MAX_FULL_NAME_LENGTH} characters.")
    return name or None


def clean_avatar_url(value: str) -> str:
    """The URL trimmed; it must be an absolute http(s) URL of reasonable length."""
    url = value.strip()
    if len(url) > MAX_AVATAR_URL_LENGTH:
        raise ProfileValueError(f"Avatar URL must be at most {MAX_AVATAR_URL_LENGTH} characters.")
    if any(char.isspace() or unicodedata.category(char) == "Cc" for char in url):
        raise ProfileValueError("Avatar URL must not contain spaces or control characters.")
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise ProfileValueError("Avatar URL is not a valid URL.") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ProfileValueError("Avatar URL must be an http:// or https:// address.")
    return url


def profile_defaults(user_metadata: dict[str, object]) -> dict[str, str]:
    """Name and picture from a provider's metadata (Google's), when they pass the rules."""
    defaults: dict[str, str] = {}
    name = user_metadata.get("full_name") or user_metadata.get("name")
    avatar = user_metadata.get("avatar_url") or user_metadata.get("picture")
    try:
        if isinstance(name, str) and (cleaned := clean_full_name(name)):
            defaults["full_name"] = cleaned
    except ProfileValueError:
        pass
    try:
        if isinstance(avatar, str):
            defaults["avatar_url"] = clean_avatar_url(avatar)
    except ProfileValueError:
        pass
    return defaults
