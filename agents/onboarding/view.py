"""What the owner sees of the onboarding state: the pending prompt and the progress bar.

Pure functions of the state. The prompt is also the `interrupt` payload, so a scripted
owner (the eval runner) or a reconnecting client reads the same thing: the message, the
field being asked, the stage, progress and milestones, and reply suggestions.
"""

from __future__ import annotations

from typing import Any

from agents.onboarding.progress import MILESTONES, milestones_reached, progress_percent
from agents.onboarding.prompts import suggestions_for
from agents.onboarding.state import OnboardingState
from core.business_profile import completeness_score, is_filled


def addressed(state: OnboardingState) -> set[str]:
    """Fields the owner has answered or skipped."""
    return {*state.answered, *state.skipped}


def reached(state: OnboardingState) -> list[str]:
    """Milestone keys reached in `state`."""
    return milestones_reached(addressed(state), completed=state.stage == "complete")


def message(state: OnboardingState) -> str:
    """What CHIDI says on this turn: the preface, then the question."""
    return "\n\n".join(part for part in (state.preface, state.question) if part)


def progress(state: OnboardingState) -> dict[str, Any]:
    """The progress bar: percentage, milestones (reached or not), the latest one reached,
    the field being asked, and the profile completeness score."""
    done = set(reached(state))
    return {
        "percent": progress_percent(
            addressed(state), state.profile, completed=state.stage == "complete"
        ),
        "milestones": [
            {"key": m.key, "label": m.label, "reached": m.key in done} for m in MILESTONES
        ],
        "milestone_achieved": state.milestone,
        "current_field": state.asking,
        "completeness": completeness_score(state.profile),
    }


def prompt(state: OnboardingState) -> dict[str, Any]:
    """The pending prompt (the `interrupt` payload) or, once complete, the closing words."""
    return {
        "message": message(state),
        "question": state.question,
        "field": state.asking,
        "stage": state.stage,
        "follow_up": state.follow_up,
        "skipped": [f for f in state.skipped if not is_filled(state.profile.get(f))],
        "progress": progress(state),
        "suggestions": suggestions_for(state.stage, state.asking),
    }
