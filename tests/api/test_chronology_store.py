"""Agencies' chronologies in the database: requests issued once terms exist, a file checked whole before
anything is stored, a corrected file compared before it replaces the old, the composite merged from what
is accepted, and the retention purge removing it all."""

from datetime import date
from typing import Any

import pytest
from factories import case, hackney, with_terms
from sqlmodel import Session, select

from commissioning import chronology_store, retention_store
from commissioning.chronology.dates import Period
from commissioning.models import Case, CaseStatus, ChronologyVersion
from core.audit import AuditEvent
from core.errors import Conflict, Invalid

PERIOD = Period(date(2025, 11, 2), date(2026, 11, 2))
GOOD = (
    "Date,Time,Source of information,Event,Practitioner role\n"
    "03/02/2026,09:30,GP notes,Mother brought Child A to the surgery with a bruise,GP\n"
    "22.05.26,,Health visiting record,Home visit: no concerns recorded,Health visitor\n"
    "?June 2026,,Case file,Referral discussed at team meeting,Social worker\n"
)


@pytest.fixture
def stored(session: Session) -> Case:
    hackney(session)
    case_id = case(session, "HAC-2026-101", incident_date="2026-11-02")
    with_terms(session, case_id)
    return session.get_one(Case, case_id)


def _issue(session: Session, stored: Case, **changes: Any) -> tuple[list[Any], list[Any]]:
    """Issue the case's requests as a commissioner on Tuesday 1 December 2026, or as ``changes`` say."""
    asked = chronology_store.issue_requests(
        **{
            "session": session,
            "case": stored,
            "period": PERIOD,
            "issued_on": date(2026, 12, 1),
            "working_days": 20,
            "questions": {"met-police": ["What did officers know?"]},
            "actor": "commissioner@board.example.org",
            **changes,
        }
    )
    session.commit()
    return asked


def test_requests_wait_for_terms_and_are_made_once_per_agency(session: Session, stored: Case) -> None:
    bare = session.get_one(Case, case(session, "HAC-2026-102"))
    with pytest.raises(Conflict, match="no terms of reference"):
        _issue(session, bare)
    _issue(session, stored)
    views = chronology_store.request_views(session, case=stored, today=date(2026, 12, 1))
    assert [view.agency for view in views] == [
        "Hackney Children's Social Care",
        "Homerton Healthcare NHS Trust",
        "Metropolitan Police Service",
    ]
    # 20 working days from Tuesday 1 December 2026, over Christmas Day and Boxing Day (moved to Monday 28th).
    assert {view.request.due_on for view in views} == {date(2026, 12, 31)}
    assert views[2].request.questions == ["What did officers know?"]
    assert views[0].standing.words() == "requested, due in 30 days"
    made, already = _issue(session, stored, issued_on=date(2026, 12, 2), questions={})
    assert (made, len(already)) == ([], 3)
    with pytest.raises(Invalid, match="camden-csc is not one of them"):
        _issue(session, stored, agency_ids=["camden-csc"])


def test_a_bad_file_stores_nothing_but_the_note_that_it_had_problems(session: Session, stored: Case) -> None:
    _issue(session, stored)
    request = chronology_store.request_for(session, case=stored, agency="Hackney CSC")
    bad = "Date,Source of information,Event\n31/02/2026,GP notes,Seen\n01/03/2026,,Seen again\n"
    outcome = chronology_store.upload(
        session=session, case=stored, request=request, filename="csc.csv", data=bad.encode(), actor="x"
    )
    session.commit()
    assert outcome.result == "rejected"
    assert [(p.row, p.column) for p in outcome.problems] == [(2, "Date"), (3, "Source of information")]
    assert session.exec(select(ChronologyVersion)).all() == []
    view = chronology_store.request_views(session, case=stored, today=date(2027, 1, 6))[0]
    assert view.standing.words() == "late by 6 days"
    assert chronology_store.request_views(session, case=stored, today=date(2026, 12, 31))[
        0
    ].standing.words() == ("received with problems, due today")


def test_accepted_files_merge_and_a_corrected_file_is_compared_first(session: Session, stored: Case) -> None:
    _issue(session, stored)
    request = chronology_store.request_for(session, case=stored, agency="hackney-csc")
    first = chronology_store.upload(
        session=session, case=stored, request=request, filename="csc.csv", data=GOOD.encode(), actor="x"
    )
    session.commit()
    assert (first.result, first.rows, first.version, first.everything_in) == ("accepted", 3, 1, False)
    corrected = GOOD.replace("no concerns recorded", "bruise seen on arm")
    compared = chronology_store.upload(
        session=session, case=stored, request=request, filename="csc.csv", data=corrected.encode(), actor="x"
    )
    assert compared.result == "changes" and compared.diff is not None
    assert [change.columns for change in compared.diff.changed] == [("event",)]
    confirmed = chronology_store.upload(
        session=session,
        case=stored,
        request=request,
        filename="csc2.csv",
        data=corrected.encode(),
        actor="x",
        confirm=True,
    )
    session.commit()
    assert confirmed.version == 2
    assert [v.version for v in chronology_store.versions(session, request=request)] == [2, 1]
    merged = chronology_store.composite(session, case=stored, today=date(2026, 12, 5))
    rows = merged.composite.rows
    assert [row.entry.event for row in rows][1] == "Home visit: bruise seen on arm"
    assert rows[2].entry.when.uncertain and rows[2].agency == "Hackney Children's Social Care"
    assert merged.agencies[2] == "Metropolitan Police Service"
    actions = [e.action for e in session.exec(select(AuditEvent).where(AuditEvent.entity_id == stored.ref))]
    assert actions.count("chronology.accept") == 2


def test_the_purge_removes_rows_and_glossary(session: Session, stored: Case) -> None:
    _issue(session, stored)
    request = chronology_store.request_for(session, case=stored, agency="hackney-csc")
    chronology_store.upload(
        session=session, case=stored, request=request, filename="csc.csv", data=GOOD.encode(), actor="x"
    )
    chronology_store.set_glossary(session, case=stored, pairs=[("Jane Smith", "Mother")], actor="x")
    stored.status = CaseStatus.closed.value
    stored.closed_on = date(2010, 1, 1)
    session.add(stored)
    session.commit()
    report = retention_store.purge(
        session=session, as_of=date(2026, 12, 1), today=date(2026, 12, 5), years=6, dry_run=False, actor="x"
    )
    session.commit()
    assert report.cases[0].fields["chronology_entries"] == 4  # three rows and one name
    assert session.exec(select(ChronologyVersion)).all() == []
    assert chronology_store.glossary_of(session, case=stored).terms == {}
