"""Next prompts to suggest to the owner, from what their profile still lacks: pure.

A missing field becomes the request that would fill it, so one tap (plus the value)
completes the profile; once nothing is missing, common tasks are suggested instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from core.business_profile import missing_fields

MAX_SUGGESTIONS: Final = 3
_FILL: Final[dict[str, str]] = {
    "name": "Set my business name",
    "business_type": "Set my business type",
    "products_services_overview": "Describe what I sell",
    "social_media_presence": "Add my Instagram handle",
    "target_audience_description": "Describe my target audience",
    "goals_preferences": "Set my business goals",
    "policies.hours": "Set my opening hours",
    "policies.delivery": "Set my delivery policy",
    "policies.returns": "Set my return policy",
    "policies.payment": "Set my payment methods",
}
COMMON_TASKS: Final = (
    "What's running low on stock?",
    "What is my return policy?",
    "Summarize my business profile",
)


def next_prompts(profile: Mapping[str, Any], asked: str = "") -> list[str]:
    """Up to three suggestions: ways to fill the profile's gaps first, then common tasks
    (never the question just asked)."""
    wanted = [_FILL[gap] for gap in missing_fields(profile) if gap in _FILL]
    picks = [*wanted, *COMMON_TASKS]
    chosen: list[str] = []
    for prompt in picks:
        if prompt.lower() != asked.strip().lower() and prompt not in chosen:
            chosen.append(prompt)
    return chosen[:MAX_SUGGESTIONS]
