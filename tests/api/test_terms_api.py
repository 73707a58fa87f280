"""Terms of reference through HTTP and the CLI: generate, download every format, regenerate, diff."""

import io
from datetime import UTC, date, datetime, time

import pytest
from docx import Document
from factories import (
    HARM_FEATURES,
    NOTIFY_PANEL,
    RULESET,
    agency,
    case_as_written,
    commission,
    consultant,
    decision,
    declaration,
    departure,
    rating,
    saved,
)
from pypdf import PdfReader
from sqlmodel import Session, select
from typer.testing import CliRunner

from commissioning.models import Case, Commission, CommissionStatus, DecisionKind, Declaration
from core.transaction import unit_of_work
from registry.models import Consultant, ConsultantAccreditation
from registry.vocabulary import Accreditation, AgencyKind, Background, ReviewRole, ReviewType, Specialism
from service.users import set_display_name

REF = "HAC-2026-014"
DECISION = {
    "ruleset": RULESET,
    "outcomes": [
        NOTIFY_PANEL,
        {
            "type": "lcspr",
            "kind": "review",
            "requirement": "discretionary",
            "reasons": [
                {
                    "rule": "wt2023.lcspr.improvement",
                    "text": "Improvements may be needed.",
                    "source": "reg 11(a)",
                }
            ],
            "deadline": {"date": None, "basis": "6 months from the start of the review to publication"},
        },
    ],
    "open_questions": [],
    "summary": "Notify the Panel; a local review is for the partners to consider.",
}
FEATURES = {
    "incident_date": "2026-11-02",
    "notified_date": "2026-11-04",
    "country": "england",
    "area": "hackney",
    "agencies_involved": ["hackney-csc", "met-police"],
    "outcome": "death",
    "abuse_or_neglect": "suspected",
    "domestic_abuse": True,
}
MEDIA = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


@pytest.fixture
def case(session: Session) -> Case:
    """A Hackney case with the engine's recommendation and two agencies, one in another area."""
    agency(session, "hackney-csc", "Hackney Children's Social Care", kind=AgencyKind.childrens_social_care)
    agency(session, "met-police", "Metropolitan Police Service", kind=AgencyKind.police, area="london")
    record = case_as_written(session, REF, FEATURES)
    session.commit()
    decision(session, record.id, today=date(2026, 11, 5), features=FEATURES, result=DECISION)
    return record


def board_accepts(session: Session, case: Case, *, on: date, by: str) -> None:
    """The board accepts the engine's recommendation on ``on`` at 3 pm, recorded as decided ``by``."""
    assert case.id is not None
    decision(
        session,
        case.id,
        kind=DecisionKind.board,
        today=on,
        features=FEATURES,
        result=DECISION,
        accepted=True,
        decided_by=by,
        decided_at=datetime.combine(on, time(15, 0), tzinfo=UTC),
    )


def decide_and_commission(session: Session, case: Case) -> None:
    """The board decides to hold the review; a reviewer is commissioned and declares no conflict."""
    assert case.id is not None
    board_accepts(session, case, on=date(2026, 12, 10), by="Hackney safeguarding partners")
    sam = consultant(session, "Sam Okafor", email="sam@reviews.example.org")
    commissioned = commission(
        session,
        case.id,
        sam,
        status=CommissionStatus.declared,
        created_at=datetime(2026, 12, 11, 9, 0, tzinfo=UTC),
    )
    declaration(
        session,
        commissioned,
        declared_by="bot@board.example.org for Slack user U0SAM",
        agencies=["hackney-csc", "met-police"],
        no_conflict=True,
        declared_at=datetime(2026, 12, 12, 10, 0, tzinfo=UTC),
    )


