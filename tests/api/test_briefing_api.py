"""The thematic briefing through the API and the command line: each partnership's people read their own
partnership's, internal or publishable; the regional analyst only the publishable one, across
partnerships, with no case named; every format; bad input a 4xx that says what to fix."""

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from briefing_cases import study_case
from factories import HARM_2020, TODAY, case, hackney, home_partnership, other_partnership
from fastapi.testclient import TestClient
from sqlmodel import Session
from test_recommendations import GOOD
from typer.testing import CliRunner

YEAR = {"from": "2006-01-01", "to": "2006-12-31"}


@pytest.fixture
def stored(session: Session) -> None:
    """The study's 26 cases in the home partnership (HAC), and 6 of Southwark and Lambeth's (SAL)."""
    home_partnership(session)
    other = other_partnership(session)
    facts = [{k: v for k, v in study_case(i).items() if k != "area"} for i in range(26)]
    for i in range(26):
        case(session, f"HAC-2006-{i + 1:04d}", **facts[i])
    for i in range(6):
        case(session, f"SAL-2006-{i + 1:04d}", area="southwark", partnership_id=other.id, **facts[i + 20])
    session.commit()


def get(client: TestClient, who: Any, **params: Any) -> Any:
    return client.get("/api/v1/reports/thematic", params={**YEAR, **params}, headers=who.headers)


def figures(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["key"]: f for f in body["figures"]}


def test_a_chair_reads_their_partnerships_internal_briefing(
    client: TestClient, chair: Any, stored: None
) -> None:
    body = get(client, chair).json()
    assert body["scope"] == "Hackney test partnership"
    assert body["cases"] == 26 and body["publishable"] is False and len(body["case_references"]) == 26
    found = figures(body)
    assert found["ethnicity.ethnic_minority"]["count"] == 17
    assert found["ethnicity.recent_immigration"]["denominator"] == 17
    assert found["feature.fabricated_or_induced_illness"]["count"] == 2
    assert found["age.under_1_year"]["reference"]["year"] == 2007


def test_the_publishable_version_suppresses_small_counts_and_names_no_case(
    client: TestClient, chair: Any, stored: None
) -> None:
    body = get(client, chair, publishable="true").json()
    found = figures(body)
    assert body["case_references"] == []
    assert found["feature.fabricated_or_induced_illness"] | {"label": ""} == {
        **found["feature.fabricated_or_induced_illness"],
        "count": None,
        "percent": None,
        "label": "",
    }
    assert found["perpetrator.father"]["count"] == 14


def test_the_analyst_reads_only_the_publishable_version_across_partnerships(
    client: TestClient, analyst: Any, stored: None
) -> None:
    body = get(client, analyst).json()
    assert body["publishable"] is True and body["cases"] == 32 and body["scope"] == "all partnerships"
    assert body["case_references"] == []
    assert get(client, analyst, partnership="HAC").json()["cases"] == 26
    refused = get(client, analyst, publishable="false")
    assert refused.status_code == 403 and "publishable" in refused.json()["detail"]


def test_another_partnerships_people_see_their_own_not_this_one(
    client: TestClient, outsider: Any, stored: None
) -> None:
    assert get(client, outsider).json()["cases"] == 6
    refused = get(client, outsider, partnership="HAC")
    assert refused.status_code == 403 and "own people" in refused.json()["detail"]


def test_bad_requests_say_what_to_fix(client: TestClient, chair: Any, bot: Any, stored: None) -> None:
    backwards = get(client, chair, **{"from": "2006-12-31", "to": "2006-01-01"})
    assert backwards.status_code == 422 and "before it starts" in backwards.json()["detail"]
    assert get(client, chair, partnership="ZZZ").status_code == 404
    assert get(client, chair, format="odt").status_code == 422
    assert get(client, bot).status_code == 403


@pytest.mark.parametrize(
    ("fmt", "media", "starts"),
    [
        ("csv", "text/csv", b"Section,Group"),
        ("pdf", "application/pdf", b"%PDF"),
        ("html", "text/html", b"<!doctype"),
        ("docx", "application/vnd.openxmlformats", b"PK"),
    ],
)
def test_every_format_downloads_with_a_name_saying_what_it_is(
    client: TestClient, chair: Any, stored: None, fmt: str, media: str, starts: bytes
) -> None:
    response = get(client, chair, format=fmt, publishable="true")
    assert response.status_code == 200 and response.headers["content-type"].startswith(media)
    assert response.content.startswith(starts)
    assert f"2006-01-01-to-2006-12-31-publishable.{fmt}" in response.headers["content-disposition"]


