"""Database functions of the approved list: agencies, consultants and what is held about them.

The API, the admin pages, the CLI, the demo loader and the conflict checks all call these, so the
conventions are fixed:

- arguments are keyword-only, ``session`` first; ``actor`` is the name the audit log records (a
  user's email, ``cli`` or ``demo``);
- reads return Public models: plain data, safe to use after the session closes;
- a write checks its input before touching the database, records one audit event per changed record
  (before and after, as JSON) and commits. On any error it rolls back, so nothing is half-written and
  no audit event outlives a failed change. Inside ``with atomic(session=...)`` writes join one
  transaction that commits when the block ends (the importer and the demo loader use this);
- nothing here reads settings: callers pass the policy numbers (``dbs_recheck_years``,
  ``reapproval_years``, ``max_rows``).

Bad input raises ``Invalid`` (422) naming each field, a clash ``Conflict`` (409), a refused status
change ``NotAllowed`` (409, with the allowed actions), a missing record ``NotFound`` (404).
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Table, delete, exists, func, or_, type_coerce
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Session, SQLModel, col, select

from core import audit
from core.clock import utcnow
from core.errors import Clash, Conflict, Invalid, NotFound
from core.transaction import atomic
from registry import expiry, importer, lifecycle, slack_ids
from registry.importer import AccreditationItem, EngagementItem, ImportReport, Problem, RowOutcome
from registry.lifecycle import Action, Approval
from registry.models import (
    Absence,
    AbsencePublic,
    AccreditationCreate,
    AccreditationPublic,
    Agency,
    AgencyAlias,
    AgencyCreate,
    AgencyPublic,
    AgencyUpdate,
    Consultant,
    ConsultantAccreditation,
    ConsultantCreate,
    ConsultantDetail,
    ConsultantPage,
    ConsultantPublic,
    ConsultantUpdate,
    Engagement,
    EngagementCreate,
    EngagementPublic,
    EngagementUpdate,
    Interest,
    InterestCreate,
    InterestPublic,
    ReviewRecord,
    ReviewRecordCreate,
    ReviewRecordPublic,
    ReviewRecordUpdate,
    fold,
)
from registry.vocabulary import AgencyKind, ConsultantStatus, EngagementKind, Specialism

DEFAULT_DBS_RECHECK_YEARS = 3
DEFAULT_REAPPROVAL_YEARS = 3
IMPORT_STATUS_REASON = "Status set by CSV import."


def _audit(session: Session, *, actor: str, action: str, entity: str, entity_id: Any, **change: Any) -> None:
    """Review comments (about a case) are logged as fingerprints: the retention purge removes them."""
    audit.record(
        session,
        actor=actor,
        action=action,
        entity_type=entity,
        entity_id=entity_id,
        free_text=("comment",),
        **change,
    )


def _json(model: SQLModel | None) -> dict[str, Any] | None:
    return None if model is None else model.model_dump(mode="json")


def _problem(field: str, message: str) -> dict[str, Any]:
    return {"loc": ["body", field], "msg": message}


def _nulls_refused(table: Table, changes: dict[str, Any]) -> None:
    """A PATCH may clear optional fields only; naming each required field sent as null."""
    problems = [
        _problem(name, "may not be null: leave it out to keep the current value")
        for name, value in changes.items()
        if value is None and name in table.c and not table.c[name].nullable
    ]
    if problems:
        raise Invalid("Some required fields were sent empty.", problems=problems)


def _dates_in_order(start: date | None, end: date | None, *, start_name: str, end_name: str) -> None:
    if start is not None and end is not None and end < start:
        raise Invalid(
            f"{end_name} is before {start_name}.",
            problems=[_problem(end_name, f"{end} is before {start_name} {start}")],
        )


# Agencies --------------------------------------------------------------------------------------


def _agency(session: Session, agency_id: str) -> Agency:
    agency = session.get(Agency, agency_id)
    if agency is None:
        raise NotFound(f"No agency with id {agency_id!r}.")
    return agency


def _aliases_of(session: Session, agency_ids: Sequence[str] | None = None) -> dict[str, list[str]]:
    query = select(AgencyAlias).order_by(col(AgencyAlias.alias))
    if agency_ids is not None:
        query = query.where(col(AgencyAlias.agency_id).in_(agency_ids))
    grouped: dict[str, list[str]] = defaultdict(list)
    for alias in session.exec(query):
        grouped[alias.agency_id].append(alias.alias)
    return grouped


def _agency_public(agency: Agency, aliases: list[str]) -> AgencyPublic:
    return AgencyPublic(
        id=agency.id, name=agency.name, kind=AgencyKind(agency.kind), area=agency.area, aliases=aliases
    )


def list_agencies(
    *, session: Session, area: str | None = None, kind: AgencyKind | None = None, q: str | None = None
) -> list[AgencyPublic]:
    """Agencies by name, optionally in one area (any case), of one kind, or with ``q`` in the name."""
    query = select(Agency).order_by(col(Agency.name), col(Agency.id))
    if area:
        query = query.where(func.lower(Agency.area) == area.strip().lower())
    if kind:
        query = query.where(Agency.kind == AgencyKind(kind).value)
    if q:
        query = query.where(func.lower(Agency.name).contains(q.strip().lower(), autoescape=True))
    agencies = list(session.exec(query))
    aliases = _aliases_of(session)
    return [_agency_public(agency, aliases.get(agency.id, [])) for agency in agencies]


def get_agency(*, session: Session, agency_id: str) -> AgencyPublic:
    """One agency by id; NotFound if there is none."""
    agency = _agency(session, agency_id)
    return _agency_public(agency, _aliases_of(session, [agency.id]).get(agency.id, []))


def agency_names(*, session: Session, agency_ids: Iterable[str]) -> dict[str, str]:
    """The names of the agencies with ``agency_ids`` (ids no agency has are left out)."""
    wanted = list(set(agency_ids))
    if not wanted:
        return {}
    return dict(session.exec(select(Agency.id, Agency.name).where(col(Agency.id).in_(wanted))).all())


def agency_directory(*, session: Session) -> dict[str, str]:
    """Each agency's id, name and aliases, folded, mapped to its id: how names people use resolve."""
    directory: dict[str, str] = {}
    for agency_id, name in session.exec(select(Agency.id, Agency.name)):
        directory.setdefault(fold(name), agency_id)
    for alias in session.exec(select(AgencyAlias)):
        directory.setdefault(alias.alias, alias.agency_id)
    for agency_id in session.exec(select(Agency.id)):
        directory[fold(agency_id)] = agency_id
    return directory


