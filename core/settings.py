"""All configuration, read once from the environment (and `.env`).

Nothing else in CHIDI reads `os.environ`: take a `Settings` from `get_settings()`.
An unset integration (OpenAI, Supabase, Sentry, ...) means its embedded default is used.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-only-secret-change-me-in-production-0123456789"  # noqa: S105
DEV_ENCRYPTION_KEY = "ZGV2LW9ubHktZW5jcnlwdGlvbi1rZXktMzJieXRlcyE="  # base64 of 32 bytes


class Settings(BaseSettings):
    """CHIDI's settings; every field maps to an upper-case environment variable."""

    # Empty variables (as in a copied .env.example) count as unset, never as "".
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", env_ignore_empty=True)

    environment: Literal["development", "test", "production"] = "development"
    log_level: str = "INFO"
    public_url: str = "http://127.0.0.1:8000"
    release: str = "chidi@0.1.0"

    database_url: str = "postgresql+psycopg://postgres@127.0.0.1:55432/chidi"
    database_pool_size: int = 10
    redis_url: str = "redis://127.0.0.1:56379/0"

    # Embedded auth (the GoTrue-compatible service inside the app) signs HS256 tokens with
    # this secret; in Supabase mode it is the project's JWT secret.
    jwt_secret: SecretStr = SecretStr(DEV_SECRET)
    access_token_ttl_seconds: int = 3600
    refresh_token_ttl_days: int = 30
    password_min_length: int = 8
    auth_autoconfirm: bool = True
    auth_rate_limit_per_minute: int = 30
    # How long the links and codes in auth emails (recovery, confirmation) stay valid.
    auth_email_otp_ttl_seconds: int = Field(default=3600, ge=60)
    # Where auth may redirect besides `public_url` (the site): glob patterns such as
    # "https://app.example.com/**" or "myapp://callback" (GoTrue's URI_ALLOW_LIST).
    auth_redirect_allow_list: list[str] = Field(default_factory=list)

    supabase_url: str | None = None
    supabase_anon_key: SecretStr | None = None
    supabase_service_role_key: SecretStr | None = None
    supabase_jwks_url: str | None = None

    google_client_id: str | None = None
    google_client_secret: SecretStr | None = None
    google_discovery_url: str = "https://accounts.google.com/.well-known/openid-configuration"

    # Fernet key for tokens and secrets stored in the database.
    encryption_key: SecretStr = SecretStr(DEV_ENCRYPTION_KEY)

    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    openai_model: str = "gpt-4o-mini"
    # Low: replies must stay close to retrieved facts.
    openai_temperature: float = Field(default=0.2, ge=0.0, le=2.0)
    openai_embedding_model: str = "text-embedding-3-small"
    # Vector size: requested from text-embedding-3-* models (shortened embeddings); for other
    # models on an OpenAI-compatible server it declares what the server returns.
    openai_embedding_dimensions: int | None = Field(default=None, ge=1)
    openai_timeout_seconds: float = 20.0
    openai_max_retries: int = 2
    # "auto": OpenAI embeddings when an OpenAI key is set, else the local model. "local" keeps
    # the local model even with a key (for chat-only OpenAI-compatible servers).
    embedding_provider: Literal["auto", "local", "openai"] = "auto"

    sentry_dsn: str | None = None
    posthog_api_key: SecretStr | None = None
    posthog_host: str = "https://us.i.posthog.com"
    langsmith_api_key: SecretStr | None = None
    metrics_token: SecretStr | None = None

    max_request_body_bytes: int = Field(default=1_000_000, ge=1024)

    @field_validator("database_url")
    @classmethod
    def _use_psycopg3(cls, value: str) -> str:
        """Accept the DSNs hosting providers hand out and point SQLAlchemy at psycopg 3."""
        for prefix in ("postgres://", "postgresql://"):
            if value.startswith(prefix):
                return "postgresql+psycopg://" + value[len(prefix) :]
        return value

    @field_validator("jwt_secret")
    @classmethod
    def _long_enough(cls, value: SecretStr) -> SecretStr:
        if len(value.get_secret_value()) < 32:
            raise ValueError("JWT_SECRET must be at least 32 characters")
        return value

    @model_validator(mode="after")
    def _refuse_dev_secrets_in_production(self) -> Settings:
        if self.environment == "production":
            if self.jwt_secret.get_secret_value() == DEV_SECRET:
                raise ValueError("JWT_SECRET must be set in production")
            if self.encryption_key.get_secret_value() == DEV_ENCRYPTION_KEY:
                raise ValueError("ENCRYPTION_KEY must be set in production")
        return self

    @property
    def supabase_mode(self) -> bool:
        """Whether auth is delegated to a real Supabase project."""
        return bool(self.supabase_url)

    @property
    def openai_enabled(self) -> bool:
        """Whether an OpenAI (or OpenAI-compatible) model is configured for chat."""
        return self.openai_api_key is not None

    @property
    def auth_url(self) -> str:
        """Base URL of the GoTrue-compatible API (Supabase's or the embedded one)."""
        base = self.supabase_url or self.public_url
        return base.rstrip("/") + "/auth/v1"

    @property
    def google_enabled(self) -> bool:
        """Whether "Sign in with Google" is offered."""
        return self.supabase_mode or bool(self.google_client_id and self.google_client_secret)

    @property
    def database_url_sync_dsn(self) -> str:
        """The DSN for libpq-level clients (psycopg directly, the LangGraph checkpointer)."""
        return self.database_url.replace("postgresql+psycopg://", "postgresql://", 1)


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings."""
    return Settings()
