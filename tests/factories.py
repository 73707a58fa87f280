"""Test data for every suite, built one way: consultants (as database rows, as API bodies and as the pure
checks' profiles), the agencies of a Hackney case, a consultant's ties and ratings, and cases: recorded
through the service, or stored with their decisions, commissions and declarations, and the body of a
board's departure from the recommendation.

Every consultant starts as the same person, approved with current checks and two places, named as the
test needs and changed only in what the test is about. Rows are written straight to the database (the
registry and case APIs have their own tests), so each test reads as the situation it sets up; a test of
the API itself sends the same person through it (``post_consultant``). Importable from every suite as
``factories``: ``pyproject.toml`` puts ``tests/`` on the path.
"""

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, SQLModel

from commissioning.models import (
    Case,
    CaseDecision,
    Commission,
    CommissionRole,
    CommissionStatus,
    DecisionKind,
    Declaration,
)
from core import clock
from matching.profiles import Away, ConsultantProfile
from registry.models import Agency, AgencyAlias, Consultant, Engagement, Interest, ReviewRecord, fold
from registry.vocabulary import AgencyKind, ConsultantStatus, EngagementKind, ReviewRole, ReviewType

TODAY = clock.today()
APPROVAL_REASON = "Interviewed and referenced."

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

# A serious harm from known abuse in Hackney: no statutory review, but a learning review the board may
# choose; for tests that need a case of that kind (they add the agencies, concerns or setting they use).
HARM_FEATURES = {
    "incident_date": "2026-09-14",
    "notified_date": "2026-09-15",
    "country": "england",
    "subject_age_years": 6,
    "outcome": "serious_harm",
    "abuse_or_neglect": "known",
    "improvement_learning": True,
    "area": "hackney",
}

# A child's serious harm from known abuse in Hackney in 2020, notified the next day, with concerns about
# agencies working together: the Panel's time (Working Together 2018), notified within 5 working days.
HARM_2020 = {
    "incident_date": "2020-06-15",
    "notified_date": "2020-06-16",
    "country": "england",
    "area": "hackney",
    "subject_age_years": 6,
    "outcome": "serious_harm",
    "abuse_or_neglect": "known",
    "interagency_concerns": True,
}

# A stored decision's parts, as the engine records them: the ruleset that decided, and the notification a
# child's death needs (the first outcome of any such decision).
RULESET = {"id": "wt2023", "version": "1", "chosen_by": "incident_date"}
NOTIFY_PANEL = {
    "type": "notify_panel",
    "kind": "notification",
    "requirement": "mandatory",
    "reasons": [{"rule": "wt2023.notify.death", "text": "A child died.", "source": "CA2004 s16C(1)"}],
    "deadline": {"date": "2026-11-11", "basis": "5 working days from notified_date"},
}


def saved(session: Session, model: type[SQLModel], **fields: Any) -> int:
    """A ``model`` row with ``fields`` written straight to the database and committed, as a unit of work
    would; its id. A name the model does not have is refused: a table model drops an unknown keyword
    silently, and a misspelt change would leave a test about nothing."""
    unknown = sorted(name for name in fields if not hasattr(model, name))
    assert not unknown, f"{model.__name__} has no {', '.join(unknown)}"
    row = model(**fields)
    session.add(row)
    session.commit()
    key: int | None = row.id  # type: ignore[attr-defined]
    assert key is not None
    return key


# Agencies ------------------------------------------------------------------------------------------


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


# Consultants ---------------------------------------------------------------------------------------


def consultant_fields(name: str, **changes: Any) -> dict[str, Any]:
    """An approved consultant with current checks (a DBS check a year old, insurance for two more years)
    and two places, their email made from their name, changed as the test needs."""
    return {
        "name": name,
        "email": f"{name.lower().replace(' ', '.')}@reviews.example.org",
        "status": ConsultantStatus.approved,
        "capacity": 2,
        "dbs_check_date": TODAY - timedelta(days=365),
        "insurance_expiry": TODAY + timedelta(days=700),
        **changes,
    }