def resolve_agency(*, session: Session, name: str) -> AgencyPublic | None:
    """The agency whose id, name or alias is ``name`` (any case and spacing), or None."""
    agency = session.get(Agency, name.strip())
    if agency is None:
        folded = fold(name)
        alias = session.get(AgencyAlias, folded)
        if alias is not None:
            agency = session.get(Agency, alias.agency_id)
        else:
            agency = session.exec(select(Agency).where(func.lower(Agency.name) == folded)).first()
    if agency is None:
        return None
    return _agency_public(agency, _aliases_of(session, [agency.id]).get(agency.id, []))


def _agency_id(session: Session, value: str, *, field: str) -> str:
    agency = resolve_agency(session=session, name=value)
    if agency is None:
        raise Invalid(
            f"Unknown agency {value!r}.",
            problems=[
                _problem(field, f"no agency has the id, name or alias {value!r}; add the agency first")
            ],
        )
    return agency.id


def _names_taken(session: Session, *, agency_id: str, name: str | None, aliases: Iterable[str]) -> None:
    """Conflict if the name or an alias would resolve to another agency: every name must mean one agency."""
    wanted = ([fold(name)] if name is not None else []) + [fold(alias) for alias in aliases]
    findings = []
    for folded in dict.fromkeys(wanted):
        holder = resolve_agency(session=session, name=folded)
        if holder is not None and holder.id != agency_id:
            findings.append({"name": folded, "agency_id": holder.id, "agency_name": holder.name})
    if findings:
        names = ", ".join(f"{f['name']!r} (already {f['agency_id']})" for f in findings)
        raise Conflict(f"These names already belong to another agency: {names}.", findings=findings)


def create_agency(*, session: Session, data: AgencyCreate, actor: str) -> AgencyPublic:
    """Add an agency with its aliases; Conflict if the id, name or an alias is taken."""
    with atomic(session=session):
        if session.get(Agency, data.id) is not None:
            raise Conflict(f"An agency with id {data.id!r} already exists.")
        _names_taken(session, agency_id=data.id, name=data.name, aliases=data.aliases)
        agency = Agency(id=data.id, name=data.name, kind=data.kind.value, area=data.area)
        session.add(agency)
        session.flush()
        aliases = sorted({fold(alias) for alias in data.aliases})
        session.add_all(AgencyAlias(alias=alias, agency_id=agency.id) for alias in aliases)
        public = _agency_public(agency, aliases)
        _audit(
            session,
            actor=actor,
            action="agency.create",
            entity="agency",
            entity_id=agency.id,
            after=_json(public),
        )
    return public


def update_agency(*, session: Session, agency_id: str, data: AgencyUpdate, actor: str) -> AgencyPublic:
    """Change an agency; ``aliases``, when given, replaces them all."""
    with atomic(session=session):
        agency = _agency(session, agency_id)
        before = get_agency(session=session, agency_id=agency_id)
        changes = data.model_dump(exclude_unset=True)
        _nulls_refused(Agency.__table__, {k: v for k, v in changes.items() if k != "aliases"})  # type: ignore[arg-type]
        aliases = changes.pop("aliases", None)
        _names_taken(session, agency_id=agency_id, name=changes.get("name"), aliases=aliases or [])
        for name, value in changes.items():
            setattr(agency, name, getattr(value, "value", value))
        session.add(agency)
        if aliases is not None:
            session.exec(delete(AgencyAlias).where(col(AgencyAlias.agency_id) == agency_id))  # type: ignore[call-overload]
            session.add_all(
                AgencyAlias(alias=a, agency_id=agency_id) for a in sorted({fold(a) for a in aliases})
            )
        session.flush()
        after = get_agency(session=session, agency_id=agency_id)
        _audit(
            session,
            actor=actor,
            action="agency.update",
            entity="agency",
            entity_id=agency_id,
            before=_json(before),
            after=_json(after),
        )
    return after


def delete_agency(*, session: Session, agency_id: str, actor: str) -> None:
    """Delete an agency nobody's history refers to; Conflict (with the counts) if one does."""
    with atomic(session=session):
        agency = _agency(session, agency_id)
        engagements = session.exec(
            select(func.count()).select_from(Engagement).where(Engagement.agency_id == agency_id)
        ).one()
        interests = session.exec(
            select(func.count()).select_from(Interest).where(Interest.agency_id == agency_id)
        ).one()
        if engagements or interests:
            raise Conflict(
                f"Agency {agency_id!r} is named in {engagements} engagements and {interests} declared "
                "interests, so it cannot be deleted; add an alias or rename it instead.",
                findings=[{"engagements": engagements, "interests": interests}],
            )
        before = get_agency(session=session, agency_id=agency_id)
        session.exec(delete(AgencyAlias).where(col(AgencyAlias.agency_id) == agency_id))  # type: ignore[call-overload]
        session.delete(agency)
        _audit(
            session,
            actor=actor,
            action="agency.delete",
            entity="agency",
            entity_id=agency_id,
            before=_json(before),
        )


# Consultants -----------------------------------------------------------------------------------


