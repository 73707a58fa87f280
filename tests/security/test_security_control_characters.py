"""One control character must not break a document (issue 13, item 4).

A vertical tab (Word's Shift+Enter pastes one) in a board's reason, or NUL or \\x01 in a case area or a
consultant's name, used to be stored, and the case's .docx then failed with a 500 on the API, the admin
page and ``/scr terms``. Text is now checked on the way in, one way everywhere: Word's breaks become line
breaks where a line break is allowed, and any other control character or a lone surrogate is refused
with a 422 naming the field. The renderers drop whatever XML 1.0 forbids, so text stored before the
check cannot break a document either.
"""

import csv
import io
import re
from datetime import UTC, date, datetime

import pytest
from admin_pages_client import NEW_CONSULTANT, signed_in_as
from docx import Document
from factories import (
    CASE_FEATURES,
    RULESET,
    case_as_written,
    commission,
    consultant,
    decision,
    declaration,
    departure,
)
from pypdf import PdfReader
from sqlmodel import select

from commissioning.models import Case, CommissionStatus, DecisionKind
from commissioning.render import render_docx, render_html, render_markdown, render_pdf
from commissioning.terms_document import Milestone, Paragraph, Points, Section, Terms, Timetable
from registry.models import Consultant

API = "/api/v1"
FEATURES = {**CASE_FEATURES, "agencies_involved": []}
LCSPR = [{"type": "lcspr", "requirement": "discretionary"}]


def new_case(client, persona) -> str:  # type: ignore[no-untyped-def]
    response = client.post(f"{API}/cases", headers=persona.headers, json={"features": FEATURES})
    assert response.status_code == 201, response.text
    return response.json()["ref"]


def docx_paragraphs(content: bytes) -> list[str]:
    return [paragraph.text for paragraph in Document(io.BytesIO(content)).paragraphs]


def pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


# Word's breaks become line breaks, in what is stored and in every document ------------------------------


@pytest.mark.parametrize("brk", ["\x0b", "\x0c", "\r\n"], ids=["vertical tab", "form feed", "Windows"])
def test_a_word_break_in_a_board_reason_is_a_line_break_in_every_format(
    client, admin, chair, commissioner, brk
):
    ref = new_case(client, admin)
    reason = f"Learning for every partner.{brk}The school too."
    departing = departure(reason, LCSPR)
    decided = client.post(f"{API}/cases/{ref}/decision", headers=chair.headers, json=departing)
    assert decided.status_code == 200, decided.text
    kept = "Learning for every partner.\nThe school too."
    assert decided.json()["board_decision"]["reason"] == kept
    assert client.post(f"{API}/cases/{ref}/terms", headers=commissioner.headers).status_code == 201
    got = {
        fmt: client.get(f"{API}/cases/{ref}/terms/1.{fmt}", headers=commissioner.headers)
        for fmt in ("md", "html", "docx", "pdf")
    }
    assert {fmt: response.status_code for fmt, response in got.items()} == dict.fromkeys(got, 200)
    assert kept in docx_paragraphs(got["docx"].content)  # one paragraph, with a line break in it
    assert kept in got["html"].text
    assert "The school too." in pdf_text(got["pdf"].content)


# Refused on the way in, naming the field -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["Sam\x01 Okafor", "Sam\x00 Okafor", "Sam\x1b Okafor"])
def test_a_control_character_in_a_consultant_name_is_refused_by_the_api(client, session, admin, name):
    body = {"name": name, "email": "sam@reviews.example.org"}
    response = client.post(f"{API}/consultants", headers=admin.headers, json=body)
    assert response.status_code == 422, response.text
    problem = response.json()["problems"][0]
    assert problem["loc"] == ["body", "name"]
    assert problem["msg"] == "holds a control character that cannot be stored; remove it"
    assert session.exec(select(Consultant)).all() == []


def test_a_line_break_in_a_single_line_field_is_refused_and_kept_in_a_multi_line_one(client, admin):
    body = {"name": "Sam\nOkafor", "email": "sam@reviews.example.org", "notes": "First.\x0bSecond."}
    response = client.post(f"{API}/consultants", headers=admin.headers, json=body)
    assert response.status_code == 422, response.text
    assert response.json()["problems"] == [
        {"loc": ["body", "name"], "msg": "must be on one line; remove the line break", "type": "line_break"}
    ]
    made = client.post(f"{API}/consultants", headers=admin.headers, json={**body, "name": "Sam Okafor"})
    assert made.status_code == 201, made.text
    assert made.json()["notes"] == "First.\nSecond."
    changed = client.patch(
        f"{API}/consultants/{made.json()['id']}", headers=admin.headers, json={"phone": "020\x017946"}
    )
    assert changed.status_code == 422
    assert changed.json()["problems"][0]["loc"] == ["body", "phone"]


