"""Every SQLModel table; importing this package registers them all on the metadata."""

from store.tables import auth, users

__all__ = ["auth", "users"]