def _consultant(session: Session, consultant_id: int, *, for_update: bool = False) -> Consultant:
    # Without a lock, ``get`` answers from the session when it already holds the consultant, so a
    # consultant's page, which checks they exist for each list it shows, reads them once, not six times.
    if for_update:
        consultant = session.exec(
            select(Consultant).where(Consultant.id == consultant_id).with_for_update()
        ).first()
    else:
        consultant = session.get(Consultant, consultant_id)
    if consultant is None:
        raise NotFound(f"No consultant with id {consultant_id}.")
    return consultant


def _public(consultant: Consultant) -> ConsultantPublic:
    return ConsultantPublic.model_validate(consultant, from_attributes=True)


def _email_free(session: Session, email: str, *, consultant_id: int | None) -> None:
    holder = session.exec(select(Consultant.id).where(Consultant.email == email)).first()
    if holder is not None and holder != consultant_id:
        raise Conflict(
            f"A consultant with email {email} already exists (id {holder}).",
            findings=[{"field": "email", "consultant_id": holder}],
        )


def _has_item(session: Session, column: Any, value: str, *, any_case: bool) -> ColumnElement[bool]:
    """The JSON list in ``column`` holds ``value``, on SQLite (JSON text) and PostgreSQL (JSONB)."""
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres and not any_case:
        return type_coerce(column, JSONB).contains([value])
    items = (func.jsonb_array_elements_text if postgres else func.json_each)(column).table_valued("value")
    matches = func.lower(items.c.value) == value.strip().lower() if any_case else items.c.value == value
    return exists().select_from(items).where(matches)


def expiring_condition(*, today: date, within_days: int, dbs_recheck_years: int) -> ColumnElement[bool]:
    """Consultants with a check lapsed or lapsing by ``today + within_days``.

    That is: no DBS check recorded, or one older than ``dbs_recheck_years`` by then; no insurance
    expiry recorded, or insurance expiring by then; registration expiring by then (registration is
    optional, so none recorded is fine); or re-approval due by then.
    """
    horizon = today + timedelta(days=within_days)
    dbs_cutoff = lifecycle.add_years(horizon, -dbs_recheck_years)
    return or_(
        col(Consultant.dbs_check_date).is_(None),
        col(Consultant.dbs_check_date) <= dbs_cutoff,
        col(Consultant.insurance_expiry).is_(None),
        col(Consultant.insurance_expiry) <= horizon,
        col(Consultant.registration_expiry) <= horizon,
        col(Consultant.reapproval_due) <= horizon,
    )


def search_condition(session: Session, text: str) -> ColumnElement[bool]:
    """Consultants with ``text`` in their name, in one of their specialisms' names, or as one of their areas.

    One search box for people who know a name, a subject ("domestic abuse", "exploitation") or a place.
    """
    wanted = " ".join(text.split()).lower()
    as_specialism = wanted.replace(" ", "_").replace("-", "_")
    specialisms = [s.value for s in Specialism if as_specialism in s.value]
    return or_(
        func.lower(Consultant.name).contains(wanted, autoescape=True),
        _has_item(session, Consultant.areas, wanted, any_case=True),
        *(_has_item(session, Consultant.specialisms, value, any_case=False) for value in specialisms),
    )


def list_consultants(
    *,
    session: Session,
    status: ConsultantStatus | None = None,
    specialism: Specialism | None = None,
    area: str | None = None,
    language: str | None = None,
    q: str | None = None,
    search: str | None = None,
    expiring_within_days: int | None = None,
    dbs_recheck_years: int = DEFAULT_DBS_RECHECK_YEARS,
    today: date | None = None,
    limit: int = 50,
    offset: int = 0,
) -> ConsultantPage:
    """One page of consultants by name, with the total matching every filter given.

    ``area`` and ``language`` match list items in any case; ``q`` is a case-insensitive substring of
    the name; ``search`` is ``search_condition``; ``expiring_within_days`` is ``expiring_condition``.
    """
    conditions: list[ColumnElement[bool]] = []
    if status:
        conditions.append(col(Consultant.status) == ConsultantStatus(status).value)
    if specialism:
        conditions.append(
            _has_item(session, Consultant.specialisms, Specialism(specialism).value, any_case=False)
        )
    if area:
        conditions.append(_has_item(session, Consultant.areas, area, any_case=True))
    if language:
        conditions.append(_has_item(session, Consultant.languages, language, any_case=True))
    if q:
        conditions.append(func.lower(Consultant.name).contains(q.strip().lower(), autoescape=True))
    if search:
        conditions.append(search_condition(session, search))
    if expiring_within_days is not None:
        conditions.append(
            expiring_condition(
                today=today or date.today(),
                within_days=expiring_within_days,
                dbs_recheck_years=dbs_recheck_years,
            )
        )
    # One scan gives the page and the total; only a page past the end needs a separate count.
    rows = session.exec(
        select(Consultant, func.count().over())
        .where(*conditions)
        .order_by(col(Consultant.name), col(Consultant.id))
        .limit(limit)
        .offset(offset)
    ).all()
    if rows:
        total = rows[0][1]
    elif offset == 0:
        total = 0
    else:
        total = session.exec(select(func.count()).select_from(Consultant).where(*conditions)).one()
    items = [_public(consultant) for consultant, _ in rows]
    return ConsultantPage(items=items, total=total, limit=limit, offset=offset)


DUE_PAGE = 200