def test_a_control_character_in_a_csv_cell_is_refused_in_the_dry_run(client, session, admin):
    out = io.StringIO()
    csv.writer(out).writerows(
        [
            ["name", "email", "status", "status_reason"],
            ["Sam\x01 Okafor", "sam@reviews.example.org", "", ""],
            ["Ada Ito", "ada@reviews.example.org", "approved", "Panel\x00 approved"],
        ]
    )
    for dry_run in ("true", "false"):
        response = client.post(
            f"{API}/consultants/import?dry_run={dry_run}",
            headers=admin.headers,
            files={"file": ("list.csv", out.getvalue().encode(), "text/csv")},
        )
        assert response.status_code == 422, response.text
        problems = {(p["row"], p["column"]): p["msg"] for p in response.json()["problems"]}
        assert problems == {
            (2, "name"): "holds a control character that cannot be stored; remove it.",
            (3, "status_reason"): "holds a control character that cannot be stored; remove it.",
        }
    assert session.exec(select(Consultant)).all() == []


def test_a_control_character_in_the_admin_form_is_reported_beside_its_field(client, session, admin):
    signed_in_as(client, session, admin.email)
    form = {**NEW_CONSULTANT, "name": "Sam\x01 Okafor", "csrf_token": client.token}
    response = client.post("/admin/consultants/new", data=form)
    assert response.status_code == 422
    assert re.search(
        r'id="name-error">.*holds a control character that cannot be stored', response.text, re.S
    )
    assert session.exec(select(Consultant)).all() == []


@pytest.mark.parametrize(
    ("body", "named", "message"),
    [
        (b'{"features": {"area": "hack\\ud800ney"}}', "area", "holds a broken character"),
        (b'{"features": {"incident_date\\udc00": "2026-11-02"}}', "incident_date\\udc00", "unknown feature"),
    ],
    ids=["in a value", "in a feature's name"],
)
def test_a_lone_surrogate_in_a_new_case_is_refused(client, session, admin, body, named, message):
    """A JSON escape can carry half a surrogate pair, which no database or answer can encode."""
    headers = {**admin.headers, "Content-Type": "application/json"}
    response = client.post(f"{API}/cases", headers=headers, content=body)
    assert response.status_code == 422, response.text
    [problem] = response.json()["problems"]
    assert problem["feature"] == named and problem["msg"].startswith(message)
    assert session.exec(select(Case)).all() == []
    checked = client.post(f"{API}/threshold", headers=headers, content=body)
    assert checked.status_code == 422, checked.text


def test_a_lone_surrogate_naming_a_field_of_the_threshold_check_is_refused(client):
    body = b'{"features": {}, "\\ud800": 1}'
    response = client.post(f"{API}/threshold", headers={"Content-Type": "application/json"}, content=body)
    assert response.status_code == 422, response.text
    assert response.json()["problems"][0]["loc"] == ["body", "\\ud800"]


@pytest.mark.parametrize("text", ["\\ud800", "\\u0000", "\\u0001"], ids=["lone surrogate", "NUL", "\\x01"])
def test_a_slack_form_in_progress_that_cannot_be_stored_is_refused(client, admin, text):
    """The bot keeps a threshold check in progress as JSON: every text in it, names too, must be storable."""
    headers = {**admin.headers, "Content-Type": "application/json"}
    for body in (f'{{"state": {{"features": {{"area": "a{text}"}}}}}}', f'{{"state": {{"a{text}": 1}}}}'):
        response = client.post(f"{API}/slack/drafts", headers=headers, content=body.encode())
        assert response.status_code == 422, response.text
        assert response.json()["problems"][0]["loc"] == ["body", "state"]


def test_a_lone_surrogate_in_a_consultant_name_is_refused(client, admin):
    headers = {**admin.headers, "Content-Type": "application/json"}
    body = b'{"name": "Sam \\ud83d", "email": "sam@reviews.example.org"}'
    response = client.post(f"{API}/consultants", headers=headers, content=body)
    assert response.status_code == 422, response.text
    assert response.json()["problems"][0]["loc"] == ["body", "name"]


