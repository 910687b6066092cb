"""Accounts of the embedded auth service: sign-up, password sign-in, recovery, user updates.

Messages and error codes are GoTrue's, so a frontend written against Supabase shows the
same errors here. Argon2 runs in a worker thread: hashing takes tens of milliseconds of
CPU, which must not stall the event loop.
"""

from __future__ import annotations

import uuid
from typing import Any

from anyio import to_thread
from email_validator import EmailNotValidError, validate_email
from sqlmodel.ext.asyncio.session import AsyncSession

from api.auth import pkce
from api.auth.emails import send_token_email
from api.auth.errors import (
    bad_request,
    forbidden,
    unprocessable,
    validation_failed,
    weak_password,
)
from api.auth.schemas import RecoverBody, SignupBody, TokenBody, UserUpdateBody
from api.auth.sessions import end_sessions, start_session, user_payload
from core.security import (
    MAX_PASSWORD_LENGTH,
    hash_password,
    password_needs_rehash,
    password_weakness,
    verify_password,
)
from core.settings import Settings
from store.repositories import auth as repo
from store.tables.auth import AuthSession, AuthUser
from store.tables.base import utcnow

EMAIL_PROVIDER = "email"
INVALID_LOGIN = "Invalid login credentials"


def normalize_email(raw: str | None) -> str:
    """The address lower-cased, or GoTrue's validation error."""
    if not raw or not raw.strip():
        raise validation_failed("An email address is required")
    if len(raw) > 255:
        raise validation_failed("An email address is too long")
    try:
        validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise validation_failed(f"Unable to validate email address: {exc}") from exc
    return raw.strip().lower()


def check_password_strength(password: str, settings: Settings) -> None:
    """Refuse over-long passwords (validation) and weak ones (`weak_password`, with reasons)."""
    if len(password) > MAX_PASSWORD_LENGTH:
        raise validation_failed(f"Password cannot be longer than {MAX_PASSWORD_LENGTH} characters")
    weakness = password_weakness(password, settings.password_min_length)
    if weakness is not None:
        raise weak_password(weakness.message, list(weakness.reasons))


async def _save_email_identity(db: AsyncSession, user: AuthUser, *, verified: bool) -> None:
    """Record that `user` can sign in with their email and a password (GoTrue's identity)."""
    await repo.save_identity(
        db,
        user_id=user.id,
        provider=EMAIL_PROVIDER,
        provider_id=str(user.id),
        data={
            "sub": str(user.id),
            "email": user.email,
            "email_verified": verified,
            "phone_verified": False,
        },
    )


async def signup(
    db: AsyncSession, settings: Settings, body: SignupBody, redirect_to: str
) -> dict[str, Any]:
    """A new email/password user: a session when autoconfirm is on, else a confirmation email."""
    if body.phone and not body.email:
        raise bad_request("phone_provider_disabled", "Phone signups are disabled")
    if not body.password:
        raise validation_failed("Signup requires a valid password")
    check_password_strength(body.password, settings)
    is_pkce = pkce.pkce_requested(body)
    email = normalize_email(body.email)
    existing = await repo.get_user_by_email(db, email)
    if existing is not None:
        return await _repeated_signup(db, settings, existing, body, redirect_to, is_pkce)
    password_hash = await to_thread.run_sync(hash_password, body.password)
    user = await repo.create_user(
        db,
        email=email,
        password_hash=password_hash,
        app_metadata={"provider": EMAIL_PROVIDER, "providers": [EMAIL_PROVIDER]},
        user_metadata=body.data or {},
        confirmed=settings.auth_autoconfirm,
    )
    if user is None:  # a concurrent signup took the address first
        raise unprocessable("user_already_exists", "User already registered")
    await _save_email_identity(db, user, verified=settings.auth_autoconfirm)
    if settings.auth_autoconfirm:
        return await start_session(db, settings, user, "password")
    return await _send_confirmation(db, settings, user, body, redirect_to, is_pkce)


async def _send_confirmation(
    db: AsyncSession,
    settings: Settings,
    user: AuthUser,
    body: SignupBody,
    redirect_to: str,
    is_pkce: bool,
) -> dict[str, Any]:
    if is_pkce:
        await pkce.remember_challenge(
            db, user_id=user.id, provider_type=EMAIL_PROVIDER, method="email/signup", params=body
        )
    sent_at = await send_token_email(
        db,
        settings,
        user=user,
        kind="signup",
        recipient=user.email,
        redirect_to=redirect_to,
        pkce=is_pkce,
    )
    return await user_payload(db, user, confirmation_sent_at=sent_at)