def checks_falling_due(
    *, session: Session, today: date, within_days: int, dbs_recheck_years: int
) -> list[tuple[ConsultantPublic, expiry.CheckStatus]]:
    """Each check of an approved consultant lapsed, missing or falling due within ``within_days``.

    The consultants are those the dashboard lists (``expiring_condition``); ``registry.expiry`` says
    which of their checks it is, so a consultant with two checks due appears twice.
    """
    found: list[tuple[ConsultantPublic, expiry.CheckStatus]] = []
    offset = 0
    while True:
        page = list_consultants(
            session=session,
            status=ConsultantStatus.approved,
            expiring_within_days=within_days,
            dbs_recheck_years=dbs_recheck_years,
            today=today,
            limit=DUE_PAGE,
            offset=offset,
        )
        for consultant in page.items:
            due = expiry.falling_due(
                consultant, today=today, within_days=within_days, dbs_recheck_years=dbs_recheck_years
            )
            found += [(consultant, status) for status in due]
        offset += DUE_PAGE
        if offset >= page.total:
            return found


def record_reminder(
    *,
    session: Session,
    consultant_id: int,
    check: expiry.Check,
    actor: str,
    today: date,
    dbs_recheck_years: int,
) -> tuple[ConsultantPublic, expiry.CheckStatus]:
    """Record (in the audit log) that ``actor`` asked the consultant to renew ``check``, by Slack message.

    Conflict if the consultant has no Slack account on record, since the reminder could not reach them.
    """
    with atomic(session=session):
        consultant = _public(_consultant(session, consultant_id))
        if not consultant.slack_user_id:
            raise Conflict(
                f"{consultant.name} has no Slack account on record, so they cannot be reminded by direct "
                f"message: write to {consultant.email}, or add their Slack member id to their record.",
                findings=[{"field": "slack_user_id", "consultant_id": consultant_id}],
            )
        checks = expiry.statuses(consultant, today=today, within_days=0, dbs_recheck_years=dbs_recheck_years)
        status = next(s for s in checks if s.check == check)
        _audit(
            session,
            actor=actor,
            action="consultant.remind",
            entity="consultant",
            entity_id=consultant_id,
            after={"check": check.value, "due": status.due, "channel": "slack"},
        )
    return consultant, status


def count_consultants(*, session: Session) -> int:
    """How many consultants there are, whatever their status."""
    return session.exec(select(func.count()).select_from(Consultant)).one()


def get_consultant(*, session: Session, consultant_id: int) -> ConsultantDetail:
    """A consultant with their engagements, interests, accreditations and review records."""
    consultant = _consultant(session, consultant_id)
    return ConsultantDetail(
        **_public(consultant).model_dump(),
        engagements=list_engagements(session=session, consultant_id=consultant_id),
        interests=list_interests(session=session, consultant_id=consultant_id),
        accreditations=list_accreditations(session=session, consultant_id=consultant_id),
        reviews=list_reviews(session=session, consultant_id=consultant_id),
        away=list_absences(session=session, consultant_id=consultant_id),
    )


def create_consultant(*, session: Session, data: ConsultantCreate, actor: str) -> ConsultantPublic:
    """Add a consultant as an applicant; Conflict if the email or the Slack member id is taken."""
    with atomic(session=session):
        _email_free(session, data.email, consultant_id=None)
        slack_ids.claim(session, data.slack_user_id)
        consultant = Consultant.model_validate(data.model_dump())
        consultant.slack_user_id = data.slack_user_id
        session.add(consultant)
        slack_ids.flush_claiming(session, data.slack_user_id)
        public = _public(consultant)
        _audit(
            session,
            actor=actor,
            action="consultant.create",
            entity="consultant",
            entity_id=public.id,
            after=_json(public),
        )
    return public


def update_consultant(
    *, session: Session, consultant_id: int, data: ConsultantUpdate, actor: str
) -> ConsultantPublic:
    """Change the fields sent; Conflict if a new email or Slack member id is taken."""
    with atomic(session=session):
        consultant = _consultant(session, consultant_id, for_update=True)
        changes = data.model_dump(exclude_unset=True)
        _nulls_refused(Consultant.__table__, changes)  # type: ignore[arg-type]
        if changes.get("email"):
            _email_free(session, changes["email"], consultant_id=consultant_id)
        slack_ids.claim(session, changes.get("slack_user_id"), consultant_id=consultant_id)
        before = _public(consultant)
        for name, value in changes.items():
            setattr(consultant, name, value)
        consultant.updated_at = utcnow()
        session.add(consultant)
        slack_ids.flush_claiming(session, changes.get("slack_user_id"))
        after = _public(consultant)
        _audit(
            session,
            actor=actor,
            action="consultant.update",
            entity="consultant",
            entity_id=consultant_id,
            before=_json(before),
            after=_json(after),
        )
    return after


def delete_consultant(*, session: Session, consultant_id: int, actor: str) -> None:
    """Delete an applicant added by mistake; anyone once approved is removed instead, keeping history."""
    with atomic(session=session):
        consultant = _consultant(session, consultant_id, for_update=True)
        if consultant.status != ConsultantStatus.applied:
            raise Conflict(
                f"Only an applicant can be deleted; this consultant is {consultant.status}. "
                f"Use POST /api/v1/consultants/{consultant_id}/remove, which keeps their history.",
                findings=[{"field": "status", "status": consultant.status}],
            )
        before = get_consultant(session=session, consultant_id=consultant_id)
        for table in (Engagement, Interest, ConsultantAccreditation, ReviewRecord, Absence):
            session.exec(delete(table).where(col(table.consultant_id) == consultant_id))  # type: ignore[call-overload]
        session.delete(consultant)
        _audit(
            session,
            actor=actor,
            action="consultant.delete",
            entity="consultant",
            entity_id=consultant_id,
            before=_json(before),
        )


