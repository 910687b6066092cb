"""Sign in with Google for the embedded auth service: an OIDC authorization-code flow.

authlib does the protocol: discovery (`GOOGLE_DISCOVERY_URL`), the authorization URL with
state, nonce and PKCE (S256), the code exchange, and the ID token checks (signature from
the provider's JWKS, issuer, audience, expiry, nonce). Between the redirect to Google and
the callback, state, nonce, verifier and the client's own redirect/PKCE parameters travel
in a signed, HttpOnly cookie valid for ten minutes, which also binds the callback to the
browser that started the sign-in (no login CSRF).

In Supabase mode none of this runs: Supabase hosts /authorize and talks to Google itself.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any, cast

import httpx
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.starlette_client import OAuth
from itsdangerous import BadSignature, URLSafeTimedSerializer
from joserfc.errors import JoseError
from sqlmodel.ext.asyncio.session import AsyncSession

from api.auth.errors import GoTrueError, bad_request, validation_failed
from core.settings import Settings
from store.repositories import auth as repo
from store.tables.auth import AuthUser
from store.tables.base import utcnow

PROVIDER = "google"
STATE_COOKIE = "chidi_oauth_state"
STATE_MAX_AGE_SECONDS = 600
_SCOPES = "openid email profile"


@dataclass(frozen=True)
class PendingSignIn:
    """What the callback needs to finish the sign-in the authorize step started."""

    state: str
    nonce: str
    code_verifier: str
    redirect_to: str
    code_challenge: str
    code_challenge_method: str


@dataclass(frozen=True)
class GoogleAccount:
    """The verified facts of the ID token, and Google's access token for the client."""

    claims: dict[str, Any]
    provider_token: str


def oidc_client(settings: Settings) -> Any:
    """An authlib OIDC client for Google (discovery and JWKS are fetched lazily, cached)."""
    if not (settings.google_client_id and settings.google_client_secret):
        raise validation_failed("Unsupported provider: provider is not enabled")
    return OAuth().register(
        PROVIDER,
        client_id=settings.google_client_id,
        client_secret=settings.google_client_secret.get_secret_value(),
        server_metadata_url=settings.google_discovery_url,
        client_kwargs={"scope": _SCOPES, "code_challenge_method": "S256", "timeout": 10},
    )


def callback_url(settings: Settings) -> str:
    """Where Google sends the browser back (register it in the Google console)."""
    return f"{settings.auth_url}/callback"


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        settings.jwt_secret.get_secret_value(), salt="chidi.auth.oauth-state"
    )


async def authorization_url(
    client: Any,
    settings: Settings,
    *,
    redirect_to: str,
    code_challenge: str,
    code_challenge_method: str,
) -> tuple[str, str]:
    """Google's authorization URL and the signed cookie value that must accompany it."""
    try:
        created = await client.create_authorization_url(callback_url(settings))
    except (AuthlibBaseError, httpx.HTTPError, RuntimeError, ValueError) as exc:
        raise _provider_unreachable() from exc
    pending = PendingSignIn(
        state=created["state"],
        nonce=created["nonce"],
        code_verifier=created["code_verifier"],
        redirect_to=redirect_to,
        code_challenge=code_challenge,
        code_challenge_method=code_challenge_method,
    )
    return str(created["url"]), _serializer(settings).dumps(pending.__dict__)


def read_pending(settings: Settings, cookie: str | None) -> PendingSignIn | None:
    """The sign-in this browser started, if its cookie is present, intact and recent."""
    if not cookie:
        return None
    try:
        data = _serializer(settings).loads(cookie, max_age=STATE_MAX_AGE_SECONDS)
        return PendingSignIn(**cast(dict[str, str], data))
    except (BadSignature, TypeError):
        return None


