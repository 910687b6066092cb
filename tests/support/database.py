"""Bring the test database to a known state: empty, then migrated to head with Alembic."""

from __future__ import annotations

from pathlib import Path

import psycopg
from alembic import command
from alembic.config import Config

ROOT = Path(__file__).resolve().parents[2]


def alembic_config(database_url: str) -> Config:
    """An Alembic config for `database_url` that leaves logging alone."""
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["url"] = database_url
    config.attributes["configure_logger"] = False
    return config


def drop_everything(database_url: str) -> None:
    """Drop every schema our code or its libraries create, then recreate `public`."""
    dsn = database_url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(dsn, autocommit=True) as conn:
        schemas = [row[0] for row in conn.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' "
            "AND nspname <> 'information_schema'")]
        for schema in schemas:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        conn.execute("CREATE SCHEMA public")


def reset_and_migrate(database_url: str) -> None:
    """Empty the database and run every migration."""
    drop_everything(database_url)
    command.upgrade(alembic_config(database_url), "head")