def change_status(
    *,
    session: Session,
    consultant_id: int,
    action: Action,
    reason: str,
    actor: str,
    today: date | None = None,
    reapproval_years: int = DEFAULT_REAPPROVAL_YEARS,
) -> ConsultantPublic:
    """Approve, suspend, remove or reinstate, with a reason; NotAllowed names the actions open instead.

    Approval (and re-approval, and reinstatement after removal) sets ``approved_on`` to ``today`` and
    ``reapproval_due`` ``reapproval_years`` later; see ``registry.lifecycle``.
    """
    action = Action(action)
    with atomic(session=session):
        consultant = _consultant(session, consultant_id, for_update=True)
        status = ConsultantStatus(consultant.status)
        target = lifecycle.check(action, status)
        before = _public(consultant)
        approval = lifecycle.approval_after(
            action,
            status=status,
            current=Approval(consultant.approved_on, consultant.reapproval_due),
            today=today or date.today(),
            reapproval_years=reapproval_years,
        )
        consultant.status = target
        consultant.status_reason = reason.strip()
        consultant.approved_on, consultant.reapproval_due = approval.approved_on, approval.reapproval_due
        consultant.updated_at = utcnow()
        session.add(consultant)
        session.flush()
        after = _public(consultant)
        _audit(
            session,
            actor=actor,
            action=f"consultant.{action.value}",
            entity="consultant",
            entity_id=consultant_id,
            before=_json(before),
            after=_json(after),
        )
    return after


# Engagements -----------------------------------------------------------------------------------


def _engagement(session: Session, consultant_id: int, engagement_id: int) -> Engagement:
    engagement = session.get(Engagement, engagement_id)
    if engagement is None or engagement.consultant_id != consultant_id:
        raise NotFound(f"Consultant {consultant_id} has no engagement {engagement_id}.")
    return engagement


def _engagement_public(engagement: Engagement) -> EngagementPublic:
    return EngagementPublic.model_validate(engagement, from_attributes=True)


def list_engagements(*, session: Session, consultant_id: int) -> list[EngagementPublic]:
    """A consultant's engagements, oldest first (unknown starts first)."""
    _consultant(session, consultant_id)
    query = (
        select(Engagement)
        .where(Engagement.consultant_id == consultant_id)
        .order_by(col(Engagement.start_date).is_not(None), col(Engagement.start_date), col(Engagement.id))
    )
    return [_engagement_public(engagement) for engagement in session.exec(query)]


def add_engagement(
    *, session: Session, consultant_id: int, data: EngagementCreate, actor: str
) -> EngagementPublic:
    """Record a tie with an agency, named by id, name or alias; Invalid if no agency has that name."""
    with atomic(session=session):
        _consultant(session, consultant_id)
        agency_id = _agency_id(session, data.agency_id, field="agency_id")
        engagement = Engagement.model_validate(
            {**data.model_dump(), "agency_id": agency_id, "consultant_id": consultant_id}
        )
        session.add(engagement)
        session.flush()
        public = _engagement_public(engagement)
        _audit(
            session,
            actor=actor,
            action="engagement.add",
            entity="consultant",
            entity_id=consultant_id,
            after=_json(public),
        )
    return public


def update_engagement(
    *, session: Session, consultant_id: int, engagement_id: int, data: EngagementUpdate, actor: str
) -> EngagementPublic:
    """Change an engagement (end it, confirm it, correct it)."""
    with atomic(session=session):
        engagement = _engagement(session, consultant_id, engagement_id)
        changes = data.model_dump(exclude_unset=True)
        _nulls_refused(Engagement.__table__, changes)  # type: ignore[arg-type]
        before = _engagement_public(engagement)
        for name, value in changes.items():
            setattr(engagement, name, value)
        _dates_in_order(
            engagement.start_date, engagement.end_date, start_name="start_date", end_name="end_date"
        )
        session.add(engagement)
        session.flush()
        after = _engagement_public(engagement)
        _audit(
            session,
            actor=actor,
            action="engagement.update",
            entity="consultant",
            entity_id=consultant_id,
            before=_json(before),
            after=_json(after),
        )
    return after


def delete_engagement(*, session: Session, consultant_id: int, engagement_id: int, actor: str) -> None:
    """Delete an engagement recorded in error (an ended tie is ended, not deleted)."""
    with atomic(session=session):
        engagement = _engagement(session, consultant_id, engagement_id)
        before = _engagement_public(engagement)
        session.delete(engagement)
        _audit(
            session,
            actor=actor,
            action="engagement.delete",
            entity="consultant",
            entity_id=consultant_id,
            before=_json(before),
        )


def engagements_since(
    *,
    session: Session,
    agency_ids: Iterable[str],
    kinds: Iterable[EngagementKind],
    since: date,
    consultant_ids: Iterable[int] | None = None,
) -> list[EngagementPublic]:
    """Engagements of ``kinds`` with ``agency_ids`` still running on or after ``since`` (open ones included).

    The conflict checks' one query: it walks the index on (agency_id, kind, end_date). An unknown
    start date does not matter; an engagement counts by its end. ``consultant_ids`` narrows it to
    some consultants. Unconfirmed (self-declared) engagements are included, with ``confirmed`` false.
    """
    agencies, kind_values = list(agency_ids), [EngagementKind(kind).value for kind in kinds]
    if not agencies or not kind_values:
        return []
    query = (
        select(Engagement)
        .where(col(Engagement.agency_id).in_(agencies))
        .where(col(Engagement.kind).in_(kind_values))
        .where(or_(col(Engagement.end_date).is_(None), col(Engagement.end_date) >= since))
        .order_by(col(Engagement.consultant_id), col(Engagement.id))
    )
    if consultant_ids is not None:
        query = query.where(col(Engagement.consultant_id).in_(list(consultant_ids)))
    return [_engagement_public(engagement) for engagement in session.exec(query)]


# Interests, accreditations, review records -----------------------------------------------------


def _child(session: Session, table: type[SQLModel], consultant_id: int, child_id: int, noun: str) -> Any:
    row = session.get(table, child_id)
    if row is None or row.consultant_id != consultant_id:  # type: ignore[attr-defined]
        raise NotFound(f"Consultant {consultant_id} has no {noun} {child_id}.")
    return row


