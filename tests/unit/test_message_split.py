"""Instagram's 1,000-byte limit: long replies split at sentence boundaries."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from channels.text import split_message


def test_short_text_is_one_part() -> None:
    assert split_message("  Hello there.  ", 1000) == ["Hello there."]
    assert split_message("   ", 1000) == []


def test_splits_between_sentences_never_inside_one() -> None:
    sentences = [f"Sentence number {i} talks about the leather tote bag." for i in range(40)]
    text = " ".join(sentences)
    parts = split_message(text, 1000)
    assert len(parts) > 1
    assert all(len(p.encode()) <= 1000 for p in parts)
    assert all(p.endswith(".") for p in parts)
    assert " ".join(parts) == text


def test_line_breaks_are_boundaries_and_kept_inside_a_part() -> None:
    text = "Hours:\nMon-Sat 9-7\nSun closed"
    assert split_message(text, 1000) == [text]
    assert split_message(text, 12) == ["Hours:", "Mon-Sat 9-7", "Sun closed"]


def test_a_long_sentence_splits_between_words_then_characters() -> None:
    words = split_message("alpha beta gamma delta", 11)
    assert words == ["alpha beta", "gamma delta"]
    assert split_message("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


def test_multibyte_characters_are_never_cut() -> None:
    text = "é" * 600  # 1,200 bytes
    parts = split_message(text, 1000)
    assert [len(p.encode()) for p in parts] == [1000, 200]
    assert "".join(parts) == text


def test_tiny_limits_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 4"):
        split_message("hi", 3)


@given(
    st.text(alphabet=st.sampled_from("ab .!?\né"), max_size=3000),
    st.integers(min_value=4, max_value=1000),
)
def test_parts_fit_and_keep_every_visible_character(text: str, limit: int) -> None:
    parts = split_message(text, limit)
    assert all(0 < len(p.encode()) <= limit for p in parts)
    assert "".join(parts).replace(" ", "").replace("\n", "") == (
        text.replace(" ", "").replace("\n", "")
    )
