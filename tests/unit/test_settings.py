"""Settings: DSN normalisation, empty variables, and refusing dev secrets in production."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from core.settings import Settings


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@h:5432/db", "postgresql+psycopg://u:p@h:5432/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
    ],
)
def test_database_url_is_pointed_at_psycopg3(given: str, expected: str) -> None:
    assert Settings(database_url=given).database_url == expected


def test_empty_environment_variables_count_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JWT_SECRET", "")
    monkeypatch.setenv("OPENAI_API_KEY", "")
    settings = Settings()
    assert len(settings.jwt_secret.get_secret_value()) >= 32
    assert settings.openai_api_key is None


def test_short_jwt_secret_is_refused() -> None:
    with pytest.raises(ValidationError, match="at least 32"):
        Settings(jwt_secret="too-short")


def test_production_refuses_the_development_secrets() -> None:
    with pytest.raises(ValidationError, match="JWT_SECRET must be set"):
        Settings(environment="production")
    with pytest.raises(ValidationError, match="ENCRYPTION_KEY must be set"):
        Settings(environment="production", jwt_secret="x" * 40)


def test_auth_url_follows_supabase_when_configured() -> None:
    assert Settings(public_url="http://a:1").auth_url == "http://a:1/auth/v1"
    supabase = Settings(supabase_url="https://p.supabase.co/")
    assert supabase.auth_url == "https://p.supabase.co/auth/v1"
    assert supabase.supabase_mode
    assert supabase.google_enabled
