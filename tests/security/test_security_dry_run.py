"""The two calls that write in bulk, the consultant import and the retention purge, only report what they
would do unless the caller says ``dry_run=false``: a forgotten parameter changes nothing."""

from datetime import timedelta

from factories import HARM_FEATURES, departure
from sqlalchemy import func, update
from sqlmodel import select

from commissioning.models import Case
from core import clock
from registry.models import Consultant

API = "/api/v1"
CSV = b"name,email\nAna Good,ana@reviews.example.org\nBen Good,ben@reviews.example.org\n"
REASON = "The family asked the board for a single-agency review."


def ok(response, status=200):  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    return response.json()


def consultants(session) -> int:  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.exec(select(func.count()).select_from(Consultant)).one()


def test_an_import_without_dry_run_only_reports(client, session, admin):
    def upload(**params: str):  # type: ignore[no-untyped-def]
        files = {"file": ("consultants.csv", CSV, "text/csv")}
        return client.post(f"{API}/consultants/import", params=params, files=files, headers=admin.headers)

    report = ok(upload())
    assert (report["dry_run"], report["created"]) == (True, 2)
    assert consultants(session) == 0

    assert ok(upload(dry_run="false"))["dry_run"] is False
    assert consultants(session) == 2


def test_a_purge_without_dry_run_only_reports(client, session, admin, chair):
    ref = ok(client.post(f"{API}/cases", json={"features": HARM_FEATURES}, headers=chair.headers), 201)["ref"]
    ok(client.post(f"{API}/cases/{ref}/decision", json=departure(REASON), headers=chair.headers))
    ok(client.post(f"{API}/cases/{ref}/close", headers=chair.headers))
    long_ago = clock.today() - timedelta(days=7 * 366)
    session.exec(update(Case).where(Case.ref == ref).values(closed_on=long_ago))  # type: ignore[call-overload]
    session.commit()

    report = ok(client.post(f"{API}/retention/purge", headers=admin.headers))
    assert (report["dry_run"], [case["ref"] for case in report["cases"]]) == (True, [ref])
    assert ok(client.get(f"{API}/cases/{ref}", headers=chair.headers))["board_decision"]["reason"] == REASON

    purged = ok(client.post(f"{API}/retention/purge", params={"dry_run": "false"}, headers=admin.headers))
    assert purged["dry_run"] is False
    assert ok(client.get(f"{API}/cases/{ref}", headers=chair.headers))["board_decision"]["reason"] is None


def test_the_published_api_says_both_default_to_a_dry_run(client):
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/v1/consultants/import", "/api/v1/retention/purge"):
        (dry_run,) = [p for p in paths[path]["post"]["parameters"] if p["name"] == "dry_run"]
        assert dry_run["schema"]["default"] is True, path
