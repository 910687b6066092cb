"""Alembic migrations: up from empty, down to nothing, up again, and in step with the models.

These tests drop and migrate a database of their own (the test database's name plus
"_migrations"), so the session-wide migrated database other tests use is never touched.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import CheckConstraint, Enum, create_engine, make_url, pool
from sqlmodel import SQLModel

import store.tables  # noqa: F401  (registers every table on the metadata)
from core.settings import Settings
from tests.support.database import alembic_config, drop_everything, ensure_database

# What a database holds after `downgrade base`: Alembic's own bookkeeping table, and the
# pgvector extension (created by 0001 with IF NOT EXISTS, so possibly not ours to drop).
ALEMBIC_RELATIONS = {"alembic_version", "alembic_version_pkc"}

# User-defined objects outside the system schemas that no extension owns.
_OWN_RELATIONS = """
    SELECT n.nspname || '.' || c.relname FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                      AND d.objid = c.oid AND d.deptype = 'e')
"""
_OWN_TYPES = """
    SELECT n.nspname || '.' || t.typname FROM pg_type t
    JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
      AND t.typtype IN ('e', 'd', 'r', 'm')
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass
                      AND d.objid = t.oid AND d.deptype = 'e')
"""
_OWN_SCHEMAS = """
    SELECT nspname FROM pg_namespace
    WHERE nspname NOT LIKE 'pg\\_%' AND nspname NOT IN ('information_schema', 'public')
"""
_CHECK_CONSTRAINTS = """
    SELECT n.nspname, c.relname, k.conname FROM pg_constraint k
    JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE k.contype = 'c' AND n.nspname IN ('public', 'chidi_auth')
"""
_ENUM_LABELS = """
    SELECT t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_enum e
    JOIN pg_type t ON t.oid = e.enumtypid GROUP BY t.typname
"""


@pytest.fixture(scope="module")
def migrations_url(settings: Settings) -> Iterator[str]:
    """A private, emptied database for this module; left migrated to head afterwards."""
    url = make_url(settings.database_url)
    private = url.set(database=f"{url.database}_migrations").render_as_string(hide_password=False)
    ensure_database(private)
    drop_everything(private)
    yield private
    drop_everything(private)


def _rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(
        make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    ) as conn:
        return conn.execute(sql).fetchall()


def _leftovers(url: str) -> dict[str, set[str]]:
    relations = {row[0] for row in _rows(url, _OWN_RELATIONS)}
    return {
        "relations": {r for r in relations if r.split(".", 1)[1] not in ALEMBIC_RELATIONS},
        "types": {row[0] for row in _rows(url, _OWN_TYPES)},
        "schemas": {row[0] for row in _rows(url, _OWN_SCHEMAS)},
    }


@pytest.fixture(scope="module")
def migrated(migrations_url: str) -> str:
    """The private database after up (from empty), down to base, and up again."""
    config = alembic_config(migrations_url)
    command.upgrade(config, "head")
    tables = {row[0] for row in _rows(migrations_url, _OWN_RELATIONS)}
    assert {"public.businesses", "public.inventory_items", "public.outbox"} <= tables

    command.downgrade(config, "base")
    assert _leftovers(migrations_url) == {"relations": set(), "types": set(), "schemas": set()}

    command.upgrade(config, "head")
    return migrations_url


def test_downgrade_base_then_upgrade_head_restores_every_table(migrated: str) -> None:
    tables = {row[0] for row in _rows(migrated, _OWN_RELATIONS)}
    expected = {
        f"{table.schema or 'public'}.{table.name}" for table in SQLModel.metadata.tables.values()
    }
    assert expected <= tables


def test_autogenerate_finds_no_difference_between_models_and_migrations(migrated: str) -> None:
    """Columns, types, nullability, server defaults, indexes, uniques and FKs all agree.

    Nothing is filtered out: the private database holds only what the migrations made.
    """
    engine = create_engine(migrated, poolclass=pool.NullPool)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn,
                opts={
                    "compare_type": True,
                    "compare_server_default": True,
                    "include_schemas": True,
                },
            )
            differences = compare_metadata(context, SQLModel.metadata)
    finally:
        engine.dispose()
    assert differences == []


def test_every_check_constraint_of_the_models_exists_by_name(migrated: str) -> None:
    """Autogenerate ignores CHECK constraints, so compare them by name here."""
    expected = {
        (table.schema or "public", table.name, constraint.name)
        for table in SQLModel.metadata.tables.values()
        for constraint in table.constraints
        if isinstance(constraint, CheckConstraint)
    }
    assert set(_rows(migrated, _CHECK_CONSTRAINTS)) == expected
    assert ("public", "inventory_items", "ck_inventory_items_sku_format") in expected


def test_postgres_enum_labels_match_the_python_enums(migrated: str) -> None:
    """Autogenerate ignores ENUM labels; a missing or reordered label would break inserts."""
    expected: dict[str, list[str]] = {}
    for table in SQLModel.metadata.tables.values():
        for column in table.columns:
            if isinstance(column.type, Enum) and column.type.native_enum:
                expected[str(column.type.name)] = list(column.type.enums)
    assert dict(_rows(migrated, _ENUM_LABELS)) == expected
    assert expected["conversation_status"][0] == "active_ai"
