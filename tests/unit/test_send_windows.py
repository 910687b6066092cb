"""The platforms' customer-service windows as pure functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from channels.windows import InstagramPermit, can_send_free_text, instagram_permit

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def test_whatsapp_free_text_only_within_24_hours() -> None:
    assert can_send_free_text(NOW - timedelta(hours=23, minutes=59), NOW)
    assert not can_send_free_text(NOW - timedelta(hours=24), NOW)
    assert not can_send_free_text(None, NOW)
    assert can_send_free_text(NOW + timedelta(seconds=5), NOW)  # clock skew


def test_instagram_response_then_human_agent_then_closed() -> None:
    recent, day_two, week_two = (
        NOW - timedelta(hours=2),
        NOW - timedelta(hours=30),
        NOW - timedelta(days=8),
    )
    assert instagram_permit(recent, NOW, written_by_human=False) is InstagramPermit.RESPONSE
    assert instagram_permit(day_two, NOW, written_by_human=False) is InstagramPermit.CLOSED
    assert instagram_permit(day_two, NOW, written_by_human=True) is InstagramPermit.HUMAN_AGENT
    assert instagram_permit(week_two, NOW, written_by_human=True) is InstagramPermit.CLOSED
    assert instagram_permit(None, NOW, written_by_human=True) is InstagramPermit.CLOSED