def test_the_reviewer_section_states_their_record_the_warnings_and_the_declared_statement(
    client, commissioner, case, session
):
    decide_and_commission(session, case)
    commission = session.exec(select(Commission)).one()
    commission.warnings = [
        {"rule": "independence.familiarity", "severity": "warn", "reason": "Reviewed the police twice."}
    ]
    declaration = session.exec(select(Declaration)).one()
    declaration.statement = "I reviewed the police service in 2021; no current tie."
    sam = session.get(Consultant, commission.consultant_id)
    sam.backgrounds = [Background.social_work]
    sam.specialisms = [Specialism.domestic_abuse, Specialism.health_systems]
    session.add_all([commission, declaration, sam])
    session.commit()
    saved(
        session,
        ConsultantAccreditation,
        consultant_id=sam.id,
        name=Accreditation.silp,
        awarded_on=date(2019, 5, 1),
    )
    rating(session, sam.id, 4)
    rating(session, sam.id, 3, review_type=ReviewType.scr, case_ref="OLD-2")
    rating(session, sam.id, 3, role=ReviewRole.agency_report_author, case_ref="OLD-3")
    generate(client, commissioner)
    text = client.get(f"/api/v1/cases/{REF}/terms/1.md", headers=commissioner.headers).text
    reviewer = text.split("## 8. The lead reviewer: experience and independence")[1].split("## 9.")[0]
    assert (
        "Sam Okafor comes from a background in social work. They hold accreditation as a SILP lead "
        "reviewer. They have led or written 1 local child safeguarding practice review and 1 serious case "
        "review. Their specialist knowledge includes domestic abuse, which this case raises."
    ) in reviewer
    assert "Sam Okafor was checked against every agency in scope" in reviewer
    assert "- Reviewed the police twice." in reviewer
    assert (
        "no conflict of interest with any of the 2 agencies in scope. Their statement: I reviewed the police"
        in reviewer
    )
    assert "independence.familiarity" not in text and "none blocking" not in text


def generate(client, persona):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/cases/{REF}/terms", headers=persona.headers)


def test_generating_terms_stores_version_1_and_lists_what_is_missing(client, commissioner, case):
    response = generate(client, commissioner)
    assert response.status_code == 201
    body = response.json()
    assert (body["version"], body["created"], body["template_version"], body["clauses_version"]) == (
        1,
        True,
        "3",
        "2",
    )
    missing = {(m["section"], m["what"].split(" (")[0]) for m in body["missing"]}
    assert ("decision", "who decided to hold the review, and when") in missing
    assert (
        "independence",
        "the lead reviewer, their experience, and their declaration of independence",
    ) in missing
    assert (
        "timescales",
        "the date of the board's decision, from which the dates below are counted",
    ) in missing
    assert "still to be confirmed" in body["message"]
    assert body["downloads"]["pdf"] == f"/api/v1/cases/{REF}/terms/1.pdf"


def test_every_format_downloads_with_its_content_type_and_opens(client, commissioner, chair, case, session):
    decide_and_commission(session, case)
    generate(client, commissioner)
    files = {}
    for fmt, media in MEDIA.items():
        response = client.get(f"/api/v1/cases/{REF}/terms/1.{fmt}", headers=chair.headers)
        assert response.status_code == 200, fmt
        assert response.headers["content-type"] == media
        assert response.headers["content-disposition"] == f'attachment; filename="{REF}-terms-v1.{fmt}"'
        assert response.headers["x-template-version"] == "3"
        files[fmt] = response.content
    markdown = files["md"].decode()
    assert markdown.startswith("# Terms of reference: Local Child Safeguarding Practice Review")
    assert "The safeguarding partners for Hackney decided on 10 December 2026" in markdown
    assert "Sam Okafor has been commissioned as lead reviewer on 11 December 2026." in markdown
    assert "Other areas taking part: London." in markdown
    assert "- Metropolitan Police Service" in markdown
    assert "<h2>8. The lead reviewer: experience and independence</h2>" in files["html"].decode()
    assert "Metropolitan Police Service: a detective inspector or more senior officer" in markdown
    document = Document(io.BytesIO(files["docx"]))
    assert next(p.text for p in document.paragraphs if p.style.name == "Heading 1") == "1. Purpose"
    assert any(p.style.name == "List Number" for p in document.paragraphs)
    pdf = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(files["pdf"])).pages)
    assert f"Case reference: {REF}" in pdf
    assert "10 June 2027" in pdf