def _children(
    session: Session, table: Any, public: type[SQLModel], consultant_id: int, *order: Any
) -> list[Any]:
    _consultant(session, consultant_id)
    query = select(table).where(table.consultant_id == consultant_id).order_by(*order, table.id)
    return [public.model_validate(row, from_attributes=True) for row in session.exec(query)]


def _add_child(
    session: Session,
    *,
    table: Any,
    public: type[SQLModel],
    consultant_id: int,
    values: dict[str, Any],
    actor: str,
    noun: str,
) -> Any:
    row = table.model_validate({**values, "consultant_id": consultant_id})
    session.add(row)
    session.flush()
    result = public.model_validate(row, from_attributes=True)
    _audit(
        session,
        actor=actor,
        action=f"{noun}.add",
        entity="consultant",
        entity_id=consultant_id,
        after=_json(result),
    )
    return result


def _delete_child(
    session: Session,
    *,
    table: Any,
    public: type[SQLModel],
    consultant_id: int,
    child_id: int,
    actor: str,
    noun: str,
) -> None:
    with atomic(session=session):
        row = _child(session, table, consultant_id, child_id, noun)
        before = public.model_validate(row, from_attributes=True)
        session.delete(row)
        _audit(
            session,
            actor=actor,
            action=f"{noun}.delete",
            entity="consultant",
            entity_id=consultant_id,
            before=_json(before),
        )


def list_interests(*, session: Session, consultant_id: int) -> list[InterestPublic]:
    """A consultant's declared interests, oldest first."""
    return _children(session, Interest, InterestPublic, consultant_id, Interest.declared_on)


def add_interest(*, session: Session, consultant_id: int, data: InterestCreate, actor: str) -> InterestPublic:
    """Record a declared interest; its agency, if any, named by id, name or alias."""
    with atomic(session=session):
        _consultant(session, consultant_id)
        values = data.model_dump()
        if data.agency_id is not None:
            values["agency_id"] = _agency_id(session, data.agency_id, field="agency_id")
        return _add_child(
            session,
            table=Interest,
            public=InterestPublic,
            consultant_id=consultant_id,
            values=values,
            actor=actor,
            noun="interest",
        )


def delete_interest(*, session: Session, consultant_id: int, interest_id: int, actor: str) -> None:
    _delete_child(
        session,
        table=Interest,
        public=InterestPublic,
        consultant_id=consultant_id,
        child_id=interest_id,
        actor=actor,
        noun="interest",
    )


def list_absences(
    *, session: Session, consultant_id: int, ending_from: date | None = None
) -> list[AbsencePublic]:
    """A consultant's periods away in date order; with ``ending_from``, only those not over before it."""
    query = select(Absence).where(Absence.consultant_id == consultant_id)
    if ending_from is not None:
        query = query.where(col(Absence.end_date) >= ending_from)
    _consultant(session, consultant_id)
    rows = session.exec(query.order_by(col(Absence.start_date), col(Absence.id)))
    return [AbsencePublic.model_validate(row, from_attributes=True) for row in rows]


def list_accreditations(*, session: Session, consultant_id: int) -> list[AccreditationPublic]:
    """A consultant's accreditations and training, oldest first."""
    return _children(
        session,
        ConsultantAccreditation,
        AccreditationPublic,
        consultant_id,
        ConsultantAccreditation.awarded_on,
    )


def add_accreditation(
    *, session: Session, consultant_id: int, data: AccreditationCreate, actor: str
) -> AccreditationPublic:
    with atomic(session=session):
        _consultant(session, consultant_id)
        return _add_child(
            session,
            table=ConsultantAccreditation,
            public=AccreditationPublic,
            consultant_id=consultant_id,
            values=data.model_dump(),
            actor=actor,
            noun="accreditation",
        )


def delete_accreditation(*, session: Session, consultant_id: int, accreditation_id: int, actor: str) -> None:
    _delete_child(
        session,
        table=ConsultantAccreditation,
        public=AccreditationPublic,
        consultant_id=consultant_id,
        child_id=accreditation_id,
        actor=actor,
        noun="accreditation",
    )


def list_reviews(*, session: Session, consultant_id: int) -> list[ReviewRecordPublic]:
    """A consultant's review records, oldest first."""
    return _children(session, ReviewRecord, ReviewRecordPublic, consultant_id, ReviewRecord.started_on)


def add_review(
    *, session: Session, consultant_id: int, data: ReviewRecordCreate, actor: str
) -> ReviewRecordPublic:
    with atomic(session=session):
        _consultant(session, consultant_id)
        return _add_child(
            session,
            table=ReviewRecord,
            public=ReviewRecordPublic,
            consultant_id=consultant_id,
            values=data.model_dump(),
            actor=actor,
            noun="review",
        )


def update_review(
    *, session: Session, consultant_id: int, review_id: int, data: ReviewRecordUpdate, actor: str
) -> ReviewRecordPublic:
    """Change a review record: typically its completion date, rating and comment."""
    with atomic(session=session):
        review = _child(session, ReviewRecord, consultant_id, review_id, "review")
        changes = data.model_dump(exclude_unset=True)
        _nulls_refused(ReviewRecord.__table__, changes)  # type: ignore[arg-type]
        before = ReviewRecordPublic.model_validate(review, from_attributes=True)
        for name, value in changes.items():
            setattr(review, name, value)
        _dates_in_order(
            review.started_on, review.completed_on, start_name="started_on", end_name="completed_on"
        )
        session.add(review)
        session.flush()
        after = ReviewRecordPublic.model_validate(review, from_attributes=True)
        _audit(
            session,
            actor=actor,
            action="review.update",
            entity="consultant",
            entity_id=consultant_id,
            before=_json(before),
            after=_json(after),
        )
    return after


def delete_review(*, session: Session, consultant_id: int, review_id: int, actor: str) -> None:
    _delete_child(
        session,
        table=ReviewRecord,
        public=ReviewRecordPublic,
        consultant_id=consultant_id,
        child_id=review_id,
        actor=actor,
        noun="review",
    )


