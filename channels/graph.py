"""One small Graph API client (httpx) with Meta-aware retries, shared by every channel.

Retries (tenacity, exponential backoff with jitter) cover what cannot have delivered the
message: network failures before the request left, 5xx answers and throttling codes. A
request that went out and got no answer (a read timeout) is *uncertain*: it is retried
only when the server honours the `Idempotency-Key` header, since otherwise a retry could
deliver the message twice. Permanent errors are never retried.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol

import httpx
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    stop_after_delay,
    wait_exponential_jitter,
)

from channels.errors import (
    FailureKind,
    GraphCallFailed,
    GraphError,
    classify,
    classify_transport,
    parse_error,
)

log = logging.getLogger("chidi.channels")
IDEMPOTENCY_HEADER = "Idempotency-Key"


class SendLimiter(Protocol):
    """Waits until one more call may be made for `key` (a per-connection rate limit)."""

    async def acquire(self, key: str) -> None:
        """Return when a call is allowed; raise `GraphCallFailed` (rate_limited) to give up."""


@dataclass(frozen=True)
class GraphConfig:
    """Where the Graph API is and how patiently to call it."""

    base_url: str
    version: str
    timeout_seconds: float = 10.0
    max_attempts: int = 4
    retry_initial_seconds: float = 0.5
    # Give up retrying after this long, so a send never outlives its outbox claim.
    retry_budget_seconds: float = 60.0
    # Whether the server de-duplicates requests by Idempotency-Key (Meta's does not).
    honours_idempotency: bool = False


class GraphClient:
    """Calls one Graph API on behalf of one access token (or none, for OAuth exchanges)."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        config: GraphConfig,
        *,
        access_token: str | None = None,
        limiter: SendLimiter | None = None,
        limiter_key: str | None = None,
    ) -> None:
        self._http = http
        self._config = config
        self._token = access_token
        self._limiter = limiter
        self._limiter_key = limiter_key

    @property
    def honours_idempotency(self) -> bool:
        """Whether a POST repeated with the same key is delivered at most once."""
        return self._config.honours_idempotency

    async def get(self, path: str, params: dict[str, str] | None = None) -> dict[str, Any]:
        """GET `path` (reads are always safe to retry)."""
        return await self._with_retries(
            "GET", path, params=params, body=None, idempotency_key=None, retry_uncertain=True
        )

    async def post(
        self,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        params: dict[str, str] | None = None,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        """POST `body` to `path`; an uncertain failure is retried only if that is safe."""
        safe = idempotency_key is not None and self._config.honours_idempotency
        return await self._with_retries(
            "POST",
            path,
            params=params,
            body=body,
            idempotency_key=idempotency_key,
            retry_uncertain=safe,
        )

    async def _with_retries(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None,
        body: dict[str, Any] | None,
        idempotency_key: str | None,
        retry_uncertain: bool,
    ) -> dict[str, Any]:
        retryable = {FailureKind.TRANSIENT, FailureKind.RATE_LIMITED}
        if retry_uncertain:
            retryable.add(FailureKind.UNCERTAIN)
        config = self._config
        retrying = AsyncRetrying(
            retry=retry_if_exception(
                lambda exc: isinstance(exc, GraphCallFailed) and exc.kind in retryable
            ),
            stop=stop_after_attempt(config.max_attempts)
            | stop_after_delay(config.retry_budget_seconds),
            wait=wait_exponential_jitter(
                multiplier=config.retry_initial_seconds,
                max=8.0,
                jitter=config.retry_initial_seconds,
            ),
            before_sleep=_log_retry,
            reraise=True,
        )
        result: dict[str, Any] = await retrying(
            self._once, method, path, params, body, idempotency_key
        )
        return result

    async def _once(
        self,
        method: str,
        path: str,
        params: dict[str, str] | None,
        body: dict[str, Any] | None,
        idempotency_key: str | None,
    ) -> dict[str, Any]:
        if self._limiter is not None and self._limiter_key is not None:
            await self._limiter.acquire(self._limiter_key)
        headers = {"Authorization": f"Bearer {self._token}"} if self._token else {}
        if idempotency_key is not None:
            headers[IDEMPOTENCY_HEADER] = idempotency_key
        url = f"{self._config.base_url.rstrip('/')}/{self._config.version}/{path.lstrip('/')}"
        try:
            response = await self._http.request(
                method,
                url,
                params=params,
                json=body,
                headers=headers,
                timeout=self._config.timeout_seconds,
            )
        except httpx.TransportError as exc:
            error = GraphError(status=0, message=f"network error: {type(exc).__name__}")
            raise GraphCallFailed(classify_transport(exc), error) from exc
        payload = _json(response)
        if response.is_success:
            return payload
        error = parse_error(response.status_code, payload)
        raise GraphCallFailed(classify(error), error)


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        payload = response.json()
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}


def _log_retry(state: RetryCallState) -> None:
    outcome = state.outcome
    failure = outcome.exception() if outcome is not None else None
    log.warning(
        "graph call failed; retrying",
        extra={
            "attempt": state.attempt_number,
            "kind": failure.kind.value if isinstance(failure, GraphCallFailed) else None,
            "error": str(failure) if failure else None,
        },
    )
