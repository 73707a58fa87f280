"""The public threshold check cannot be used to exhaust the service (security issue, item 2).

An outsider once sent 150,000 unknown feature keys in a 2 MB body: the answer was 144 MB, took 6.5 s,
grew the process by about 250 MB and held ``/healthz`` for 5 s, since the route did its work on the
event loop. Deeply nested JSON gave a 500. Now a body over what a case needs gets a short 413, a
features object larger or deeper than the catalogue one short 422, an answer lists at most 20 problems
with a count of the rest, and the work runs off the event loop, which the last test shows against a
real uvicorn server.
"""

import json
import statistics
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import server_process

from commissioning import features
from service.api.cases import MAX_BODY_BYTES

THRESHOLD = "/api/v1/threshold"
JSON = {"Content-Type": "application/json"}
VALID = {
    "incident_date": "2025-01-06",
    "notified_date": "2025-01-08",
    "country": "england",
    "area": "hackney",
    "subject_age_years": 0.4,
    "outcome": "death",
    "abuse_or_neglect": "suspected",
}
SHORT = 2_000  # bytes: an answer naming one problem, or twenty, is well under this


def unknown_keys(count: int) -> bytes:
    """A body of ``count`` unknown features (150,000 fit under the service's 2 MB body limit)."""
    return ('{"features":{' + ",".join(f'"{i:x}":1' for i in range(count)) + "}}").encode()


FILLING = 11_000  # unknown features that fit in the largest threshold body
DEEPEST = MAX_BODY_BYTES // 2 - 20  # lists nested in the largest threshold body


def nested(depth: int, at: str) -> bytes:
    """A body nesting ``depth`` lists at one place: the whole body, the features, an answer, a field."""
    deep = "[" * depth + "]" * depth
    return {
        "body": deep,
        "features": f'{{"features":{deep}}}',
        "answer": f'{{"features":{{"perpetrators":{deep}}}}}',
        "ruleset": f'{{"features":{{}},"ruleset":{deep}}}',
        "today": f'{{"features":{{}},"today":{deep}}}',
    }[at].encode()


def largest_valid() -> bytes:
    """A valid case padded to just under the body limit with distinct agencies: the most work a valid
    body can ask for."""
    agencies: list[str] = []
    size = len(json.dumps({"features": VALID}))
    while size < MAX_BODY_BYTES - 40:
        agencies.append(f"agency-{len(agencies):x}")
        size += len(agencies[-1]) + 3
    return json.dumps({"features": {**VALID, "agencies_involved": agencies}}, separators=(",", ":")).encode()


def post(client, body: bytes):  # type: ignore[no-untyped-def]
    return client.post(THRESHOLD, content=body, headers=JSON)


def test_a_body_of_150000_unknown_features_gets_a_short_413(client):
    body = unknown_keys(150_000)
    assert len(body) < 2_000_000
    response = post(client, body)
    assert response.status_code == 413
    assert len(response.content) < SHORT, f"{len(response.content)} bytes"
    assert f"at most {MAX_BODY_BYTES} bytes" in response.json()["detail"]