def test_the_command_line_writes_any_partnerships_briefing(tmp_path: Path, stored: None) -> None:
    from service.cli import app

    target = tmp_path / "briefing.csv"
    run = CliRunner().invoke(
        app,
        [
            "report",
            "thematic",
            "--from",
            "2006-01-01",
            "--to",
            "2006-12-31",
            "--partnership",
            "SAL",
            "--publishable",
            "--format",
            "csv",
            "-o",
            str(target),
        ],
    )
    assert run.exit_code == 0, run.output
    assert "6 cases" in run.output and "fewer than 5" in target.read_text()
    bad = CliRunner().invoke(app, ["report", "thematic", "--from", "2006-13-01", "--to", "2006-12-31"])
    assert bad.exit_code == 2 and "not a date" in bad.output
    backwards = CliRunner().invoke(app, ["report", "thematic", "--from", "2006-12-01", "--to", "2006-01-31"])
    assert backwards.exit_code == 2 and "before --from" in backwards.output
    odd = CliRunner().invoke(
        app, ["report", "thematic", "--from", "2006-01-01", "--to", "2006-01-31", "-f", "odt"]
    )
    assert odd.exit_code == 2


def test_the_page_shows_the_figures_and_downloads_the_briefing(
    client: TestClient, session: Session, chair: Any, stored: None
) -> None:
    from security.admin_pages_client import signed_in_as

    browser = signed_in_as(client, session, chair.email, page="/admin/reports/thematic")
    page = browser.get("/admin/reports/thematic", params={**YEAR, "version": "publishable"})
    assert page.status_code == 200 and "Thematic briefing: Hackney test partnership" in page.text
    assert "fewer than 5" in page.text and "HAC-2006-0001" not in page.text
    internal = browser.get("/admin/reports/thematic", params=YEAR)
    assert "HAC-2006-0001" in internal.text and "Ethnic minority families" in internal.text
    download = browser.get("/admin/reports/thematic/download", params={**YEAR, "format": "docx"})
    assert download.status_code == 200 and download.content.startswith(b"PK")
    backwards = browser.get("/admin/reports/thematic", params={"from": "2006-12-31", "to": "2006-01-01"})
    assert backwards.status_code == 200 and "ends before it starts" in backwards.text
    other = browser.get("/admin/reports/thematic", params={**YEAR, "partnership": "SAL"})
    assert other.status_code == 403 and "own people" in other.text


def test_the_briefing_reads_each_cases_milestones_by_its_edition_and_its_recommendations(
    client: TestClient, session: Session, chair: Any, commissioner: Any
) -> None:
    """Notified on time to the Panel, late to the Panel, and on time to Ofsted before the Panel existed;
    one recommendation with an overdue action the partnership keeps itself (counted under its name)."""
    hackney(session)
    session.commit()

    def recorded(features: dict[str, Any], notified: str) -> str:
        made = client.post("/api/v1/cases", headers=commissioner.headers, json={"features": features})
        ref = made.json()["ref"]
        body = {"kind": "panel_notified", "on": notified}
        said = client.post(f"/api/v1/cases/{ref}/milestones", headers=commissioner.headers, json=body)
        assert said.status_code == 201, said.text
        return ref

    recorded(HARM_2020, "2020-06-18")
    late = recorded(HARM_2020, "2020-06-30")
    ofsted = recorded(
        {**HARM_2020, "incident_date": "2016-03-01", "notified_date": "2016-03-02"}, "2016-03-04"
    )
    recommendation = {**GOOD, "due": (TODAY + timedelta(days=90)).isoformat()}
    rid = client.post(
        f"/api/v1/cases/{ofsted}/recommendations", json=recommendation, headers=commissioner.headers
    ).json()["id"]
    action = {"text": "Audit the strategy meetings.", "owner": "lead@hackney.example.org"}
    action["due"] = (TODAY - timedelta(days=3)).isoformat()
    made = client.post(f"/api/v1/recommendations/{rid}/actions", json=action, headers=commissioner.headers)
    assert made.status_code == 201, made.text

    body = get(client, chair, **{"from": "2016-01-01", "to": "2020-12-31"}).json()
    found = figures(body)
    notified = found["timeliness.notified_within_5_working_days"]
    assert (notified["count"], notified["denominator"]) == (2, 3)
    assert body["late_cases"] == {"timeliness.notified_within_5_working_days": [late]}
    assert [found[f"timeliness.notified_within_5_working_days.{year}"]["count"] for year in (2016, 2020)] == [
        1,
        1,
    ]
    assert found["recommendations.per_review_median"]["count"] == 1
    assert found["recommendations.single_agency"]["count"] == 1
    overdue = found["recommendations.overdue.hackney_test_partnership"]
    assert (overdue["count"], overdue["denominator"]) == (1, 1)
    public = get(client, chair, **{"from": "2016-01-01", "to": "2020-12-31", "publishable": True}).json()
    assert public["late_cases"] == {} and late not in str(public)
