"""Who may see and send a case's chronologies: the review's own people, and no one else.

- The chair and commissioners of the case's lead partnership read the whole composite, coded or
  personal; its commissioners and admins issue requests and keep the glossary.
- An agency contact reads and sends only their own agency's chronology, for a case that asked their
  agency, whichever partnership leads it.
- The commissioned reviewer reads the whole composite while their commission stands (declared or
  confirmed, on an open case); it ends when the commission or the case does.

Anyone else who may read the case (a contributing partnership, a partnership's admin) sees where each
agency stands, never a row. A person who may not read the case at all is told it does not exist, and the
probe is audited (``service.access.hidden``). Every opening of a chronology, and every personal view, is
audited (``opened``).
"""

from dataclasses import dataclass
from typing import Literal

from fastapi import HTTPException, Request, status
from sqlmodel import Session, select

from commissioning.models import Case, CaseStatus, ChronologyRequest, Commission, CommissionStatus
from core import audit
from service.access import Grants, forbidden, hidden, no_case, readable_case
from service.models import Role

Need = Literal["status", "read", "send", "manage"]
STANDING_COMMISSION = (CommissionStatus.declared.value, CommissionStatus.confirmed.value)
_READERS = frozenset({Role.chair, Role.commissioner})
_MANAGERS = frozenset({Role.commissioner, Role.admin})


@dataclass(frozen=True)
class ChronologyAccess:
    """A case whose chronologies the caller may reach: ``agency_id`` narrows them to one agency's (an agency
    contact's own); ``rows`` says whether they may read rows at all, ``manage`` whether they may issue
    requests and keep the glossary."""

    case: Case
    agency_id: str | None
    rows: bool
    manage: bool


def _case(session: Session, ref: str) -> Case:
    case = session.exec(select(Case).where(Case.ref == ref)).first()
    if case is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=no_case(ref))
    return case


def asked(session: Session, case: Case, agency_id: str | None) -> bool:
    return agency_id is not None and (
        session.exec(
            select(ChronologyRequest.id).where(
                ChronologyRequest.case_id == case.id, ChronologyRequest.agency_id == agency_id
            )
        ).first()
        is not None
    )


def reviews(session: Session, case: Case, consultant_id: int | None) -> bool:
    """Whether consultant ``consultant_id`` holds a standing commission on open case ``case``."""
    if consultant_id is None or case.status != CaseStatus.open.value:
        return False
    return (
        session.exec(
            select(Commission.id).where(
                Commission.case_id == case.id,
                Commission.consultant_id == consultant_id,
                Commission.status.in_(STANDING_COMMISSION),  # type: ignore[attr-defined]
            )
        ).first()
        is not None
    )


def chronology_access(
    request: Request, session: Session, grants: Grants, ref: str, need: Need
) -> ChronologyAccess:
    """Case ``ref``'s chronologies as far as the caller may reach them for ``need``: 404 to anyone who may
    not know of the case, 403 (saying who may) to a reader of the case who lacks what ``need`` takes."""
    user = grants.user
    if grants.regional == Role.agency_contact:
        case = _case(session, ref)
        if not asked(session, case, user.agency_id):
            raise hidden(request, no_case(ref))
        if need == "manage":
            raise forbidden("Requests and the glossary are kept by the case's commissioners.")
        return ChronologyAccess(case, user.agency_id, rows=True, manage=False)
    if grants.regional == Role.reviewer:
        case = _case(session, ref)
        if not reviews(session, case, user.consultant_id):
            raise hidden(request, no_case(ref))
        if need in ("send", "manage"):
            raise forbidden(
                "Agencies send their own chronologies; the case's commissioners keep the requests."
            )
        return ChronologyAccess(case, None, rows=True, manage=False)
    access = readable_case(request, session, grants, ref)
    rows = bool(access.lead_roles & _READERS)
    manage = bool(access.lead_roles & _MANAGERS)
    if need == "read" and not rows:
        raise forbidden(
            f"Chronologies hold personal details of the family, so only the review's own people read them: "
            f"the chair and commissioners of the partnership leading case {ref}, its reviewer, and each "
            "agency's contact for their own agency."
        )
    if need in ("send", "manage") and not manage:
        raise forbidden(f"This needs a commissioner or admin of the partnership leading case {ref}.")
    return ChronologyAccess(access.case, None, rows=rows, manage=manage)


def opened(session: Session, access: ChronologyAccess, *, actor: str, what: str, view: str) -> None:
    """Audit an opening of a case's chronology: ``what`` was opened (json, docx, timeline ...) in ``view``;
    the caller's unit of work commits it."""
    audit.record(
        session,
        "chronology.personal_view" if view == "personal" else "chronology.open",
        access.case.ref,
        actor=actor,
        entity_type="case",
        after={"what": what, "view": view, "agency": access.agency_id},
    )
