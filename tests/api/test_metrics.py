"""``GET /metrics``: hidden until ``SCR_METRICS_TOKEN`` is set, then served to its holder alone, with the
requests by route template, the database pool, the caches and the bot's counters."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from pydantic import ValidationError

from core.metrics import cache_event
from service.app import create_app
from service.db import get_engine
from service.metrics import token_matches
from service.settings import Settings

TOKEN = "metrics-token-for-the-tests-0123456789"
SCRAPER = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def scraped(environment: Callable[..., None], session: Any) -> Iterator[TestClient]:
    environment(SCR_METRICS_TOKEN=TOKEN)
    with TestClient(create_app()) as client:
        yield client


def samples(client: TestClient) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample /metrics answers, by name and labels."""
    answer = client.get("/metrics", headers=SCRAPER)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain; version=")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def value(found: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


def test_without_a_token_set_metrics_is_not_there(client: TestClient) -> None:
    answer = client.get("/metrics", headers=SCRAPER)
    assert answer.status_code == 404
    assert answer.json()["detail"] == client.get("/no-such-page").json()["detail"]


@pytest.mark.parametrize(
    "sent",
    [None, "Bearer", "Bearer wrong-token-of-the-same-length-0123", f"Basic {TOKEN}", f"Bearer {TOKEN}x"],
)
def test_metrics_answers_only_the_holder_of_its_token(scraped: TestClient, sent: str | None) -> None:
    answer = scraped.get("/metrics", headers={"Authorization": sent} if sent else {})
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "Bearer"
    assert "scr_http_requests_total" not in answer.text


def test_the_token_is_compared_whole() -> None:
    assert token_matches(f"Bearer {TOKEN}", TOKEN) and token_matches(f"bearer  {TOKEN} ", TOKEN)
    assert not token_matches(f"Bearer {TOKEN[:-1]}", TOKEN)
    assert not token_matches("Bearer caf\u00e9", TOKEN)  # odd characters are a mismatch, not an error


def test_a_short_token_stops_the_start() -> None:
    with pytest.raises(ValidationError, match="at least 24 characters"):
        Settings(metrics_token="short-token")


def test_requests_are_counted_and_timed_by_route_template_never_by_path(scraped: TestClient, admin) -> None:  # type: ignore[no-untyped-def]
    before = samples(scraped)
    for ref in ("HAC-2026-0001", "CAM-2026-0002"):
        assert scraped.get(f"/api/v1/cases/{ref}", headers=admin.headers).status_code == 404
    scraped.get("/not/a/route/HAC-2026-0003")
    found = samples(scraped)
    case = {"method": "GET", "route": "/api/v1/cases/{ref}"}
    assert (
        value(found, "scr_http_requests_total", status="404", **case)
        - value(before, "scr_http_requests_total", status="404", **case)
        == 2
    )
    assert (
        value(found, "scr_http_request_duration_seconds_count", **case)
        - value(before, "scr_http_request_duration_seconds_count", **case)
        == 2
    )
    assert value(found, "scr_http_request_duration_seconds_bucket", le="10.0", **case) >= 2
    unmatched = {"method": "GET", "route": "unmatched", "status": "404"}
    assert value(found, "scr_http_requests_total", **unmatched) > value(
        before, "scr_http_requests_total", **unmatched
    )
    text = scraped.get("/metrics", headers=SCRAPER).text
    assert "HAC-2026" not in text and "CAM-2026" not in text  # no case reference is ever a label


def test_the_database_connections_in_use_are_counted(scraped: TestClient) -> None:
    before = samples(scraped)
    assert value(before, "scr_db_pool_size") >= 1
    with get_engine().connect():
        during = samples(scraped)
    after = samples(scraped)
    in_use = [value(found, "scr_db_pool_checked_out") for found in (before, during, after)]
    assert in_use == [in_use[0], in_use[0] + 1, in_use[0]]


def test_a_cache_counts_its_hits_and_misses_through_one_helper(scraped: TestClient) -> None:
    before = samples(scraped)
    cache_event("candidates", "hit")
    cache_event("candidates", "hit")
    cache_event("candidates", "miss")
    found = samples(scraped)
    for result, added in (("hit", 2), ("miss", 1)):
        labels = {"cache": "candidates", "result": result}
        assert (
            value(found, "scr_cache_events_total", **labels)
            - value(before, "scr_cache_events_total", **labels)
            == added
        )
