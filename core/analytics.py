"""Product analytics to PostHog, on when POSTHOG_API_KEY is set.

Only the events the PRD names are sent, with ids and counts as properties — never message
text, names, emails or phone numbers. PostHog being slow or down never slows a request:
the SDK queues events and sends them from its own thread.
"""

from __future__ import annotations

import logging
import re
import uuid
from enum import StrEnum
from typing import Any

from posthog import Posthog

from core.settings import Settings

log = logging.getLogger("chidi.analytics")


class Event(StrEnum):
    """The analytics events CHIDI sends."""

    USER_SIGNED_UP = "user_signed_up"
    ONBOARDING_STARTED = "onboarding_started"
    ONBOARDING_COMPLETED = "onboarding_completed"
    PRODUCT_CREATED = "product_created"
    CONVERSATION_STARTED = "conversation_started"
    AI_AUTO_REPLIED = "ai_auto_replied"
    AI_ESCALATED = "ai_escalated"
    HUMAN_REPLIED = "human_replied"


# Property values must be ids, numbers, booleans or short enums (see the module docstring).
_ALLOWED_TYPES = (bool, int, float)
_LABEL = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
_PHONE_LIKE = re.compile(r"^\+?\d{7,}$")


class Analytics:
    """Sends events to PostHog, or does nothing when it is not configured."""

    def __init__(self, settings: Settings) -> None:
        key = settings.posthog_api_key
        self._client = (
            Posthog(
                key.get_secret_value(),
                host=settings.posthog_host,
                timeout=3,
                max_retries=1,
                on_error=self._on_error,
            )
            if key is not None
            else None
        )

    @staticmethod
    def _on_error(error: Exception, _items: list[dict[str, Any]]) -> None:
        log.warning("analytics delivery failed", extra={"error": type(error).__name__})

    @property
    def enabled(self) -> bool:
        """Whether events are being sent anywhere."""
        return self._client is not None

    def track(self, event: Event, distinct_id: str, **properties: Any) -> None:
        """Queue `event` for `distinct_id` (a user or business id) with safe properties."""
        if self._client is None:
            return
        self._client.capture(
            str(event), distinct_id=distinct_id, properties=safe_properties(properties)
        )

    def flush(self) -> None:
        """Send what is queued (at shutdown, and in tests)."""
        if self._client is not None:
            self._client.flush()

    def shutdown(self) -> None:
        """Flush and stop the sending thread."""
        if self._client is not None:
            self._client.shutdown()


def safe_properties(properties: dict[str, Any]) -> dict[str, Any]:
    """Keep numbers, booleans and short single-word labels (ids, enums); drop the rest."""
    kept: dict[str, Any] = {}
    for key, value in properties.items():
        if isinstance(value, _ALLOWED_TYPES) or (
            isinstance(value, str) and _LABEL.match(value) and not _PHONE_LIKE.match(value)
        ):
            kept[key] = value
    return kept


# The responder's actions that are product events (others — stored only, nothing
# waiting — are not decisions a person sees).
_DECISION_EVENTS = {"responded": Event.AI_AUTO_REPLIED, "escalated": Event.AI_ESCALATED}


def track_decision(
    analytics: Analytics, *, business_id: str, conversation_id: str, action: str
) -> None:
    """ai_auto_replied / ai_escalated for a committed responder decision (by business)."""
    event = _DECISION_EVENTS.get(action)
    if event is not None:
        analytics.track(event, business_id, conversation_id=conversation_id)


def track_onboarding(
    analytics: Analytics, business_id: uuid.UUID, *, started: bool, completed: bool
) -> None:
    """onboarding_started / onboarding_completed for a stored onboarding turn."""
    if started:
        analytics.track(Event.ONBOARDING_STARTED, str(business_id))
    if completed:
        analytics.track(Event.ONBOARDING_COMPLETED, str(business_id))
