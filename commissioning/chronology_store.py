"""Agencies' chronologies in the database: the requests a case sends, each agency's accepted files
(every version kept), the case's glossary, and the composite merged from what is accepted.

Keyword-only after ``session``; writes add and flush, and the caller's unit of work commits them with
their audit events. Nothing here decides who may read what: the shells do (``service.access``). A file
is checked whole before anything of it is stored; a file with errors leaves only the note that the
agency's last file had problems.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from sqlalchemy import func
from sqlmodel import Session, col, delete, select

from commissioning.calendar import add_working_days
from commissioning.chronology import records, reupload
from commissioning.chronology.checks import check
from commissioning.chronology.columns import STANDARD, Column
from commissioning.chronology.composite import AgencyChronology, Composite, Settings, merge
from commissioning.chronology.dates import Period
from commissioning.chronology.files import read_file
from commissioning.chronology.glossary import Glossary, glossary
from commissioning.chronology.problems import Problem
from commissioning.chronology.status import Standing, standing
from commissioning.models import Case, ChronologyRequest, ChronologyVersion, GlossaryTerm, TermsVersion
from core import audit
from core.clock import utcnow
from core.errors import Conflict, Invalid, NotFound
from registry.agencies import resolve_agency
from registry.models import Agency

# Requests ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestView:
    """A request with its agency's name and kind, its current version (if any) and where it stands."""

    request: ChronologyRequest
    agency: str
    agency_kind: str
    version: int | None
    rows: int
    standing: Standing

    @property
    def period(self) -> Period:
        return Period(self.request.period_start, self.request.period_end)

    def to_json(self) -> dict[str, Any]:
        r = self.request
        return {
            "agency": self.agency,
            "agency_id": r.agency_id,
            "period": {"from": r.period_start.isoformat(), "to": r.period_end.isoformat()},
            "questions": list(r.questions),
            "issued_on": r.issued_on.isoformat(),
            "due_on": r.due_on.isoformat(),
            "version": self.version,
            "rows": self.rows,
            **self.standing.to_json(),
        }


def case_agencies(session: Session, case: Case) -> list[Agency]:
    """The agencies the case involves, as the registry knows them (any the registry cannot name are left
    out: the terms already ask for them to be confirmed)."""
    found: dict[str, Agency] = {}
    for name in case.features.get("agencies_involved") or ():
        agency = resolve_agency(session=session, name=str(name))
        if agency is not None:
            found.setdefault(agency.id, session.get_one(Agency, agency.id))
    return list(found.values())


def issue_requests(
    *,
    session: Session,
    case: Case,
    period: Period,
    issued_on: date,
    working_days: int,
    questions: Mapping[str, Sequence[str]],
    actor: str,
    agency_ids: Sequence[str] | None = None,
) -> tuple[list[ChronologyRequest], list[ChronologyRequest]]:
    """Ask each of the case's agencies (or those of ``agency_ids``) for its chronology, due
    ``working_days`` working days after ``issued_on``; ``questions`` are each agency's own, by id.
    Agencies already asked keep their request. Gives the requests made now and those already made."""
    if session.exec(select(TermsVersion.id).where(TermsVersion.case_id == case.id)).first() is None:
        raise Conflict(
            f"Case {case.ref} has no terms of reference yet: generate them first, so each agency is asked "
            "what the terms ask of it."
        )
    if period.end < period.start:
        raise Invalid("The period under review must end on or after the day it starts.")
    involved = {agency.id: agency for agency in case_agencies(session, case)}
    if not involved:
        raise Conflict(f"Case {case.ref} names no agency the registry knows, so there is nobody to ask.")
    wanted = list(dict.fromkeys(agency_ids)) if agency_ids is not None else list(involved)
    strangers = [agency_id for agency_id in wanted if agency_id not in involved]
    if strangers:
        raise Invalid(
            f"Only the agencies involved in case {case.ref} can be asked for a chronology: "
            + ", ".join(strangers)
            + " is not one of them."
        )
    asked = {
        request.agency_id: request
        for request in session.exec(select(ChronologyRequest).where(ChronologyRequest.case_id == case.id))
    }
    due_on = add_working_days(issued_on, working_days)
    made = []
    for agency_id in wanted:
        if agency_id in asked:
            continue
        request = ChronologyRequest(
            case_id=case.id,
            agency_id=agency_id,
            period_start=period.start,
            period_end=period.end,
            questions=list(questions.get(agency_id, ())),
            issued_on=issued_on,
            due_on=due_on,
            issued_by=actor,
        )
        audit.added(
            session,
            request,
            "chronology.request",
            case.ref,
            actor=actor,
            entity_type="case",
            after={"agency": agency_id, "period": period.describe(), "due_on": due_on},
        )
        made.append(request)
    return made, [asked[agency_id] for agency_id in wanted if agency_id in asked]