# CSV import and export -------------------------------------------------------------------------


def _records(
    session: Session, consultants: Sequence[Consultant], *, everyone: bool
) -> dict[int, dict[str, Any]]:
    """Consultants as the CSV holds them, keyed by id; three queries however many there are."""
    ids = [c.id for c in consultants if c.id is not None]
    engagements: dict[int, list[EngagementItem]] = defaultdict(list)
    accreditations: dict[int, list[AccreditationItem]] = defaultdict(list)
    engagement_query = select(Engagement)
    accreditation_query = select(ConsultantAccreditation)
    if not everyone:
        engagement_query = engagement_query.where(col(Engagement.consultant_id).in_(ids))
        accreditation_query = accreditation_query.where(col(ConsultantAccreditation.consultant_id).in_(ids))
    for engagement in session.exec(engagement_query):
        engagements[engagement.consultant_id].append(_engagement_item(engagement))
    for accreditation in session.exec(accreditation_query):
        accreditations[accreditation.consultant_id].append(_accreditation_item(accreditation))
    return {
        c.id: _as_record(c, engagements[c.id], accreditations[c.id]) for c in consultants if c.id is not None
    }


def _engagement_item(e: Engagement) -> EngagementItem:
    return EngagementItem(e.agency_id, str(e.kind), e.role_title, e.start_date, e.end_date, e.confirmed)


def _accreditation_item(a: ConsultantAccreditation) -> AccreditationItem:
    return AccreditationItem(str(a.name), a.awarded_on, a.expires_on)


def _as_record(
    c: Consultant, engagements: list[EngagementItem], accreditations: list[AccreditationItem]
) -> dict[str, Any]:
    record: dict[str, Any] = {column: getattr(c, column) for column in importer.CONSULTANT_COLUMNS}
    record["status"] = ConsultantStatus(c.status)
    for column in importer.LIST_COLUMNS:
        record[column] = list(record[column])
    record["engagements"] = importer.sorted_engagements(engagements)
    record["accreditations"] = importer.sorted_accreditations(accreditations)
    return record


def export_csv(*, session: Session) -> str:
    """Every consultant as CSV (``registry.importer``), by email; ``import_csv`` reads it back unchanged."""
    consultants = list(session.exec(select(Consultant).order_by(col(Consultant.email))))
    records = _records(session, consultants, everyone=True)
    return importer.to_csv(records[c.id] for c in consultants if c.id is not None)


def _invalid(problems: list[Problem]) -> Invalid:
    rows = sorted({p.row for p in problems if p.row is not None})
    where = f" on {len(rows)} rows" if rows else ""
    return Invalid(
        f"The file has {len(problems)} problems{where}; nothing was imported.",
        problems=[problem.to_json() for problem in problems],
    )


def import_csv(
    *,
    session: Session,
    text: str,
    actor: str,
    max_rows: int,
    dry_run: bool = False,
    today: date | None = None,
    reapproval_years: int = DEFAULT_REAPPROVAL_YEARS,
) -> ImportReport:
    """Create or update consultants from CSV, matched on email, all or nothing.

    Every row is checked before anything is written; Invalid lists each problem with its row and
    column. A row that matches what is stored changes nothing and records no audit event, so
    re-importing a file (or an export) is a no-op. A status column may move an existing consultant
    only along an allowed action (``registry.lifecycle``). With ``dry_run`` nothing is written and
    the report says what would happen.
    """
    parsed = importer.parse(text, agencies=agency_directory(session=session), max_rows=max_rows)
    if parsed.problems:
        raise _invalid(parsed.problems)
    emails = [row.email for row in parsed.rows]
    existing = {c.email: c for c in session.exec(select(Consultant).where(col(Consultant.email).in_(emails)))}
    records = _records(session, list(existing.values()), everyone=False)
    problems: list[Problem] = []
    outcomes: list[RowOutcome] = []
    for row in parsed.rows:
        current = existing.get(row.email)
        if current is None:
            outcomes.append(RowOutcome(row=row.number, email=row.email, action="create"))
            continue
        changed = importer.changes(row.values, records[current.id or 0])
        if "status" in changed:
            status, target = ConsultantStatus(current.status), row.values["status"]
            if lifecycle.action_between(status, target) is None:
                allowed = ", ".join(lifecycle.allowed_actions(status))
                problems.append(
                    Problem(
                        row.number,
                        "status",
                        f"a consultant who is {status} cannot become {target}; allowed: {allowed}.",
                    )
                )
        outcomes.append(
            RowOutcome(
                row=row.number, email=row.email, action="update" if changed else "unchanged", changed=changed
            )
        )
    clashes = _slack_id_problems(session, parsed.rows, existing)
    if problems:
        raise _invalid(problems + clashes)
    if clashes:
        rows = "1 row gives" if len(clashes) == 1 else f"{len(clashes)} rows give"
        raise Clash(
            f"{rows} a Slack member id that belongs to someone else; nothing was imported.",
            problems=[problem.to_json() for problem in clashes],
        )
    if not dry_run:
        with atomic(session=session):
            today = today or date.today()
            for row, outcome in zip(parsed.rows, outcomes, strict=True):
                current = existing.get(row.email)
                if current is None:
                    _import_create(
                        session, row.values, actor=actor, today=today, reapproval_years=reapproval_years
                    )
                elif outcome.changed:
                    _import_update(
                        session,
                        current,
                        row.values,
                        before=records[current.id or 0],
                        actor=actor,
                        today=today,
                        reapproval_years=reapproval_years,
                    )
    counts = {
        action: sum(o.action == action for o in outcomes) for action in ("create", "update", "unchanged")
    }
    return ImportReport(
        dry_run=dry_run,
        created=counts["create"],
        updated=counts["update"],
        unchanged=counts["unchanged"],
        rows=outcomes,
    )


