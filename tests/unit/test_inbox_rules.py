"""Pure rules of the inbox: search queries, tags, notes, statuses and the owner's numbers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from store.conversations.inbox import search_tsquery
from store.conversations.stats import percentile, summarize
from store.conversations.takeover import OWNER_STATUSES, append_note, normalize_tags
from store.tables.enums import ConversationStatus


def test_a_search_term_becomes_word_prefixes_and_nothing_else() -> None:
    assert search_tsquery("Refund") == "refund:*"
    assert search_tsquery("  Ada   obi ") == "ada:* & obi:*"
    # Punctuation, tsquery operators and quotes never reach the query.
    assert search_tsquery("Ada's re-fund! | !x & (y)") == "ada:* & s:* & re:* & fund:* & x:* & y:*"
    assert search_tsquery("snake_case") == "snake:* & case:*"
    assert search_tsquery("Ọjà 2348012") == "ọjà:* & 2348012:*"
    assert search_tsquery("?!… 🙂") is None
    assert search_tsquery("a b c d e f g h i j") == " & ".join(f"{w}:*" for w in "abcdefgh")


def test_tags_are_trimmed_and_deduplicated_ignoring_case_in_order() -> None:
    assert normalize_tags([" VIP ", "vip", "", "refund", "Refund ", "wholesale"]) == [
        "VIP",
        "refund",
        "wholesale",
    ]
    assert normalize_tags([]) == []


def test_notes_are_appended_as_stamped_paragraphs() -> None:
    at = datetime(2026, 11, 25, 9, 5, tzinfo=UTC)
    first = append_note(None, "  Called her back. ", at=at)
    assert first == "[2026-11-25 09:05 UTC] Called her back."
    assert (
        append_note(first, "Refund sent", at=at) == f"{first}\n\n[2026-11-25 09:05 UTC] Refund sent"
    )


def test_owners_set_takeover_handback_resolution_and_archive_but_not_the_bots_statuses() -> None:
    assert ConversationStatus.ACTIVE_AI in OWNER_STATUSES  # hand back to the bot
    assert ConversationStatus.ACTIVE_HUMAN in OWNER_STATUSES
    assert ConversationStatus.RESOLVED_BY_HUMAN in OWNER_STATUSES
    assert ConversationStatus.ARCHIVED in OWNER_STATUSES
    assert ConversationStatus.ESCALATED_HUMAN_NEEDED not in OWNER_STATUSES
    assert ConversationStatus.RESOLVED_BY_AI not in OWNER_STATUSES


def test_percentiles_interpolate_between_ranks_like_percentile_cont() -> None:
    values = [10.0, 20.0, 30.0, 40.0]
    assert percentile(values, 0.5) == 25.0
    assert percentile(values, 0.9) == pytest.approx(37.0)
    assert percentile([7.0], 0.9) == 7.0
    with pytest.raises(ValueError, match="no values"):
        percentile([], 0.5)


def test_a_summary_counts_and_takes_median_and_p90() -> None:
    summary = summarize([600.0, 60.0, 120.0, 180.0, 240.0])
    assert (summary.count, summary.median_seconds) == (5, 180.0)
    assert summary.p90_seconds == pytest.approx(456.0)
    empty = summarize([])
    assert (empty.count, empty.median_seconds, empty.p90_seconds) == (0, None, None)
