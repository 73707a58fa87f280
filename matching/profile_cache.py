"""A per-process copy of the approved list as shortlists read it, trusted only at the list's version.

What a shortlist reads about consultants changes rarely: their profiles (status, checks, capacity,
specialisms, languages, areas, ratings), the agencies and their aliases, declared interests, periods
away, and ties with agencies. Reading and decoding all of it for every request was most of a
shortlist's cost. One copy is kept per engine (so per process), labelled with ``registry.version``: a
request reads that one number, and uses the copy only if it matches; otherwise it reads the list afresh
(one thread does, the others wait for it). Every committed write to the list raises the number, so a
write made by any process, on any replica, is seen by the next request in every process.

Only the shared list is kept; nothing about a case is. What depends on the case is picked out for each
request (the ties with its agencies, interests in its reference or its agencies), and what changes as
consultants are commissioned (places held, recent commissions) is read for each request through the
caller's ``Workload``. Ties are read agency by agency, the first time a case names the agency, so the
copy holds the ties of the agencies cases involve rather than every tie on the list.
"""

import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, select
from sqlmodel import Session, col

from core.metrics import cache_event
from matching import candidates, profiles
from matching.candidates import Agencies, Workload
from matching.policy import IndependencePolicy
from registry import version
from registry.models import Absence, Agency, AgencyAlias, Consultant, Engagement, Interest, fold
from registry.vocabulary import AgencyKind, ConsultantStatus, EngagementKind

_AVAILABLE_KEPT = 8  # filtered lists kept per copy: one per day and vetting policy in use
_GROUPS_KEPT = 1024  # consultants' ties grouped for a set of agencies, kept per copy
# Its name in ``scr_cache_events_total``: "hit" (the copy was current), "stale" (read afresh as the list
# moved), "miss" (no copy yet, or one read for a transaction that has written and so not kept).
CACHE = "candidates"


@dataclass
class Counts:
    """How often requests found the copy current (``hits``) and how often it was read afresh."""

    hits: int = 0
    reads: int = 0


