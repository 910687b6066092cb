"""Where the pages may send a browser after signing in: only back to a page of this site."""

from __future__ import annotations

from urllib.parse import urlsplit

_MAX_LENGTH = 2000


def safe_next(raw: str | None) -> str | None:
    """`raw` when it is a local path ("/products?page=2"), else None.

    Refuses anything a browser could read as another site: absolute URLs, scheme-relative
    `//host`, backslashes (`/\\host` is `//host` to browsers), and control characters.
    """
    if not raw or len(raw) > _MAX_LENGTH or not raw.startswith("/"):
        return None
    if raw.startswith("//") or "\\" in raw or any(ord(ch) < 32 or ord(ch) == 127 for ch in raw):
        return None
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc:
        return None
    return raw
