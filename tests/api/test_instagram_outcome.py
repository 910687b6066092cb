"""The Instagram callback's redirect and the integrations page's notice (pure rules)."""

from __future__ import annotations

import uuid
from urllib.parse import parse_qs, urlsplit

import pytest

from api.pages.instagram_outcome import (
    CONNECTED_NOTHING_NAMED,
    FAILURES,
    MAX_ACCOUNTS_IN_LINK,
    UNKNOWN_FAILURE,
    InstagramOutcome,
    Notice,
    connected_url,
    failed_url,
    notice_for,
    read_outcome,
    wants_json,
)


@pytest.mark.parametrize(
    ("accept", "json"),
    [
        ("application/json", True),
        ("application/json, text/plain;q=0.5", True),
        ("Application/JSON", True),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", False),
        ("text/html, application/json", False),
        ("*/*", False),
        ("", False),
        (None, False),
    ],
)
def test_only_an_explicit_json_caller_gets_json(accept: str | None, json: bool) -> None:
    assert wants_json(accept) is json


def test_the_links_round_trip_through_the_page_s_reader() -> None:
    ids = [uuid.uuid4(), uuid.uuid4()]
    query = parse_qs(urlsplit(connected_url(ids)).query)
    assert urlsplit(connected_url(ids)).path == "/settings/integrations"
    assert read_outcome(query["instagram"][0], query["account"], None) == InstagramOutcome(
        connected=True, account_ids=tuple(ids)
    )
    for code in FAILURES:
        failed = parse_qs(urlsplit(failed_url(code)).query)
        outcome = read_outcome(failed["instagram"][0], [], failed["reason"][0])
        assert outcome == InstagramOutcome(connected=False, reason=code)


def test_a_link_names_at_most_so_many_accounts() -> None:
    ids = [uuid.uuid4() for _ in range(MAX_ACCOUNTS_IN_LINK + 5)]
    query = parse_qs(urlsplit(connected_url(ids)).query)
    assert query["account"] == [str(i) for i in ids[:MAX_ACCOUNTS_IN_LINK]]
    many = [str(i) for i in ids]
    read = read_outcome("connected", many, None)
    assert read is not None
    assert len(read.account_ids) == MAX_ACCOUNTS_IN_LINK


def test_unknown_codes_and_junk_are_never_carried_or_shown() -> None:
    assert parse_qs(urlsplit(failed_url("boom")).query)["reason"] == ["unknown"]
    assert read_outcome("failed", [], "<script>") == InstagramOutcome(connected=False)
    junk = read_outcome("connected", ["not-an-id", "<b>", str(uuid.UUID(int=7))], None)
    assert junk == InstagramOutcome(connected=True, account_ids=(uuid.UUID(int=7),))
    assert read_outcome(None, [], None) is None
    assert read_outcome("something-else", [], "oauth_denied") is None


def test_the_notice_names_the_accounts_or_says_why_not() -> None:
    connected = InstagramOutcome(connected=True)
    assert notice_for(connected, ["@shop"]) == Notice("success", "Instagram connected: @shop.")
    assert notice_for(connected, ["@a", "@b"]).message == "Instagram connected: @a and @b."
    assert notice_for(connected, ["@a", "@b", "@c"]).message == (
        "Instagram connected: @a, @b and @c."
    )
    assert notice_for(connected, []) == Notice("success", CONNECTED_NOTHING_NAMED)
    denied = InstagramOutcome(connected=False, reason="oauth_denied")
    assert notice_for(denied, ["@shop"]) == Notice("error", FAILURES["oauth_denied"])
    assert notice_for(InstagramOutcome(connected=False), []) == Notice("error", UNKNOWN_FAILURE)
