"""Consultants for the checks, loaded in a few queries: filter in SQL, then build the pure profiles.

The queries are the same whatever the list's size: the consultants (with their active-commission
count and average rating) in one; then only the engagements and interests touching the cases'
agencies, because a tie with any other agency cannot produce a finding; then periods away not yet
over, and recent commissions.
Commissions are commissioning's tables and matching never imports commissioning, so the caller
passes those two queries in as a ``Workload``.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Row, Select, Subquery, Text, cast, func, literal, or_
from sqlmodel import Session, col, select

from matching import profiles
from matching.policy import IndependencePolicy
from registry.lifecycle import add_years
from registry.models import (
    Absence,
    Agency,
    AgencyAlias,
    Consultant,
    Engagement,
    Interest,
    ReviewRecord,
    fold,
)
from registry.vocabulary import AgencyKind, ConsultantStatus, EngagementKind


@dataclass(frozen=True)
class Workload:
    """What commissioning knows about each consultant's work.

    ``active``: a subquery with columns ``consultant_id`` and ``active`` (places held).
    ``recent``: a query yielding ``consultant_id, id, on, area`` for commissions in the rotation window.
    ``either``: both in one query, for a caller that reads them at once: ``consultant_id, id, on, area,
    holds_place, recent`` for each commission that holds a place or falls in the window.
    ``params``: the values their parameters take, to run them (or a query using ``active``) with.
    """

    active: Subquery
    recent: Select  # type: ignore[type-arg]
    either: Select  # type: ignore[type-arg]
    params: Mapping[str, Any]


@dataclass(frozen=True)
class Agencies:
    """The agencies named by some cases, resolved, and the names no agency answers to."""

    directory: profiles.AgencyDirectory
    unknown: tuple[str, ...]

    def tied(self, contexts: Iterable[profiles.CaseContext]) -> set[str]:
        """The agency ids a tie with which could produce a finding for any of ``contexts``."""
        return {self.directory.resolve(name) for name in agency_names(contexts)} - set(self.unknown)


def agency_names(contexts: Iterable[profiles.CaseContext]) -> list[str]:
    """Every name ``contexts`` give an agency by: those involved, and each commissioning partnership."""
    return [
        name for context in contexts for name in (*context.agencies, context.commissioning_agency_id) if name
    ]


def resolve_agencies(*, session: Session, names: Iterable[str]) -> Agencies:
    """Resolve each name as ``registry.agencies.resolve_agency`` does (id, then alias, then name), in at most
    four queries for all of them rather than several per name; unknown names are listed, not dropped."""
    wanted = {name: fold(name) for name in dict.fromkeys(names)}
    found: dict[str, str] = {}  # folded name -> agency id
    by_id = session.exec(select(Agency.id).where(col(Agency.id).in_([name.strip() for name in wanted])))
    found.update((fold(agency_id), agency_id) for agency_id in by_id)
    missing = [folded for folded in wanted.values() if folded not in found]
    if missing:
        aliases = session.exec(select(AgencyAlias).where(col(AgencyAlias.alias).in_(missing)))
        found.update((alias.alias, alias.agency_id) for alias in aliases)
    missing = [folded for folded in wanted.values() if folded not in found]
    if missing:
        named = session.exec(select(Agency.id, Agency.name).where(func.lower(Agency.name).in_(missing)))
        found.update((fold(name), agency_id) for agency_id, name in named)
    rows = session.exec(
        select(Agency.id, Agency.name, Agency.area).where(col(Agency.id).in_(set(found.values())))
    ).all()
    display = {agency_id: name for agency_id, name, _ in rows}
    areas = {agency_id: area for agency_id, _, area in rows if area and area.strip()}
    unknown = tuple(folded for folded in wanted.values() if folded not in found)
    return Agencies(profiles.AgencyDirectory(aliases=found, names=display, areas=areas), unknown)


def partnership_for(*, session: Session, area: str) -> str | None:
    """The safeguarding partnership (or board) recorded for ``area``, if there is one."""
    query = (
        select(Agency.id)
        .where(col(Agency.kind) == AgencyKind.safeguarding_partnership.value)
        .where(func.lower(Agency.area) == area.strip().lower())
        .order_by(col(Agency.id))
    )
    return session.exec(query).first()


def available(*, policy: IndependencePolicy, today: date) -> list[ColumnElement[bool]]:
    """The SQL side of the vetting checks: approved, with a DBS check, insurance and registration current.

    It may let through a consultant the pure checks then exclude (a DBS check from 29 February), never
    the reverse, so the checks stay the one source of truth.
    """
    conditions = [
        col(Consultant.status) == ConsultantStatus.approved.value,
        col(Consultant.dbs_check_date) >= add_years(today, -policy.dbs_recheck_years),
    ]
    insurance = col(Consultant.insurance_expiry) >= today
    registration = col(Consultant.registration_expiry) >= today
    absent_insurance, absent_registration = (
        col(Consultant.insurance_expiry).is_(None),
        col(Consultant.registration_expiry).is_(None),
    )
    conditions.append(insurance if policy.insurance_required else or_(absent_insurance, insurance))
    conditions.append(
        registration if policy.registration_required else or_(absent_registration, registration)
    )
    return conditions


def is_available(*, policy: IndependencePolicy, today: date) -> Callable[[profiles.ConsultantProfile], bool]:
    """``available`` over profiles already in memory (``matching.profile_cache``): the same conditions."""
    dbs_from = add_years(today, -policy.dbs_recheck_years)
    insurance_required, registration_required = policy.insurance_required, policy.registration_required

    def test(profile: profiles.ConsultantProfile) -> bool:
        dbs, insurance, registration = (
            profile.dbs_check_date,
            profile.insurance_expiry,
            profile.registration_expiry,
        )
        return (
            profile.status == ConsultantStatus.approved
            and dbs is not None
            and dbs >= dbs_from
            and (not insurance_required if insurance is None else insurance >= today)
            and (not registration_required if registration is None else registration >= today)
        )

    return test


def profile_query(workload: Workload | None) -> tuple[Select, ColumnElement[int]]:  # type: ignore[type-arg]
    """The consultants' columns ``profiles_of`` reads, and the places each holds (0 without ``workload``)."""
    ratings = (
        select(
            col(ReviewRecord.consultant_id).label("consultant_id"),
            func.avg(ReviewRecord.rating).label("mean"),
            func.count(col(ReviewRecord.rating)).label("rated"),
        )
        .where(col(ReviewRecord.rating).is_not(None))
        .group_by(col(ReviewRecord.consultant_id))
        .subquery()
    )
    active = literal(0) if workload is None else func.coalesce(workload.active.c.active, 0)
    query = select(  # type: ignore[call-overload]
        Consultant.id,
        Consultant.name,
        Consultant.status,
        Consultant.capacity,
        active,
        Consultant.dbs_check_date,
        Consultant.registration_expiry,
        Consultant.insurance_expiry,
        *(cast(column, Text) for column in (Consultant.specialisms, Consultant.languages, Consultant.areas)),
        ratings.c.mean,
        func.coalesce(ratings.c.rated, 0),
    )
    if workload is not None:
        query = query.outerjoin(workload.active, workload.active.c.consultant_id == Consultant.id)
    return query.outerjoin(ratings, ratings.c.consultant_id == Consultant.id), active