def consultant(session: Session, name: str, **changes: Any) -> int:
    """The consultant written straight to the database; their id."""
    return saved(session, Consultant, **consultant_fields(name, **changes))


def consultant_body(name: str, **changes: Any) -> dict[str, Any]:
    """The consultant as the JSON body of ``POST /api/v1/consultants`` (which adds an applicant: an
    approval is a separate action, so the body names no status)."""
    fields = consultant_fields(name, **changes)
    del fields["status"]
    return {key: value.isoformat() if isinstance(value, date) else value for key, value in fields.items()}


def post_consultant(
    client: TestClient, headers: Mapping[str, str], name: str, *, approve: bool = True, **changes: Any
) -> dict[str, Any]:
    """The consultant added through the API by the admin whose ``headers`` are given, then approved unless
    ``approve`` is false; the service's answer (the consultant as it published them)."""
    created = client.post("/api/v1/consultants", json=consultant_body(name, **changes), headers=headers)
    assert created.status_code == 201, created.text
    if not approve:
        return created.json()
    approved = client.post(
        f"/api/v1/consultants/{created.json()['id']}/approve",
        json={"reason": APPROVAL_REASON},
        headers=headers,
    )
    assert approved.status_code == 200, approved.text
    return approved.json()


def consultant_profile(*, away: Iterable[tuple[date, date]] = (), **changes: Any) -> ConsultantProfile:
    """The consultant as the pure checks and ranking see them (Ann Reviewer, id 7), on the fixed dates the
    unit tests run around (1 June 2026): DBS checked on 10 January 2025, insured to 31 March 2027.
    ``away`` lists periods away, first and last day, numbered from 50."""
    fields: dict[str, Any] = {
        "id": 7,
        "name": "Ann Reviewer",
        "dbs_check_date": date(2025, 1, 10),
        "insurance_expiry": date(2027, 3, 31),
        "away": tuple(Away(id=50 + n, start=start, end=end) for n, (start, end) in enumerate(away)),
    }
    return ConsultantProfile(**fields | changes)


def engagement(
    session: Session, consultant_id: int, agency_id: str, kind: EngagementKind, **changes: Any
) -> int:
    """The consultant's engagement with an agency, in a "Role", confirmed and open-ended, changed as the test
    needs (``start_date``, ``end_date``); its id."""
    fields = {"role_title": "Role", "confirmed": True, **changes}
    return saved(session, Engagement, consultant_id=consultant_id, agency_id=agency_id, kind=kind, **fields)


def interest(session: Session, consultant_id: int, **changes: Any) -> int:
    """An interest the consultant declared today (they knew a practitioner), about the ``case_ref`` or
    ``agency_id`` the changes name; its id."""
    fields = {"text": "Knew a practitioner", "declared_on": TODAY, **changes}
    return saved(session, Interest, consultant_id=consultant_id, **fields)


def rating(session: Session, consultant_id: int, value: int, **changes: Any) -> int:
    """A review the consultant led and completed about two years ago, rated ``value``; its id."""
    fields = {
        "case_ref": "OLD-1",
        "review_type": ReviewType.lcspr,
        "role": ReviewRole.lead_reviewer,
        "started_on": TODAY - timedelta(days=900),
        "completed_on": TODAY - timedelta(days=700),
        **changes,
    }
    return saved(session, ReviewRecord, consultant_id=consultant_id, rating=value, **fields)


# Cases -------------------------------------------------------------------------------------------

# What a board that departs from the recommendation most often chooses instead: a learning review.
LEARNING_REVIEW = ({"type": "learning_review", "requirement": "discretionary"},)


