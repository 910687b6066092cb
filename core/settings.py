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
    # Query vectors a worker remembers (core.embeddings.QueryCache); 0 turns it off.
    embedding_query_cache_size: int = Field(default=4096, ge=0)

    sentry_dsn: str | None = None
    posthog_api_key: SecretStr | None = None
    posthog_host: str = "https://us.i.posthog.com"
    langsmith_api_key: SecretStr | None = None
    # Where eval runs are recorded as experiments when LANGSMITH_API_KEY is set.
    langsmith_endpoint: str = "https://api.smith.langchain.com"
    # The project graph-run traces go to (core.tracing), when LANGSMITH_API_KEY is set.
    langsmith_project: str = "chidi"
    metrics_token: SecretStr | None = None

    # Operator alerts (docs/monitoring.md): evaluated every minute over the last
    # ALERT_WINDOW_MINUTES; each incident is emailed to ALERT_EMAIL and posted to
    # ALERT_WEBHOOK_URL (Slack-compatible) once when it fires and once when it clears.
    alert_email: str | None = None
    alert_webhook_url: str | None = None
    alert_window_minutes: int = Field(default=15, ge=1)
    alert_social_error_rate: float = Field(default=0.2, gt=0, le=1)
    alert_social_min_sends: int = Field(default=10, ge=1)
    alert_llm_error_rate: float = Field(default=0.2, gt=0, le=1)
    alert_llm_p95_seconds: float = Field(default=20.0, gt=0)
    alert_llm_min_calls: int = Field(default=10, ge=1)
    alert_low_confidence: float = Field(default=0.3, gt=0, le=1)
    # Fires when at least this many decisions in the window were below the confidence
    # floor and they were at least half of all decisions.
    alert_low_confidence_turns: int = Field(default=20, ge=1)
    alert_queue_depth: int = Field(default=500, ge=1)
    alert_queue_age_seconds: float = Field(default=120.0, gt=0)
    alert_job_failure_rate: float = Field(default=0.2, gt=0, le=1)
    alert_job_min_runs: int = Field(default=20, ge=1)
    alert_db_latency_ms: float = Field(default=500.0, gt=0)
    alert_http_5xx_rate: float = Field(default=0.05, gt=0, le=1)
    alert_http_min_requests: int = Field(default=50, ge=1)

    max_request_body_bytes: int = Field(default=1_000_000, ge=1024)

    # Meta (Instagram and WhatsApp). With no Meta app configured, the channel clients talk to
    # the built-in fake Graph API at {public_url}/fake-graph and the customer simulator
    # feeds the webhooks, so the whole loop runs offline (see docs/conversations.md).
    meta_app_id: str | None = None
    meta_app_secret: SecretStr | None = None
    meta_graph_base_url: str | None = None
    meta_graph_version: str = "v21.0"
    # The OAuth consent dialog; defaults to Facebook's, or the fake's when the Graph is fake.
    meta_oauth_dialog_url: str | None = None
    instagram_oauth_scopes: list[str] = Field(
        default_factory=lambda: [
            "instagram_basic",
            "instagram_manage_messages",
            "pages_show_list",
            "pages_manage_metadata",
            "pages_messaging",
            "business_management",
        ]
    )
    # Whether the Graph API de-duplicates sends by their Idempotency-Key header. Meta's does
    # not; the fakes do. Unset: true for any base URL other than graph.facebook.com.
    meta_graph_idempotency: bool | None = None
    meta_http_timeout_seconds: float = Field(default=10.0, gt=0)
    # Attempts per send within one job (tenacity), and the first backoff between them.
    meta_send_max_attempts: int = Field(default=4, ge=1)
    meta_retry_initial_seconds: float = Field(default=0.5, ge=0)
    # Per-connection send rate (token bucket in Redis): sustained per second, and burst.
    channel_send_rate_per_second: float = Field(default=60.0, gt=0)
    channel_send_burst: int = Field(default=60, ge=1)
    # Webhook bodies are small JSON documents; anything larger is refused before parsing.
    webhook_max_body_bytes: int = Field(default=262_144, ge=1024)
    # A burst of customer messages is answered once: the reply waits until the customer
    # has been quiet this long, but never longer than the max wait after the first message.
    responder_debounce_seconds: float = Field(default=2.0, ge=0)
    responder_max_wait_seconds: float = Field(default=10.0, ge=0)
    # A claimed ('sending') outbox row may be re-driven by another worker after this long;
    # a send (with its retries) is cut off before it, so a live worker never loses its claim.
    outbox_sending_lease_seconds: int = Field(default=120, ge=2)
    outbox_max_attempts: int = Field(default=8, ge=1)
    # Live inbox events (docs/inbox.md): how often an idle stream sends a heartbeat (proxies
    # close silent connections after 30-60 s), and how long a stream ticket stays valid.
    live_heartbeat_seconds: float = Field(default=15.0, gt=0)
    live_ticket_ttl_seconds: int = Field(default=60, ge=5)
    # Resolved conversations with no activity for this many days are archived.
    inbox_archive_after_days: int = Field(default=30, ge=1)

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
    def meta_embedded(self) -> bool:
        """Whether Instagram/WhatsApp run on the built-in fake Graph API (no Meta app set)."""
        return self.meta_app_id is None and self.meta_graph_base_url is None

    @property
    def fake_graph_url(self) -> str:
        """Where the API serves its built-in fake Graph API (simulated connections send here)."""
        return self.public_url.rstrip("/") + "/fake-graph"

    @property
    def graph_base_url(self) -> str:
        """The Graph API's base URL (without the version)."""
        if self.meta_graph_base_url:
            return self.meta_graph_base_url.rstrip("/")
        return "https://graph.facebook.com" if self.meta_app_id else self.fake_graph_url

    @property
    def oauth_dialog_url(self) -> str:
        """The OAuth consent dialog owners are sent to when connecting Instagram."""
        if self.meta_oauth_dialog_url:
            return self.meta_oauth_dialog_url
        if self.graph_base_url == "https://graph.facebook.com":
            return f"https://www.facebook.com/{self.meta_graph_version}/dialog/oauth"
        return f"{self.graph_base_url}/{self.meta_graph_version}/dialog/oauth"

    @property
    def graph_honours_idempotency(self) -> bool:
        """Whether a send may be repeated with its Idempotency-Key without a second delivery."""
        if self.meta_graph_idempotency is not None:
            return self.meta_graph_idempotency
        return not self.graph_base_url.startswith("https://graph.facebook.com")

    @property
    def database_url_sync_dsn(self) -> str:
        """The DSN for libpq-level clients (psycopg directly, the LangGraph checkpointer)."""
        return self.database_url.replace("postgresql+psycopg://", "postgresql://", 1)


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings."""
    return Settings()
