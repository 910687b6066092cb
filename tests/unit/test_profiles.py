"""core.profiles: the rules for full names and avatar URLs, and provider prefills."""

from __future__ import annotations

import pytest

from core.profiles import ProfileValueError, clean_avatar_url, clean_full_name, profile_defaults


def test_full_name_is_trimmed_and_blank_clears() -> None:
    assert clean_full_name("  Ada Lovelace ") == "Ada Lovelace"
    assert clean_full_name("   ") is None
    assert clean_full_name("Ọlá Àjàyí") == "Ọlá Àjàyí"
    assert clean_full_name("x" * 200) == "x" * 200


@pytest.mark.parametrize("bad", ["x" * 201, "tab\there", "nul\x00", "bell\x07", "new\nline"])
def test_full_name_rules(bad: str) -> None:
    with pytest.raises(ProfileValueError):
        clean_full_name(bad)


def test_avatar_url_rules() -> None:
    assert clean_avatar_url(" https://cdn.example.com/a.png ") == "https://cdn.example.com/a.png"
    assert clean_avatar_url("http://example.com/a") == "http://example.com/a"
    for bad in (
        "javascript:alert(1)",
        "data:image/png;base64,AAAA",
        "//cdn.example.com/a",
        "https://",
        "https://exa mple.com/a",
        "https://example.com/" + "a" * 2048,
        "ftp://example.com/a",
    ):
        with pytest.raises(ProfileValueError):
            clean_avatar_url(bad)


def test_profile_defaults_take_only_valid_provider_values() -> None:
    assert profile_defaults({"full_name": " Ada ", "avatar_url": "https://x.example/a.png"}) == {
        "full_name": "Ada",
        "avatar_url": "https://x.example/a.png",
    }
    assert profile_defaults({"name": "Ada", "picture": "javascript:x"}) == {"full_name": "Ada"}
    assert profile_defaults({"name": 42, "picture": None}) == {}