def profiles_of(
    rows: Sequence[Row[Any]],
    *,
    engagements: Mapping[int, tuple[profiles.Engagement, ...]],
    interests: Mapping[int, tuple[profiles.Interest, ...]],
    away: Mapping[int, tuple[profiles.Away, ...]],
    recent: Mapping[int, Sequence[profiles.PastCommission]],
) -> list[profiles.ConsultantProfile]:
    """Profiles from ``profile_query``'s rows and each consultant's records."""
    if not rows:
        return []
    # The three JSON lists of every row decoded in one json.loads: thousands of small decodes cost more.
    lists = orjson.loads("[" + ",".join(f"[{row[8]},{row[9]},{row[10]}]" for row in rows) + "]")
    statuses = {status.value: status for status in ConsultantStatus}
    # One set for each distinct list: consultants share them, and the ranking looks its points up by them.
    shared: dict[frozenset[str], frozenset[str]] = {}

    def one(values: list[str]) -> frozenset[str]:
        found = frozenset(values)
        return shared.setdefault(found, found)

    return [
        profiles.ConsultantProfile(
            id=cid,
            name=name,
            status=statuses[status],
            capacity=capacity,
            active_commissions=held,
            dbs_check_date=dbs,
            registration_expiry=registration,
            insurance_expiry=insurance,
            engagements=engagements.get(cid, ()),
            interests=interests.get(cid, ()),
            specialisms=one(specialisms),
            languages=one(languages),
            areas=one(areas),
            mean_rating=None if mean is None else float(mean),
            rated_reviews=rated,
            recent_commissions=tuple(recent.get(cid, ())),
            away=away.get(cid, ()),
        )
        for (cid, name, status, capacity, held, dbs, registration, insurance, *_, mean, rated), (
            specialisms,
            languages,
            areas,
        ) in zip(rows, lists, strict=True)
    ]


