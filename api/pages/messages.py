"""What the auth forms say when the auth service refuses: GoTrue codes → a field and words.

GoTrue's own messages are written for developers ("User already registered"); the forms
show the sentences the PRD asks for (§6.1.13: "Invalid credentials", "Email already in
use", "Password too weak"), next to the field they concern.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from api.pages.gotrue import AuthRefused

Field = Literal["email", "password", "current_password", "confirm", "form"]
UNAVAILABLE = "We couldn't reach the sign-in service. Please try again in a moment."


@dataclass(frozen=True)
class FormError:
    """One message, shown beside `field` ("form": above the form)."""

    field: Field
    message: str


_BY_CODE: dict[str, FormError] = {
    "invalid_credentials": FormError("form", "Invalid credentials. Check your email and password."),
    "email_not_confirmed": FormError(
        "form", "Please confirm your email address first: open the link we sent you."
    ),
    "user_already_exists": FormError("email", "Email already in use."),
    "email_exists": FormError("email", "Email already in use."),
    "same_password": FormError("password", "Choose a password different from your current one."),
    "otp_expired": FormError(
        "form", "This link has expired or was already used. Please request a new one."
    ),
    "over_request_rate_limit": FormError(
        "form", "Too many attempts. Please wait a minute and try again."
    ),
    "over_email_send_rate_limit": FormError(
        "form", "Too many emails sent. Please wait a minute and try again."
    ),
}


def auth_error(refused: AuthRefused) -> FormError:
    """The form error for a refusal of the auth service."""
    if refused.code in _BY_CODE:
        return _BY_CODE[refused.code]
    if refused.code == "weak_password":
        detail = refused.message or "Choose a longer password."
        return FormError("password", f"Password is too weak. {detail}")
    if refused.status == 429:
        return _BY_CODE["over_request_rate_limit"]
    lowered = refused.message.lower()
    if refused.code == "validation_failed" and "email" in lowered:
        return FormError("email", "Enter a valid email address.")
    if refused.code == "validation_failed" and "password" in lowered:
        return FormError("password", refused.message)
    return FormError("form", refused.message or "Something went wrong. Please try again.")


def password_mismatch() -> FormError:
    """The two password fields differ."""
    return FormError("confirm", "The passwords do not match.")
