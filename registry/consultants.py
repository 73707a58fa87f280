"""The consultants on the approved list: finding them, adding and changing them, and their status.

Consultants move between statuses only by explicit actions, each with a reason (``registry.lifecycle``).
Conventions as in ``registry.changes``.
"""

from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, exists, func, or_, type_coerce
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import joinedload
from sqlmodel import Session, col, select

from core import clock
from core.clock import utcnow
from core.errors import Conflict, NotFound
from core.transaction import atomic
from registry import expiry, lifecycle, records, slack_ids
from registry.changes import audit_change, refuse_nulls
from registry.identities import OWN_WORKSPACE, SlackIdentity
from registry.lifecycle import Action, Approval
from registry.models import (
    Consultant,
    ConsultantCreate,
    ConsultantDetail,
    ConsultantPage,
    ConsultantPublic,
    ConsultantUpdate,
)
from registry.vocabulary import ConsultantStatus, Specialism

DEFAULT_DBS_RECHECK_YEARS = 3
DEFAULT_REAPPROVAL_YEARS = 3
# A consultant read to be shown is read with their Slack identity, in the same query.
_WITH_IDENTITY = joinedload(Consultant.slack_identity)  # type: ignore[arg-type]
# What a list shows of each consultant (``ConsultantPublic``), column by column, their Slack account last:
# the member id and its workspace (null for the deployment's own, as ``SlackHolder.slack_team_id`` says).
_SLACK_FIELDS = ("slack_user_id", "slack_team_id")
_LISTED_FIELDS = (
    *(name for name in ConsultantPublic.model_fields if name not in _SLACK_FIELDS),
    *_SLACK_FIELDS,
)
_LISTED = (
    *(getattr(Consultant, name) for name in _LISTED_FIELDS[: -len(_SLACK_FIELDS)]),
    SlackIdentity.slack_user_id,
    func.nullif(SlackIdentity.team_id, OWN_WORKSPACE),
)


def _consultant(session: Session, consultant_id: int, *, for_update: bool = False) -> Consultant:
    # Without a lock, ``get`` answers from the session when it already holds the consultant.
    if for_update:
        consultant = session.exec(
            select(Consultant).where(Consultant.id == consultant_id).with_for_update()
        ).first()
    else:
        consultant = session.get(Consultant, consultant_id, options=[_WITH_IDENTITY])
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
                today=today or clock.today(),
                within_days=expiring_within_days,
                dbs_recheck_years=dbs_recheck_years,
            )
        )
    # One scan gives the page and the total; only a page past the end needs a separate count. Plain rows:
    # ORM objects made only to be copied out cost a page more than its query.
    rows = (
        session.connection()
        .execute(
            select(*_LISTED, func.count().over())  # type: ignore[call-overload]
            .outerjoin(SlackIdentity, col(SlackIdentity.consultant_id) == col(Consultant.id))
            .where(*conditions)
            .order_by(col(Consultant.name), col(Consultant.id))
            .limit(limit)
            .offset(offset)
        )
        .all()
    )
    if rows:
        total = rows[0][-1]
    elif offset == 0:
        total = 0
    else:
        total = session.exec(select(func.count()).select_from(Consultant).where(*conditions)).one()
    items = [ConsultantPublic.model_validate(dict(zip(_LISTED_FIELDS, row, strict=False))) for row in rows]
    return ConsultantPage(items=items, total=total, limit=limit, offset=offset)


def lapsing(
    *, session: Session, today: date, within_days: int, dbs_recheck_years: int, limit: int, offset: int = 0
) -> ConsultantPage:
    """A page of the approved consultants with a check lapsed or lapsing within ``within_days``
    (``expiring_condition``), by name."""
    return list_consultants(
        session=session,
        status=ConsultantStatus.approved,
        expiring_within_days=within_days,
        dbs_recheck_years=dbs_recheck_years,
        today=today,
        limit=limit,
        offset=offset,
    )


DUE_PAGE = 200


