"""Every date the service accepts lies between 1900 and 2100, and a date something was done is not
after today (issue 13, items 2 and 5).

A ``dbs_check_date`` of 9999-12-31 used to be accepted; then the admin dashboard, the consultant card
and the weekly digest's checks-due all failed with a 500 ("year 10002 is out of range"). A CSV import
with ``approved_on`` 9999-12-31 passed its dry run and then failed for real. A threshold check with
an incident date and ``today`` in 9999 failed in the calendar. Each is now a 422 saying which bound
the date passes, from the API, the CSV import (dry run included), the admin form and the CLI.
"""

import csv
import io
from datetime import timedelta

import pytest
from admin_pages_client import NEW_CONSULTANT, signed_in_as
from factories import CASE_FEATURES
from sqlmodel import select
from typer.testing import CliRunner

from commissioning.models import Case
from core import clock
from registry.models import Consultant
from service.cli import app as cli

API = "/api/v1"
TODAY = clock.today()
# A day not yet come, two days ahead: "tomorrow" worked out when the module loads is today by the time
# a run that crosses midnight reaches the test.
NOT_YET = (TODAY + timedelta(days=2)).isoformat()
TOO_LATE = "must be on or before 31 December 2100"
TOO_EARLY = "must be on or after 1 January 1900"
IN_FUTURE = "cannot be in the future"


def add_consultant(client, admin, **fields) -> dict:  # type: ignore[no-untyped-def]
    body = {"name": "Ada Quill", "email": "ada@reviews.example.org", **fields}
    response = client.post(f"{API}/consultants", headers=admin.headers, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def only_problem(response) -> tuple[list, str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 422, response.text
    problems = response.json()["problems"]
    assert len(problems) == 1, problems
    return problems[0]["loc"], problems[0]["msg"]


# The consultant's record -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [("9999-12-31", TOO_LATE), ("2101-01-01", TOO_LATE), ("1899-12-31", TOO_EARLY), (NOT_YET, IN_FUTURE)],
)
def test_a_dbs_check_date_out_of_bounds_or_in_the_future_is_refused(client, session, admin, value, message):
    body = {"name": "Ada Quill", "email": "ada@reviews.example.org", "dbs_check_date": value}
    loc, msg = only_problem(client.post(f"{API}/consultants", headers=admin.headers, json=body))
    assert loc == ["body", "dbs_check_date"]
    assert msg.startswith(message)
    assert session.exec(select(Consultant)).all() == []
    ada = add_consultant(client, admin)
    changed = client.patch(
        f"{API}/consultants/{ada['id']}", headers=admin.headers, json={"dbs_check_date": value}
    )
    assert only_problem(changed)[0] == ["body", "dbs_check_date"]


def test_dates_at_the_bounds_and_today_are_accepted_and_the_pages_built_on_them_answer(
    client, admin, session
):
    """The dashboard, the card and the digest count years on from these dates: none may overflow."""
    ada = add_consultant(
        client,
        admin,
        dbs_check_date=TODAY.isoformat(),
        insurance_expiry="2100-12-31",
        registration_expiry="1900-01-01",
    )
    client.patch(
        f"{API}/consultants/{ada['id']}", headers=admin.headers, json={"reapproval_due": "2100-12-31"}
    )
    approved = client.post(
        f"{API}/consultants/{ada['id']}/approve", headers=admin.headers, json={"reason": "Agreed."}
    )
    assert approved.status_code == 200, approved.text
    card = client.get(f"{API}/consultants/{ada['id']}/card", headers=admin.headers)
    assert card.status_code == 200, card.text


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("interests", {"text": "Knew the family.", "declared_on": NOT_YET}, "declared_on"),
        ("accreditations", {"name": "silp", "awarded_on": NOT_YET}, "awarded_on"),
        (
            "accreditations",
            {"name": "silp", "awarded_on": "2019-05-01", "expires_on": "9999-01-01"},
            "expires_on",
        ),
        (
            "reviews",
            {"case_ref": "HK-1", "review_type": "lcspr", "role": "lead_reviewer", "started_on": NOT_YET},
            "started_on",
        ),
        (
            "engagements",
            {
                "agency_id": "hackney-csc",
                "kind": "employed",
                "role_title": "Manager",
                "start_date": "0001-01-01",
            },
            "start_date",
        ),
    ],
    ids=[
        "interest declared tomorrow",
        "award tomorrow",
        "expiry in 9999",
        "review started tomorrow",
        "year 1",
    ],
)
def test_dates_on_a_consultants_records_are_bounded(client, admin, path, body, field):
    ada = add_consultant(client, admin)
    response = client.post(f"{API}/consultants/{ada['id']}/{path}", headers=admin.headers, json=body)
    assert only_problem(response)[0] == ["body", field]


def test_a_period_away_beyond_2100_is_refused(client, admin):
    ada = add_consultant(client, admin)
    away = {"away": [{"start_date": "2100-12-01", "end_date": "9999-12-31"}]}
    response = client.patch(f"{API}/consultants/{ada['id']}/availability", headers=admin.headers, json=away)
    assert only_problem(response)[0] == ["body", "away", 0, "end_date"]