def request_views(
    session: Session, *, case: Case, today: date, agency_id: str | None = None
) -> list[RequestView]:
    """The case's requests (only ``agency_id``'s, when given), by agency name, each with where it stands."""
    query = (
        select(ChronologyRequest, Agency.name, Agency.kind)
        .join(Agency, col(Agency.id) == ChronologyRequest.agency_id)
        .where(ChronologyRequest.case_id == case.id)
    )
    if agency_id is not None:
        query = query.where(ChronologyRequest.agency_id == agency_id)
    found = session.exec(query).all()
    current = _current_versions(session, [request.id for request, _, _ in found if request.id is not None])
    views = []
    for request, name, kind in found:
        version = current.get(request.id or 0)
        views.append(
            RequestView(
                request,
                name,
                str(kind),
                version.version if version else None,
                len(version.rows) if version else 0,
                standing(
                    due_on=request.due_on,
                    accepted=version is not None,
                    problems=request.problems_at is not None,
                    today=today,
                ),
            )
        )
    return sorted(views, key=lambda view: view.agency.casefold())


def request_for(session: Session, *, case: Case, agency: str) -> ChronologyRequest:
    """The case's request to ``agency`` (its id, name or alias)."""
    found = resolve_agency(session=session, name=agency)
    request = None
    if found is not None:
        request = session.exec(
            select(ChronologyRequest).where(
                ChronologyRequest.case_id == case.id, ChronologyRequest.agency_id == found.id
            )
        ).first()
    if request is None:
        raise NotFound(f"Case {case.ref} has asked no agency called {agency!r} for a chronology.")
    return request


def _current_versions(session: Session, request_ids: Iterable[int]) -> dict[int, ChronologyVersion]:
    ids = list(request_ids)
    if not ids:
        return {}
    rows = session.exec(
        select(ChronologyVersion).where(
            col(ChronologyVersion.request_id).in_(ids), col(ChronologyVersion.current).is_(True)
        )
    )
    return {version.request_id: version for version in rows}


# Uploads ----------------------------------------------------------------------------------------------

Result = Literal["accepted", "checked", "changes", "rejected"]


@dataclass(frozen=True)
class Upload:
    """What became of a file: ``accepted`` (stored as ``version``), ``checked`` (a dry run that would be
    accepted), ``changes`` (a corrected file, not stored until confirmed: ``diff`` says what it would
    change) or ``rejected`` (``problems`` lists every error and warning)."""

    result: Result
    rows: int = 0
    warnings: tuple[Problem, ...] = ()
    problems: tuple[Problem, ...] = ()
    version: int | None = None
    diff: reupload.Diff | None = None
    everything_in: bool = False  # this file was the last the case was waiting for

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "result": self.result,
            "rows": self.rows,
            "warnings": [problem.to_json() for problem in self.warnings],
        }
        if self.version is not None:
            body["version"] = self.version
        if self.diff is not None:
            body["changes"] = self.diff.to_json()
        if self.problems:
            body["problems"] = [problem.to_json() for problem in self.problems]
        return body


def upload(
    *,
    session: Session,
    case: Case,
    request: ChronologyRequest,
    filename: str,
    data: bytes,
    actor: str,
    columns: Sequence[Column] = STANDARD,
    dry_run: bool = False,
    confirm: bool = False,
) -> Upload:
    """Check ``data`` (a DOCX, XLSX or CSV named ``filename``) against the request's period and store its
    rows as the agency's new current version. A file with errors is refused whole. A corrected file,
    replacing an accepted one, is only compared (``changes``) unless ``confirm``; a ``dry_run`` stores
    nothing at all."""
    period = Period(request.period_start, request.period_end)
    checked = check(read_file(filename, data, columns), period, columns)
    warnings = tuple(checked.warnings)
    if not checked.acceptable:
        if not dry_run:
            request.problems_at = utcnow()
            request.problems = len(checked.errors)
            session.add(request)
            audit.record(
                session,
                "chronology.problems",
                case.ref,
                actor=actor,
                entity_type="case",
                after={"agency": request.agency_id, "file": filename, "errors": len(checked.errors)},
            )
        return Upload("rejected", problems=checked.problems)
    current = _current_versions(session, [request.id or 0]).get(request.id or 0)
    diff = (
        reupload.diff([records.from_record(row) for row in current.rows], checked.entries)
        if current
        else None
    )
    rows = len(checked.entries)
    if dry_run:
        return Upload("checked", rows, warnings, diff=diff)
    if current is not None and not confirm:
        return Upload("changes", rows, warnings, diff=diff)
    version = _store(session, case, request, filename, checked.entries, warnings, actor, current)
    return Upload(
        "accepted", rows, warnings, version=version, diff=diff, everything_in=_everything_in(session, case)
    )


def _store(
    session: Session,
    case: Case,
    request: ChronologyRequest,
    filename: str,
    entries: Sequence[Any],
    warnings: Sequence[Problem],
    actor: str,
    current: ChronologyVersion | None,
) -> int:
    last = session.exec(
        select(func.max(ChronologyVersion.version)).where(ChronologyVersion.request_id == request.id)
    ).one()
    if current is not None:
        current.current = False
        session.add(current)
        session.flush()
    number = (last or 0) + 1
    session.add(
        ChronologyVersion(
            request_id=request.id,
            version=number,
            filename=filename[:255],
            rows=[records.to_record(entry) for entry in entries],
            warnings=[problem.to_json() for problem in warnings],
            uploaded_by=actor,
        )
    )
    request.problems_at = None
    request.problems = 0
    audit.added(
        session,
        request,
        "chronology.accept",
        case.ref,
        actor=actor,
        entity_type="case",
        after={
            "agency": request.agency_id,
            "version": number,
            "rows": len(entries),
            "warnings": len(warnings),
        },
    )
    return number


