"""Column and constraint builders for the product schema.

A Column object belongs to exactly one table, so every helper builds a fresh one. They
exist so that the Postgres-specific spelling (native ENUMs by value, NUMERIC(10,2), JSONB
defaults, named CHECKs) is written once and every table says the same thing the same way.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Dialect,
    Enum,
    ForeignKey,
    Integer,
    Numeric,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator

from store.tables.enums import PG_ENUM_NAMES

MONEY = Numeric(10, 2)


def pg_enum(enum_cls: type[StrEnum]) -> Enum:
    """The native Postgres ENUM type for `enum_cls`, storing its values (not its names)."""
    return Enum(
        enum_cls,
        name=PG_ENUM_NAMES[enum_cls],
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


def enum_column(
    enum_cls: type[StrEnum],
    *,
    nullable: bool = False,
    default: StrEnum | None = None,
    index: bool = False,
) -> Column[Any]:
    """A column of a native ENUM type, with an optional server default."""
    server_default = text(f"'{default.value}'") if default is not None else None
    return Column(pg_enum(enum_cls), nullable=nullable, server_default=server_default, index=index)


class TextEnum(TypeDecorator[StrEnum]):
    """TEXT in the database, a StrEnum member in Python (paired with a `one_of` CHECK).

    Autogenerate renders it as `store.tables.columns.TextEnum()`; write `sa.Text()` in the
    migration instead (revisions must not import the models).
    """

    impl = Text
    cache_ok = True

    def __init__(self, enum_cls: type[StrEnum]) -> None:
        super().__init__()
        self.enum_cls = enum_cls

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        """Store the member's value; a plain string is checked against the enum first."""
        return None if value is None else self.enum_cls(value).value

    def process_result_value(self, value: Any, dialect: Dialect) -> StrEnum | None:
        """Load the member, so callers compare and match on the enum."""
        return None if value is None else self.enum_cls(value)


def text_enum_column(
    enum_cls: type[StrEnum], *, nullable: bool = False, default: StrEnum | None = None
) -> Column[Any]:
    """A TEXT column restricted (with `one_of`) to `enum_cls`'s values."""
    server_default = text(f"'{default.value}'") if default is not None else None
    return Column(TextEnum(enum_cls), nullable=nullable, server_default=server_default)


def text_column(*, nullable: bool = True) -> Column[str]:
    """A TEXT column."""
    return Column(Text, nullable=nullable)


def zero_column() -> Column[int]:
    """An `INTEGER NOT NULL DEFAULT 0` column: counts, stock, positions, scores."""
    return Column(Integer, nullable=False, server_default=text("0"))


def flag_column() -> Column[bool]:
    """A `BOOLEAN NOT NULL DEFAULT true` column, such as `is_active`."""
    return Column(Boolean, nullable=False, server_default=text("true"))


def jsonb_column(*, nullable: bool = True, default: str | None = None) -> Column[Any]:
    """A JSONB column; `default` is a JSON literal such as '{}' or '[]'."""
    server_default = text(f"'{default}'::jsonb") if default is not None else None
    return Column(JSONB, nullable=nullable, server_default=server_default)


def fk_column(
    target: str, *, ondelete: str, nullable: bool = False, index: bool = False
) -> Column[Any]:
    """A UUID foreign-key column; `ondelete` is the PRD's rule (CASCADE or SET NULL)."""
    return Column(ForeignKey(target, ondelete=ondelete), nullable=nullable, index=index)


def one_of(table: str, column: str, enum_cls: type[StrEnum]) -> CheckConstraint:
    """CHECK that a TEXT column holds one of `enum_cls`'s values (NULL passes)."""
    values = ", ".join(f"'{member.value}'" for member in enum_cls)
    return CheckConstraint(f"{column} IN ({values})", name=f"ck_{table}_{column}_valid")


def non_negative(table: str, column: str) -> CheckConstraint:
    """CHECK `column >= 0` (NULL passes)."""
    return CheckConstraint(f"{column} >= 0", name=f"ck_{table}_{column}_non_negative")


def unit_interval(table: str, column: str) -> CheckConstraint:
    """CHECK `column` lies in [0, 1], as confidences and thresholds do (NULL passes)."""
    return CheckConstraint(
        f"{column} >= 0 AND {column} <= 1", name=f"ck_{table}_{column}_unit_interval"
    )