def test_generating_again_without_a_change_returns_the_latest_version(client, commissioner, case):
    generate(client, commissioner)
    again = generate(client, commissioner)
    assert again.status_code == 200
    assert (again.json()["version"], again.json()["created"]) == (1, False)
    assert "no new version" in again.json()["message"]
    listed = client.get(f"/api/v1/cases/{REF}/terms", headers=commissioner.headers).json()
    assert [v["version"] for v in listed] == [1]


def test_a_change_to_the_case_makes_a_new_version_and_the_diff_shows_what_changed(
    client, commissioner, case, session
):
    first = generate(client, commissioner).json()
    case.features = {**FEATURES, "interpreter_needed": True}
    session.add(case)
    session.commit()
    decide_and_commission(session, case)
    second = generate(client, commissioner)
    assert second.status_code == 201
    assert second.json()["version"] == 2
    assert second.json()["content_hash"] != first["content_hash"]
    assert [m["what"] for m in second.json()["missing"] if m["section"] == "independence"] == [
        "the lead reviewer's experience: nothing is yet recorded of their background, accreditation or the "
        "reviews they have led"
    ]

    diff = client.get(f"/api/v1/cases/{REF}/terms/1/diff/2", headers=commissioner.headers)
    assert diff.status_code == 200
    body = diff.json()
    assert body["identical"] is False
    assert {"Key lines of enquiry", "The lead reviewer: experience and independence", "Timescales"} <= set(
        body["changed_sections"]
    )
    assert "Purpose" not in body["changed_sections"]
    added = [line for line in body["diff"].splitlines() if line.startswith("+")]
    assert any("access to professional interpreters" in line for line in added)
    assert any("Sam Okafor declared on 12 December 2026" in line for line in added)

    same = client.get(f"/api/v1/cases/{REF}/terms/2/diff/2", headers=commissioner.headers).json()
    assert (same["identical"], same["changed_sections"], same["diff"]) == (True, [], "")


def test_a_declaration_a_board_user_entered_for_the_consultant_is_not_called_theirs(
    client, commissioner, case, session
):
    decide_and_commission(session, case)
    entered = session.exec(select(Declaration)).one()
    entered.declared_by = commissioner.email  # as a commissioner could, before only the consultant could
    session.add(entered)
    session.commit()

    missing = generate(client, commissioner).json()["missing"]

    text = client.get(f"/api/v1/cases/{REF}/terms/1.md", headers=commissioner.headers).text
    assert "Sam Okafor declared on" not in text
    assert {
        "section": "independence",
        "title": "The lead reviewer: experience and independence",
        "what": ("the declaration of independence by Sam Okafor"),
    } in missing


def test_a_declaration_an_admin_recorded_from_a_signed_statement_reads_as_such(
    client, commissioner, admin, case, session
):
    assert case.id is not None
    sam = consultant(session, "Sam Okafor", email="sam@reviews.example.org")
    made = commission(session, case.id, sam, status=CommissionStatus.proposed)
    body = {
        "agencies": ["hackney-csc", "met-police"],
        "no_conflict": True,
        "signed_on": "2026-12-05",
        "reference": "Declaration signed by Sam Okafor, emailed 5 December 2026",
    }
    path = f"/api/v1/commissions/{made}/declaration/recorded"
    recorded = client.post(path, json=body, headers=admin.headers)
    assert recorded.status_code == 200, recorded.text

    generate(client, commissioner)

    text = client.get(f"/api/v1/cases/{REF}/terms/1.md", headers=commissioner.headers).text
    assert (
        "Sam Okafor's declaration, recorded by the board from a signed statement of 5 December 2026: no "
        "conflict of interest with any of the 2 agencies in scope."
    ) in text
    assert "Sam Okafor declared on" not in text