def _everything_in(session: Session, case: Case) -> bool:
    requests = session.exec(select(ChronologyRequest.id).where(ChronologyRequest.case_id == case.id)).all()
    return bool(requests) and len(_current_versions(session, [r for r in requests if r is not None])) == len(
        requests
    )


def versions(session: Session, *, request: ChronologyRequest) -> list[ChronologyVersion]:
    """Every accepted file for ``request``, newest first."""
    return list(
        session.exec(
            select(ChronologyVersion)
            .where(ChronologyVersion.request_id == request.id)
            .order_by(col(ChronologyVersion.version).desc())
        )
    )


# The composite ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseChronology:
    """What a case's composite is rendered from: the composite, the period, the agencies asked (names,
    in the order their lanes take) and the glossary."""

    composite: Composite
    period: Period | None
    agencies: tuple[str, ...]
    glossary: Glossary
    columns: tuple[Column, ...] = field(default=STANDARD)


def composite(
    session: Session,
    *,
    case: Case,
    today: date,
    settings: Settings | None = None,
    agency_id: str | None = None,
    columns: Sequence[Column] = STANDARD,
) -> CaseChronology:
    """The case's composite from every accepted chronology (only ``agency_id``'s, for that agency's own
    contact), marked by ``settings``, with the incident from the case's features."""
    views = request_views(session, case=case, today=today, agency_id=agency_id)
    current = _current_versions(session, [view.request.id or 0 for view in views])
    chronologies = [
        AgencyChronology(
            view.agency, [records.from_record(row) for row in current[view.request.id or 0].rows]
        )
        for view in views
        if (view.request.id or 0) in current
    ]
    period = (
        Period(min(v.request.period_start for v in views), max(v.request.period_end for v in views))
        if views
        else None
    )
    incident_text = case.features.get("incident_date")
    incident = date.fromisoformat(incident_text) if isinstance(incident_text, str) else None
    merged = merge(chronologies, period=period, incident=incident, settings=settings)
    return CaseChronology(
        merged, period, tuple(view.agency for view in views), glossary_of(session, case=case), tuple(columns)
    )


# The glossary -----------------------------------------------------------------------------------------


def glossary_terms(session: Session, *, case: Case) -> list[GlossaryTerm]:
    return list(
        session.exec(
            select(GlossaryTerm).where(GlossaryTerm.case_id == case.id).order_by(col(GlossaryTerm.code))
        )
    )


def glossary_of(session: Session, *, case: Case) -> Glossary:
    return glossary((term.name, term.code) for term in glossary_terms(session, case=case))


def set_glossary(session: Session, *, case: Case, pairs: Iterable[tuple[str, str]], actor: str) -> Glossary:
    """Replace the case's glossary with ``pairs`` (name, code), refused whole if any pair is wrong. The
    audit records how many names, never the names."""
    checked = glossary(pairs)
    session.exec(delete(GlossaryTerm).where(col(GlossaryTerm.case_id) == case.id))  # type: ignore[call-overload]
    for name, code in checked.terms.items():
        session.add(GlossaryTerm(case_id=case.id, name=name, code=code))
    session.flush()
    audit.record(
        session,
        "chronology.glossary",
        case.ref,
        actor=actor,
        entity_type="case",
        after={"names": len(checked.terms)},
    )
    return checked


# Retention --------------------------------------------------------------------------------------------


def held_counts(session: Session, *, case_ids: Iterable[int]) -> dict[int, int]:
    """How many chronology rows (every version) and glossary names each case holds: its free text."""
    ids = list(case_ids)
    counts: dict[int, int] = dict.fromkeys(ids, 0)
    if not ids:
        return counts
    for case_id, rows in session.exec(
        select(ChronologyRequest.case_id, ChronologyVersion.rows)
        .join(ChronologyVersion, col(ChronologyVersion.request_id) == ChronologyRequest.id)
        .where(col(ChronologyRequest.case_id).in_(ids))
    ):
        counts[case_id] += len(rows)
    for case_id, names in session.exec(
        select(GlossaryTerm.case_id, func.count())
        .where(col(GlossaryTerm.case_id).in_(ids))
        .group_by(col(GlossaryTerm.case_id))
    ):
        counts[case_id] += names
    return counts


def remove_free_text(session: Session, *, case: Case) -> None:
    """Remove every chronology file's rows and the glossary of ``case`` (the requests' dates stay)."""
    requests = select(ChronologyRequest.id).where(ChronologyRequest.case_id == case.id)
    session.exec(delete(ChronologyVersion).where(col(ChronologyVersion.request_id).in_(requests)))  # type: ignore[call-overload]
    session.exec(delete(GlossaryTerm).where(col(GlossaryTerm.case_id) == case.id))  # type: ignore[call-overload]