def departure(reason: str, outcomes: Iterable[Mapping[str, str]] = LEARNING_REVIEW) -> dict[str, Any]:
    """The body of ``POST /api/v1/cases/{ref}/decision`` with which the board departs from the
    recommendation, for ``reason``, choosing ``outcomes`` instead."""
    return {"accepted": False, "reason": reason, "outcomes": [dict(outcome) for outcome in outcomes]}


def recorded_case(session: Session, *, today: date = TODAY, **features: Any) -> str:
    """A case recorded by the chair as the service records one, with the threshold engine's
    recommendation on ``features`` as of ``today``; its reference."""
    from commissioning import store
    from service.api.cases import rulesets

    home_partnership(session)
    view, _ = store.create_case(
        session=session,
        raw_features=features,
        actor="chair@board.example.org",
        today=today,
        rulesets=rulesets(),
    )
    session.commit()
    return view.case.ref


# Stored cases --------------------------------------------------------------------------------------


def case(
    session: Session,
    ref: str,
    *,
    area: str = "hackney",
    agencies: tuple[str, ...] = ("hackney-csc", "met-police", "homerton"),
    partnership_id: int | None = None,
    **features: Any,
) -> int:
    """A case stored as the service keeps one, naming its area and the agencies involved, led by the
    partnership covering the area (the test partnership, unless ``partnership_id`` names another); its
    id."""
    stored = {"area": area, "agencies_involved": list(agencies), **features}
    lead = partnership_id or _covering(session, area)
    return saved(session, Case, ref=ref, area=area, created_by="test", features=stored, partnership_id=lead)


def case_as_written(session: Session, ref: str, features: Mapping[str, Any]) -> Case:
    """A case with exactly ``features`` (its area among them), written straight to the database as the test
    gives them, led by the home partnership; the record, flushed."""
    record = Case(
        ref=ref,
        area=features["area"],
        features=features,
        created_by="test",
        partnership_id=home_partnership(session).id,
    )
    session.add(record)
    session.flush()
    assert record.id is not None
    return record


def with_terms(session: Session, case_id: int | None) -> int:
    """A first version of terms of reference stored for the case, as chronology requests need; its id."""
    from commissioning.models import TermsVersion

    return saved(
        session,
        TermsVersion,
        case_id=case_id,
        version=1,
        template_version="1",
        clauses_version="1",
        content_hash="x",
        markdown="terms",
        created_by="test",
    )


# Partnerships --------------------------------------------------------------------------------------

# Every area the tests record cases in: the test partnership covers them all, so the people of the
# personas' partnership may read and write every case a test records, and references keep the HAC prefix
# the tests were written with.
TEST_AREAS = (
    "hackney",
    "city-of-london",
    "camden",
    "islington",
    "haringey",
    "tower-hamlets",
    "london",
    "leeds",
    "bradford",
    "solihull",
    "norfolk",
    "lancashire",
    "coventry",
    "city-and-hackney",
    "area",
    "x",
    "hack",
)
HOME_PARTNERSHIP = ("Hackney test partnership", "HAC")
# Another partnership, for tests of the walls between boards: no test records a case in its areas unless
# it means to.
OTHER_AREAS = ("southwark", "lambeth")
OTHER_PARTNERSHIP = ("Southwark and Lambeth test partnership", "SAL")


def _partnership(session: Session, name: str, prefix: str, areas: Iterable[str]) -> Any:
    from sqlmodel import select

    from commissioning import partnerships
    from commissioning.models import Partnership

    found = session.exec(select(Partnership).where(Partnership.prefix == prefix)).first()
    if found is None:
        found = partnerships.add_partnership(
            session, name=name, prefix=prefix, areas=list(areas), actor="test"
        ).partnership
        session.commit()
    return found


def home_partnership(session: Session) -> Any:
    """The partnership the personas serve (HAC), covering every area the tests use; made once per test.
    When the test loaded the demo data first, the demo's partnership covering Hackney is the home one."""
    from commissioning import partnerships

    found = partnerships.covering(session, "hackney")
    return found if found is not None else _partnership(session, *HOME_PARTNERSHIP, TEST_AREAS)


