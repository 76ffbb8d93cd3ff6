"""Prometheus metrics of the inference service; names are shared with dashboards and alerts."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram, Info

REQUESTS = Counter("amer_requests", "HTTP requests handled", ["route", "method", "status"])
"""Exposed as ``amer_requests_total``."""
LATENCY = Histogram(
    "amer_request_duration_seconds",
    "HTTP request latency",
    ["route", "status"],
    buckets=(0.005, 0.01, 0.02, 0.035, 0.05, 0.075, 0.1, 0.2, 0.35, 0.5, 1.0, 2.5, 5.0, 10.0, 60.0),
)
IN_FLIGHT = Gauge("amer_requests_in_flight", "Requests being handled now")
MODEL_INFO = Info("amer_model", "The model that answers: version, alias, dataset version")
"""Exposed as ``amer_model_info``."""
ENTITIES = Counter("amer_entities", "Entities recognised", ["label"])
"""Exposed as ``amer_entities_total``."""
TEXT_LENGTH = Histogram(
    "amer_text_length_chars",
    "Length of scored texts in characters",
    buckets=(50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 100000),
)
CACHE_HITS = Counter("amer_cache_hits", "Results served from the cache")
CACHE_MISSES = Counter("amer_cache_misses", "Results computed (cache miss)")
RELOAD_FAILURES = Counter(
    "amer_model_reload_failures", "Model swaps refused (load or self-test failed)"
)
RELOADS = Counter("amer_model_reloads", "Model swaps done")
DRIFT_SCORE = Gauge("amer_drift_score", "Latest drift score (population stability index)")
REJECTED = Counter("amer_requests_rejected", "Requests refused for overload (503)")