def _slack_id_problems(
    session: Session, rows: Sequence[importer.Row], existing: dict[str, Consultant]
) -> list[Problem]:
    """Rows giving a consultant a Slack member id that another record holds, or that an earlier row
    gives someone else: checked before writing, so the dry run refuses what the import would."""
    held = slack_ids.holders(
        session, (row.values["slack_user_id"] for row in rows if row.values.get("slack_user_id"))
    )
    first_row: dict[str, int] = {}
    problems = []
    for row in rows:
        slack_user_id = row.values.get("slack_user_id")
        if not slack_user_id:
            continue
        current = existing.get(row.email)
        holder = held.get(slack_user_id)
        if holder is not None and not holder.is_record(consultant_id=current.id if current else None):
            message = slack_ids.taken_message(slack_user_id, holder)
        elif slack_user_id in first_row:
            message = (
                f"{slack_user_id} is also on row {first_row[slack_user_id]}: one Slack account is linked "
                "to one person."
            )
        else:
            first_row[slack_user_id] = row.number
            continue
        problems.append(Problem(row.number, "slack_user_id", message))
    return problems


_DIRECT = frozenset(importer.CONSULTANT_FIELDS | {"status_reason", "approved_on", "reapproval_due"})


def _import_create(
    session: Session, values: dict[str, Any], *, actor: str, today: date, reapproval_years: int
) -> None:
    consultant = Consultant.model_validate(
        {k: v for k, v in values.items() if k in importer.CONSULTANT_FIELDS}
    )
    consultant.status = values.get("status", ConsultantStatus.applied)
    consultant.status_reason = values.get("status_reason")
    consultant.approved_on = values.get("approved_on")
    consultant.reapproval_due = values.get("reapproval_due")
    consultant.slack_user_id = values.get("slack_user_id")
    if consultant.status == ConsultantStatus.approved and consultant.approved_on is None:
        consultant.approved_on = today
    if consultant.approved_on is not None and consultant.reapproval_due is None:
        consultant.reapproval_due = lifecycle.add_years(consultant.approved_on, reapproval_years)
    session.add(consultant)
    slack_ids.flush_claiming(session, values.get("slack_user_id"))
    assert consultant.id is not None
    _sync_children(session, consultant.id, values)
    after = _records(session, [consultant], everyone=False)[consultant.id]
    _audit(
        session,
        actor=actor,
        action="consultant.import",
        entity="consultant",
        entity_id=consultant.id,
        after=_audit_record(after),
    )


def _import_update(
    session: Session,
    consultant: Consultant,
    values: dict[str, Any],
    *,
    before: dict[str, Any],
    actor: str,
    today: date,
    reapproval_years: int,
) -> None:
    assert consultant.id is not None
    if "status" in values and values["status"] != consultant.status:
        status = ConsultantStatus(consultant.status)
        action = lifecycle.action_between(status, values["status"])
        assert action is not None  # checked before writing
        approval = lifecycle.approval_after(
            action,
            status=status,
            current=Approval(consultant.approved_on, consultant.reapproval_due),
            today=today,
            reapproval_years=reapproval_years,
        )
        consultant.status = values["status"]
        consultant.approved_on, consultant.reapproval_due = approval.approved_on, approval.reapproval_due
        consultant.status_reason = IMPORT_STATUS_REASON
    for name, value in values.items():
        if name in _DIRECT:
            setattr(consultant, name, value)
    consultant.updated_at = utcnow()
    session.add(consultant)
    slack_ids.flush_claiming(session, values.get("slack_user_id"))
    _sync_children(session, consultant.id, values)
    after = _records(session, [consultant], everyone=False)[consultant.id]
    _audit(
        session,
        actor=actor,
        action="consultant.import",
        entity="consultant",
        entity_id=consultant.id,
        before=_audit_record(before),
        after=_audit_record(after),
    )


def _sync_children(session: Session, consultant_id: int, values: dict[str, Any]) -> None:
    """Make a consultant's engagements and accreditations the row's, keeping matching rows and their ids."""
    if "engagements" in values:
        current = list(session.exec(select(Engagement).where(Engagement.consultant_id == consultant_id)))
        missing, extra = _matching(
            current,
            values["engagements"],
            _engagement_item,
        )
        session.add_all(Engagement(consultant_id=consultant_id, **asdict(item)) for item in missing)
        for engagement in extra:
            session.delete(engagement)
    if "accreditations" in values:
        current_accreditations = list(
            session.exec(
                select(ConsultantAccreditation).where(ConsultantAccreditation.consultant_id == consultant_id)
            )
        )
        missing, extra = _matching(
            current_accreditations,
            values["accreditations"],
            _accreditation_item,
        )
        session.add_all(
            ConsultantAccreditation(consultant_id=consultant_id, **asdict(item)) for item in missing
        )
        for row in extra:
            session.delete(row)
    session.flush()


def _matching(current: list[Any], wanted: Iterable[Any], as_item: Any) -> tuple[list[Any], list[Any]]:
    """Which wanted items have no stored row yet, and which stored rows are no longer wanted."""
    unmatched: dict[Any, list[Any]] = defaultdict(list)
    for row in current:
        unmatched[as_item(row)].append(row)
    missing = []
    for item in wanted:
        if unmatched.get(item):
            unmatched[item].pop()
        else:
            missing.append(item)
    return missing, [row for rows in unmatched.values() for row in rows]


def _audit_record(record: dict[str, Any]) -> dict[str, Any]:
    """A CSV record as JSON for the audit log: engagements and accreditations as their CSV cells."""
    return {
        **record,
        "engagements": [importer.cell("engagements", [item]) for item in record["engagements"]],
        "accreditations": [importer.cell("accreditations", [item]) for item in record["accreditations"]],
    }
