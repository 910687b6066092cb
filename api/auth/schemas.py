"""Request bodies and response JSON of the GoTrue-compatible API.

Bodies are lenient like GoTrue's: unknown fields (supabase-py sends `gotrue_meta_security`,
`options`, ...) are ignored and every field is optional, so the handler can answer a
missing value with GoTrue's own message. Responses mirror GoTrue's `User` and token JSON,
which supabase-py parses into its `User` and `Session` models.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ConfigDict

from api.schemas.base import RequestBody
from core.security import AUTHENTICATED
from store.tables.auth import AuthIdentity, AuthUser


class _Body(RequestBody):
    # GoTrue ignores fields it does not know (clients send more than each endpoint reads).
    model_config = ConfigDict(extra="ignore")


class PkceParams(_Body):
    """The PKCE challenge a client in PKCE mode adds to email and OAuth requests."""

    code_challenge: str | None = None
    code_challenge_method: str | None = None


class SignupBody(PkceParams):
    """POST /signup."""

    email: str | None = None
    phone: str | None = None
    password: str | None = None
    data: dict[str, Any] | None = None


class TokenBody(_Body):
    """POST /token, for every grant type (each reads its own fields)."""

    email: str | None = None
    phone: str | None = None
    password: str | None = None
    refresh_token: str | None = None
    auth_code: str | None = None
    code_verifier: str | None = None


class RecoverBody(PkceParams):
    """POST /recover."""

    email: str | None = None


class VerifyBody(_Body):
    """POST /verify: a `token_hash` from a link, or the emailed code with its email."""

    type: str | None = None
    token: str | None = None
    token_hash: str | None = None
    email: str | None = None
    phone: str | None = None
    redirect_to: str | None = None


class UserUpdateBody(PkceParams):
    """PUT /user."""

    email: str | None = None
    phone: str | None = None
    password: str | None = None
    data: dict[str, Any] | None = None
    app_metadata: dict[str, Any] | None = None


@dataclass(frozen=True)
class IssuedSession:
    """What a successful sign-in hands the client."""

    access_token: str
    refresh_token: str
    expires_in: int
    expires_at: int


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def identity_json(identity: AuthIdentity) -> dict[str, Any]:
    """GoTrue's identity object (note: `id` is the provider's id, `identity_id` ours)."""
    return {
        "identity_id": str(identity.id),
        "id": identity.provider_id,
        "user_id": str(identity.user_id),
        "identity_data": identity.identity_data,
        "provider": identity.provider,
        "email": identity.identity_data.get("email"),
        "created_at": _time(identity.created_at),
        "updated_at": _time(identity.updated_at),
        "last_sign_in_at": _time(identity.updated_at),
    }


def user_json(user: AuthUser, identities: list[AuthIdentity], **extra: Any) -> dict[str, Any]:
    """GoTrue's user object; `extra` adds fields such as `recovery_sent_at` or `new_email`."""
    body: dict[str, Any] = {
        "id": str(user.id),
        "aud": AUTHENTICATED,
        "role": AUTHENTICATED,
        "email": user.email,
        "phone": "",
        "email_confirmed_at": _time(user.email_confirmed_at),
        "confirmed_at": _time(user.email_confirmed_at),
        "last_sign_in_at": _time(user.last_sign_in_at),
        "app_metadata": user.raw_app_meta_data,
        "user_metadata": user.raw_user_meta_data,
        "identities": [identity_json(identity) for identity in identities],
        "created_at": _time(user.created_at),
        "updated_at": _time(user.updated_at),
        "is_anonymous": False,
    }
    body.update({key: _time(v) if isinstance(v, datetime) else v for key, v in extra.items()})
    return body


def session_json(issued: IssuedSession, user: dict[str, Any]) -> dict[str, Any]:
    """GoTrue's token response."""
    return {
        "access_token": issued.access_token,
        "token_type": "bearer",
        "expires_in": issued.expires_in,
        "expires_at": issued.expires_at,
        "refresh_token": issued.refresh_token,
        "user": user,
    }
