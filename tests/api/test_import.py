"""CSV import and export through HTTP and the command line (the demo data: test_demo.py)."""

import csv
import io

import pytest
from sqlalchemy import func, text
from sqlmodel import select
from typer.testing import CliRunner

from core import clock
from core.audit import AuditEvent
from registry.models import Consultant
from registry.sync import IMPORT_STATUS_REASON
from service.cli import app as cli

API = "/api/v1"
HEADER = ["name", "email", "status", "specialisms", "areas", "dbs_check_date", "capacity", "engagements"]


@pytest.fixture
def agencies(client, admin):
    hackney = {"id": "hackney-csc", "name": "Hackney Children and Families Service", "area": "Hackney"}
    hackney |= {"kind": "childrens_social_care", "aliases": ["Hackney Council", "London Borough of Hackney"]}
    police = {"id": "met-central-east", "name": "Met Central East BCU", "kind": "police", "area": "Hackney"}
    for body in (hackney, police):
        assert client.post(f"{API}/agencies", json=body, headers=admin.headers).status_code == 201


TIES = "Hackney Council|employed|Team manager|2005-01-01|2015-06-30; met-central-east|reviewed|Reviewer||"


def rows(count: int, *, start: int = 0) -> list[list[str]]:
    return [
        [
            f"Consultant {n:03d}",
            f"consultant{n:03d}@reviews.example.org",
            "approved" if n % 3 else "applied",
            "neglect; domestic_abuse" if n % 2 else "criminal_exploitation",
            "Hackney; Islington",
            f"{2023 + n % 3}-0{1 + n % 9}-15",
            str(1 + n % 3),
            TIES if n % 4 == 0 else "",
        ]
        for n in range(start, start + count)
    ]


def as_csv(data: list[list[str]], header: list[str] = HEADER) -> str:
    out = io.StringIO()
    csv.writer(out).writerows([header, *data])
    return out.getvalue()


def upload(client, persona, body: str | bytes, **params):
    """Import for real unless the test asks for a dry run (the API's default is a dry run)."""
    content = body.encode() if isinstance(body, str) else body
    return client.post(
        f"{API}/consultants/import",
        params={"dry_run": "false", **params},
        files={"file": ("consultants.csv", content, "text/csv")},
        headers=persona.headers,
    )


def count(session, table) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(table)).one()


def export(client, persona) -> str:
    response = client.get(f"{API}/consultants/export", headers=persona.headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith('attachment; filename="consultants-')
    return response.text


def test_a_hundred_good_rows_and_one_bad_row_write_nothing_and_name_the_bad_row(
    client, session, admin, agencies
):
    data = rows(100)
    data.insert(
        56, ["Bad Row", "bad@reviews.example.org", "approved", "neglect", "Hackney", "2024-02-30", "2", ""]
    )
    before = count(session, AuditEvent)
    response = upload(client, admin, as_csv(data))
    assert response.status_code == 422
    assert response.json()["problems"] == [
        {
            "row": 58,
            "column": "dbs_check_date",
            "msg": "'2024-02-30' is not a date; write YYYY-MM-DD or DD/MM/YYYY.",
        }
    ]
    assert "nothing was imported" in response.json()["detail"]
    assert count(session, Consultant) == 0
    assert count(session, AuditEvent) == before


def test_every_bad_row_is_reported_at_once(client, admin, agencies):
    data = rows(5)
    data[1][3] = "neglect; witchcraft"
    data[2][6] = "-1"
    data[3][7] = "Nowhere Council|employed|Manager||"
    data[4][1] = data[0][1]
    problems = upload(client, admin, as_csv(data)).json()["problems"]
    assert [(p["row"], p["column"]) for p in problems] == [
        (3, "specialisms"),
        (4, "capacity"),
        (5, "engagements"),
        (6, "email"),
    ]


def test_a_hundred_rows_import_once_and_re_importing_changes_nothing(client, session, admin, agencies):
    body = as_csv(rows(100))
    first = upload(client, admin, body)
    assert first.status_code == 200, first.text
    assert (first.json()["created"], first.json()["updated"], first.json()["unchanged"]) == (100, 0, 0)
    listing = client.get(
        f"{API}/consultants", params={"status": "approved", "area": "islington"}, headers=admin.headers
    )
    assert listing.json()["total"] == 66
    imported = client.get(
        f"{API}/consultants/{listing.json()['items'][0]['id']}", headers=admin.headers
    ).json()
    assert imported["approved_on"] == clock.today().isoformat()
    events = count(session, AuditEvent)
    again = upload(client, admin, body).json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 100)
    assert {row["action"] for row in again["rows"]} == {"unchanged"}
    assert count(session, AuditEvent) == events


def test_a_dry_run_reports_what_would_happen_and_writes_nothing(client, session, admin, agencies):
    report = upload(client, admin, as_csv(rows(3)), dry_run="true").json()
    assert report["dry_run"] is True
    assert [row["action"] for row in report["rows"]] == ["create", "create", "create"]
    assert count(session, Consultant) == 0


def test_an_import_updates_only_what_changed_and_audits_it(client, session, admin, agencies):
    upload(client, admin, as_csv(rows(3)))
    changed = rows(3)
    changed[1][6] = "3"
    report = upload(client, admin, as_csv(changed)).json()
    assert [(row["action"], row["changed"]) for row in report["rows"]] == [
        ("unchanged", []),
        ("update", ["capacity"]),
        ("unchanged", []),
    ]
    consultant = session.exec(select(Consultant).where(Consultant.email == changed[1][1])).one()
    event = session.exec(select(AuditEvent).order_by(AuditEvent.id.desc())).first()  # type: ignore[union-attr]
    assert (event.action, event.entity_id, event.actor) == (
        "consultant.import",
        str(consultant.id),
        admin.email,
    )
    assert (event.before["capacity"], event.after["capacity"]) == (2, 3)


