"""Prometheus metrics of the API process, exposed at /metrics (see api/routes/metrics.py).

Labels are bounded: routes are templates ("/api/v1/products/{product_id}"), never raw
paths, so one metric cannot grow a series per id.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import BaseMessage
from langchain_core.outputs import LLMResult
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.metrics_core import Metric
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.registry import Collector
from prometheus_client.samples import Sample

REGISTRY = CollectorRegistry(auto_describe=True)
UNMATCHED_ROUTE = "unmatched"

REQUEST_SECONDS = Histogram(
    "chidi_http_request_duration_seconds",
    "HTTP request latency by route template, method and status class.",
    ["route", "method", "status_class"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=REGISTRY,
)
SERVER_ERRORS = Counter(
    "chidi_http_server_errors_total",
    "Responses with a 5xx status, by route template.",
    ["route"],
    registry=REGISTRY,
)


def status_class(status: int) -> str:
    """'2xx', '4xx', ... — the label used instead of the exact status."""
    return f"{status // 100}xx"


def observe_request(route: str, method: str, status: int, seconds: float) -> None:
    """Record one finished request."""
    REQUEST_SECONDS.labels(route=route, method=method, status_class=status_class(status)).observe(
        seconds
    )
    if status >= 500:
        SERVER_ERRORS.labels(route=route).inc()


# --- Webhooks, queues and jobs -------------------------------------------------------------

WEBHOOK_ACK_SECONDS = Histogram(
    "chidi_webhook_ack_seconds",
    "Time from a webhook delivery's arrival to its acknowledgement, by platform.",
    ["platform"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=REGISTRY,
)
QUEUE_DEPTH = Gauge(
    "chidi_queue_depth",
    "Jobs waiting in an arq queue (sampled from Redis on each scrape).",
    ["queue"],
    registry=REGISTRY,
)
QUEUE_OLDEST_AGE_SECONDS = Gauge(
    "chidi_queue_oldest_job_age_seconds",
    "How long the oldest due job of an arq queue has waited (sampled on each scrape).",
    ["queue"],
    registry=REGISTRY,
)
JOB_RUNS = Counter(
    "chidi_job_runs",
    "Finished arq job runs by function and outcome (ok, error).",
    ["function", "outcome"],
    registry=REGISTRY,
)
JOB_RETRIES = Counter(
    "chidi_job_retries",
    "arq job runs that were a retry (job_try > 1), by function.",
    ["function"],
    registry=REGISTRY,
)

# --- The model and the responder -----------------------------------------------------------

LLM_SECONDS = Histogram(
    "chidi_llm_request_duration_seconds",
    "Chat model call latency, by model.",
    ["model"],
    buckets=(0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0, 60.0),
    registry=REGISTRY,
)
LLM_ERRORS = Counter(
    "chidi_llm_errors",
    "Chat model calls that failed, by model and exception class.",
    ["model", "error"],
    registry=REGISTRY,
)
RESPONDER_CONFIDENCE = Histogram(
    "chidi_responder_confidence",
    "The responder's confidence per decision, by the action it took.",
    ["action"],
    buckets=(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0),
    registry=REGISTRY,
)
RESPONDER_DECISIONS = Counter(
    "chidi_responder_decisions",
    "Responder decisions by action_taken (responded_auto = auto-reply, escalated, ...).",
    ["action"],
    registry=REGISTRY,
)
CATALOG_READS = Counter(
    "chidi_catalog_reads",
    "Business catalogs the responder read, by source: memory (the worker's unchanged "
    "snapshot) or database (loaded: first use, or the catalog changed).",
    ["source"],
    registry=REGISTRY,
)
SEND_FAILURES = Counter(
    "chidi_outbound_send_failures",
    "Outbound messages a platform refused or never answered, by platform and failure kind.",
    ["platform", "error_class"],
    registry=REGISTRY,
)


def observe_job(function: str, *, ok: bool, job_try: int) -> None:
    """Record one finished job run (a retry when `job_try` > 1)."""
    JOB_RUNS.labels(function=function, outcome="ok" if ok else "error").inc()
    if job_try > 1:
        JOB_RETRIES.labels(function=function).inc()


def observe_decision(action: str, confidence: float) -> None:
    """Record one responder decision (action as in ai_responses_log.action_taken)."""
    RESPONDER_DECISIONS.labels(action=action).inc()
    RESPONDER_CONFIDENCE.labels(action=action).observe(confidence)


def observe_catalog_read(*, from_memory: bool) -> None:
    """Record where the responder's catalog of one decision came from."""
    CATALOG_READS.labels(source="memory" if from_memory else "database").inc()


