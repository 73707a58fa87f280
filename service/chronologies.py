"""A case's chronologies as the API, the pages and the CLI serve them alike: requests issued with the
partnership's policy, the request letter's facts, and the composite rendered in any format.

Who may do each is for the callers to check first (``service.chronology_access``); nothing here asks.
"""

from dataclasses import dataclass
from datetime import date
from typing import Literal

from sqlmodel import Session

from commissioning import chronology_store
from commissioning.chronology import charts, pdf, spreadsheet, templates, word
from commissioning.chronology.columns import Column
from commissioning.chronology.dates import Period
from commissioning.chronology.documents import Rendering
from commissioning.chronology.glossary import View
from commissioning.chronology.requests import RequestFacts, default_period, request_questions
from commissioning.models import Case, ChronologyRequest, Partnership
from service.policy import partnership_policy

Format = Literal["docx", "xlsx", "pdf", "png", "svg"]
MEDIA: dict[str, str] = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "png": "image/png",
    "svg": "image/svg+xml",
}


def _lead(session: Session, case: Case) -> Partnership:
    return session.get_one(Partnership, case.partnership_id)


def columns_for(session: Session, case: Case) -> tuple[Column, ...]:
    """The columns the case's chronologies take: the standard ones and the lead partnership's own."""
    return partnership_policy(_lead(session, case)).chronology_columns


def case_chronology(
    session: Session, *, case: Case, today: date, agency_id: str | None = None
) -> chronology_store.CaseChronology:
    """The case's composite (only ``agency_id``'s rows, for that agency's contact), read with the lead
    partnership's columns and marked by its settings for gaps, clusters and the final weeks."""
    policy = partnership_policy(_lead(session, case))
    return chronology_store.composite(
        session,
        case=case,
        today=today,
        settings=policy.chronology_marks,
        agency_id=agency_id,
        columns=policy.chronology_columns,
    )


def proposed_period(case: Case, today: date) -> Period:
    """The period a request covers unless the commissioner gives another: the one the terms propose."""
    incident = case.features.get("incident_date")
    return default_period(date.fromisoformat(incident) if isinstance(incident, str) else None, today)


def template(
    session: Session,
    *,
    fmt: Literal["docx", "xlsx"],
    today: date,
    case: Case | None = None,
    agency_id: str | None = None,
) -> "Rendered":
    """The blank chronology as one Word table or one worksheet: for ``case``, with the columns its lead
    partnership adds and the period its requests cover (``agency_id``'s, for that agency; the period the
    terms propose until any is made)."""
    make = templates.template_docx if fmt == "docx" else templates.template_xlsx
    if case is None:
        return Rendered(make(), MEDIA[fmt], f"chronology-template.{fmt}")
    views = chronology_store.request_views(session, case=case, today=today, agency_id=agency_id)
    period = views[0].period if views else proposed_period(case, today)
    return Rendered(
        make(columns_for(session, case), period), MEDIA[fmt], f"{case.ref}-chronology-template.{fmt}"
    )


def issue(
    session: Session,
    *,
    case: Case,
    actor: str,
    today: date,
    period: Period | None = None,
    agencies: list[str] | None = None,
) -> tuple[list[ChronologyRequest], list[ChronologyRequest]]:
    """Ask the case's agencies (or ``agencies``, by id) for their chronologies over ``period`` (the terms'
    proposed period when None), each with its own questions, due by the lead partnership's policy."""
    involved = chronology_store.case_agencies(session, case)
    return chronology_store.issue_requests(
        session=session,
        case=case,
        period=period or proposed_period(case, today),
        issued_on=today,
        working_days=partnership_policy(_lead(session, case)).chronology_working_days,
        questions={agency.id: request_questions(str(agency.kind), case.features) for agency in involved},
        actor=actor,
        agency_ids=agencies,
    )


def request_facts(
    session: Session, *, case: Case, view: chronology_store.RequestView, upload_url: str
) -> RequestFacts:
    """What the request letter and its emails say for one agency's request."""
    request = view.request
    return RequestFacts(
        case_ref=case.ref,
        partnership=_lead(session, case).name,
        agency=view.agency,
        agency_kind=view.agency_kind,
        period=view.period,
        questions=tuple(request.questions),
        issued_on=request.issued_on,
        due_on=request.due_on,
        upload_url=upload_url,
        columns=columns_for(session, case),
    )


@dataclass(frozen=True)
class Rendered:
    content: bytes
    media_type: str
    filename: str


def render(
    session: Session,
    *,
    case: Case,
    fmt: Format,
    view: View,
    today: date,
    agency_id: str | None = None,
) -> Rendered:
    """The case's composite (only ``agency_id``'s rows, for that agency's contact) as ``fmt``, in ``view``."""
    found = case_chronology(session, case=case, today=today, agency_id=agency_id)
    rendering = Rendering(
        reference=case.ref,
        period=found.period,
        partnership=_lead(session, case).name,
        agencies=found.agencies,
        glossary=found.glossary,
        view=view,
        columns=found.columns,
    )
    make = {
        "docx": word.composite_docx,
        "xlsx": spreadsheet.composite_xlsx,
        "pdf": pdf.composite_pdf,
        "png": charts.timeline_png,
        "svg": charts.timeline_svg,
    }[fmt]
    stem = f"{case.ref}-chronology" if fmt in ("docx", "xlsx", "pdf") else f"{case.ref}-timeline"
    return Rendered(make(found.composite, rendering), MEDIA[fmt], f"{stem}-{view}.{fmt}")
