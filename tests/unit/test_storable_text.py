"""Text Postgres can store: NUL removed and lone surrogates replaced (webhooks), or found
(request bodies refuse them)."""

from __future__ import annotations

import json

import pytest

from core.storable_text import has_unstorable, storable


def test_nul_is_removed_from_strings_and_keys_at_any_depth() -> None:
    payload = json.loads(
        '{"a\\u0000": [{"text": "hi\\u0000 there", "n": 1, "ok": true}], "z": null}'
    )
    assert storable(payload) == {"a": [{"text": "hi there", "n": 1, "ok": True}], "z": None}


def test_a_lone_surrogate_becomes_the_replacement_character_and_pairs_stay() -> None:
    cut = json.loads('{"text": "nice \\ud83d", "whole": "\\ud83d\\ude00"}')
    raw = json.loads(b'{"text": "x\xed\xa0\xbdy"}')  # a surrogate encoded raw
    assert storable(cut) == {"text": "nice \ufffd", "whole": "😀"}
    assert storable(raw) == {"text": "x\ufffdy"}
    for value in (*storable(cut).values(), *storable(raw).values()):
        value.encode("utf-8")  # what the driver does: no error now


def test_a_payload_with_nothing_to_clean_is_unchanged() -> None:
    payload = {"entry": [{"messaging": [{"message": {"text": "Is the tote in stock? 😀"}}]}]}
    assert storable(payload) == payload


@pytest.mark.parametrize(
    ("value", "found"),
    [
        ("plain, with an emoji 😀", False),
        ("a\x00", True),
        ("half \ud83d", True),
        (["x", ["y", "\x00"]], True),
        ({"k\x00": 1}, True),
        ({"k": {"deeper": ("ok", "no\udc00")}}, True),
        ({"k": [1, 2.5, None, True]}, False),
    ],
)
def test_unstorable_text_is_found_at_any_depth(value: object, found: bool) -> None:
    assert has_unstorable(value) is found
