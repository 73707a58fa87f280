"""Agencies' chronologies through the API, end to end: the templates filled in programmatically (a Word
table edited by hand among them) and uploaded, checked, merged and read back; a bad file refused whole with
every problem by row and column; a dry run; a corrected file compared before it replaces the old; the
personal view audited; the documents and the chart real files; the request letters.

One case set-up serves the module (``world``): two cases asking three agencies, each test working on its
own agency's request so the tests do not depend on their order.
"""

import io
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from docx import Document
from factories import CASE_FEATURES, hackney
from fastapi.testclient import TestClient
from matplotlib import image
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlmodel import Session, col, select

from commissioning import partnerships
from commissioning.chronology.columns import STANDARD
from commissioning.models import ChronologyVersion
from core.audit import AuditEvent
from service.models import Role
from service.users import add_user

AGENCIES = ["hackney-csc", "met-police", "homerton"]
PERIOD = {"from": "2025-11-02", "to": "2026-11-02"}
HEADERS = [column.header for column in STANDARD]
ADDED = "Outcome"  # a column the home partnership adds to its chronologies


@dataclass
class World:
    http: TestClient
    tokens: dict[str, str]
    round_trip: str  # the case whose three chronologies are uploaded and merged
    checks: str  # the case whose requests the checking tests use, one agency each

    def as_(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def get(self, who: str, path: str, **kwargs: Any) -> Any:
        return self.http.get(path, headers=self.as_(who), **kwargs)

    def upload(
        self, who: str, ref: str, agency: str, name: str, data: bytes, **params: str
    ) -> Any:  # an httpx.Response
        return self.http.post(
            f"/api/v1/cases/{ref}/chronologies",
            headers=self.as_(who),
            data={"agency": agency},
            files={"file": (name, data, "application/octet-stream")},
            params=params,
        )


def _users(session: Session) -> dict[str, str]:
    tokens = {}
    for persona, role, fields in (
        ("commissioner", Role.commissioner, {"partnership": "HAC"}),
        ("chair", Role.chair, {"partnership": "HAC"}),
        ("contributor", Role.commissioner, {"partnership": "CON"}),
        ("csc", Role.agency_contact, {"agency": "hackney-csc"}),
        ("police", Role.agency_contact, {"agency": "met-police"}),
        ("camden", Role.agency_contact, {"agency": "camden-csc"}),  # an agency neither case asked
    ):
        _, tokens[persona] = add_user(
            session, email=f"{persona}@board.example.org", role=role, actor="test", **fields
        )
    return tokens


@pytest.fixture(scope="module")
def world(engine: Any, empty_database: Any) -> Iterator[World]:
    from service.app import create_app

    empty_database()
    with Session(engine) as session:
        hackney(session)
        partnerships.add_partnership(
            session,
            name="Hackney partnership",
            prefix="HAC",
            areas=["hackney"],
            actor="test",
            policy={"chronology_columns": [{"header": ADDED, "required": False}]},
        )
        partnerships.add_partnership(
            session, name="Contributing partnership", prefix="CON", areas=["camden"], actor="test"
        )
        tokens = _users(session)
        session.commit()
    with TestClient(create_app()) as http:
        world = World(http, tokens, "", "")
        headers = world.as_("commissioner")

        def send(method: str, path: str, expected: int = 201, **kwargs: Any) -> Any:
            response = http.request(method, path, headers=headers, **kwargs)
            assert response.status_code == expected, response.text
            return response.json() if response.content else None

        refs = []
        for _ in range(2):
            ref = send(
                "POST", "/api/v1/cases", json={"features": {**CASE_FEATURES, "agencies_involved": AGENCIES}}
            )["ref"]
            send("POST", f"/api/v1/cases/{ref}/partnerships/CON", 204)
            send("POST", f"/api/v1/cases/{ref}/terms")
            send("POST", f"/api/v1/cases/{ref}/chronology/requests", json={"period": PERIOD})
            refs.append(ref)
        world.round_trip, world.checks = refs
        yield world


# Filling in the templates -------------------------------------------------------------------------------

CSC_ROWS = [
    [
        "03/02/2026",
        "09:30",
        "1",
        "Case file",
        "Referral from school about Jane Smith's bruising",
        "Social worker",
    ],
    ["22.05.26", "", "", "Case file", "Home visit: Jane Smith seen with Child A", "Social worker"],
    ["?June 2026", "", "", "Supervision notes", "Case discussed at team meeting", "Team manager"],
]
POLICE_ROWS = [
    ["03/02/2026", "11:00", "", "Police log", "Officers called to the home about a disturbance", "PC"],
    ["14 March 2026", "", "", "Crime report", "Report of threats made to Jane Smith", "DC"],
]


def filled_xlsx(world: World, rows: Sequence[Sequence[str]]) -> bytes:
    template = world.get("csc", "/api/v1/chronology/template.xlsx")
    book = load_workbook(io.BytesIO(template.content))
    sheet = book["Chronology"]
    for number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            sheet.cell(row=number, column=column, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def filled_docx(world: World, rows: Sequence[Sequence[str]]) -> bytes:
    template = world.get("police", "/api/v1/chronology/template.docx")
    document = Document(io.BytesIO(template.content))
    (table,) = document.tables
    for number, row in enumerate(rows, start=1):
        for cell, value in zip(table.rows[number].cells, row, strict=False):
            cell.text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def hand_edited_docx() -> bytes:
    """A Word table as a health trust typed it: a title row merged across, the date written once and
    merged down beside two events, a blank row, and the heading row typed again on the next page."""
    document = Document()
    document.add_paragraph("Homerton chronology")
    table = document.add_table(rows=0, cols=5)
    header = ["Date", "Time", "Source", "Event", "Practitioner role"]

    def row(values: Sequence[str]) -> Any:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = value
        return cells

    row(header)
    first = row(["12/03/2026", "10:00", "Maternity notes", "Antenatal booking for Jane Smith", "Midwife"])
    second = row(["", "15:00", "Maternity notes", "Missed scan: letter sent", "Midwife"])
    first[0].merge(second[0])  # the date merged down over both events
    first[0].text = "12/03/2026"
    row(["", "", "", "", ""])  # a blank row left in
    row(header)  # the heading repeated by hand on the next page
    row(["2026-04-02", "", "Health visiting record", "New birth visit", "Health visitor"])
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def merged(world: World) -> dict[str, Any]:
    """The round-trip case's three chronologies uploaded: XLSX by the agency's contact, the filled Word
    template and a hand-edited Word table by the commissioner."""
    ref = world.round_trip
    uploads = {
        "hackney-csc": world.upload("csc", ref, "hackney-csc", "csc.xlsx", filled_xlsx(world, CSC_ROWS)),
        "met-police": world.upload(
            "commissioner", ref, "Metropolitan Police Service", "police.docx", filled_docx(world, POLICE_ROWS)
        ),
        "homerton": world.upload("commissioner", ref, "homerton", "trust.docx", hand_edited_docx()),
    }
    return {agency: (response.status_code, response.json()) for agency, response in uploads.items()}


# The tests ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_the_template_holds_the_columns_and_a_case_adds_its_partnership_s(world: World, fmt: str) -> None:
    def headings(response: Any) -> list[str]:
        assert response.status_code == 200, response.text
        if fmt == "docx":
            (table,) = Document(io.BytesIO(response.content)).tables
            return [cell.text for cell in table.rows[0].cells]
        sheet = load_workbook(io.BytesIO(response.content))["Chronology"]
        return [cell.value for cell in sheet[1]]

    assert headings(world.get("csc", f"/api/v1/chronology/template.{fmt}")) == HEADERS
    for_case = world.get("csc", f"/api/v1/chronology/template.{fmt}", params={"case": world.round_trip})
    assert headings(for_case) == [*HEADERS, ADDED]
    assert world.round_trip in for_case.headers["content-disposition"]
    assert (
        world.get("csc", "/api/v1/chronology/template.xlsx", params={"case": "HAC-1999-9"}).status_code == 404
    )


def test_three_chronologies_round_trip_into_one_composite(world: World, merged: dict[str, Any]) -> None:
    assert {agency: status for agency, (status, _) in merged.items()} == dict.fromkeys(AGENCIES, 201)
    assert [merged[agency][1]["rows"] for agency in AGENCIES] == [3, 2, 3]
    assert merged["homerton"][1]["result"] == "accepted" and merged["homerton"][1]["everything_in"]
    body = world.get("commissioner", f"/api/v1/cases/{world.round_trip}/chronology.json").json()
    rows = body["rows"]
    assert [(row["date"], row["agency"]) for row in rows][:3] == [
        ("2026-02-03", "Hackney Children's Social Care"),
        ("2026-02-03", "Metropolitan Police Service"),
        ("2026-03-12", "Homerton Healthcare NHS Trust"),
    ]
    # the date merged down belongs to both events; the blank row and the repeated heading are passed over
    trust = [row for row in rows if row["agency"] == "Homerton Healthcare NHS Trust"]
    assert [(row["date"], row["time"], row["event"]) for row in trust] == [
        ("2026-03-12", "10:00", "Antenatal booking for Jane Smith"),
        ("2026-03-12", "15:00", "Missed scan: letter sent"),
        ("2026-04-02", None, "New birth visit"),
    ]
    trust_rows = [row["row"] for row in trust]
    assert trust_rows == [2, 3, 6]  # numbered as the Word table shows them
    uncertain = next(row for row in rows if row["uncertain"])
    assert uncertain["source"] == "Supervision notes"
    assert {row["date"] for row in rows} == {
        "2026-02-03",
        "2026-05-22",
        "2026-06-01",
        "2026-03-12",
        "2026-04-02",
        "2026-03-14",
    }
    assert body["agencies"] == [
        "Hackney Children's Social Care",
        "Homerton Healthcare NHS Trust",
        "Metropolitan Police Service",
    ]
    assert body["period"] == PERIOD and "gaps" in body and "clusters" in body


def test_an_agency_contact_reads_only_their_agency_s_rows(world: World, merged: dict[str, Any]) -> None:
    body = world.get("police", f"/api/v1/cases/{world.round_trip}/chronology.json").json()
    assert {row["agency"] for row in body["rows"]} == {"Metropolitan Police Service"}
    assert len(body["rows"]) == 2
    requests = world.get("police", f"/api/v1/cases/{world.round_trip}/chronology/requests").json()["requests"]
    assert [request["agency_id"] for request in requests] == ["met-police"]


def test_the_personal_view_shows_names_and_each_opening_is_audited(
    world: World, merged: dict[str, Any], engine: Any
) -> None:
    ref = world.round_trip
    glossary = {"terms": [{"name": "Jane Smith", "code": "Mother"}]}
    put = world.http.put(
        f"/api/v1/cases/{ref}/chronology/glossary", headers=world.as_("commissioner"), json=glossary
    )
    assert put.status_code == 200, put.text
    coded = world.get("chair", f"/api/v1/cases/{ref}/chronology.json").json()
    personal = world.get("chair", f"/api/v1/cases/{ref}/chronology.json", params={"view": "personal"}).json()
    assert coded["rows"][0]["event"] == "Referral from school about Mother's bruising"
    assert personal["rows"][0]["event"] == "Referral from school about Jane Smith's bruising"
    assert (coded["view"], personal["view"]) == ("coded", "personal")
    assert world.get("chair", f"/api/v1/cases/{ref}/chronology/glossary").json() == glossary
    with Session(engine) as session:
        events = session.exec(
            select(AuditEvent)
            .where(AuditEvent.entity_id == ref, col(AuditEvent.action).startswith("chronology."))
            .order_by(col(AuditEvent.id))
        ).all()
    opened = [
        (e.action, e.after["what"], e.after["view"]) for e in events if e.actor == "chair@board.example.org"
    ]
    assert opened == [
        ("chronology.open", "json", "coded"),
        ("chronology.personal_view", "json", "personal"),
        ("chronology.personal_view", "glossary", "personal"),
    ]


@pytest.mark.parametrize("fmt", ["docx", "xlsx", "pdf", "png", "svg"])
def test_the_documents_and_the_chart_are_real_files(world: World, merged: dict[str, Any], fmt: str) -> None:
    ref = world.round_trip
    path = (
        f"/api/v1/cases/{ref}/chronology/timeline.{fmt}"
        if fmt in ("png", "svg")
        else f"/api/v1/cases/{ref}/chronology.{fmt}"
    )
    response = world.get("commissioner", path)
    assert response.status_code == 200, response.text
    assert f"{ref}-" in response.headers["content-disposition"]
    content = io.BytesIO(response.content)
    if fmt == "docx":
        text = "\n".join(
            cell.text for table in Document(content).tables for row in table.rows for cell in row.cells
        )
        assert "Missed scan: letter sent" in text and "Jane Smith" not in text  # coded by default
    elif fmt == "xlsx":
        values = [cell.value for sheet in load_workbook(content) for row in sheet.iter_rows() for cell in row]
        assert "New birth visit" in values
    elif fmt == "pdf":
        text = "".join(page.extract_text() for page in PdfReader(content).pages)
        assert "New birth visit" in text
    elif fmt == "png":
        pixels = image.imread(content, format="png")
        assert pixels.shape[0] > 100 and pixels.shape[1] > 100
    else:
        root = ElementTree.fromstring(response.content)
        assert root.tag == "{http://www.w3.org/2000/svg}svg"


def test_a_bad_file_lists_every_problem_by_row_and_column_and_stores_nothing(
    world: World, engine: Any
) -> None:
    bad = (
        b"Date,Time,Source of information,Event\n"
        b"31/02/2026,09:00,Case file,Visit\n"
        b"01/03/2026,25:99,,Seen again\n"
        b"02/03/2026,,Case file,\n"
    )
    response = world.upload("csc", world.checks, "Hackney CSC", "csc.csv", bad)
    assert response.status_code == 422, response.text
    body = response.json()
    errors = [(p["row"], p["column"]) for p in body["problems"] if p["severity"] == "error"]
    assert errors == [(2, "Date"), (3, "Time"), (3, "Source of information"), (4, "Event")]
    assert "4 problems" in body["detail"] and all(p["msg"] for p in body["problems"])
    with Session(engine) as session:
        assert (
            session.exec(select(ChronologyVersion).where(ChronologyVersion.filename == "csc.csv")).all() == []
        )
    requests = world.get("csc", f"/api/v1/cases/{world.checks}/chronology/requests").json()["requests"]
    assert requests[0]["version"] is None and requests[0]["words"].startswith("received with problems")


def test_a_file_of_the_wrong_kind_is_refused_with_the_one_problem(world: World) -> None:
    response = world.upload("csc", world.checks, "hackney-csc", "notes.txt", b"Some notes")
    assert response.status_code == 422
    body = response.json()
    assert len(body["problems"]) == 1 and body["detail"] == body["problems"][0]["msg"]
    assert "Word (.docx), Excel (.xlsx) or CSV" in body["detail"]


def test_a_dry_run_checks_and_stores_nothing(world: World) -> None:
    response = world.upload(
        "police", world.checks, "met-police", "police.xlsx", filled_xlsx(world, POLICE_ROWS), dry_run="true"
    )
    assert response.status_code == 200, response.text
    assert (response.json()["result"], response.json()["rows"]) == ("checked", 2)
    requests = world.get("police", f"/api/v1/cases/{world.checks}/chronology/requests").json()["requests"]
    assert requests[0]["version"] is None


def test_a_corrected_file_is_compared_until_confirmed(world: World) -> None:
    ref = world.checks
    rows = [["12/03/2026", "10:00", "", "Maternity notes", "Antenatal booking", "Midwife"]]
    first = world.upload("commissioner", ref, "homerton", "trust.xlsx", filled_xlsx(world, rows))
    assert (first.status_code, first.json()["version"]) == (201, 1)
    corrected = [
        [*rows[0][:4], "Antenatal booking: missed", "Midwife"],
        ["13/03/2026", "", "", "Notes", "Letter sent", "Midwife"],
    ]
    data = filled_xlsx(world, corrected)
    compared = world.upload("commissioner", ref, "homerton", "trust.xlsx", data)
    assert compared.status_code == 200, compared.text
    changes = compared.json()["changes"]
    assert compared.json()["result"] == "changes"
    assert changes["summary"] == "Rows added: 1; removed: 0; changed: 1; unchanged: 0."
    assert [change["columns"] for change in changes["changed"]] == [["event"]]
    confirmed = world.upload("commissioner", ref, "homerton", "trust.xlsx", data, confirm="true")
    assert (confirmed.status_code, confirmed.json()["version"]) == (201, 2)
    events = [
        row["event"]
        for row in world.get("commissioner", f"/api/v1/cases/{ref}/chronology.json").json()["rows"]
    ]
    assert events == ["Antenatal booking: missed", "Letter sent"]


def test_an_agency_contact_sends_only_their_own_agency_s(world: World) -> None:
    refused = world.upload("csc", world.checks, "met-police", "police.csv", b"Date\n")
    assert refused.status_code == 403 and "own agency" in refused.json()["detail"]
    letter = world.get("csc", f"/api/v1/cases/{world.checks}/chronology/requests/met-police/letter.pdf")
    assert letter.status_code == 403


def test_a_body_over_the_limit_is_refused(world: World) -> None:
    response = world.upload("csc", world.checks, "hackney-csc", "big.csv", b"x" * 2_100_000)
    assert response.status_code == 413


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_the_request_letter_names_the_upload_page(world: World, fmt: str) -> None:
    response = world.get("csc", f"/api/v1/cases/{world.checks}/chronology/requests/hackney-csc/letter.{fmt}")
    assert response.status_code == 200, response.text
    content = io.BytesIO(response.content)
    if fmt == "docx":
        text = "\n".join(p.text for p in Document(content).paragraphs)
    else:
        text = "".join(page.extract_text() for page in PdfReader(content).pages)
    assert "http://testserver/admin/chronologies" in text.replace("\n", "")
    assert world.checks in text


def test_requests_are_made_once_and_named_agencies_must_be_known(world: World) -> None:
    path = f"/api/v1/cases/{world.checks}/chronology/requests"
    again = world.http.post(path, headers=world.as_("commissioner"), json={"agencies": ["Hackney CSC"]})
    assert again.status_code == 201, again.text
    assert (again.json()["requests"], [r["agency_id"] for r in again.json()["already"]]) == (
        [],
        ["hackney-csc"],
    )
    unknown = world.http.post(path, headers=world.as_("commissioner"), json={"agencies": ["Nowhere Trust"]})
    assert unknown.status_code == 422 and "Nowhere Trust" in unknown.json()["detail"]
    chair = world.http.post(path, headers=world.as_("chair"), json={})
    assert chair.status_code == 403


def test_a_glossary_with_problems_is_refused_whole(world: World) -> None:
    path = f"/api/v1/cases/{world.checks}/chronology/glossary"
    terms = {"terms": [{"name": "J", "code": "Mother"}, {"name": "Ann Lee", "code": ""}]}
    response = world.http.put(path, headers=world.as_("commissioner"), json=terms)
    assert response.status_code == 422
    assert "too short" in response.json()["detail"] and "has no code" in response.json()["detail"]
    assert world.get("commissioner", path).json() == {"terms": []}


@pytest.mark.parametrize("field", ["name", "code"])
def test_a_control_character_in_a_glossary_term_is_refused_naming_it(world: World, field: str) -> None:
    """PostgreSQL cannot store NUL: the fuzzer's glossary with a NUL code was a 500 there."""
    path = f"/api/v1/cases/{world.checks}/chronology/glossary"
    term = {"name": "Ann Lee", "code": "Mother"} | {field: "Ann\x00 Lee"}
    response = world.http.put(path, headers=world.as_("commissioner"), json={"terms": [term]})
    assert response.status_code == 422, response.text
    problem = response.json()["problems"][0]
    assert problem["loc"] == ["body", "terms", 0, field]
    assert problem["msg"] == "holds a control character that cannot be stored; remove it"
    assert world.get("commissioner", path).json() == {"terms": []}


def test_a_nul_in_an_agency_named_anywhere_is_refused_naming_it(world: World) -> None:
    """PostgreSQL cannot store or look up NUL: the fuzzer's request naming agency "\\x00" was a 500 there."""
    nul = "Hackney\x00 CSC"
    asked = world.http.post(
        f"/api/v1/cases/{world.checks}/chronology/requests",
        headers=world.as_("commissioner"),
        json={"agencies": [nul]},
    )
    uploaded = world.upload("csc", world.checks, nul, "csc.csv", b"Date\n")
    letter = world.get("csc", f"/api/v1/cases/{world.checks}/chronology/requests/Hackney%00CSC/letter.pdf")
    refused = {
        "body": (asked.status_code, asked.json()["problems"][0]["loc"]),
        "form": (uploaded.status_code, uploaded.json()["problems"][0]["loc"]),
        "path": (letter.status_code, letter.json()["problems"][0]["loc"]),
    }
    assert refused == {
        "body": (422, ["body", "agencies", 0]),
        "form": (422, ["body", "agency"]),
        "path": (422, ["path", "agency"]),
    }


def test_an_agency_contact_lists_their_requests_across_cases(world: World) -> None:
    mine = world.get("csc", "/api/v1/me/chronology/requests")
    assert mine.status_code == 200
    assert sorted(r["case_ref"] for r in mine.json()["requests"]) == sorted([world.round_trip, world.checks])
    assert {r["agency_id"] for r in mine.json()["requests"]} == {"hackney-csc"}
    assert world.get("commissioner", "/api/v1/me/chronology/requests").status_code == 403


def test_an_agency_the_case_did_not_ask_is_told_there_is_no_such_case(world: World) -> None:
    for path in ("chronology.json", "chronology/requests"):
        response = world.get("camden", f"/api/v1/cases/{world.round_trip}/{path}")
        assert (response.status_code, response.json()["detail"]) == (404, f"No case {world.round_trip}.")
    assert world.get("camden", "/api/v1/me/chronology/requests").json() == {"requests": []}
