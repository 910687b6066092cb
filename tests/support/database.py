"""Bring the test database to a known state: empty, then migrated to head with Alembic."""

from __future__ import annotations

from pathlib import Path

import psycopg
import psycopg.conninfo
import psycopg.sql
from alembic import command
from alembic.config import Config

ROOT = Path(__file__).resolve().parents[2]


def alembic_config(database_url: str) -> Config:
    """An Alembic config for `database_url` that leaves logging alone."""
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["url"] = database_url
    config.attributes["configure_logger"] = False
    return config


def _dsn(database_url: str) -> str:
    return database_url.replace("postgresql+psycopg://", "postgresql://", 1)


def ensure_database(database_url: str) -> None:
    """Create the database named in `database_url` if it does not exist yet."""
    info = psycopg.conninfo.conninfo_to_dict(_dsn(database_url))
    name = str(info["dbname"])
    with psycopg.connect(
        psycopg.conninfo.make_conninfo(_dsn(database_url), dbname="postgres"), autocommit=True
    ) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            return
        conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(name)))


def drop_everything(database_url: str) -> None:
    """Drop every schema our code or its libraries create, then recreate `public`."""
    with psycopg.connect(_dsn(database_url), autocommit=True) as conn:
        schemas = [
            row[0]
            for row in conn.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' "
                "AND nspname <> 'information_schema'"
            )
        ]
        for schema in schemas:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        conn.execute("CREATE SCHEMA public")


def reset_and_migrate(database_url: str) -> None:
    """Empty the database (creating it if needed) and run every migration."""
    ensure_database(database_url)
    drop_everything(database_url)
    command.upgrade(alembic_config(database_url), "head")
