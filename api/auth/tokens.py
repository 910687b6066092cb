"""Verifying access tokens, for CHIDI's API and for the embedded auth service alike.

Which key checks a token follows from its header, from a fixed allow-list:

- HS256: the shared secret (`JWT_SECRET`: ours when embedded, the project's in Supabase
  mode);
- RS256 / ES256: only in Supabase mode, the project's public key from its JWKS by `kid`.

Anything else (`alg: none`, HS384, an RS256 token when embedded) is refused before any
signature check, so a token cannot pick a weaker algorithm or a key of its own. The
issuer is checked when embedded, where we know it exactly (`settings.auth_url`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from core.errors import ServiceUnavailable
from core.jwks import JwksUnavailable, jwks_cache
from core.security import (
    ASYMMETRIC_ALGORITHMS,
    SYMMETRIC_ALGORITHMS,
    TokenInvalid,
    decode_access_token,
    token_header,
)
from core.settings import Settings


@dataclass(frozen=True)
class AccessClaims:
    """The verified facts an access token carries about its bearer."""

    user_id: uuid.UUID
    email: str
    session_id: uuid.UUID | None
    user_metadata: dict[str, Any]


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, or None when absent."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def jwks_url(settings: Settings) -> str:
    """Where the Supabase project publishes its signing keys."""
    return settings.supabase_jwks_url or f"{settings.auth_url}/.well-known/jwks.json"


async def _verification_key(header: dict[str, Any], settings: Settings) -> Any:
    algorithm = header.get("alg")
    if algorithm in SYMMETRIC_ALGORITHMS:
        return settings.jwt_secret.get_secret_value()
    if algorithm in ASYMMETRIC_ALGORITHMS and settings.supabase_mode:
        try:
            key = await jwks_cache(jwks_url(settings)).key(header.get("kid"))
        except JwksUnavailable as exc:
            raise ServiceUnavailable(
                "The auth server's signing keys cannot be loaded right now; please retry shortly."
            ) from exc
        if key is None:
            raise TokenInvalid("The access token is signed with an unknown key.")
        return key
    raise TokenInvalid(f"Access tokens signed with '{algorithm}' are not accepted.")


async def verify_access_token(token: str, settings: Settings) -> AccessClaims:
    """The claims of a valid access token; `TokenError` (expired, invalid) otherwise."""
    header = token_header(token)
    key = await _verification_key(header, settings)
    claims = decode_access_token(
        token,
        key=key,
        algorithm=str(header["alg"]),
        issuer=None if settings.supabase_mode else settings.auth_url,
    )
    email = claims.get("email")
    if not isinstance(email, str) or not email:
        raise TokenInvalid("The access token carries no email address.")
    session_id = claims.get("session_id")
    try:
        session_uuid = uuid.UUID(session_id) if isinstance(session_id, str) else None
    except ValueError as exc:
        raise TokenInvalid("The access token's session id is malformed.") from exc
    metadata = claims.get("user_metadata")
    return AccessClaims(
        user_id=uuid.UUID(str(claims["sub"])),
        email=email.lower(),
        session_id=session_uuid,
        user_metadata=metadata if isinstance(metadata, dict) else {},
    )
