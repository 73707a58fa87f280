"""Every request has an id: the caller's sane ``X-Request-ID`` or a new one, sent back in the header, in
every error body and error page, and on every log line of the request."""

import logging
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from factories import CASE_FEATURES, recorded_case
from fastapi import FastAPI
from fastapi.testclient import TestClient
from security.admin_pages_client import signed_in_as
from sqlmodel import Session

from service.app import create_app

GENERATED = re.compile(r"[0-9a-f]{16}")


@pytest.fixture
def app(session: Session) -> FastAPI:
    return create_app()


@pytest.fixture
def http(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def _failing(app: FastAPI, path: str) -> None:
    """A route at ``path`` that fails as a bug would."""

    def fail() -> None:
        raise RuntimeError("a bug")

    app.add_api_route(path, fail)


def test_a_request_without_an_id_gets_a_new_one_in_its_answer(http: TestClient) -> None:
    first, second = http.get("/healthz"), http.get("/healthz")
    assert GENERATED.fullmatch(first.headers["x-request-id"])
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


def test_a_sane_id_from_the_caller_is_kept(http: TestClient) -> None:
    sent = "proxy-7f3a.2026:01_b"
    assert http.get("/healthz", headers={"X-Request-ID": sent}).headers["x-request-id"] == sent


@pytest.mark.parametrize(
    "sent",
    ["x" * 65, "two words", "<script>", 'quote"d', "", "line\\nbreak", "caf\u00e9"],
    ids=["too long", "space", "markup", "quote", "empty", "escape", "not ascii"],
)
def test_an_id_that_is_not_sane_is_replaced(http: TestClient, sent: str) -> None:
    answered = http.get("/healthz", headers={"X-Request-ID": sent.encode()})
    assert GENERATED.fullmatch(answered.headers["x-request-id"])


def test_every_kind_of_error_body_names_the_request(
    http: TestClient, app: FastAPI, admin: Any, session: Session
) -> None:
    _failing(app, "/api/v1/failing")
    ref = recorded_case(session, **CASE_FEATURES)  # a case of the admin's partnership: a chair decides
    answers = {
        "no route": http.get("/api/v1/nothing-here"),
        "no token": http.get("/api/v1/cases"),
        "wrong role": http.post(f"/api/v1/cases/{ref}/decision", json={}, headers=admin.headers),
        "bad input": http.post("/api/v1/agencies", json={"id": 7}, headers=admin.headers),
        "no record": http.get("/api/v1/cases/NOPE-2026-0001", headers=admin.headers),
        "too large": http.post(
            "/api/v1/agencies", content=b"x" * 2_000_001, headers=admin.headers | {"Content-Type": "x/y"}
        ),
        "a bug": http.get("/api/v1/failing"),
    }
    statuses = {name: answer.status_code for name, answer in answers.items()}
    assert statuses == {
        "no route": 404,
        "no token": 401,
        "wrong role": 403,
        "bad input": 422,
        "no record": 404,
        "too large": 413,
        "a bug": 500,
    }
    for name, answer in answers.items():
        body = answer.json()
        assert body["request_id"] == answer.headers["x-request-id"], name
        assert body["detail"], name
    bug = answers["a bug"].json()["detail"]
    assert answers["a bug"].headers["x-request-id"] in bug and "RuntimeError" not in bug


def test_a_failure_is_logged_once_with_its_request_id_and_traceback(
    http: TestClient, app: FastAPI, json_logs: Callable[[], list[dict[str, Any]]]
) -> None:
    _failing(app, "/api/v1/failing/{ref}")
    answer = http.get("/api/v1/failing/HAC-2026-0001", headers={"X-Request-ID": "from-the-bot-1"})
    assert answer.status_code == 500 and answer.headers["x-request-id"] == "from-the-bot-1"
    [failed] = [line for line in json_logs() if line["event"].startswith("request.failed")]
    assert failed["request_id"] == "from-the-bot-1"
    assert failed["level"] == "error" and failed["logger"] == "service.requests"
    assert failed["event"] == "request.failed method=GET route=/api/v1/failing/{ref}"
    assert "RuntimeError: a bug" in failed["exception"]


def test_every_line_a_request_logs_carries_its_id(
    http: TestClient, app: FastAPI, json_logs: Callable[[], list[dict[str, Any]]]
) -> None:
    def noted() -> dict[str, str]:
        logging.getLogger("service.somewhere").info("something.noted")
        return {}

    app.add_api_route("/api/v1/noting", noted)
    ids = [http.get("/api/v1/noting").headers["x-request-id"] for _ in range(2)]
    noted_lines = [line for line in json_logs() if line["event"] == "something.noted"]
    assert [line["request_id"] for line in noted_lines] == ids
    http.get("/healthz")
    logging.getLogger("service.somewhere").info("between.requests")
    [between] = [line for line in json_logs() if line["event"] == "between.requests"]
    assert "request_id" not in between  # the id of a request ends with it


def test_the_admin_pages_error_pages_give_the_reference(
    client: TestClient, session: Session, admin: Any
) -> None:
    signed_in_as(client, session, admin.email)
    missing = client.get("/admin/consultants/99999")
    assert missing.status_code == 404
    reference = missing.headers["x-request-id"]
    assert f"give whoever runs the service this reference: <code>{reference}</code>" in missing.text


def test_an_admin_page_that_fails_answers_with_a_page_giving_the_reference(session: Session) -> None:
    app = create_app()
    _failing(app, "/admin/failing")
    with TestClient(app, raise_server_exceptions=False) as http:
        failed = http.get("/admin/failing")
    assert failed.status_code == 500 and failed.headers["content-type"].startswith("text/html")
    assert f"this reference: {failed.headers['x-request-id']}." in failed.text
    assert failed.headers["content-security-policy"].startswith("default-src 'self'")
    assert failed.headers["x-content-type-options"] == "nosniff"
