"""What every JSON request body of the API shares."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from core.storable_text import has_unstorable


class RequestBody(BaseModel):
    """A request body: unknown fields are refused, and so is text Postgres cannot store (a
    NUL character, an unpaired surrogate; `core.storable_text`): refused here, the caller
    gets a 422 naming the field instead of a database error after the work was done.
    """

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _storable_text(cls, value: Any) -> Any:
        if has_unstorable(value):
            raise ValueError("must be text without NUL characters or unpaired surrogates")
        return value
