"""When a business may message a customer: the platforms' customer-service windows.

WhatsApp allows free-form messages only within 24 hours of the customer's last message
(after that, only approved templates; the API answers error 131047). Instagram allows
standard replies within 24 hours and, for replies written by a person, the HUMAN_AGENT tag
up to 7 days after. Pure functions of the last customer message time and "now".
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

CUSTOMER_SERVICE_WINDOW = timedelta(hours=24)
HUMAN_AGENT_WINDOW = timedelta(days=7)


class InstagramPermit(StrEnum):
    """How an Instagram message may be sent right now."""

    RESPONSE = "response"  # messaging_type RESPONSE
    HUMAN_AGENT = "human_agent"  # messaging_type MESSAGE_TAG, tag HUMAN_AGENT
    CLOSED = "closed"  # not at all


def _since(last_customer_message_at: datetime | None, now: datetime) -> timedelta | None:
    if last_customer_message_at is None:
        return None
    # A customer timestamp slightly ahead of our clock still counts as "just now".
    return max(now - last_customer_message_at, timedelta(0))


def can_send_free_text(last_customer_message_at: datetime | None, now: datetime) -> bool:
    """Whether WhatsApp accepts a free-form message now (inside the 24-hour window)."""
    elapsed = _since(last_customer_message_at, now)
    return elapsed is not None and elapsed < CUSTOMER_SERVICE_WINDOW


def instagram_permit(
    last_customer_message_at: datetime | None, now: datetime, *, written_by_human: bool
) -> InstagramPermit:
    """How Instagram lets this message go out: as a response, with HUMAN_AGENT, or not."""
    elapsed = _since(last_customer_message_at, now)
    if elapsed is None:
        return InstagramPermit.CLOSED
    if elapsed < CUSTOMER_SERVICE_WINDOW:
        return InstagramPermit.RESPONSE
    if written_by_human and elapsed < HUMAN_AGENT_WINDOW:
        return InstagramPermit.HUMAN_AGENT
    return InstagramPermit.CLOSED
