"""Request bodies refuse a NUL character in any text, naming the field (Postgres stores none)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from api.schemas.base import has_nul
from api.schemas.conversations import NoteIn, ReplyIn, TagsIn
from api.schemas.products import ProductCreate
from api.schemas.workspace import ChatIn


@pytest.mark.parametrize(
    ("model", "body", "field"),
    [
        (ReplyIn, {"text_content": "hello\x00"}, ("text_content",)),
        (NoteIn, {"text": "\x00"}, ("text",)),
        (TagsIn, {"tags": ["vip", "n\x00"]}, ("tags",)),
        (ChatIn, {"message": "add a product\x00"}, ("message",)),
        (ProductCreate, {"name": "Tote\x00", "base_price": "10"}, ("name",)),
    ],
)
def test_a_nul_character_is_refused_in_the_field_that_holds_it(
    model: type[ReplyIn | NoteIn | TagsIn | ChatIn | ProductCreate],
    body: dict[str, object],
    field: tuple[str, ...],
) -> None:
    with pytest.raises(ValidationError) as refused:
        model.model_validate(body)
    errors = refused.value.errors()
    assert [e["loc"] for e in errors] == [field]
    assert "NUL" in errors[0]["msg"]


def test_text_without_nul_is_accepted() -> None:
    assert ReplyIn.model_validate({"text_content": " Thanks! "}).text_content == "Thanks!"


@pytest.mark.parametrize(
    ("value", "found"),
    [
        ("plain", False),
        ("a\x00", True),
        (["x", ["y", "\x00"]], True),
        ({"k\x00": 1}, True),
        ({"k": {"deeper": ("ok", "no\x00")}}, True),
        ({"k": [1, 2.5, None, True]}, False),
    ],
)
def test_nul_is_found_at_any_depth(value: object, found: bool) -> None:
    assert has_nul(value) is found