async def _repeated_signup(
    db: AsyncSession,
    settings: Settings,
    existing: AuthUser,
    body: SignupBody,
    redirect_to: str,
    is_pkce: bool,
) -> dict[str, Any]:
    """GoTrue's answer to a signup for a known address.

    With autoconfirm: `user_already_exists`. Without it the response must not reveal that
    the address is registered: an unconfirmed user gets the confirmation email again, a
    confirmed one a look-alike user object (and no email).
    """
    if settings.auth_autoconfirm:
        raise unprocessable("user_already_exists", "User already registered")
    if existing.email_confirmed_at is None:
        return await _send_confirmation(db, settings, existing, body, redirect_to, is_pkce)
    now = utcnow()
    look_alike = AuthUser(
        id=uuid.uuid4(),
        email=existing.email,
        created_at=now,
        updated_at=now,
        raw_user_meta_data=body.data or {},
        raw_app_meta_data={"provider": EMAIL_PROVIDER, "providers": [EMAIL_PROVIDER]},
    )
    return await user_payload(db, look_alike, confirmation_sent_at=now)


async def password_grant(db: AsyncSession, settings: Settings, body: TokenBody) -> dict[str, Any]:
    """Sign in with email and password (POST /token?grant_type=password)."""
    if body.email and body.phone:
        raise validation_failed(
            "Only an email address or phone number should be provided on login."
        )
    if not body.email:
        if body.phone:
            raise unprocessable("phone_provider_disabled", "Phone logins are disabled")
        raise validation_failed("missing email or phone")
    user = await repo.get_user_by_email(db, body.email.strip().lower())
    stored_hash = user.encrypted_password if user is not None else None
    # Verified even for unknown emails, so response times do not reveal who has an account.
    if not await to_thread.run_sync(verify_password, body.password or "", stored_hash):
        raise bad_request("invalid_credentials", INVALID_LOGIN)
    assert user is not None
    assert stored_hash is not None
    if password_needs_rehash(stored_hash):
        user.encrypted_password = await to_thread.run_sync(hash_password, body.password or "")
    if user.email_confirmed_at is None:
        raise bad_request("email_not_confirmed", "Email not confirmed")
    return await start_session(db, settings, user, "password")


async def recover(
    db: AsyncSession, settings: Settings, body: RecoverBody, redirect_to: str
) -> None:
    """Email a password-recovery link; silent when the address is unknown."""
    if not body.email:
        raise validation_failed("Password recovery requires an email")
    email = normalize_email(body.email)
    is_pkce = pkce.pkce_requested(body)
    user = await repo.get_user_by_email(db, email)
    if user is None:
        return
    if is_pkce:
        await pkce.remember_challenge(
            db, user_id=user.id, provider_type="recovery", method="recovery", params=body
        )
    await send_token_email(
        db,
        settings,
        user=user,
        kind="recovery",
        recipient=email,
        redirect_to=redirect_to,
        pkce=is_pkce,
    )


async def update_user(
    db: AsyncSession,
    settings: Settings,
    user: AuthUser,
    current: AuthSession | None,
    body: UserUpdateBody,
    redirect_to: str,
) -> dict[str, Any]:
    """PUT /user: password, metadata, and email (confirmed by a link to the new address)."""
    if body.app_metadata is not None:
        raise forbidden("not_admin", "Updating app_metadata requires admin privileges")
    if body.phone:
        raise unprocessable("phone_provider_disabled", "Phone logins are disabled")
    is_pkce = pkce.pkce_requested(body)
    new_email = normalize_email(body.email) if body.email else None
    if new_email == user.email:
        new_email = None
    if new_email and await repo.get_user_by_email(db, new_email) is not None:
        raise unprocessable(
            "email_exists", "A user with this email address has already been registered"
        )
    if body.password is not None:
        await _change_password(db, settings, user, current, body.password)
    if body.data is not None:
        merged = {**user.raw_user_meta_data, **body.data}
        user.raw_user_meta_data = {k: v for k, v in merged.items() if v is not None}
    await repo.save_user(db, user)
    if new_email is None:
        return await user_payload(db, user)
    if is_pkce:
        await pkce.remember_challenge(
            db, user_id=user.id, provider_type="email_change", method="email_change", params=body
        )
    sent_at = await send_token_email(
        db,
        settings,
        user=user,
        kind="email_change",
        recipient=new_email,
        redirect_to=redirect_to,
        pkce=is_pkce,
    )
    return await user_payload(db, user, new_email=new_email, email_change_sent_at=sent_at)


async def _change_password(
    db: AsyncSession, settings: Settings, user: AuthUser, current: AuthSession | None, password: str
) -> None:
    """Set a new password; every other session and every emailed link stops working."""
    check_password_strength(password, settings)
    old_hash = user.encrypted_password
    if old_hash is not None:
        unchanged: bool = await to_thread.run_sync(verify_password, password, old_hash)
        if unchanged:
            raise unprocessable(
                "same_password", "New password should be different from the old password."
            )
    user.encrypted_password = await to_thread.run_sync(hash_password, password)
    await repo.clear_one_time_tokens(db, user.id)
    await end_sessions(db, user_id=user.id, current=current, scope="others")
    providers = list(user.raw_app_meta_data.get("providers", []))
    if EMAIL_PROVIDER not in providers:  # a Google-only user adds a password
        user.raw_app_meta_data = {
            **user.raw_app_meta_data,
            "providers": [*providers, EMAIL_PROVIDER],
        }
        await _save_email_identity(db, user, verified=True)
