"""Agencies' chronologies from the terminal: ``scr chronology template``, ``request``, ``add`` (a bad file
listed by row and column and exit 1, a dry run, a corrected file compared until ``--confirm``) and
``export`` in every format, each opening audited."""

import io
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from factories import case, hackney, home_partnership, with_terms
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlmodel import Session, select
from typer.testing import CliRunner

from commissioning.chronology.columns import STANDARD
from core.audit import AuditEvent

REF = "HAC-2026-301"
GOOD = (
    "Date,Time,Source of information,Event,Practitioner role\n"
    "03/02/2026,09:30,Case file,Referral from school about Jane Smith,Social worker\n"
    "22.05.26,,Case file,Home visit: no concerns recorded,Social worker\n"
    "?June 2026,,Supervision notes,Case discussed at team meeting,Team manager\n"
)
BAD = "Date,Time,Source of information,Event\n31/02/2026,09:00,Case file,Visit\n01/03/2026,,,Seen again\n"


@pytest.fixture(scope="module")
def stored(engine: Any, empty_database: Any) -> str:
    """A Hackney case with terms of reference, asking nobody yet."""
    empty_database()
    with Session(engine) as session:
        hackney(session)
        home_partnership(session)
        case_id = case(session, REF, incident_date="2026-11-02")
        with_terms(session, case_id)
    return REF


def scr(*args: str) -> Any:
    from service.cli import app

    return CliRunner().invoke(app, ["chronology", *args])


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_template(tmp_path: Path, fmt: str, stored: str) -> None:
    target = tmp_path / f"blank.{fmt}"
    result = scr("template", "--format", fmt, "--out", str(target))
    assert result.exit_code == 0, result.output
    content = io.BytesIO(target.read_bytes())
    if fmt == "docx":
        (table,) = Document(content).tables
        headings = [cell.text for cell in table.rows[0].cells]
    else:
        headings = [cell.value for cell in load_workbook(content)["Chronology"][1]]
    assert headings == [column.header for column in STANDARD]
    assert scr("template", "--format", "odt").exit_code == 2


def test_request_add_and_export(tmp_path: Path, stored: str, engine: Any) -> None:
    asked = scr("request", stored, "--from", "2025-11-02", "--to", "2026-11-02", "--agency", "Hackney CSC")
    assert asked.exit_code == 0, asked.output
    assert "Asked: Hackney Children's Social Care, due " in asked.output
    again = scr("request", stored, "--agency", "hackney-csc")
    assert "Already asked: Hackney Children's Social Care" in again.output
    assert scr("request", stored, "--from", "2025-11-02").exit_code == 2
    assert "Nowhere Trust" in scr("request", stored, "--agency", "Nowhere Trust").output

    bad = tmp_path / "csc.csv"
    bad.write_text(BAD)
    refused = scr("add", stored, "hackney-csc", str(bad))
    assert refused.exit_code == 1
    assert "error: row 2, Date: " in refused.output
    assert "error: row 3, Source of information: " in refused.output
    assert "nothing was stored" in refused.output

    good = tmp_path / "good.csv"
    good.write_text(GOOD)
    checked = scr("add", stored, "Hackney CSC", str(good), "--dry-run")
    assert (checked.exit_code, "3 rows can be accepted; nothing was stored" in checked.output) == (0, True)
    accepted = scr("add", stored, "hackney-csc", str(good))
    assert "Accepted 3 rows as version 1." in accepted.output, accepted.output
    good.write_text(GOOD.replace("no concerns recorded", "bruise seen"))
    compared = scr("add", stored, "hackney-csc", str(good))
    assert "Rows added: 0; removed: 0; changed: 1; unchanged: 2." in compared.output
    assert "--confirm" in compared.output
    confirmed = scr("add", stored, "hackney-csc", str(good), "--confirm")
    assert "Accepted 3 rows as version 2." in confirmed.output
    assert scr("add", stored, "met-police", str(good)).exit_code == 2  # not asked

    for fmt in ("docx", "xlsx", "pdf", "png", "svg"):
        target = tmp_path / f"out.{fmt}"
        view = "personal" if fmt == "pdf" else "coded"
        result = scr("export", stored, "--format", fmt, "--view", view, "--out", str(target))
        assert result.exit_code == 0, result.output
        assert target.stat().st_size > 0
    pdf = "".join(page.extract_text() for page in PdfReader(tmp_path / "out.pdf").pages)
    assert "Home visit: bruise seen" in pdf and "Jane Smith" in pdf
    assert (tmp_path / "out.png").read_bytes().startswith(b"\x89PNG")
    assert scr("export", stored, "--format", "odt").exit_code == 2
    assert scr("export", "HAC-1999-1", "--format", "pdf").exit_code == 2
    with Session(engine) as session:
        opened = session.exec(
            select(AuditEvent.action).where(AuditEvent.entity_id == stored, AuditEvent.actor == "cli")
        ).all()
    assert opened.count("chronology.open") == 4 and opened.count("chronology.personal_view") == 1
