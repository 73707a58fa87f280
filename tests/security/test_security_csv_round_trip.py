"""The consultant CSV round trip is exact for every cell, and the formula guard covers OWASP's list.

Re-importing an export must change nothing (the README's promise), even for text that itself starts with
the apostrophe the export puts before a formula-like cell.
"""

import csv
import io
from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from registry import importer
from registry.models import ConsultantCreate, StatusChange
from registry.vocabulary import ConsultantStatus

API = "/api/v1"
# The starts a spreadsheet treats specially, the export's own guard, and both together.
NASTY_STARTS = ("'", "''", "'=", "=", "+", "-", "@", "\t", "\r", "\t=", "\r=", "'\t", " '=", "'@")
TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")) | st.sampled_from("\t\r\n'=+-@;|,\""),
    max_size=30,
)
NASTY = st.builds(lambda start, rest: start + rest, st.sampled_from(NASTY_STARTS), TEXT) | TEXT


def stored(**fields: Any) -> ConsultantCreate | None:
    """The consultant as the store would keep these inputs, or None when the service refuses them."""
    try:
        return ConsultantCreate.model_validate(fields)
    except ValidationError:
        return None


def reason(text: str) -> str | None:
    try:
        return StatusChange(reason=text).reason
    except ValidationError:
        return None


def record_of(consultant: ConsultantCreate, status_reason: str | None) -> dict[str, Any]:
    record: dict[str, Any] = {column: None for column in importer.COLUMNS}
    record.update(consultant.model_dump())
    record["status"] = ConsultantStatus.approved
    record["status_reason"] = status_reason
    record["approved_on"], record["reapproval_due"] = date(2025, 1, 6), date(2028, 1, 6)
    record["backgrounds"] = [str(b) for b in consultant.backgrounds]
    record["specialisms"] = [str(s) for s in consultant.specialisms]
    record["accreditations"], record["engagements"] = (), ()
    return record


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(
    name=NASTY,
    local=st.text("abcxyz019'=+-_.", min_size=1, max_size=12),
    phone=NASTY,
    registration_number=NASTY,
    notes=NASTY,
    languages=st.lists(NASTY, max_size=3),
    areas=st.lists(NASTY, max_size=3),
    status_reason=NASTY,
)
def test_reimporting_an_export_changes_no_cell(
    name: str,
    local: str,
    phone: str,
    registration_number: str,
    notes: str,
    languages: list[str],
    areas: list[str],
    status_reason: str,
) -> None:
    consultant = stored(
        name=name,
        email=f"{local}@reviews.example.org",
        phone=phone,
        registration_number=registration_number,
        notes=notes,
        languages=languages,
        areas=areas,
    )
    if consultant is None:  # the service refuses it anyway, so it can never be exported
        return
    record = record_of(consultant, reason(status_reason))

    text = importer.to_csv([record])
    parsed = importer.parse(text, agencies={}, max_rows=10)

    assert parsed.problems == []
    (row,) = parsed.rows
    assert importer.changes(row.values, record) == []
    for column in ("name", "phone", "registration_number", "notes", "languages", "areas"):
        empty_text = (
            record[column] == ""
        )  # a blank cell: no value, which the import does not count as a change
        assert row.values[column] == (None if empty_text else record[column]), column


def cells(text: str) -> list[str]:
    return next(iter(list(csv.reader(io.StringIO(text, newline="")))[1:]))


def test_a_cell_starting_with_a_tab_or_carriage_return_is_guarded_like_a_formula() -> None:
    for value in ("\t=1+1", "\r=1+1", "=1+1", "+1", "-1", "@SUM(A1)"):
        assert importer.cell("notes", value) == "'" + value


def test_notes_that_really_start_with_a_quoted_formula_keep_their_quote(client, session, admin) -> None:
    notes = "'=not a formula, a quotation"
    body = {"name": "Ada Quill", "email": "ada@reviews.example.org", "notes": notes}
    assert client.post(f"{API}/consultants", json=body, headers=admin.headers).status_code == 201

    exported = client.get(f"{API}/consultants/export", headers=admin.headers).text
    assert cells(exported)[importer.COLUMNS.index("notes")] == "''=not a formula, a quotation"
    report = client.post(
        f"{API}/consultants/import",
        params={"dry_run": "false"},
        files={"file": ("consultants.csv", exported.encode(), "text/csv")},
        headers=admin.headers,
    ).json()

    assert (report["unchanged"], report["updated"]) == (1, 0)
    (consultant,) = client.get(f"{API}/consultants", headers=admin.headers).json()["items"]
    assert consultant["notes"] == notes
