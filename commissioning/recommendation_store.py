"""A review's recommendations and the agencies' action plans in the database: recording them (with the
writing checks' warnings), actions and their evidence, status changes, closing, and the lists the pages,
the App Home and the overdue reminders read.

Keyword-only after ``session``; writes add and flush, and the caller's unit of work commits them with
their audit events. Nothing here decides who may do what: the shells do
(``service.recommendation_access``), and say whether the person acts for an agency (``agency=True``).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, cast

from sqlalchemy import func
from sqlmodel import Session, col, select

from commissioning import recommendations as rules
from commissioning.models import (
    ActionEvidence,
    Case,
    Partnership,
    Recommendation,
    RecommendationAction,
    RecommendationAgency,
)
from commissioning.recommendations import SCOPE_WORDS, STATUS_WORDS, Change, Draft, Status
from core import audit
from core.clock import utcnow
from core.errors import Invalid, NotFound
from core.transaction import atomic
from registry.agencies import agency_names, resolve_agency_id
from registry.changes import problem

FREE_TEXT = ("text", "finding", "note")  # words people wrote about the case: fingerprinted in the log


@dataclass(frozen=True)
class EvidenceView:
    evidence: ActionEvidence

    def to_json(self) -> dict[str, Any]:
        e = self.evidence
        return {
            "id": e.id,
            "kind": "file" if e.link is None else "link",
            "filename": e.filename,
            "link": e.link,
            "bytes": len(e.content) if e.content is not None else None,
            "note": e.note,
            "added_by": e.added_by,
            "added_at": e.added_at.isoformat(),
        }


@dataclass(frozen=True)
class ActionView:
    """An action with its agency's name, its evidence and how many days it is overdue."""

    action: RecommendationAction
    agency: str | None
    evidence: tuple[EvidenceView, ...]
    overdue_days: int

    @property
    def status(self) -> Status:
        return Status(self.action.status)

    def to_json(self) -> dict[str, Any]:
        a = self.action
        return {
            "id": a.id,
            "recommendation_id": a.recommendation_id,
            "agency_id": a.agency_id,
            "agency": self.agency,
            "text": a.text,
            "owner": a.owner,
            "due": a.due_on.isoformat(),
            "status": a.status,
            "status_words": STATUS_WORDS[self.status],
            "overdue_days": self.overdue_days,
            "evidence": [e.to_json() for e in self.evidence],
        }


@dataclass(frozen=True)
class RecommendationView:
    """A recommendation with its case's reference, its agencies' names and its actions; ``status`` is
    read from the actions (``recommendations.standing``)."""

    recommendation: Recommendation
    case_ref: str
    agencies: tuple[tuple[str, str], ...]  # (id, name)
    actions: tuple[ActionView, ...]

    @property
    def status(self) -> Status:
        closed = self.recommendation.closed_on is not None
        return rules.standing((a.status for a in self.actions), closed=closed)

    def to_json(self) -> dict[str, Any]:
        r = self.recommendation
        return {
            "id": r.id,
            "case_ref": self.case_ref,
            "number": r.number,
            "text": r.text,
            "scope": r.scope,
            "scope_words": SCOPE_WORDS.get(r.scope or "", "not decided"),
            "agencies": [{"id": agency_id, "name": name} for agency_id, name in self.agencies],
            "owner": r.owner,
            "priority": r.priority,
            "due": r.due_on.isoformat() if r.due_on else None,
            "finding": r.finding,
            "status": self.status.value,
            "status_words": STATUS_WORDS[self.status],
            "warnings": list(r.warnings),
            "created_by": r.created_by,
            "created_at": r.created_at.isoformat(),
            "closed_on": r.closed_on.isoformat() if r.closed_on else None,
            "closed_by": r.closed_by,
            "closed_note": r.closed_note,
            "actions": [a.to_json() for a in self.actions],
        }


# Reading ------------------------------------------------------------------------------------------------