def other_partnership(session: Session) -> Any:
    """A second partnership (SAL: Southwark and Lambeth), whose people must not see the first's cases."""
    return _partnership(session, *OTHER_PARTNERSHIP, OTHER_AREAS)


def _covering(session: Session, area: str) -> int:
    from commissioning import partnerships

    home_partnership(session)
    if partnerships.area_slug(area) in OTHER_AREAS:
        other_partnership(session)
    found = partnerships.covering(session, area)
    assert found is not None and found.id is not None, f"no test partnership covers {area!r}: add it"
    return found.id


def decision(
    session: Session,
    case_id: int,
    *,
    today: date,
    features: Mapping[str, Any],
    result: Mapping[str, Any],
    kind: DecisionKind = DecisionKind.recommendation,
    **changes: Any,
) -> int:
    """A threshold decision stored as the service keeps one, under ``RULESET``: the engine's recommendation,
    or the board's decision (``accepted``, a ``reason``, ``decided_by`` and ``decided_at`` among the
    changes); its id."""
    fields = {
        "ruleset_id": RULESET["id"],
        "ruleset_version": RULESET["version"],
        "decided_by": "engine",
        **changes,
    }
    return saved(
        session,
        CaseDecision,
        case_id=case_id,
        kind=kind,
        today=today,
        features=features,
        result=result,
        **fields,
    )


def commission(
    session: Session, case_id: int, consultant_id: int, *, status: CommissionStatus, **changes: Any
) -> int:
    """The consultant commissioned as the case's lead reviewer, the commission at ``status``; its id."""
    fields = {"role": CommissionRole.lead_reviewer, "created_by": "test", **changes}
    return saved(session, Commission, case_id=case_id, consultant_id=consultant_id, status=status, **fields)


def declaration(
    session: Session, commission_id: int, *, declared_by: str, declared_at: datetime, **changes: Any
) -> int:
    """The consultant's declaration of independence on a commission: no conflict with the agencies in scope
    (none unless the changes name them), changed as the test needs; its id."""
    fields = {"agencies": [], "no_conflict": True, **changes}
    return saved(
        session,
        Declaration,
        commission_id=commission_id,
        declared_by=declared_by,
        declared_at=declared_at,
        **fields,
    )


# People --------------------------------------------------------------------------------------------


def _as_person(session: Session, kwargs: dict[str, Any]) -> bool:
    """Fill in the partnership a test's admin, commissioner or chair serves (the home one), and the actor
    ("test") unless the test names them; True when the user is an admin of the home partnership, who keeps
    the approved list too (a list admin)."""
    from service.models import PARTNERSHIP_ROLES, Role

    kwargs.setdefault("actor", "test")
    role = Role(kwargs["role"])
    if role not in PARTNERSHIP_ROLES or kwargs.get("partnership"):
        return False
    kwargs["partnership"] = home_partnership(session).prefix
    return role == Role.admin


def create_person(session: Session, **kwargs: Any) -> Any:
    """``service.users.create_user`` as a one-partnership service has it: an admin, commissioner or chair
    serves the home partnership (HAC), and an admin keeps the approved list too."""
    from service.models import Role
    from service.users import create_user

    list_admin = _as_person(session, kwargs)
    user = create_user(session, **kwargs)
    if list_admin:
        user.role = Role.list_admin
        session.add(user)
        session.flush()
    return user


def add_person(session: Session, **kwargs: Any) -> tuple[Any, str]:
    """``service.users.add_user`` as ``create_person`` has it: the user and their token."""
    from service.models import Role
    from service.users import add_user

    list_admin = _as_person(session, kwargs)
    user, token = add_user(session, **kwargs)
    if list_admin:
        user.role = Role.list_admin
        session.add(user)
        session.flush()
    return user, token
