"""Counters any layer may count, exposed by the service's ``GET /metrics`` (``service.metrics``).

prometheus_client keeps them per process, or in ``PROMETHEUS_MULTIPROC_DIR`` when several worker
processes share one /metrics (``scr serve --workers N`` sets that up).
"""

from prometheus_client import Counter

CACHE_EVENTS = Counter(
    "scr_cache_events",
    "Lookups in the service's caches, by cache and result (hit, miss, stale).",
    ["cache", "result"],
)


def cache_event(cache: str, result: str) -> None:
    """Count one lookup in ``cache`` (e.g. "candidates") with ``result`` ("hit", "miss", "stale"). Both
    come from the code, never from a request, so the series stay few."""
    CACHE_EVENTS.labels(cache=cache, result=result).inc()