def get_recommendation(session: Session, *, recommendation_id: int) -> tuple[Recommendation, Case]:
    found = session.get(Recommendation, recommendation_id)
    if found is None:
        raise NotFound(f"No recommendation with the number {recommendation_id}.")
    return found, session.get_one(Case, found.case_id)


def get_action(session: Session, *, action_id: int) -> tuple[RecommendationAction, Recommendation, Case]:
    found = session.get(RecommendationAction, action_id)
    if found is None:
        raise NotFound(f"No action with the number {action_id}.")
    recommendation, case = get_recommendation(session, recommendation_id=found.recommendation_id)
    return found, recommendation, case


def get_evidence(session: Session, *, action: RecommendationAction, evidence_id: int) -> ActionEvidence:
    found = session.get(ActionEvidence, evidence_id)
    if found is None or found.action_id != action.id:
        raise NotFound("That action has no such evidence.")
    return found


def agencies_of(session: Session, recommendation_ids: Iterable[int]) -> dict[int, list[str]]:
    ids = list(recommendation_ids)
    found: dict[int, list[str]] = {i: [] for i in ids}
    rows = session.exec(
        select(RecommendationAgency).where(col(RecommendationAgency.recommendation_id).in_(ids))
    ).all()
    for row in sorted(rows, key=lambda r: r.agency_id):
        found[row.recommendation_id].append(row.agency_id)
    return found


def _action_views(
    session: Session, actions: Sequence[RecommendationAction], today: date, names: dict[str, str]
) -> list[ActionView]:
    ids = [a.id for a in actions]
    evidence: dict[int, list[EvidenceView]] = {}
    for item in session.exec(
        select(ActionEvidence).where(col(ActionEvidence.action_id).in_(ids)).order_by(col(ActionEvidence.id))
    ):
        evidence.setdefault(item.action_id, []).append(EvidenceView(item))
    return [
        ActionView(
            a,
            names.get(a.agency_id) if a.agency_id else None,
            tuple(evidence.get(cast(int, a.id), ())),
            rules.overdue(Status(a.status), a.due_on, today),
        )
        for a in actions
    ]


def views(
    session: Session,
    recommendations: Sequence[Recommendation],
    *,
    today: date,
    agency_id: str | None = None,
) -> list[RecommendationView]:
    """``recommendations`` as views, in a few queries; ``agency_id`` keeps that agency's actions only."""
    ids = [cast(int, r.id) for r in recommendations]
    agencies = agencies_of(session, ids)
    query = select(RecommendationAction).where(col(RecommendationAction.recommendation_id).in_(ids))
    if agency_id is not None:
        query = query.where(RecommendationAction.agency_id == agency_id)
    actions = session.exec(query.order_by(col(RecommendationAction.id))).all()
    wanted = {a for ids_ in agencies.values() for a in ids_} | {a.agency_id for a in actions if a.agency_id}
    names = agency_names(session=session, agency_ids=wanted)
    shown = _action_views(session, actions, today, names)
    refs = dict(
        session.exec(
            select(Case.id, Case.ref).where(col(Case.id).in_({r.case_id for r in recommendations}))
        ).all()
    )
    return [
        RecommendationView(
            r,
            refs[r.case_id],
            tuple((a, names.get(a, a)) for a in agencies[cast(int, r.id)]),
            tuple(v for v in shown if v.action.recommendation_id == r.id),
        )
        for r in recommendations
    ]


def view(
    session: Session, recommendation: Recommendation, *, today: date, agency_id: str | None = None
) -> RecommendationView:
    return views(session, [recommendation], today=today, agency_id=agency_id)[0]


def list_recommendations(
    session: Session, *, case: Case, today: date, agency_id: str | None = None
) -> list[RecommendationView]:
    """A case's recommendations by number; ``agency_id``: only those asking that agency to act, with only
    its actions (what an agency contact sees)."""
    query = select(Recommendation).where(Recommendation.case_id == case.id)
    if agency_id is not None:
        query = query.join(
            RecommendationAgency, col(RecommendationAgency.recommendation_id) == Recommendation.id
        ).where(RecommendationAgency.agency_id == agency_id)
    found = session.exec(query.order_by(col(Recommendation.number))).all()
    return views(session, found, today=today, agency_id=agency_id)


