"""Prometheus metrics of the API process, exposed at /metrics (see api/routes/metrics.py).

Labels are bounded: routes are templates ("/api/v1/products/{product_id}"), never raw
paths, so one metric cannot grow a series per id.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

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
