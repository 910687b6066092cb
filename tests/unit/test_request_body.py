"""Request bodies refuse text Postgres cannot store (NUL, a lone surrogate), naming the field."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from api.schemas.conversations import NoteIn, ReplyIn, TagsIn
from api.schemas.products import ProductCreate
from api.schemas.workspace import ChatIn


@pytest.mark.parametrize(
    ("model", "body", "field"),
    [
        (ReplyIn, {"text_content": "hello\x00"}, ("text_content",)),
        (NoteIn, {"text": "\x00"}, ("text",)),
        (NoteIn, {"text": "cut emoji \ud83d"}, ("text",)),
        (TagsIn, {"tags": ["vip", "n\x00"]}, ("tags",)),
        (ChatIn, {"message": "add a product\x00"}, ("message",)),
        (ProductCreate, {"name": "Tote\x00", "base_price": "10"}, ("name",)),
    ],
)
def test_unstorable_text_is_refused_in_the_field_that_holds_it(
    model: type[ReplyIn | NoteIn | TagsIn | ChatIn | ProductCreate],
    body: dict[str, object],
    field: tuple[str, ...],
) -> None:
    with pytest.raises(ValidationError) as refused:
        model.model_validate(body)
    errors = refused.value.errors()
    assert [e["loc"] for e in errors] == [field]
    # pydantic refuses a lone surrogate itself ("not a valid string"); the NUL is ours
    assert "NUL" in errors[0]["msg"] or "valid string" in errors[0]["msg"]


def test_text_without_nul_is_accepted() -> None:
    assert ReplyIn.model_validate({"text_content": " Thanks! "}).text_content == "Thanks!"