async def finish(
    client: Any, settings: Settings, pending: PendingSignIn, query: dict[str, str]
) -> GoogleAccount:
    """Check the callback, exchange its code, and verify the ID token."""
    if not hmac.compare_digest(query.get("state", ""), pending.state):
        raise bad_request("bad_oauth_state", "OAuth callback with invalid state")
    if query.get("error"):
        raise bad_request("bad_oauth_callback", query.get("error_description") or query["error"])
    if not query.get("code"):
        raise bad_request("bad_oauth_callback", "OAuth callback with missing authorization code")
    try:
        token = await client.fetch_access_token(
            redirect_uri=callback_url(settings),
            code=query["code"],
            code_verifier=pending.code_verifier,
        )
        userinfo = await client.parse_id_token(
            token, nonce=pending.nonce, claims_options=await _claims_options(client)
        )
    except (AuthlibBaseError, JoseError) as exc:
        raise GoTrueError(
            500, "unexpected_failure", "Unable to verify the sign-in with Google"
        ) from exc
    except httpx.HTTPError as exc:
        raise _provider_unreachable() from exc
    if userinfo is None:
        raise GoTrueError(500, "unexpected_failure", "Google returned no ID token")
    return GoogleAccount(claims=dict(userinfo), provider_token=str(token["access_token"]))


async def _claims_options(client: Any) -> dict[str, Any]:
    """Require our client id in `aud` and the provider's issuer in `iss`.

    authlib checks only `iss` unless told more; without `aud`, an ID token minted for some
    other app that uses Google sign-in would be accepted here.
    """
    metadata = await client.load_server_metadata()
    return {
        "iss": {"essential": True, "values": [metadata["issuer"]]},
        "aud": {"essential": True, "values": [client.client_id]},
    }


def _provider_unreachable() -> GoTrueError:
    return GoTrueError(502, "unexpected_failure", "Google cannot be reached right now")


def identity_data(claims: dict[str, Any]) -> dict[str, Any]:
    """What GoTrue keeps of an OIDC identity (also copied into user_metadata)."""
    data = {
        "iss": claims.get("iss"),
        "sub": str(claims["sub"]),
        "provider_id": str(claims["sub"]),
        "email": claims.get("email"),
        "email_verified": claims.get("email_verified") is True,
        "name": claims.get("name"),
        "full_name": claims.get("name"),
        "picture": claims.get("picture"),
        "avatar_url": claims.get("picture"),
    }
    return {key: value for key, value in data.items() if value is not None}


async def sign_in_user(db: AsyncSession, claims: dict[str, Any]) -> AuthUser:
    """The user for this Google account: known by its `sub`, linked by verified email, or new.

    Linking to an account whose email was never confirmed drops that account's password:
    whoever registered the address without owning it must not keep a way in.
    """
    data = identity_data(claims)
    identity = await repo.find_identity(db, PROVIDER, data["sub"])
    user = None if identity is None else await repo.get_user(db, identity.user_id)
    if user is None:
        user = await _user_for_email(db, data)
    await repo.save_identity(
        db, user_id=user.id, provider=PROVIDER, provider_id=data["sub"], data=data
    )
    return user


async def _user_for_email(db: AsyncSession, data: dict[str, Any]) -> AuthUser:
    email = str(data.get("email") or "").lower()
    if not email:
        raise GoTrueError(
            500, "unexpected_failure", "Error getting user email from external provider"
        )
    if not data["email_verified"]:
        raise GoTrueError(
            422, "provider_email_needs_verification", "Your Google email address is not verified"
        )
    user = await repo.get_user_by_email(db, email)
    if user is None:
        created = await repo.create_user(
            db,
            email=email,
            password_hash=None,
            user_metadata=data,
            confirmed=True,
            app_metadata={"provider": PROVIDER, "providers": [PROVIDER]},
        )
        user = created or await repo.get_user_by_email(db, email)
        assert user is not None
        return user
    if user.email_confirmed_at is None:
        user.encrypted_password = None
        user.email_confirmed_at = utcnow()
    providers = list(user.raw_app_meta_data.get("providers", []))
    user.raw_app_meta_data = {**user.raw_app_meta_data, "providers": sorted({*providers, PROVIDER})}
    user.raw_user_meta_data = {**data, **user.raw_user_meta_data}
    return await repo.save_user(db, user)