@pytest.mark.parametrize(
    ("starts", "decider"),
    [
        (None, "The Local Safeguarding Children Board for Hackney decided on 1 March 2019"),
        ('{"Hackney": "2018-09-03"}', "The safeguarding partners for Hackney decided on 1 March 2019"),
    ],
    ids=["before the default day", "after the day Hackney moved"],
)
def test_the_decision_is_credited_to_whoever_decided_in_the_area_that_day(
    client, commissioner, case, session, environment, starts, decider
):
    if starts:
        environment(SCR_PARTNERSHIP_START_DATES=starts)
    board_accepts(session, case, on=date(2019, 3, 1), by="chair@board.example.org")
    generate(client, commissioner)
    text = client.get(f"/api/v1/cases/{REF}/terms/1.md", headers=commissioner.headers).text
    assert decider in text
    assert "chair@board.example.org" not in text


def test_generation_is_audited(client, commissioner, admin, case):
    generate(client, commissioner)
    events = client.get(
        "/api/v1/audit", params={"entity_type": "terms_version"}, headers=admin.headers
    ).json()
    assert [(e["action"], e["entity_id"], e["actor"]) for e in events] == [
        ("terms.generate", f"{REF}/v1", commissioner.email)
    ]
    assert events[0]["after"]["template_version"] == "3"


def test_a_chair_may_read_terms_but_not_generate_them(client, chair, case):
    response = generate(client, chair)
    assert response.status_code == 403
    assert client.get(f"/api/v1/cases/{REF}/terms", headers=chair.headers).json() == []


def test_unknown_cases_versions_and_formats_get_answers_a_person_can_act_on(client, commissioner, case):
    assert client.post("/api/v1/cases/NOPE-1/terms", headers=commissioner.headers).status_code == 404
    missing = client.get(f"/api/v1/cases/{REF}/terms/3.pdf", headers=commissioner.headers)
    assert missing.status_code == 404
    assert "generate them first" in missing.json()["detail"]
    generate(client, commissioner)
    missing = client.get(f"/api/v1/cases/{REF}/terms/3.pdf", headers=commissioner.headers)
    assert "it has versions 1 to 1" in missing.json()["detail"]
    wrong = client.get(f"/api/v1/cases/{REF}/terms/1.odt", headers=commissioner.headers)
    assert wrong.status_code == 422
    assert client.get(f"/api/v1/cases/{REF}/terms/1/diff/9", headers=commissioner.headers).status_code == 404