def test_the_admin_form_reports_a_far_future_dbs_check_beside_its_field(client, session, admin):
    signed_in_as(client, session, admin.email)
    form = {**NEW_CONSULTANT, "dbs_check_date": "9999-12-31", "csrf_token": client.token}
    response = client.post("/admin/consultants/new", data=form)
    assert response.status_code == 422
    assert 'id="dbs_check_date-error"' in response.text and TOO_LATE in response.text
    assert session.exec(select(Consultant)).all() == []
    assert client.get("/admin/dashboard").status_code == 200


# The CSV import: the dry run refuses what the import would --------------------------------------------


def as_csv(*rows: list[str]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def import_problem(client, admin, body: bytes, dry_run: str = "true") -> dict:  # type: ignore[no-untyped-def]
    """The one problem for which the import (or its dry run) refuses the whole file."""
    response = client.post(
        f"{API}/consultants/import?dry_run={dry_run}",
        headers=admin.headers,
        files={"file": ("list.csv", body, "text/csv")},
    )
    assert response.status_code == 422, response.text
    [problem] = response.json()["problems"]
    return problem


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("approved_on", "9999-12-31", TOO_LATE),
        ("approved_on", NOT_YET, IN_FUTURE),
        ("reapproval_due", "31/12/9999", TOO_LATE),
        ("dbs_check_date", "9999-12-31", TOO_LATE),
        ("insurance_expiry", "1899-01-01", TOO_EARLY),
    ],
)
def test_a_csv_date_out_of_bounds_is_refused_by_the_dry_run(client, session, admin, column, value, message):
    body = as_csv(
        ["name", "email", "status", column], ["Ada Quill", "ada@reviews.example.org", "approved", value]
    )
    for dry_run in ("true", "false"):
        problem = import_problem(client, admin, body, dry_run)
        assert (problem["row"], problem["column"]) == (2, column)
        assert problem["msg"].startswith(message)
    assert session.exec(select(Consultant)).all() == []


def test_a_csv_engagement_or_accreditation_date_out_of_bounds_is_refused(client, admin):
    body = as_csv(
        ["name", "email", "accreditations"], ["Ada Quill", "ada@reviews.example.org", f"silp|{NOT_YET}"]
    )
    problem = import_problem(client, admin, body)
    assert problem["column"] == "accreditations" and IN_FUTURE in problem["msg"]


# Case features and the threshold check --------------------------------------------------------------------


def test_a_threshold_check_in_year_9999_is_refused_not_a_server_error(client):
    features = {**CASE_FEATURES, "incident_date": "9999-12-30", "notified_date": "9999-12-30"}
    response = client.post(f"{API}/threshold", json={"features": features, "today": "9999-12-31"})
    assert response.status_code == 422, response.text
    problems = {(p.get("feature") or p["loc"][-1], p["msg"]) for p in response.json()["problems"]}
    assert problems == {
        ("today", TOO_LATE),
        ("incident_date", TOO_LATE),
        ("notified_date", TOO_LATE),
    }


def test_a_threshold_check_on_the_last_day_accepted_answers(client):
    features = {**CASE_FEATURES, "incident_date": "2100-12-30", "notified_date": "2100-12-31"}
    response = client.post(f"{API}/threshold", json={"features": features, "today": "2100-12-31"})
    assert response.status_code == 200, response.text


def test_an_incident_after_the_requests_today_is_refused(client):
    features = {**CASE_FEATURES, "incident_date": "2026-11-02", "notified_date": "2026-11-04"}
    response = client.post(f"{API}/threshold", json={"features": features, "today": "2026-11-01"})
    assert response.status_code == 422
    assert {p["feature"] for p in response.json()["problems"]} == {"incident_date", "notified_date"}


def test_a_case_with_an_incident_in_2101_is_refused_and_nothing_is_stored(client, session, admin):
    features = {**CASE_FEATURES, "incident_date": "2101-01-01"}
    response = client.post(f"{API}/cases", headers=admin.headers, json={"features": features})
    assert response.status_code == 422
    assert [(p["feature"], p["msg"]) for p in response.json()["problems"]] == [("incident_date", TOO_LATE)]
    assert session.exec(select(Case)).all() == []


def test_a_retention_purge_as_of_9999_is_refused(client, admin):
    response = client.post(f"{API}/retention/purge?dry_run=true&today=9999-12-31", headers=admin.headers)
    assert only_problem(response) == (["query", "today"], TOO_LATE)


def test_the_cli_check_refuses_a_today_beyond_2100(tmp_path):
    case = tmp_path / "case.json"
    case.write_text('{"outcome": "death"}', encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(case), "--today", "9999-12-31"])
    assert result.exit_code == 2, result.output
    assert f"--today: {TOO_LATE}" in result.output


def test_the_cli_purge_refuses_a_today_beyond_2100(session):
    result = CliRunner().invoke(cli, ["retention", "purge", "--dry-run", "--today", "9999-12-31"])
    assert result.exit_code != 0
    assert TOO_LATE in result.output