class Snapshot:
    """The list as read at one version; ``version`` None means read for one request and not kept."""

    def __init__(self, session: Session, label: int | None) -> None:
        self.version = label
        query, _ = candidates.profile_query(None)
        rows = session.connection().execute(
            query.where(col(Consultant.status) != ConsultantStatus.removed.value).order_by(col(Consultant.id))
        )
        # Everyone not removed, with no records of a case's: ``profiles`` adds those per request.
        self.listed: tuple[profiles.ConsultantProfile, ...] = tuple(
            candidates.profiles_of(rows.all(), engagements={}, interests={}, away={}, recent={})
        )
        self._listed = {profile.id: profile for profile in self.listed}
        self._available: dict[tuple[Any, ...], dict[int, profiles.ConsultantProfile]] = {}
        self._read_agencies(session)
        self._read_interests(session)
        self._periods: defaultdict[int, list[profiles.Away]] = defaultdict(list)  # every period away
        periods = select(Absence.consultant_id, Absence.id, Absence.start_date, Absence.end_date)
        for consultant_id, absence_id, start, end in session.connection().execute(
            periods.order_by(col(Absence.start_date), col(Absence.id))
        ):
            self._periods[consultant_id].append(profiles.Away(absence_id, start, end))
        self._away: dict[date, dict[int, tuple[profiles.Away, ...]]] = {}
        self._ties: dict[str, tuple[tuple[int, profiles.Engagement], ...]] = {}  # by agency, read as named
        self._grouped: dict[frozenset[str], dict[int, tuple[profiles.Engagement, ...]]] = {}
        self._lock = threading.Lock()

    def _read_agencies(self, session: Session) -> None:
        connection = session.connection()
        self._names: dict[str, str] = {}
        self._areas: dict[str, str] = {}
        self._by_lower_name: dict[str, str] = {}
        self._partnerships: dict[str, str] = {}  # lower-case area -> its partnership (lowest id first)
        rows = connection.execute(
            select(Agency.id, Agency.name, Agency.area, Agency.kind).order_by(col(Agency.id))
        )
        for agency_id, name, area, kind in rows:
            self._names[agency_id] = name
            if area and area.strip():
                self._areas[agency_id] = area
            self._by_lower_name[name.lower()] = agency_id
            if kind == AgencyKind.safeguarding_partnership.value:
                self._partnerships.setdefault(area.lower(), agency_id)
        self._aliases = dict(connection.execute(select(AgencyAlias.alias, AgencyAlias.agency_id)).all())

    def _read_interests(self, session: Session) -> None:
        self._interests_by_case: defaultdict[str, list[tuple[int, profiles.Interest]]] = defaultdict(list)
        self._interests_by_agency: defaultdict[str, list[tuple[int, profiles.Interest]]] = defaultdict(list)
        query = select(
            Interest.consultant_id,
            Interest.id,
            Interest.text,
            Interest.declared_on,
            Interest.agency_id,
            Interest.case_ref,
            Interest.confirmed,
        ).order_by(col(Interest.id))
        for (
            consultant_id,
            interest_id,
            text,
            declared_on,
            agency_id,
            case_ref,
            confirmed,
        ) in session.connection().execute(query):
            held = (
                consultant_id,
                profiles.Interest(interest_id, text, declared_on, agency_id, case_ref, confirmed),
            )
            if case_ref is not None:
                self._interests_by_case[case_ref].append(held)
            if agency_id is not None:
                self._interests_by_agency[agency_id].append(held)

    # Agencies ----------------------------------------------------------------------------------

    def agencies(self, names: Iterable[str]) -> Agencies:
        """``candidates.resolve_agencies``, answered from the copy: by id, then alias, then name."""
        wanted = {name: fold(name) for name in dict.fromkeys(names)}
        found: dict[str, str] = {}  # folded name -> agency id
        for name in wanted:
            if name.strip() in self._names:
                found[fold(name.strip())] = name.strip()
        for folded in wanted.values():
            if folded not in found and folded in self._aliases:
                found[folded] = self._aliases[folded]
        for folded in wanted.values():
            if folded not in found and folded in self._by_lower_name:
                agency_id = self._by_lower_name[folded]
                found[fold(self._names[agency_id])] = agency_id
        ids = set(found.values())
        directory = profiles.AgencyDirectory(
            aliases=found,
            names={agency_id: self._names[agency_id] for agency_id in ids},
            areas={agency_id: self._areas[agency_id] for agency_id in ids if agency_id in self._areas},
        )
        return Agencies(directory, tuple(folded for folded in wanted.values() if folded not in found))

    def partnership_for(self, area: str) -> str | None:
        """``candidates.partnership_for``, answered from the copy."""
        return self._partnerships.get(area.strip().lower())

    # Profiles ----------------------------------------------------------------------------------

    def profiles_for(
        self,
        *,
        session: Session,
        contexts: Sequence[profiles.CaseContext],
        agencies: Agencies,
        policy: IndependencePolicy,
        today: date,
        workload: Workload,
        available_only: bool = True,
    ) -> list[profiles.ConsultantProfile]:
        """``candidates.load_profiles`` (without ``consultant_ids``), from the copy and this request's
        workload: the same consultants, with the same records."""
        tied = agencies.tied(contexts)
        ties = self._ties_with(session, tied)
        interests = self._interests_in({context.ref for context in contexts}, tied)
        held: Counter[int] = Counter()
        recent: defaultdict[int, list[profiles.PastCommission]] = defaultdict(list)
        rows = session.connection().execute(workload.either, dict(workload.params)).all()
        for consultant_id, commission_id, on, area, holds_place, in_window in rows:
            if holds_place:
                held[consultant_id] += 1
            if in_window:
                recent[consultant_id].append(candidates.past_commission(commission_id, on, area))
        away = self._away_on(today)
        pool = self._available_on(today, policy) if available_only else self._listed
        # Most consultants have no record of this request's and are used as read; the few who do (places
        # held, recent commissions, ties, interests, time away) are given theirs.
        touched = ties.keys() | interests.keys() | held.keys() | recent.keys() | away.keys()
        found = [profile for profile in pool.values() if profile.id not in touched]
        for consultant_id in sorted(touched):
            profile = pool.get(consultant_id)
            places = held.get(consultant_id, 0)
            if profile is None or (available_only and places >= profile.capacity):
                continue
            found.append(
                _with_records(
                    profile,
                    active_commissions=places,
                    engagements=ties.get(consultant_id, ()),
                    interests=interests.get(consultant_id, ()),
                    recent_commissions=tuple(recent.get(consultant_id, ())),
                    away=away.get(consultant_id, ()),
                )
            )
        return found

    def _available_on(self, today: date, policy: IndependencePolicy) -> dict[int, profiles.ConsultantProfile]:
        """Those ``candidates.available`` lets through on ``today``, by id, worked out once a day."""
        key = (today, policy.dbs_recheck_years, policy.insurance_required, policy.registration_required)
        found = self._available.get(key)
        if found is None:
            test = candidates.is_available(policy=policy, today=today)
            found = {profile.id: profile for profile in self.listed if test(profile)}
            if len(self._available) >= _AVAILABLE_KEPT:
                self._available.clear()
            self._available[key] = found
        return found

    def _away_on(self, today: date) -> dict[int, tuple[profiles.Away, ...]]:
        """Each consultant's periods away not over by ``today``, worked out once a day."""
        found = self._away.get(today)
        if found is None:
            found = {
                consultant_id: current
                for consultant_id, periods in self._periods.items()
                if (current := tuple(period for period in periods if period.end >= today))
            }
            if len(self._away) >= _AVAILABLE_KEPT:
                self._away.clear()
            self._away[today] = found
        return found

    def _ties_with(self, session: Session, tied: set[str]) -> dict[int, tuple[profiles.Engagement, ...]]:
        """Each consultant's engagements with the ``tied`` agencies, by id; agencies not yet read are read
        now, all in one query. Worked out once for each set of agencies: cases name the same ones."""
        key = frozenset(tied)
        grouped = self._grouped.get(key)
        if grouped is not None:
            return grouped
        missing = sorted(agency for agency in tied if agency not in self._ties)
        if missing:
            query = (
                select(
                    Engagement.consultant_id,
                    Engagement.id,
                    Engagement.agency_id,
                    Engagement.kind,
                    Engagement.start_date,
                    Engagement.end_date,
                    Engagement.confirmed,
                )
                .where(col(Engagement.agency_id).in_(missing))
                .order_by(col(Engagement.id))
            )
            kinds = {kind.value: kind for kind in EngagementKind}
            read: dict[str, list[tuple[int, profiles.Engagement]]] = {agency: [] for agency in missing}
            for (
                consultant_id,
                engagement_id,
                agency_id,
                kind,
                start,
                end,
                confirmed,
            ) in session.connection().execute(query):
                engagement = profiles.Engagement(engagement_id, agency_id, kinds[kind], start, end, confirmed)
                read[agency_id].append((consultant_id, engagement))
            with self._lock:
                self._ties.update((agency, tuple(held)) for agency, held in read.items())
        found: defaultdict[int, list[profiles.Engagement]] = defaultdict(list)
        for agency in tied:
            for consultant_id, engagement in self._ties[agency]:
                found[consultant_id].append(engagement)
        grouped = {consultant: tuple(sorted(held, key=_by_id)) for consultant, held in found.items()}
        if len(self._grouped) >= _GROUPS_KEPT:
            self._grouped.clear()
        self._grouped[key] = grouped
        return grouped

    def _interests_in(self, refs: set[str], tied: set[str]) -> dict[int, tuple[profiles.Interest, ...]]:
        """Each consultant's interests in one of the cases ``refs`` or one of the ``tied`` agencies, by id."""
        found: dict[int, tuple[int, profiles.Interest]] = {}
        for ref in refs:
            found.update(
                (interest.id, (cid, interest)) for cid, interest in self._interests_by_case.get(ref, ())
            )
        for agency in tied:
            found.update(
                (interest.id, (cid, interest)) for cid, interest in self._interests_by_agency.get(agency, ())
            )
        by_consultant: defaultdict[int, list[profiles.Interest]] = defaultdict(list)
        for _, (consultant_id, interest) in sorted(found.items()):
            by_consultant[consultant_id].append(interest)
        return {key: tuple(value) for key, value in by_consultant.items()}