def test_a_streamed_body_over_the_threshold_limit_gets_413_while_it_is_read(client):
    def chunks():  # no Content-Length: sent chunked
        for _ in range(MAX_BODY_BYTES // 10_000 + 1):
            yield b" " * 10_000

    assert client.post(THRESHOLD, content=chunks(), headers=JSON).status_code == 413


def test_more_features_than_the_catalogue_has_get_one_short_422(client):
    body = unknown_keys(FILLING)
    assert len(body) <= MAX_BODY_BYTES
    response = post(client, body)
    assert response.status_code == 422
    assert len(response.content) < SHORT, f"{len(response.content)} bytes"
    (problem,) = response.json()["problems"]
    assert f"at most {len(features.CATALOGUE)}" in problem["msg"]


@pytest.mark.parametrize("at", ["body", "features", "answer", "ruleset", "today"])
@pytest.mark.parametrize("depth", [4, 900, DEEPEST])
def test_deeply_nested_json_is_a_short_422_never_a_500(client, at, depth):
    response = post(client, nested(depth, at))
    assert response.status_code == 422, response.text[:300]
    assert len(response.content) < SHORT
    assert response.json()["detail"]


def test_a_number_with_more_digits_than_python_reads_is_a_422(client):
    response = post(client, b'{"features": {"subject_age_years": ' + b"1" * 5_000 + b"}}")
    assert response.status_code == 422
    assert response.json()["problems"] == [{"loc": ["body"], "msg": "holds a number with too many digits"}]


def test_the_check_lists_20_problems_counts_the_rest_and_gives_valid_values_once(client):
    body = {
        "features": {f"no-such-feature-{i}": True for i in range(30)},
        **{f"extra{i}": 1 for i in range(5)},
    }
    response = client.post(THRESHOLD, json=body)
    assert response.status_code == 422
    answer = response.json()
    assert len(answer["problems"]) == 20
    assert "35 problems" in answer["detail"] and "15 more" in answer["detail"]
    catalogue = sorted(features.BY_NAME)
    assert sum(problem.get("valid") == catalogue for problem in answer["problems"]) <= 1


def test_input_echoed_in_a_problem_is_cut_short(client):
    long_key = {"features": {"x" * 90_000: True}}
    long_answer = {"features": {"outcome": "d" * 90_000}}
    for body in (long_key, long_answer):
        response = client.post(THRESHOLD, json=body)
        assert response.status_code == 422
        assert len(response.content) < SHORT, f"{len(response.content)} bytes"


def test_the_largest_valid_body_is_decided(client):
    response = post(client, largest_valid())
    assert response.status_code == 200, response.text[:300]
    assert response.json()["outcomes"]


def test_a_csv_import_still_reports_every_problem(client, admin):
    """The cap is the public check's only: an import names every bad row, as the README promises."""
    rows = "".join(f"Person {i},not-an-email-{i}\n" for i in range(30))
    response = client.post(
        "/api/v1/consultants/import",
        params={"dry_run": "true"},
        headers=admin.headers,
        files={"file": ("list.csv", f"name,email\n{rows}".encode(), "text/csv")},
    )
    assert response.status_code == 422, response.text[:300]
    assert {problem["row"] for problem in response.json()["problems"]} == set(range(2, 32))


# /healthz under attack, on a real server ------------------------------------------------------------

ATTACKERS = 3  # concurrent worst-case requests: more than the 2 cores a CI machine has
ATTACK_SECONDS = 6.0
PROBE_EVERY = 0.05  # seconds between health probes
P95_TARGET_MS = 200.0


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[str]:
    """The service under uvicorn on 127.0.0.1 in its own process (as deployed: one worker, one event
    loop), with the rate limit off so that every worst-case request reaches the route."""
    log = tmp_path / "uvicorn.log"
    process, url = server_process.start(database_url, log, "--no-access-log", SCR_PUBLIC_RATE_PER_MINUTE="0")
    try:
        server_process.wait_until_up(process, f"{url}/healthz", log)
        yield url
    finally:
        server_process.stop(process)


def test_healthz_answers_quickly_while_worst_case_threshold_requests_run(server: str):
    bodies = [unknown_keys(FILLING), nested(DEEPEST, "features"), largest_valid(), unknown_keys(150_000)]
    statuses: list[int] = []
    stop = threading.Event()

    def attack(first: int) -> None:
        with httpx.Client(base_url=server, timeout=60) as http:
            turn = first
            while not stop.is_set():
                statuses.append(post(http, bodies[turn % len(bodies)]).status_code)
                turn += 1

    attackers = [threading.Thread(target=attack, args=(i,), daemon=True) for i in range(ATTACKERS)]
    latencies: list[float] = []
    with httpx.Client(base_url=server, timeout=30) as probe:
        probe.get("/healthz")  # connect first: the probes time the answer, not the handshake
        for thread in attackers:
            thread.start()
        time.sleep(0.5)  # let the attack get going
        finish = time.monotonic() + ATTACK_SECONDS
        while time.monotonic() < finish:
            start = time.perf_counter()
            assert probe.get("/healthz").status_code == 200
            latencies.append((time.perf_counter() - start) * 1000)
            time.sleep(PROBE_EVERY)
    stop.set()
    for thread in attackers:
        thread.join(timeout=60)
    assert set(statuses) <= {200, 413, 422}, statuses
    assert len(statuses) >= ATTACKERS * 2, f"only {len(statuses)} attack requests were answered"
    p95 = statistics.quantiles(latencies, n=20)[-1]
    assert p95 < P95_TARGET_MS, (
        f"/healthz p95 {p95:.0f} ms (max {max(latencies):.0f} ms) over {len(latencies)} probes while "
        f"{len(statuses)} worst-case threshold requests were answered"
    )
