"""Request and response models of the workspace API (PRD §6.2.6).

Turn requests carry only what the owner said: the business comes from the caller's token,
never from the body. Profile values are checked with the same rules onboarding and the
assistant use (`core.business_profile`), and a broken rule is a 422 naming the field.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.schemas.base import RequestBody
from core.business_profile import MAX_TEXT_LENGTH, clean_field
from store.tables.enums import WorkspaceSenderType, WorkspaceThread

MAX_MESSAGE_LENGTH = 4000
OnboardingAction = Literal["skip", "confirm", "restart"]


class OnboardingTurnIn(RequestBody):
    """A reply to the pending onboarding question, an action, or neither (show it again)."""

    message: str | None = Field(default=None, max_length=MAX_MESSAGE_LENGTH)
    action: OnboardingAction | None = Field(
        default=None,
        description="skip: skip the question; confirm: accept the summary; restart: start over.",
    )

    @field_validator("message")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None


class ChatIn(RequestBody):
    """A message to the workspace assistant."""

    message: str = Field(min_length=1, max_length=MAX_MESSAGE_LENGTH)

    @field_validator("message")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


class MilestoneOut(BaseModel):
    """One milestone of the progress bar."""

    key: str
    label: str
    reached: bool


class ProgressOut(BaseModel):
    """The onboarding progress bar (also the `progress_update` event's data)."""

    percent: int
    milestones: list[MilestoneOut]
    milestone_achieved: str | None
    current_field: str | None
    completeness: int


class OnboardingStateOut(BaseModel):
    """Where onboarding stands: the pending question (or closing words) and progress."""

    started: bool
    completed: bool
    stage: Literal["not_started", "questions", "summary", "complete"]
    message: str | None
    question: str | None
    asking: str | None
    follow_up: bool
    skipped: list[str]
    suggestions: list[str]
    progress: ProgressOut


class ProfileOut(BaseModel):
    """The business profile (GET/PUT /api/v1/workspaces/context)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str | None
    business_type: str | None
    target_audience_description: str | None
    products_services_overview: str | None
    social_media_presence: dict[str, Any] | None
    goals_preferences: str | None
    policies: dict[str, Any] | None
    onboarding_progress: dict[str, Any] | None
    profile_completeness_score: int
    onboarding_completed_at: datetime | None
    updated_at: datetime


class ProfileUpdate(RequestBody):
    """A partial update: only fields sent change; null (or blank) clears a field.

    `social_media_presence` and `policies` are replaced as a whole when sent.
    """

    name: str | None = Field(default=None, max_length=200)
    business_type: str | None = Field(default=None, max_length=200)
    target_audience_description: str | None = Field(default=None, max_length=MAX_TEXT_LENGTH)
    products_services_overview: str | None = Field(default=None, max_length=MAX_TEXT_LENGTH)
    goals_preferences: str | None = Field(default=None, max_length=MAX_TEXT_LENGTH)
    social_media_presence: dict[str, str | None] | None = Field(
        default=None,
        description='e.g. {"instagram": "@handle", "whatsapp": "+234..."}; platforms: '
        "instagram, whatsapp, facebook, tiktok, twitter, website.",
    )
    policies: dict[str, str | None] | None = Field(
        default=None,
        description='e.g. {"hours": "...", "delivery": "...", "returns": "...", "payment": "..."}',
    )

    @field_validator("*")
    @classmethod
    def _clean(cls, value: Any, info: Any) -> Any:
        return clean_field(info.field_name, value)

    def changes(self) -> dict[str, Any]:
        """The fields sent, cleaned."""
        return {name: getattr(self, name) for name in self.model_fields_set}


class ChatMessageOut(BaseModel):
    """One stored workspace chat message."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    thread: WorkspaceThread
    sender_type: WorkspaceSenderType
    content: str
    metadata: dict[str, Any] | None = Field(validation_alias="message_metadata")
    timestamp: datetime


class ChatHistoryOut(BaseModel):
    """A page of chat history, newest first; pass `next_cursor` as `before` for older."""

    messages: list[ChatMessageOut]
    next_cursor: str | None