@pytest.mark.parametrize(
    ("path", "role", "body", "field"),
    [
        ("/cases/{ref}/decision", "chair", {"accepted": False, "reason": "No\x07 review."}, "reason"),
        ("/cases?area=hack%01ney", "admin", None, "area"),
        ("/consultants?q=Sa%0Am", "admin", None, "q"),
    ],
    ids=["board reason", "case area filter", "consultant search"],
)
def test_control_characters_are_refused_in_bodies_and_queries(client, admin, chair, path, role, body, field):
    ref = new_case(client, admin)
    caller = {"admin": admin, "chair": chair}[role]
    url = API + path.format(ref=ref)
    response = (
        client.post(url, headers=caller.headers, json=body)
        if body
        else client.get(url, headers=caller.headers)
    )
    assert response.status_code == 422, response.text
    assert response.json()["problems"][0]["loc"][-1] == field


# Text stored before the check still renders ---------------------------------------------------------------

REF = "HAC-2026-0099"
STORED_DECISION = {
    "ruleset": RULESET,
    "outcomes": [
        {
            "type": "lcspr",
            "kind": "review",
            "requirement": "discretionary",
            "reasons": [{"rule": "board.decision", "text": "Pasted\x0bfrom Word\x01.", "source": "board"}],
            "deadline": None,
        }
    ],
    "open_questions": [],
    "summary": "The board departed from the recommendation: Pasted\x0bfrom Word\x01.",
}


def test_text_stored_before_the_check_still_renders_every_format(client, session, commissioner):
    """Written straight to the database, as it could be before this change: area, reason, name, statement."""
    features = {**FEATURES, "area": "hack\x01ney"}
    case = case_as_written(session, REF, features)
    for kind, accepted in ((DecisionKind.recommendation, None), (DecisionKind.board, False)):
        decision(
            session,
            case.id,
            kind=kind,
            today=date(2026, 11, 5),
            features=features,
            result=STORED_DECISION,
            accepted=accepted,
            reason="Pasted\x0bfrom Word\x01." if accepted is False else None,
            decided_by="Hackney\x01 partners",
        )
    sam = consultant(session, "Sam\x01 Okafor", email="sam@reviews.example.org")
    declaration(
        session,
        commission(session, case.id, sam, status=CommissionStatus.declared),
        declared_by="bot@board.example.org for Slack user U0SAM",
        agencies=[],
        no_conflict=False,
        statement="Knew the\x0bhead teacher\x01.",
        declared_at=datetime(2026, 11, 12, 10, 0, tzinfo=UTC),
    )
    assert client.post(f"{API}/cases/{REF}/terms", headers=commissioner.headers).status_code == 201
    got = {
        fmt: client.get(f"{API}/cases/{REF}/terms/1.{fmt}", headers=commissioner.headers)
        for fmt in ("md", "html", "docx", "pdf")
    }
    assert {fmt: response.status_code for fmt, response in got.items()} == dict.fromkeys(got, 200)
    text = "\n".join(docx_paragraphs(got["docx"].content))
    assert "Sam Okafor" in text and "Pasted\nfrom Word." in text and "\x01" not in text
    assert "Sam Okafor" in got["md"].text and "\x01" not in got["md"].text
    assert "Sam Okafor" in got["html"].text and "\x01" not in got["html"].text
    assert "Sam Okafor" in pdf_text(got["pdf"].content)


BAD = "\x00\x01\x08\x0b\x0c\x1f\ufffe\ud800"


def test_every_renderer_drops_what_xml_forbids_whatever_the_content_holds():
    terms = Terms(
        case_ref=f"HAC{BAD}-1",
        title=f"Terms{BAD} of reference",
        review_type="lcspr",
        review_name=f"Local{BAD} review",
        area=f"Hack{BAD}ney",
        issued_on=date(2026, 12, 1),
        clauses_version="1",
        ruleset="wt2023",
        sections=(
            Section(
                key="scope",
                title=f"Scope{BAD}",
                blocks=(
                    Paragraph(f"One{BAD}two", f"source{BAD}"),
                    Points((Paragraph(f"point{BAD}"),), numbered=True),
                    Timetable((Milestone(f"step{BAD}", None, f"basis{BAD}", f"due{BAD}", f"src{BAD}"),)),
                ),
                to_confirm=(f"who{BAD}",),
            ),
        ),
    )
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\ud800]", render_markdown(terms))
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\ud800]", render_html(terms))
    assert "One\n\ntwo" in docx_paragraphs(render_docx(terms))
    assert "Case reference HAC" in pdf_text(render_pdf(terms))
