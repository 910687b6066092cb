"""Onboarding progress: the percentage and the milestones the progress bar shows.

Pure functions of what the owner has addressed (answered or skipped) and of how complete
the profile is, so the bar moves on every answer, moves further for full answers than for
skips, and reaches 100 % only when the owner confirms the summary.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, Final

from core.business_profile import PROFILE_FIELDS, completeness_score


@dataclass(frozen=True)
class Milestone:
    """A named stage of onboarding, reached when every one of its fields is addressed."""

    key: str
    label: str
    fields: tuple[str, ...]


MILESTONES: Final[tuple[Milestone, ...]] = (
    Milestone("basic_info", "Basic Info", ("name", "business_type")),
    Milestone(
        "business_details",
        "Business Details",
        ("products_services_overview", "social_media_presence"),
    ),
    Milestone(
        "audience_goals", "Audience & Goals", ("target_audience_description", "goals_preferences")
    ),
    Milestone("policies", "Policies", ("policies",)),
    Milestone("setup_complete", "Setup Complete", ()),
)
MILESTONE_LABELS: Final[dict[str, str]] = {m.key: m.label for m in MILESTONES}

# Before the summary is confirmed the bar stops here, so 100 % always means "done".
MAX_BEFORE_CONFIRMATION: Final = 95
# Half the bar is for getting through the questions, half for how much the answers fill in.
_FLOW_SHARE: Final = 45


def milestones_reached(addressed: Collection[str], *, completed: bool) -> list[str]:
    """Keys of the milestones reached, in order; "setup_complete" only once confirmed."""
    reached = []
    for milestone in MILESTONES:
        if milestone.key == "setup_complete":
            if completed:
                reached.append(milestone.key)
        elif all(field in addressed for field in milestone.fields):
            reached.append(milestone.key)
    return reached


def new_milestone(before: Collection[str], after: Collection[str]) -> str | None:
    """The label of the latest milestone in `after` that `before` lacked, if any."""
    fresh = [key for key in after if key not in before]
    return MILESTONE_LABELS[fresh[-1]] if fresh else None


def progress_percent(
    addressed: Collection[str], profile: Mapping[str, Any], *, completed: bool
) -> int:
    """0-100: questions addressed (45 %) plus half the profile's completeness score."""
    if completed:
        return 100
    done = sum(1 for field in PROFILE_FIELDS if field in addressed)
    flow = _FLOW_SHARE * done / len(PROFILE_FIELDS)
    percent = round(flow + completeness_score(profile) / 2)
    return min(MAX_BEFORE_CONFIRMATION, percent)
