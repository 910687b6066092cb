"""Every SQLModel table; importing this package registers them all on the metadata."""

from store.tables import (
    auth,
    businesses,
    catalog,
    context,
    conversations,
    ops,
    social,
    users,
    workspace,
)

__all__ = [
    "auth",
    "businesses",
    "catalog",
    "context",
    "conversations",
    "ops",
    "social",
    "users",
    "workspace",
]
