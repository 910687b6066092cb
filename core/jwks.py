"""Public signing keys of an auth server (Supabase's JWKS), fetched and cached.

Supabase projects with asymmetric JWT keys sign access tokens with RS256 or ES256 and
publish the public keys at /auth/v1/.well-known/jwks.json. Keys are cached for
`ttl_seconds`; a token naming an unknown `kid` (a key rotation) triggers one refetch, at
most every `refetch_interval_seconds`, so garbage tokens cannot make us hammer the server.
"""

from __future__ import annotations

import logging
import time
from functools import lru_cache

import httpx
import jwt

log = logging.getLogger("chidi.jwks")


class JwksUnavailable(Exception):
    """The key set could not be fetched or parsed."""


class JwksCache:
    """The key set of one JWKS URL, refreshed when stale or when a new `kid` shows up."""

    def __init__(
        self,
        url: str,
        *,
        ttl_seconds: float = 600,
        refetch_interval_seconds: float = 30,
        timeout_seconds: float = 5,
    ) -> None:
        self.url = url
        self.ttl_seconds = ttl_seconds
        self.refetch_interval_seconds = refetch_interval_seconds
        self.timeout_seconds = timeout_seconds
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = float("-inf")

    async def key(self, kid: str | None) -> jwt.PyJWK | None:
        """The public key with this `kid` (or the only key, when the token names none)."""
        if time.monotonic() - self._fetched_at > self.ttl_seconds:
            await self._refresh()
        found = self._lookup(kid)
        if found is None and time.monotonic() - self._fetched_at > self.refetch_interval_seconds:
            await self._refresh()
            found = self._lookup(kid)
        return found

    def _lookup(self, kid: str | None) -> jwt.PyJWK | None:
        if kid is None:
            return next(iter(self._keys.values())) if len(self._keys) == 1 else None
        return self._keys.get(kid)

    async def _refresh(self) -> None:
        # No lock: two concurrent refreshes are harmless, and the cache outlives event loops.
        try:
            async with httpx.AsyncClient(timeout=self.timeout_seconds) as client:
                response = await client.get(self.url)
                response.raise_for_status()
            key_set = jwt.PyJWKSet.from_dict(response.json())
        except (httpx.HTTPError, ValueError, jwt.PyJWTError) as exc:
            log.warning("JWKS fetch failed", extra={"url": self.url, "error": type(exc).__name__})
            if not self._keys:
                raise JwksUnavailable(f"Could not load signing keys from {self.url}") from exc
            # Keep serving the keys we have; try again after the refetch interval.
            self._fetched_at = time.monotonic() - self.ttl_seconds + self.refetch_interval_seconds
            return
        self._keys = {key.key_id or f"#{i}": key for i, key in enumerate(key_set.keys)}
        self._fetched_at = time.monotonic()


@lru_cache(maxsize=8)
def jwks_cache(url: str) -> JwksCache:
    """The process-wide cache for `url` (one per auth server)."""
    return JwksCache(url)