def load_profiles(
    *,
    session: Session,
    contexts: Sequence[profiles.CaseContext],
    agencies: Agencies,
    policy: IndependencePolicy,
    today: date,
    workload: Workload,
    available_only: bool = True,
    consultant_ids: Sequence[int] | None = None,
) -> list[profiles.ConsultantProfile]:
    """Profiles of the consultants to check against ``contexts``, read afresh (a shortlist reads them
    through ``matching.profile_cache``).

    ``available_only`` keeps those the SQL filter lets through (status, capacity, current checks);
    otherwise everyone not removed from the list is loaded, so a summary can say what excludes them.
    ``consultant_ids`` loads just those consultants, whatever their status.
    """
    query, active = profile_query(workload)
    if available_only:
        query = query.where(*available(policy=policy, today=today), active < col(Consultant.capacity))
    if consultant_ids is not None:
        query = query.where(col(Consultant.id).in_(consultant_ids))
    elif not available_only:
        query = query.where(col(Consultant.status) != ConsultantStatus.removed.value)
    connection = session.connection()
    rows = connection.execute(query, dict(workload.params)).all()  # Core rows: no ORM bookkeeping per row
    if not rows:
        return []
    ties = _ties(session, contexts, agencies, consultant_ids)
    recent: defaultdict[int, list[profiles.PastCommission]] = defaultdict(list)
    for consultant_id, commission_id, on, area in connection.execute(workload.recent, dict(workload.params)):
        recent[consultant_id].append(past_commission(commission_id, on, area))
    return profiles_of(
        rows,
        engagements=ties.engagements,
        interests=ties.interests,
        away=_away(session, today, consultant_ids),
        recent=recent,
    )


def past_commission(commission_id: int, on: date | datetime, area: str | None) -> profiles.PastCommission:
    """A commission as rotation counts it: when it was made (a day), and for which area."""
    return profiles.PastCommission(commission_id, _day(on), area)


def _day(value: date) -> date:
    """A commission's time of creation as a day."""
    return value.date() if isinstance(value, datetime) else value


@dataclass(frozen=True)
class _Ties:
    engagements: dict[int, tuple[profiles.Engagement, ...]]
    interests: dict[int, tuple[profiles.Interest, ...]]


def _ties(
    session: Session,
    contexts: Sequence[profiles.CaseContext],
    agencies: Agencies,
    consultant_ids: Sequence[int] | None,
) -> _Ties:
    tied = agencies.tied(contexts)
    # Plain columns, not registry.records.engagements_since: that builds an ORM object and a validated
    # Public model per row (about 25 us), and a registry where most reviewers are local has tens of
    # thousands of ties with a case's agencies. Same index: (agency_id, kind, end_date).
    query = select(
        Engagement.consultant_id,
        Engagement.id,
        Engagement.agency_id,
        Engagement.kind,
        Engagement.start_date,
        Engagement.end_date,
        Engagement.confirmed,
    ).where(col(Engagement.agency_id).in_(tied))
    if consultant_ids is not None:
        query = query.where(col(Engagement.consultant_id).in_(consultant_ids))
    kinds = {kind.value: kind for kind in EngagementKind}
    engagements: defaultdict[int, list[profiles.Engagement]] = defaultdict(list)
    rows = session.connection().execute(query).all()
    for consultant_id, engagement_id, agency_id, kind, start, end, confirmed in rows:
        engagements[consultant_id].append(
            profiles.Engagement(engagement_id, agency_id, kinds[kind], start, end, confirmed)
        )
    refs = [context.ref for context in contexts]
    query = select(Interest).where(or_(col(Interest.case_ref).in_(refs), col(Interest.agency_id).in_(tied)))
    if consultant_ids is not None:
        query = query.where(col(Interest.consultant_id).in_(consultant_ids))
    interests: defaultdict[int, list[profiles.Interest]] = defaultdict(list)
    for interest in session.exec(query):
        interests[interest.consultant_id].append(
            profiles.Interest(
                interest.id,  # type: ignore[arg-type]
                interest.text,
                interest.declared_on,
                interest.agency_id,
                interest.case_ref,
                interest.confirmed,
            )
        )
    return _Ties(
        {key: tuple(value) for key, value in engagements.items()},
        {key: tuple(value) for key, value in interests.items()},
    )


def _away(
    session: Session, today: date, consultant_ids: Sequence[int] | None
) -> dict[int, tuple[profiles.Away, ...]]:
    """Periods away not yet over (few: people record them ahead), by consultant."""
    query = select(Absence.consultant_id, Absence.id, Absence.start_date, Absence.end_date).where(
        col(Absence.end_date) >= today
    )
    if consultant_ids is not None:
        query = query.where(col(Absence.consultant_id).in_(consultant_ids))
    away: defaultdict[int, list[profiles.Away]] = defaultdict(list)
    for consultant_id, absence_id, start, end in session.exec(query.order_by(col(Absence.start_date))):
        away[consultant_id].append(profiles.Away(absence_id, start, end))
    return {key: tuple(value) for key, value in away.items()}
