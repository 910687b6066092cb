"""Next prompts to suggest to the owner, from what their profile still lacks: pure.

A missing field becomes the request that would fill it, so one tap (plus the value)
completes the profile; once nothing is missing, common tasks are suggested instead. Before
onboarding is finished, finishing it comes first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from core.business_profile import missing_fields

MAX_SUGGESTIONS: Final = 3
# The request that fills each profile target (a field, or a key of a structured field).
FILL_PROMPTS: Final[dict[str, str]] = {
    "name": "Set my business name",
    "business_type": "Set my business type",
    "products_services_overview": "Describe what I sell",
    "social_media_presence.instagram": "Add my Instagram handle",
    "target_audience_description": "Describe my target audience",
    "goals_preferences": "Set my business goals",
    "policies.hours": "Set my opening hours",
    "policies.delivery": "Set my delivery policy",
    "policies.returns": "Set my return policy",
    "policies.payment": "Set my payment methods",
}
# `missing_fields` names an empty social field as a whole; a handle is what fills it.
_GAP_TARGETS: Final[dict[str, str]] = {"social_media_presence": "social_media_presence.instagram"}
FINISH_SETUP: Final = "Continue my business setup"
COMMON_TASKS: Final = (
    "What's running low on stock?",
    "What is my return policy?",
    "Summarize my business profile",
)


def next_prompts(
    profile: Mapping[str, Any], asked: str = "", *, onboarding_complete: bool = True
) -> list[str]:
    """Up to three suggestions: finishing onboarding (while it is unfinished), ways to
    fill the profile's gaps, then common tasks (never the question just asked)."""
    gaps = [_GAP_TARGETS.get(gap, gap) for gap in missing_fields(profile)]
    wanted = [FILL_PROMPTS[gap] for gap in gaps if gap in FILL_PROMPTS]
    first = [] if onboarding_complete else [FINISH_SETUP]
    chosen: list[str] = []
    for prompt in [*first, *wanted, *COMMON_TASKS]:
        if prompt.lower() != asked.strip().lower() and prompt not in chosen:
            chosen.append(prompt)
    return chosen[:MAX_SUGGESTIONS]
