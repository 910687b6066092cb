"""NUL characters are removed from a delivery before it is stored (Postgres refuses them)."""

from __future__ import annotations

import json

from core.inbound import without_nul


def test_nul_is_removed_from_strings_and_keys_at_any_depth() -> None:
    payload = json.loads(
        '{"a\\u0000": [{"text": "hi\\u0000 there", "n": 1, "ok": true}], "z": null}'
    )
    assert without_nul(payload) == {"a": [{"text": "hi there", "n": 1, "ok": True}], "z": None}


def test_a_payload_without_nul_is_unchanged() -> None:
    payload = {"entry": [{"messaging": [{"message": {"text": "Is the tote in stock?"}}]}]}
    assert without_nul(payload) == payload