def _by_id(record: profiles.Engagement) -> int:
    return record.id


def _with_records(
    profile: profiles.ConsultantProfile,
    *,
    active_commissions: int,
    engagements: tuple[profiles.Engagement, ...],
    interests: tuple[profiles.Interest, ...],
    recent_commissions: tuple[profiles.PastCommission, ...],
    away: tuple[profiles.Away, ...],
) -> profiles.ConsultantProfile:
    """``profile`` with one request's records: ``dataclasses.replace``, spelt out (twice as fast)."""
    return profiles.ConsultantProfile(
        id=profile.id,
        name=profile.name,
        status=profile.status,
        capacity=profile.capacity,
        active_commissions=active_commissions,
        dbs_check_date=profile.dbs_check_date,
        registration_expiry=profile.registration_expiry,
        insurance_expiry=profile.insurance_expiry,
        engagements=engagements,
        interests=interests,
        specialisms=profile.specialisms,
        languages=profile.languages,
        areas=profile.areas,
        mean_rating=profile.mean_rating,
        rated_reviews=profile.rated_reviews,
        recent_commissions=recent_commissions,
        away=away,
    )


class ProfileCache:
    """One engine's copy of the list, replaced when the list's version moves."""

    def __init__(self) -> None:
        self._snapshot: Snapshot | None = None
        self._lock = threading.Lock()
        self.counts = Counts()

    def snapshot(self, session: Session) -> Snapshot:
        """The copy at the version this session sees: the kept one if current, else read now.

        The version is read before anything else, so a copy never claims a version older than what it
        holds: if the list moves while it is read, the next request finds the number changed and reads
        again. A transaction that has written reads a copy of its own, and it is not kept.
        """
        label = version.current(session)
        kept = self._snapshot
        if label is None:
            cache_event(CACHE, "miss")
            return Snapshot(session, None)
        if kept is not None and kept.version == label:
            self._hit()
            return kept
        with self._lock:  # one thread reads the list; the others wait and use what it read
            kept = self._snapshot
            if kept is not None and kept.version == label:
                self._hit()
                return kept
            self.counts.reads += 1
            cache_event(CACHE, "miss" if kept is None else "stale")
            self._snapshot = Snapshot(session, label)
            return self._snapshot

    def _hit(self) -> None:
        self.counts.hits += 1
        cache_event(CACHE, "hit")


_caches: WeakKeyDictionary[Engine, ProfileCache] = WeakKeyDictionary()
_caches_lock = threading.Lock()


def for_session(session: Session) -> ProfileCache:
    """The cache of the engine ``session`` reads from."""
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    with _caches_lock:
        cache = _caches.get(engine)
        if cache is None:
            cache = _caches[engine] = ProfileCache()
        return cache


def snapshot(session: Session) -> Snapshot:
    """The copy of the list current for ``session`` (``ProfileCache.snapshot``)."""
    return for_session(session).snapshot(session)