def test_an_import_moves_status_only_along_an_allowed_action(client, session, admin, agencies):
    upload(client, admin, as_csv(rows(2)))  # consultant 000 applied, 001 approved
    promoted = rows(2)
    promoted[0][2] = "approved"
    report = upload(client, admin, as_csv(promoted)).json()
    assert report["rows"][0]["changed"] == ["status"]
    approved = session.exec(select(Consultant).where(Consultant.email == promoted[0][1])).one()
    session.refresh(approved)
    assert (approved.status, approved.approved_on) == ("approved", clock.today())
    assert approved.status_reason == IMPORT_STATUS_REASON
    demoted = [row[:] for row in promoted]
    demoted[1][2] = "applied"
    response = upload(client, admin, as_csv(demoted))
    assert response.status_code == 422
    assert response.json()["problems"] == [
        {"row": 3, "column": "status", "msg": "a consultant who is approved cannot become applied; allowed: "
         "approve, suspend, remove."}
    ]  # fmt: skip


def test_export_then_import_round_trips(client, session, admin, agencies):
    upload(client, admin, as_csv(rows(12)))
    first = client.get(f"{API}/consultants", params={"limit": 1}, headers=admin.headers).json()["items"][0]
    url = f"{API}/consultants/{first['id']}"
    notes = {"notes": "Trades as Quill Reviews Ltd.\nPrefers Tuesdays.", "phone": "+44 20 7946 0100"}
    accreditation = {"name": "silp", "awarded_on": "2019-05-01", "expires_on": "2029-05-01"}
    engagement = {
        "agency_id": "hackney-csc",
        "role_title": "Chair, practice review group",
        "kind": "board_member",
    }
    engagement |= {"start_date": "2021-01-01", "confirmed": False}
    assert client.patch(url, json=notes, headers=admin.headers).status_code == 200
    assert client.post(f"{url}/accreditations", json=accreditation, headers=admin.headers).status_code == 201
    assert client.post(f"{url}/engagements", json=engagement, headers=admin.headers).status_code == 201
    for action in ("approve", "suspend"):
        reason = {"reason": "At their own request, for six months."}
        assert client.post(f"{url}/{action}", json=reason, headers=admin.headers).status_code == 200
    exported = export(client, admin)
    assert 'suspended,"At their own request' in exported
    assert upload(client, admin, exported).json()["unchanged"] == 12
    with session.get_bind().begin() as connection:
        for table in ("engagement", "accreditation", "consultant"):
            connection.execute(text(f"DELETE FROM {table}"))
    assert upload(client, admin, exported).json()["created"] == 12
    assert export(client, admin) == exported


def test_import_and_its_limits(client, admin, commissioner, agencies, monkeypatch):
    from service.settings import get_settings

    assert upload(client, commissioner, as_csv(rows(1))).status_code == 403
    not_utf8 = upload(client, admin, "name,email\nZoë,z@x.example.org\n".encode("cp1252"))
    assert not_utf8.status_code == 422
    assert "CSV UTF-8" in not_utf8.json()["detail"]
    monkeypatch.setenv("SCR_CSV_MAX_ROWS", "10")
    get_settings.cache_clear()
    try:
        too_many = upload(client, admin, as_csv(rows(11)))
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert too_many.status_code == 422
    assert too_many.json()["problems"] == [
        {"row": None, "column": None, "msg": "The file has more than 10 rows, the limit."}
    ]
    missing = upload(client, admin, "name,e-mail\nAda,a@x.example.org\n")
    assert {(p["row"], p["column"]) for p in missing.json()["problems"]} == {(1, "email"), (1, "e-mail")}


# Command line -------------------------------------------------------------------------------------


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_the_cli_imports_with_a_dry_run_then_for_real_and_exports(runner, session, agencies, tmp_path):
    source = tmp_path / "list.csv"
    source.write_text(as_csv(rows(4)), encoding="utf-8-sig")
    dry = runner.invoke(cli, ["registry", "import", str(source), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Dry run: would create 4, update 0; 0 unchanged." in dry.output
    assert count(session, Consultant) == 0
    real = runner.invoke(cli, ["registry", "import", str(source)])
    assert "Created 4, updated 0; 0 unchanged." in real.output
    target = tmp_path / "out.csv"
    exported = runner.invoke(cli, ["registry", "export", "-o", str(target)])
    assert exported.exit_code == 0
    assert runner.invoke(cli, ["registry", "import", str(target)]).output.startswith(
        "Created 0, updated 0; 4 unchanged."
    )
    assert runner.invoke(cli, ["registry", "export"]).output == target.read_text(encoding="utf-8")
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "consultant.import")).all()
    assert {event.actor for event in events} == {"cli"}


def test_the_cli_reports_each_bad_row_and_exits_1(runner, session, agencies, tmp_path):
    data = rows(3)
    data[2][5] = "someday"
    source = tmp_path / "list.csv"
    source.write_text(as_csv(data), encoding="utf-8")
    result = runner.invoke(cli, ["registry", "import", str(source)])
    assert result.exit_code == 1
    assert "row 4, dbs_check_date: 'someday' is not a date" in result.output
    assert "nothing was imported" in result.output
    assert count(session, Consultant) == 0
