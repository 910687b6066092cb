"""Bodies of /api/v1/users/me: the profile, and a partial update of it."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.schemas.base import RequestBody
from core.profiles import (
    MAX_AVATAR_URL_LENGTH,
    MAX_FULL_NAME_LENGTH,
    clean_avatar_url,
    clean_full_name,
)


class UserPublic(BaseModel):
    """The signed-in person's profile."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    full_name: str | None
    avatar_url: str | None
    created_at: datetime
    updated_at: datetime


class UserUpdate(RequestBody):
    """A partial update: only the fields sent change; null clears a field."""

    full_name: str | None = Field(
        default=None,
        description=f"Trimmed; at most {MAX_FULL_NAME_LENGTH} characters, no control "
        "characters; blank clears it.",
    )
    avatar_url: str | None = Field(
        default=None,
        description=f"An http(s) URL of at most {MAX_AVATAR_URL_LENGTH} characters, or null.",
    )

    @field_validator("full_name")
    @classmethod
    def _full_name(cls, value: str | None) -> str | None:
        return None if value is None else clean_full_name(value)

    @field_validator("avatar_url")
    @classmethod
    def _avatar_url(cls, value: str | None) -> str | None:
        return None if value is None else clean_avatar_url(value)
