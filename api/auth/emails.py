"""Emailed links and codes: confirmation, password recovery, email change; and verifying them.

Like GoTrue, each email carries a 6-digit code and a link whose token is GoTrue's
`token_hash` (SHA-224 of email + code), prefixed `pkce_` for PKCE clients. We store only the
SHA-256 of the token_hash, single use, expiring after `auth_email_otp_ttl_seconds`; a new
email of the same kind voids the previous one.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlencode

from sqlmodel.ext.asyncio.session import AsyncSession

from api.auth.errors import forbidden, unprocessable, validation_failed
from core.security import PKCE_PREFIX, email_token_hash, hash_token, new_otp
from core.settings import Settings
from store.repositories import auth as repo
from store.repositories.mail import Email, send_email
from store.tables.auth import AuthUser
from store.tables.base import utcnow

_TEMPLATES = {
    "signup": ("Confirm your CHIDI account", "Follow this link to confirm your email address:"),
    "recovery": ("Reset your CHIDI password", "Follow this link to reset your password:"),
    "email_change": (
        "Confirm your new email address",
        "Follow this link to use this address for your CHIDI account:",
    ),
}
# Which stored token kinds each `type` of POST/GET /verify accepts (GoTrue's pairs).
_TOKEN_KINDS = {
    "signup": ("signup",),
    "invite": ("signup",),
    "recovery": ("recovery",),
    "magiclink": ("recovery",),
    "email": ("signup", "recovery"),
    "email_change": ("email_change",),
}
# The authentication method a verified link signs in with, for PKCE flow states.
FLOW_METHODS = {
    "signup": "email/signup",
    "invite": "invite",
    "recovery": "recovery",
    "magiclink": "magiclink",
    "email_change": "email_change",
}


async def send_token_email(
    db: AsyncSession,
    settings: Settings,
    *,
    user: AuthUser,
    kind: str,
    recipient: str,
    redirect_to: str,
    pkce: bool,
) -> datetime:
    """Create a one-time token for `user` and queue the email carrying it; returns sent time."""
    otp = new_otp()
    token_hash = email_token_hash(recipient, otp)
    ttl = timedelta(seconds=settings.auth_email_otp_ttl_seconds)
    row = await repo.replace_one_time_token(
        db,
        user_id=user.id,
        token_type=kind,
        token_hash=hash_token(token_hash),
        relates_to=recipient,
        ttl=ttl,
    )
    link = f"{settings.auth_url}/verify?" + urlencode(
        {
            "token": PKCE_PREFIX + token_hash if pkce else token_hash,
            "type": kind,
            "redirect_to": redirect_to,
        }
    )
    subject, lead = _TEMPLATES[kind]
    text = (
        f"{lead}\n\n{link}\n\nOr enter this code: {otp}\n\nThe link and the code expire "
        f"in {int(ttl.total_seconds() // 60)} minutes. If you did not ask for this email, "
        "you can ignore it."
    )
    await send_email(
        db,
        Email(template=kind, recipient=recipient, subject=subject, text=text, action_link=link),
        idempotency_key=f"auth:{kind}:{row.id}",
        log_link=settings.environment != "production",
    )
    return row.created_at


def token_kinds(verify_type: str | None) -> tuple[str, ...]:
    """The stored token kinds a verification `type` may spend; refuses unknown types."""
    if not verify_type:
        raise validation_failed("Verify requires a verification type")
    kinds = _TOKEN_KINDS.get(verify_type)
    if kinds is None:
        raise validation_failed("Unsupported verification type")
    return kinds


async def verify_token(
    db: AsyncSession, *, verify_type: str, token_hash: str, email: str | None = None
) -> tuple[AuthUser, str]:
    """Spend an emailed token and apply what it confirms; returns the user and the type.

    For type `email` the returned type says what the token turned out to be (`signup` or
    `magiclink`), as GoTrue does. `email` is given when the caller typed the code.
    """
    kinds = token_kinds(verify_type)
    token = await repo.consume_one_time_token(
        db,
        token_hash=hash_token(token_hash.removeprefix(PKCE_PREFIX)),
        token_types=kinds,
        relates_to=email,
    )
    user = None if token is None else await repo.get_user(db, token.user_id)
    if token is None or user is None:
        message = (
            "Token has expired or is invalid" if email else "Email link is invalid or has expired"
        )
        raise forbidden("otp_expired", message)
    effective, spent_kind = verify_type, token.token_type
    if verify_type == "email":
        effective = "signup" if spent_kind == "signup" else "magiclink"
    if effective == "email_change":
        await _change_email(db, user, token.relates_to)
    else:
        await confirm_email(db, user)
    return user, effective


async def confirm_email(db: AsyncSession, user: AuthUser) -> None:
    """Mark the user's email as confirmed (following a link from it proves ownership)."""
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
        await repo.save_user(db, user)
    await _update_email_identity(db, user)


async def _change_email(db: AsyncSession, user: AuthUser, new_email: str) -> None:
    other = await repo.get_user_by_email(db, new_email)
    if other is not None and other.id != user.id:
        raise unprocessable(
            "email_exists", "A user with this email address has already been registered"
        )
    user.email = new_email
    user.email_confirmed_at = user.email_confirmed_at or utcnow()
    await repo.save_user(db, user)
    await _update_email_identity(db, user)


async def _update_email_identity(db: AsyncSession, user: AuthUser) -> None:
    if await repo.find_identity(db, "email", str(user.id)) is not None:
        await repo.save_identity(
            db,
            user_id=user.id,
            provider="email",
            provider_id=str(user.id),
            data={"email": user.email, "email_verified": True},
        )
