"""What every JSON request body of the API shares."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator


def has_nul(value: Any) -> bool:
    """Whether a NUL character is in `value` or any text, list or mapping inside it."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(key) or has_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return any(has_nul(item) for item in value)
    return False


class RequestBody(BaseModel):
    """A request body: unknown fields are refused, and so is a NUL character in any text.

    Postgres stores no NUL in text or JSON; refused here, the caller gets a 422 naming the
    field instead of a database error after the work was done.
    """

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if has_nul(value):
            raise ValueError("must not contain NUL characters")
        return value