def count(session: Session, *, case: Case) -> int:
    return session.exec(select(func.count()).where(Recommendation.case_id == case.id)).one()


# Recording ----------------------------------------------------------------------------------------------


def _agency_ids(session: Session, draft: Draft, place: str) -> list[str]:
    ids: list[str] = []
    problems = []
    for n, name in enumerate(draft.agencies):
        try:
            found = resolve_agency_id(session=session, name=name, field=f"{place}agencies.{n}")
        except Invalid as error:
            problems += error.problems
            continue
        if found not in ids:
            ids.append(found)
    if draft.scope == "single_agency" and len(ids) > 1:
        problems.append(problem(f"{place}agencies", "a single-agency recommendation names one agency"))
    if problems:
        raise Invalid("Some agencies are not right.", problems)
    return ids


def add_recommendations(
    session: Session, *, case: Case, drafts: Sequence[Draft], actor: str, limit: int, today: date
) -> list[RecommendationView]:
    """Record ``drafts`` against ``case``, numbered after its others, each with the writing checks'
    warnings; all or none (Invalid naming each unknown agency)."""
    with atomic(session=session):
        number = (
            session.exec(
                select(func.max(Recommendation.number)).where(Recommendation.case_id == case.id)
            ).one()
            or 0
        )
        made = []
        for place, draft in enumerate(drafts):
            prefix = f"recommendations.{place}." if len(drafts) > 1 else ""
            agency_ids = _agency_ids(session, draft, prefix)
            number += 1
            warnings = rules.check(replace(draft, agencies=tuple(agency_ids)), count=number, limit=limit)
            recommendation = Recommendation(
                case_id=cast(int, case.id),
                number=number,
                text=draft.text,
                scope=draft.scope,
                owner=draft.owner,
                priority=draft.priority,
                due_on=draft.due,
                finding=draft.finding,
                warnings=[w.to_json() for w in warnings],
                created_by=actor,
            )
            session.add(recommendation)
            session.flush()
            for agency_id in agency_ids:
                session.add(
                    RecommendationAgency(recommendation_id=cast(int, recommendation.id), agency_id=agency_id)
                )
            audit.record(
                session,
                "recommendation.add",
                cast(int, recommendation.id),
                actor=actor,
                after={
                    "case": case.ref,
                    "number": number,
                    "text": draft.text,
                    "finding": draft.finding,
                    "agencies": agency_ids,
                    "warnings": [w.check for w in warnings],
                },
                free_text=FREE_TEXT,
            )
            made.append(recommendation)
        session.flush()
    return views(session, made, today=today)


def add_action(
    session: Session,
    *,
    recommendation: Recommendation,
    agency_id: str | None,
    text: str,
    owner: str,
    due: date,
    actor: str,
    today: date,
) -> ActionView:
    """An action on ``recommendation``'s plan; its agency must be one the recommendation names (any, when
    it names none)."""
    if recommendation.closed_on is not None:
        raise Invalid(
            "The partnership has closed this recommendation.",
            [problem("recommendation", "it is closed: it takes no new actions")],
        )
    named = agencies_of(session, [cast(int, recommendation.id)])[cast(int, recommendation.id)]
    if agency_id is not None:
        agency_id = resolve_agency_id(session=session, name=agency_id, field="agency")
        if named and agency_id not in named:
            raise Invalid(
                "That agency is not one the recommendation asks to act.",
                [problem("agency", "choose one of the agencies the recommendation names")],
            )
    action = RecommendationAction(
        recommendation_id=cast(int, recommendation.id),
        agency_id=agency_id,
        text=text,
        owner=owner.strip().lower(),
        due_on=due,
        created_by=actor,
    )
    session.add(action)
    session.flush()
    audit.record(
        session,
        "action.add",
        cast(int, action.id),
        actor=actor,
        after={
            "recommendation": recommendation.id,
            "agency": agency_id,
            "text": text,
            "owner": action.owner,
            "due": due.isoformat(),
        },
        free_text=FREE_TEXT,
    )
    return _action_views(
        session, [action], today, agency_names(session=session, agency_ids=[agency_id] if agency_id else [])
    )[0]