def test_the_cli_writes_the_chosen_format_and_reuses_an_unchanged_version(case, tmp_path):
    from service.cli import app

    runner = CliRunner()
    target = tmp_path / "terms.docx"
    result = runner.invoke(app, ["terms", REF, "--format", "docx", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert "version 1, stored as a new version" in result.output
    assert "To be confirmed (The lead reviewer: experience and independence)" in result.output
    headings = [p.text for p in Document(str(target)).paragraphs if p.style.name == "Heading 1"]
    assert headings[-1] == "17. Immediate safety of siblings and other children"

    again = runner.invoke(app, ["terms", REF, "--format", "pdf", "-o", str(tmp_path / "terms.pdf")])
    assert again.exit_code == 0, again.output
    assert "version 1, unchanged since that version" in again.output
    assert (tmp_path / "terms.pdf").read_bytes().startswith(b"%PDF")


def test_the_cli_refuses_an_unknown_format_or_case(case, tmp_path):
    from service.cli import app

    runner = CliRunner()
    bad = runner.invoke(app, ["terms", REF, "--format", "odt"])
    assert bad.exit_code == 2
    assert "'odt' is not one of md, html, docx, pdf" in bad.output
    unknown = runner.invoke(app, ["terms", "NOPE-1", "-o", str(tmp_path / "x.md")])
    assert unknown.exit_code == 2
    assert "No case with reference 'NOPE-1'" in unknown.output


def test_concurrent_generation_stores_one_version(case, engine):
    from concurrent.futures import ThreadPoolExecutor

    from commissioning import terms_store

    def run(actor: str) -> tuple[int, bool]:
        with unit_of_work(engine) as session:
            result = terms_store.generate(
                session=session, ref=REF, actor=actor, today=date(2026, 12, 14), rule_settings={}
            )
        return result.version.version, result.created

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(run, [f"user{n}@example.org" for n in range(4)]))
    assert sorted(results) == [(1, False), (1, False), (1, False), (1, True)]


HARM = {
    **HARM_FEATURES,
    "area": "leeds",
    "agencies_involved": ["leeds-csc"],
    "interagency_concerns": True,
    "setting": "community",
}


def test_terms_follow_the_cases_api_from_recommendation_to_board_decision_and_change(
    client, session, commissioner, chair
):
    agency(
        session, "leeds-csc", "Leeds Children's Services", kind=AgencyKind.childrens_social_care, area="leeds"
    )
    created = client.post("/api/v1/cases", json={"features": HARM}, headers=commissioner.headers)
    assert created.status_code == 201, created.text
    ref = created.json()["ref"]

    first = client.post(f"/api/v1/cases/{ref}/terms", headers=commissioner.headers).json()
    assert any(m["what"].startswith("who decided") for m in first["missing"])

    decided = client.post(f"/api/v1/cases/{ref}/decision", json={"accepted": True}, headers=chair.headers)
    assert decided.status_code == 200, decided.text
    second = client.post(f"/api/v1/cases/{ref}/terms", headers=commissioner.headers).json()
    assert (second["version"], second["created"]) == (2, True)
    asked = [m["what"] for m in second["missing"] if m["section"] == "decision"]
    assert asked == ["the name of the chair who recorded the decision"]
    text = client.get(f"/api/v1/cases/{ref}/terms/2.md", headers=commissioner.headers).text
    assert "The safeguarding partners for Leeds decided on" in text
    assert chair.email not in text
    assert "- Leeds Children's Services" in text

    # An admin gives the chair their name: the terms credit the decision to them by it.
    set_display_name(session, user_id=chair.user_id, display_name="Priya Raman", actor="test")
    session.commit()
    named = client.post(f"/api/v1/cases/{ref}/terms", headers=commissioner.headers).json()
    assert named["version"] == 3
    assert not any(m["section"] == "decision" for m in named["missing"])
    text = client.get(f"/api/v1/cases/{ref}/terms/3.md", headers=commissioner.headers).text
    assert "Priya Raman, chair for the safeguarding partners, recorded the decision." in text

    # The child later dies: the engine now recommends more, so the board's decision is put in question.
    changed = client.patch(
        f"/api/v1/cases/{ref}",
        json={"features": {"outcome": "death", "death_unexpected": True}},
        headers=commissioner.headers,
    )
    assert changed.status_code == 200, changed.text
    fourth = client.post(f"/api/v1/cases/{ref}/terms", headers=commissioner.headers).json()
    assert fourth["version"] == 4
    (question,) = [m["what"] for m in fourth["missing"] if m["section"] == "decision"]
    assert question.startswith("whether the board's decision of")
    diff = client.get(f"/api/v1/cases/{ref}/terms/3/diff/4", headers=commissioner.headers).json()
    assert "Parallel processes" in diff["changed_sections"]  # the coroner and the child death review
    assert any("Coroner's inquest" in line for line in diff["diff"].splitlines() if line.startswith("+"))


def test_a_board_that_departs_from_the_recommendation_sets_the_review_the_terms_cover(
    client, session, commissioner, chair
):
    created = client.post("/api/v1/cases", json={"features": HARM}, headers=commissioner.headers)
    ref = created.json()["ref"]
    reason = "A multi-agency learning review is proportionate here."
    departed = client.post(f"/api/v1/cases/{ref}/decision", json=departure(reason), headers=chair.headers)
    assert departed.status_code == 200, departed.text
    client.post(f"/api/v1/cases/{ref}/terms", headers=commissioner.headers)
    text = client.get(f"/api/v1/cases/{ref}/terms/1.md", headers=commissioner.headers).text
    assert text.startswith("# Terms of reference: Multi-agency Learning Review")
    assert f"- {reason}" in text
