"""The onboarding graph's state: what has been asked, answered and skipped.

Everything here is plain JSON (strings, lists, dicts), so checkpoints stay readable and
any process can resume them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from core.business_profile import PROFILE_FIELDS

Stage = Literal["questions", "summary", "complete"]


@dataclass
class OnboardingInput:
    """What starts a conversation: the profile as it stands (often empty)."""

    profile: dict[str, Any] = field(default_factory=dict)
    """Profile values so far, keyed by `core.business_profile.PROFILE_FIELDS`."""


@dataclass
class OnboardingState(OnboardingInput):
    """The whole conversation state."""

    stage: Stage = "questions"
    """Asking questions, reviewing the summary, or done."""
    asking: str | None = None
    """The profile field the pending question is about (None at the summary and after)."""
    question: str = ""
    """The question or prompt the owner is to answer next ("" = summary to be written)."""
    preface: str = ""
    """What is said before the question: an acknowledgement, a milestone, a confirmation."""
    follow_up: bool = False
    """Whether the pending question asks again about `asking` (a thin answer's follow-up)."""
    queue: list[str] = field(default_factory=lambda: list(PROFILE_FIELDS))
    """Fields still to ask, in order."""
    answered: list[str] = field(default_factory=list)
    """Fields the owner answered."""
    skipped: list[str] = field(default_factory=list)
    """Fields the owner skipped (each is asked once more before the summary)."""
    revisited: list[str] = field(default_factory=list)
    """Skipped fields already asked the second time."""
    followed_up: list[str] = field(default_factory=list)
    """Fields that had their one follow-up question."""
    draft: Any = None
    """A thin first answer's value, combined with the follow-up's answer."""
    reply: dict[str, Any] | None = None
    """The owner's latest reply: {"text": str, "action": "skip" | "confirm" | None}."""
    milestones: list[str] = field(default_factory=list)
    """Keys of the milestones reached so far."""
    milestone: str | None = None
    """The label of the milestone reached on the latest turn, if any."""
    turns: int = 0
    """Replies read so far (varies the acknowledgements)."""