def add_evidence(
    session: Session,
    *,
    action: RecommendationAction,
    actor: str,
    filename: str | None = None,
    content: bytes | None = None,
    media_type: str | None = None,
    link: str | None = None,
    note: str | None = None,
) -> EvidenceView:
    """A file or a link as evidence of ``action``; the status changes only when someone submits it."""
    if (content is None) == (link is None):
        raise Invalid(
            "Give either a file or a link.", [problem("evidence", "attach one file, or give one link")]
        )
    if Status(action.status) in (Status.completed, Status.closed):
        raise Invalid(
            "The action is done.", [problem("evidence", "a completed action takes no more evidence")]
        )
    item = ActionEvidence(
        action_id=cast(int, action.id),
        filename=filename,
        media_type=media_type,
        content=content,
        link=link,
        note=note,
        added_by=actor,
    )
    session.add(item)
    session.flush()
    audit.record(
        session,
        "action.evidence",
        cast(int, action.id),
        actor=actor,
        after={"evidence": item.id, "filename": filename, "link": link, "note": note},
        free_text=("note",),
    )
    return EvidenceView(item)


def change_action(
    session: Session,
    *,
    action: RecommendationAction,
    change: Change,
    agency: bool,
    actor: str,
    today: date,
    note: str | None = None,
) -> ActionView:
    """Move ``action`` by ``change`` (NotAllowed, in words, when its status or the person does not allow
    it), audited with the note."""
    evidence = session.exec(select(func.count()).where(ActionEvidence.action_id == action.id)).one()
    before = action.status
    action.status = rules.advance(Status(action.status), change, agency=agency, evidence=evidence).value
    action.updated_at = utcnow()
    session.add(action)
    session.flush()
    audit.record(
        session,
        f"action.{change.value}",
        cast(int, action.id),
        actor=actor,
        before={"status": before},
        after={"status": action.status, "note": note},
        free_text=("note",),
    )
    names = agency_names(session=session, agency_ids=[action.agency_id] if action.agency_id else [])
    return _action_views(session, [action], today, names)[0]


def close_recommendation(
    session: Session, *, recommendation: Recommendation, note: str | None, actor: str, today: date
) -> RecommendationView:
    """The partnership closes ``recommendation`` once every action on it is completed; they are closed
    with it."""
    if recommendation.closed_on is not None:
        raise Invalid(
            "It is closed already.", [problem("recommendation", "the partnership closed it already")]
        )
    actions = session.exec(
        select(RecommendationAction).where(RecommendationAction.recommendation_id == recommendation.id)
    ).all()
    rules.closable([Status(a.status) for a in actions])
    for action in actions:
        action.status = Status.closed.value
        action.updated_at = utcnow()
        session.add(action)
    recommendation.closed_on, recommendation.closed_by, recommendation.closed_note = today, actor, note
    session.add(recommendation)
    session.flush()
    audit.record(
        session,
        "recommendation.close",
        cast(int, recommendation.id),
        actor=actor,
        after={"closed_on": today.isoformat(), "note": note, "actions": len(actions)},
        free_text=("note",),
    )
    return view(session, recommendation, today=today)


# Lists across cases ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenRow:
    """An open recommendation as the page of every open one lists it: its age in days since recorded."""

    view: RecommendationView
    age_days: int
    partnership: str