def observe_queue(queue: str, depth: int, oldest_age_seconds: float) -> None:
    """Record a queue sample taken from Redis."""
    QUEUE_DEPTH.labels(queue=queue).set(depth)
    QUEUE_OLDEST_AGE_SECONDS.labels(queue=queue).set(max(oldest_age_seconds, 0.0))


# --- Worker processes ----------------------------------------------------------------------
# Each worker process publishes its registry's text to Redis (workers.runtime); the API's
# /metrics merges those snapshots into its own, one `worker` label per process. This works
# across hosts and containers, unlike prometheus-client's shared-directory multiprocess mode.

WORKER_LABEL = "worker"


def snapshot() -> bytes:
    """This process's metrics as Prometheus text (what a worker publishes)."""
    return generate_latest(REGISTRY)


def merged_exposition(worker_snapshots: dict[str, str]) -> bytes:
    """This process's metrics plus every worker's snapshot, one family per metric name.

    Worker samples get a `worker` label (the process id) so processes never collide; a
    family both sides define is written once, with all their samples.
    """
    families: dict[str, Metric] = {}
    for family in REGISTRY.collect():
        families[family.name] = _copy_family(family)
    for worker_id, text in sorted(worker_snapshots.items()):
        for family in text_string_to_metric_families(text):
            target = families.setdefault(family.name, _copy_family(family, samples=False))
            target.samples.extend(
                Sample(s.name, {**s.labels, WORKER_LABEL: worker_id}, s.value, s.timestamp)
                for s in family.samples
            )
    return generate_latest(_Families(list(families.values())))


def _copy_family(family: Metric, *, samples: bool = True) -> Metric:
    copy = Metric(family.name, family.documentation, family.type, family.unit)
    if samples:
        copy.samples.extend(family.samples)
    return copy


class _Families(Collector):
    """Already-collected families, for `generate_latest`."""

    def __init__(self, families: list[Metric]) -> None:
        self._families = families

    def collect(self) -> Iterable[Metric]:
        return self._families


class LLMMetrics(BaseCallbackHandler):
    """Times every chat model call and counts its failures (attached to the model itself
    in core.chat_model, so every graph and node is covered without touching them)."""

    run_inline = True  # a dict write and an observe: no need for an executor hop

    def __init__(self) -> None:
        self._started: dict[UUID, tuple[str, float]] = {}

    def on_chat_model_start(
        self,
        serialized: dict[str, Any],
        messages: list[list[BaseMessage]],
        *,
        run_id: UUID,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        model = str((metadata or {}).get("ls_model_name") or "unknown")
        self._started[run_id] = (model, time.perf_counter())

    def on_llm_end(self, response: LLMResult, *, run_id: UUID, **kwargs: Any) -> None:
        started = self._started.pop(run_id, None)
        if started is not None:
            LLM_SECONDS.labels(model=started[0]).observe(time.perf_counter() - started[1])

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        started = self._started.pop(run_id, None)
        model = started[0] if started else "unknown"
        LLM_ERRORS.labels(model=model, error=type(error).__name__).inc()


def counter_totals(text: str, names: tuple[str, ...]) -> dict[str, float]:
    """Sums of the named samples in a Prometheus text, by name and outcome label when
    present ("chidi_job_runs_total:error"), for readers of published snapshots."""
    totals: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name in names:
                outcome = sample.labels.get("outcome")
                key = f"{sample.name}:{outcome}" if outcome else sample.name
                totals[key] = totals.get(key, 0.0) + sample.value
    return totals
