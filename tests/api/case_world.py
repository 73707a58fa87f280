"""A small world for shortlist and commission tests: agencies, consultants with ties, and cases.

Rows are written straight to the database (the registry and case APIs have their own tests), so
each test reads as the situation it sets up.
"""

from datetime import date, timedelta
from typing import Any

from sqlmodel import Session

from commissioning.models import Case
from registry.models import Agency, AgencyAlias, Consultant, Engagement, Interest, ReviewRecord, fold
from registry.vocabulary import AgencyKind, ConsultantStatus, EngagementKind, ReviewRole, ReviewType

TODAY = date.today()

# A case that meets the threshold (a suspected-abuse death in Hackney), for tests that need any stored case.
CASE_FEATURES = {
    "incident_date": "2026-11-02",
    "notified_date": "2026-11-04",
    "country": "england",
    "subject_age_years": 1,
    "outcome": "death",
    "abuse_or_neglect": "suspected",
    "death_unexpected": True,
    "setting": "community",
    "area": "hackney",
    "agencies_involved": ["hackney-csc", "met-police"],
}


def agency(
    session: Session,
    agency_id: str,
    name: str,
    *,
    kind: AgencyKind = AgencyKind.other,
    area: str = "hackney",
    aliases: tuple[str, ...] = (),
) -> str:
    session.add(Agency(id=agency_id, name=name, kind=kind, area=area))
    session.flush()
    session.add_all(AgencyAlias(alias=fold(alias), agency_id=agency_id) for alias in aliases)
    session.commit()
    return agency_id


def hackney(session: Session) -> None:
    """The agencies of a Hackney case, a neighbouring borough's, and the partnership commissioning it."""
    agency(
        session,
        "hackney-csc",
        "Hackney Children's Social Care",
        kind=AgencyKind.childrens_social_care,
        aliases=("Hackney CSC",),
    )
    agency(session, "met-police", "Metropolitan Police Service", kind=AgencyKind.police, area="london")
    agency(session, "homerton", "Homerton Healthcare NHS Trust", kind=AgencyKind.nhs_trust)
    agency(
        session,
        "camden-csc",
        "Camden Children's Social Care",
        kind=AgencyKind.childrens_social_care,
        area="camden",
    )
    agency(
        session,
        "chscp",
        "City & Hackney Safeguarding Children Partnership",
        kind=AgencyKind.safeguarding_partnership,
    )


def consultant(session: Session, name: str, **fields: Any) -> int:
    """An approved consultant with current checks and two places, changed as the test needs."""
    values: dict[str, Any] = {
        "email": f"{name.lower().replace(' ', '.')}@reviews.example.org",
        "status": ConsultantStatus.approved,
        "capacity": 2,
        "dbs_check_date": TODAY - timedelta(days=365),
        "insurance_expiry": TODAY + timedelta(days=700),
        **fields,
    }
    row = Consultant(name=name, **values)
    session.add(row)
    session.commit()
    assert row.id is not None
    return row.id


def engagement(
    session: Session,
    consultant_id: int,
    agency_id: str,
    kind: EngagementKind,
    *,
    start: date | None = None,
    end: date | None = None,
    confirmed: bool = True,
) -> int:
    row = Engagement(
        consultant_id=consultant_id,
        agency_id=agency_id,
        kind=kind,
        role_title="Role",
        start_date=start,
        end_date=end,
        confirmed=confirmed,
    )
    session.add(row)
    session.commit()
    assert row.id is not None
    return row.id


def interest(
    session: Session, consultant_id: int, *, case_ref: str | None = None, agency_id: str | None = None
) -> None:
    session.add(
        Interest(
            consultant_id=consultant_id,
            text="Knew a practitioner",
            case_ref=case_ref,
            agency_id=agency_id,
            declared_on=TODAY,
        )
    )
    session.commit()


def rating(session: Session, consultant_id: int, value: int) -> None:
    session.add(
        ReviewRecord(
            consultant_id=consultant_id,
            case_ref="OLD-1",
            review_type=ReviewType.lcspr,
            role=ReviewRole.lead_reviewer,
            started_on=TODAY - timedelta(days=900),
            completed_on=TODAY - timedelta(days=700),
            rating=value,
        )
    )
    session.commit()


def case(
    session: Session,
    ref: str,
    *,
    area: str = "hackney",
    agencies: tuple[str, ...] = ("hackney-csc", "met-police", "homerton"),
    **features: Any,
) -> int:
    row = Case(
        ref=ref,
        area=area,
        created_by="test",
        features={"area": area, "agencies_involved": list(agencies), **features},
    )
    session.add(row)
    session.commit()
    assert row.id is not None
    return row.id