def checks_falling_due(
    *, session: Session, today: date, within_days: int, dbs_recheck_years: int
) -> list[tuple[ConsultantPublic, expiry.CheckStatus]]:
    """Each check of an approved consultant lapsed, missing or falling due within ``within_days``.

    The consultants are those the dashboard lists (``lapsing``); ``registry.expiry`` says
    which of their checks it is, so a consultant with two checks due appears twice.
    """
    found: list[tuple[ConsultantPublic, expiry.CheckStatus]] = []
    offset = 0
    while True:
        page = lapsing(
            session=session,
            today=today,
            within_days=within_days,
            dbs_recheck_years=dbs_recheck_years,
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
        audit_change(
            session,
            "consultant.remind",
            consultant_id,
            actor=actor,
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
        engagements=records.list_records(
            session=session, kind=records.ENGAGEMENT, consultant_id=consultant_id
        ),
        interests=records.list_records(session=session, kind=records.INTEREST, consultant_id=consultant_id),
        accreditations=records.list_records(
            session=session, kind=records.ACCREDITATION, consultant_id=consultant_id
        ),
        reviews=records.list_records(session=session, kind=records.REVIEW, consultant_id=consultant_id),
        away=records.list_absences(session=session, consultant_id=consultant_id),
    )


def create_consultant(
    *, session: Session, data: ConsultantCreate, actor: str, slack_team: str = OWN_WORKSPACE
) -> ConsultantPublic:
    """Add a consultant as an applicant; Conflict if the email or the Slack account is taken.
    ``slack_team`` is the stored key of ``data.slack_team_id`` (``service.slack_settings.slack_team_key``)."""
    with atomic(session=session):
        _email_free(session, data.email, consultant_id=None)
        slack_ids.claim(session, data.slack_user_id, team_id=slack_team)
        consultant = Consultant.model_validate(data.model_dump(exclude={"slack_team_id"}))
        consultant.link_slack(data.slack_user_id, team_id=slack_team)
        session.add(consultant)
        slack_ids.flush_claiming(session, data.slack_user_id)
        public = _public(consultant)
        audit_change(session, "consultant.create", public.id, actor=actor, after=public)
    return public


def update_consultant(
    *, session: Session, consultant_id: int, data: ConsultantUpdate, actor: str, slack_team: str | None = None
) -> ConsultantPublic:
    """Change the fields sent; Conflict if a new email or Slack account is taken. A new Slack member id
    is in workspace ``slack_team`` (the stored key of ``data.slack_team_id``), or when that is None in the
    workspace of the id it replaces."""
    with atomic(session=session):
        consultant = _consultant(session, consultant_id, for_update=True)
        changes = data.model_dump(exclude_unset=True, exclude={"slack_team_id"})
        refuse_nulls(Consultant.__table__, changes)  # type: ignore[arg-type]
        if changes.get("email"):
            _email_free(session, changes["email"], consultant_id=consultant_id)
        team = slack_team or consultant.slack_team_key
        relinked = "slack_user_id" in changes
        slack_user_id = changes.pop("slack_user_id", None)
        slack_ids.claim(session, slack_user_id, team_id=team, consultant_id=consultant_id)
        before = _public(consultant)
        if relinked:
            consultant.link_slack(slack_user_id, team_id=team)
        for name, value in changes.items():
            setattr(consultant, name, value)
        consultant.updated_at = utcnow()
        session.add(consultant)
        slack_ids.flush_claiming(session, slack_user_id)
        after = _public(consultant)
        audit_change(session, "consultant.update", consultant_id, actor=actor, before=before, after=after)
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
        for kind in records.KINDS:
            session.exec(delete(kind.table).where(col(kind.table.consultant_id) == consultant_id))  # type: ignore[call-overload]
        session.delete(consultant)
        audit_change(session, "consultant.delete", consultant_id, actor=actor, before=before)


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
            today=today or clock.today(),
            reapproval_years=reapproval_years,
        )
        consultant.status = target
        consultant.status_reason = reason.strip()
        consultant.approved_on, consultant.reapproval_due = approval.approved_on, approval.reapproval_due
        consultant.updated_at = utcnow()
        session.add(consultant)
        session.flush()
        after = _public(consultant)
        audit_change(
            session, f"consultant.{action.value}", consultant_id, actor=actor, before=before, after=after
        )
    return after