def open_recommendations(
    session: Session,
    *,
    partnership_ids: Iterable[int] | None,
    today: date,
    agency_id: str | None = None,
    status: Status | None = None,
) -> list[OpenRow]:
    """Every open (not closed) recommendation of cases led by ``partnership_ids`` (None: any partnership),
    oldest first; ``agency_id`` keeps those naming that agency (with its actions only), ``status`` those
    standing there."""
    query = (
        select(Recommendation, Partnership.name)
        .join(Case, col(Case.id) == Recommendation.case_id)
        .join(Partnership, col(Partnership.id) == Case.partnership_id)
        .where(col(Recommendation.closed_on).is_(None))
    )
    if partnership_ids is not None:
        query = query.where(col(Case.partnership_id).in_(list(partnership_ids)))
    if agency_id is not None:
        query = query.join(
            RecommendationAgency, col(RecommendationAgency.recommendation_id) == Recommendation.id
        ).where(RecommendationAgency.agency_id == agency_id)
    rows = session.exec(query.order_by(col(Recommendation.created_at), col(Recommendation.id))).all()
    lead = {cast(int, r.id): name for r, name in rows}
    found = views(session, [r for r, _ in rows], today=today, agency_id=agency_id)
    return [
        OpenRow(v, (today - v.recommendation.created_at.date()).days, lead[cast(int, v.recommendation.id)])
        for v in found
        if status is None or v.status == status
    ]


@dataclass(frozen=True)
class Overdue:
    """An overdue action as its reminder needs it: the owner, the case, the recommendation's number and
    the partnership's prefix; never the action's words."""

    action_id: int
    due: date
    days: int
    owner: str
    case_ref: str
    number: int
    agency: str | None
    partnership: str

    @property
    def key(self) -> str:
        return f"overdue:{self.action_id}:{self.due.isoformat()}"

    def to_json(self) -> dict[str, Any]:
        return {
            "action_id": self.action_id,
            "key": self.key,
            "due": self.due.isoformat(),
            "days": self.days,
            "owner": self.owner,
            "case_ref": self.case_ref,
            "recommendation": self.number,
            "agency": self.agency,
            "partnership": self.partnership,
        }


def overdue_actions(session: Session, *, today: date) -> list[Overdue]:
    """Every action past its due date whose owner still owes work, on open recommendations."""
    owed = [s.value for s in rules.OWED]
    rows = session.exec(
        select(RecommendationAction, Recommendation.number, Case.ref, Partnership.prefix)
        .join(Recommendation, col(Recommendation.id) == RecommendationAction.recommendation_id)
        .join(Case, col(Case.id) == Recommendation.case_id)
        .join(Partnership, col(Partnership.id) == Case.partnership_id)
        .where(col(RecommendationAction.status).in_(owed), col(RecommendationAction.due_on) < today)
        .where(col(Recommendation.closed_on).is_(None))
        .order_by(col(RecommendationAction.due_on), col(RecommendationAction.id))
    ).all()
    names = agency_names(session=session, agency_ids={a.agency_id for a, *_ in rows if a.agency_id})
    return [
        Overdue(
            cast(int, a.id),
            a.due_on,
            (today - a.due_on).days,
            a.owner,
            ref,
            number,
            names.get(a.agency_id) if a.agency_id else None,
            prefix,
        )
        for a, number, ref, prefix in rows
    ]


@dataclass(frozen=True)
class Owned:
    action: ActionView
    case_ref: str
    number: int


def owned_actions(session: Session, *, owner: str, today: date) -> list[Owned]:
    """The actions ``owner`` (an email) owns that are not yet completed, soonest due first."""
    rows = session.exec(
        select(RecommendationAction, Recommendation.number, Case.ref)
        .join(Recommendation, col(Recommendation.id) == RecommendationAction.recommendation_id)
        .join(Case, col(Case.id) == Recommendation.case_id)
        .where(RecommendationAction.owner == owner.strip().lower())
        .where(
            col(RecommendationAction.status).in_([s.value for s in rules.OWED | {Status.evidence_submitted}])
        )
        .order_by(col(RecommendationAction.due_on), col(RecommendationAction.id))
    ).all()
    names = agency_names(session=session, agency_ids={a.agency_id for a, *_ in rows if a.agency_id})
    shown = _action_views(session, [a for a, *_ in rows], today, names)
    return [Owned(v, ref, number) for v, (_, number, ref) in zip(shown, rows, strict=True)]
