"""Database functions for cases and their decisions: the engine's recommendations and the board's.

Keyword-only, ``session`` first; ``actor`` is what the audit log records. A write validates its input
before touching the database, then adds its records and one audit event together (``atomic``) or writes
nothing; the caller's unit of work commits. A case holds the features (no names), its lead partnership
(chosen from its areas by ``commissioning.lead``) and a reference made from that partnership's prefix, the
year and a sequence number, e.g. ``CHS-2026-0007``; references made before partnerships keep theirs.
Every decision keeps the ruleset id and version, the date it was run as of and the features it used, so
``reproduce`` gives the same answer years later.
"""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from commissioning import commissions, decisions, features, milestone_store, partnerships, rules, threshold
from commissioning.cases import case_by_ref
from commissioning.models import Case, CaseContributor, CaseDecision, CaseMilestone, CaseStatus, DecisionKind
from core import audit, clock, idempotency
from core.clock import utcnow
from core.errors import Conflict, Invalid
from core.transaction import atomic

REF_ATTEMPTS = (
    20  # a reference or Idempotency-Key another request took meanwhile: its unique index refuses it
)


class NotAllowedToLead(Exception):
    """The actor holds no role in the partnership that would lead the case (the API answers 403)."""

    def __init__(self, lead: partnerships.Partnership) -> None:
        super().__init__(lead.name)
        self.lead = lead


@dataclass(frozen=True)
class CaseView:
    """A case with its decisions, oldest first."""

    case: Case
    decisions: tuple[CaseDecision, ...]
    milestones: tuple[CaseMilestone, ...] = ()  # in the order of the review

    @property
    def recommendation(self) -> CaseDecision | None:
        """The engine's latest answer (a case written by other means may have none yet)."""
        return next((d for d in reversed(self.decisions) if d.kind == DecisionKind.recommendation), None)

    @property
    def board(self) -> CaseDecision | None:
        return next((d for d in reversed(self.decisions) if d.kind == DecisionKind.board), None)

    def governing(
        self, rulesets: Sequence[rules.Ruleset] = (), today: date | None = None
    ) -> decisions.Governing:
        """The answer in force and its deadlines: the board's decision once made, else the recommendation;
        with ``rulesets``, its deadlines count from the recorded milestones (``milestone_store.counted``)."""
        governing = decisions.governing((d.kind, d.result) for d in self.decisions)
        if not rulesets:
            return governing
        return milestone_store.counted(
            governing,
            history=self.decisions,
            case_features=self.case.features,
            recorded=self.milestones,
            rulesets=rulesets,
            today=today or clock.today(),
        )

    def to_json(
        self, *, today: date, history: bool = True, rulesets: Sequence[rules.Ruleset] = ()
    ) -> dict[str, Any]:
        """The case for the API; ``next_deadline`` is its earliest deadline in force on or after ``today``;
        ``newer_rules`` says how the newest of ``rulesets`` would answer it differently, if it would."""
        board, recommendation = self.board, self.recommendation
        upcoming = self.governing(rulesets, today).next_deadline(today)
        out: dict[str, Any] = {
            "ref": self.case.ref,
            "area": self.case.area,
            "status": self.case.status,
            "features": self.case.features,
            "created_by": self.case.created_by,
            "created_at": self.case.created_at,
            "updated_at": self.case.updated_at,
            "closed_on": self.case.closed_on,
            "recommendation": None if recommendation is None else _titled(recommendation.result),
            "board_decision": None if board is None else _decision_json(board),
            "next_deadline": None if upcoming is None else upcoming.to_json(),
            "newer_rules": newer_rules(self, rulesets) if rulesets else None,
        }
        if history:
            out["history"] = [_decision_json(d) for d in self.decisions]
        return out


def _decision_json(decision: CaseDecision) -> dict[str, Any]:
    return {
        "id": decision.id,
        "kind": decision.kind,
        "ruleset": {"id": decision.ruleset_id, "version": decision.ruleset_version},
        "today": decision.today,
        "features": decision.features,
        "result": _titled(decision.result),
        "accepted": decision.accepted,
        "reason": decision.reason,
        "decided_by": decision.decided_by,
        "decided_at": decision.decided_at,
        "decided_on": decision.today if decision.kind == DecisionKind.board else None,
    }


def _choice(recommendation: CaseDecision) -> str:
    """How a recommendation chose its ruleset, to choose again the same way: by the incident's date, or
    the ruleset it applied (asked for by name, or assumed for want of the date)."""
    chosen_by = recommendation.result.get("ruleset", {}).get("chosen_by")
    return threshold.AUTO if chosen_by == threshold.CHOSEN_BY_INCIDENT else recommendation.ruleset_id


def newer_rules(view: CaseView, rulesets: Sequence[rules.Ruleset]) -> dict[str, Any] | None:
    """How the newest rules would answer the case's latest recommendation differently (on its features,
    as of its date), or None when they would answer it the same way or it has none."""
    recommendation = view.recommendation
    if recommendation is None:
        return None
    newest = _ruleset_of(rulesets, recommendation.ruleset_id)
    if newest.version == recommendation.ruleset_version:
        return None
    try:
        fresh = threshold.decide(
            features.validate(recommendation.features),
            _choice(recommendation),
            recommendation.today,
            rulesets=rulesets,
        ).to_json()
    except Invalid as refused:
        text = f"The current version of the rules cannot answer this case as recorded. {refused.message}"
        return {"ruleset": {"id": newest.id, "version": newest.version}, "outcomes": None, "text": text}
    before = decisions.StoredDecision.from_json(recommendation.result)
    changed = decisions.changes(before, decisions.StoredDecision.from_json(fresh))
    if not changed:
        return None
    return {
        "ruleset": {"id": fresh["ruleset"]["id"], "version": fresh["ruleset"]["version"]},
        "outcomes": _outcomes(fresh),
        "text": decisions.newer_answer(newest.title, changed),
    }


def _titled(result: Mapping[str, Any]) -> Mapping[str, Any]:
    """A stored answer with its edition's title, which answers stored before titles were kept lack."""
    ruleset = result.get("ruleset")
    if not ruleset or "title" in ruleset:
        return result
    return {**result, "ruleset": {**ruleset, "title": rules.title(ruleset["id"])}}


def _outcomes(result: Mapping[str, Any]) -> list[list[str]]:
    """A decision's outcomes as [type, requirement] pairs: what the audit log keeps of a decision."""
    return [[o["type"], o["requirement"]] for o in result.get("outcomes", ())]


def _recommended(row: CaseDecision, rulesets: Sequence[rules.Ruleset]) -> dict[str, Any]:
    """What the audit log keeps of a recommendation: with its ruleset's local settings, ``reproduce``
    gives the same answer from it."""
    return {
        "features": row.features,
        "ruleset": {"id": row.ruleset_id, "version": row.ruleset_version},
        "settings": dict(_ruleset_of(rulesets, row.ruleset_id).document["local_settings"]),
        "outcomes": _outcomes(row.result),
    }


def _recommend(
    *,
    session: Session,
    case: Case,
    decision: threshold.Decision,
    valid: features.Features,
    today: date,
    actor: str,
) -> CaseDecision:
    assert case.id is not None
    row = CaseDecision(
        case_id=case.id,
        kind=DecisionKind.recommendation,
        ruleset_id=decision.ruleset_id,
        ruleset_version=decision.ruleset_version,
        today=today,
        features=features.to_json(valid),
        result=decision.to_json(),
        decided_by=actor,
    )
    session.add(row)
    return row


def _reference(session: Session, *, code: str, year: int) -> str:
    """The next reference for the lead partnership's prefix and the year: ``CHS-2026-0007``."""
    prefix = f"{code}-{year}-"
    if session.get_bind().dialect.name == "postgresql":  # one allocation per prefix at a time, to commit
        session.exec(text("SELECT pg_advisory_xact_lock(hashtext(:prefix))").bindparams(prefix=prefix))  # type: ignore[call-overload]
    taken = session.exec(select(Case.ref).where(col(Case.ref).startswith(prefix))).all()
    numbers = [int(ref[len(prefix) :]) for ref in taken if ref[len(prefix) :].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:04d}"


def _replay(session: Session, *, key: str, snapshot: Mapping[str, Any]) -> CaseView | None:
    """The case an earlier request with ``key`` recorded, if the request was the same; else a conflict."""
    earlier = idempotency.replayed(
        session,
        Case,
        key,
        same=lambda case: case.features == snapshot,
        refusal="This Idempotency-Key was already used to record a different case.",
        finding=lambda case: {"rule": "case.idempotency_key_reused", "ref": case.ref},
    )
    return None if earlier is None else _view(session, earlier)


def create_case(
    *,
    session: Session,
    raw_features: Any,
    actor: str,
    today: date,
    rulesets: Sequence[rules.Ruleset],
    ruleset: str = threshold.AUTO,
    idempotency_key: str | None = None,
    may_lead: Collection[int] | None = None,
) -> tuple[CaseView, bool]:
    """Record a case and the engine's recommendation; False when ``idempotency_key`` replayed one.

    The case's lead partnership comes from its areas (``partnerships.for_case``); ``may_lead`` names the
    partnerships the actor may open a case for (None: any, as the command line may), and a case another
    partnership would lead is refused with ``NotAllowedToLead``. Partnerships of the other areas the
    case names contribute to it.
    """
    valid = features.validate(raw_features, today=today)
    if "area" not in valid:
        raise Invalid(
            "A case needs its area.",
            [{"feature": "area", "msg": "is needed to record a case: it decides which partnership leads"}],
        )
    snapshot = features.to_json(valid)
    decision = threshold.decide(valid, ruleset, today, rulesets=rulesets)  # before writing: it may refuse
    chosen = partnerships.for_case(session, valid, _ruleset_of(rulesets, decision.ruleset_id))
    if may_lead is not None and chosen.lead.id not in may_lead:
        raise NotAllowedToLead(chosen.lead)
    for _ in range(REF_ATTEMPTS):
        if idempotency_key is not None and (
            earlier := _replay(session, key=idempotency_key, snapshot=snapshot)
        ):
            return earlier, False
        try:
            with atomic(session=session):  # a savepoint: a clash undoes this attempt alone
                case = Case(
                    ref=_reference(session, code=chosen.lead.prefix, year=today.year),
                    area=valid["area"],
                    partnership_id=chosen.lead.id,
                    features=snapshot,
                    created_by=actor,
                    idempotency_key=idempotency_key,
                )
                session.add(case)
                session.flush()
                for other in chosen.contributing:
                    session.add(CaseContributor(case_id=case.id, partnership_id=other.id))  # type: ignore[arg-type]
                row = _recommend(
                    session=session, case=case, decision=decision, valid=valid, today=today, actor=actor
                )
                audit.record(session, "case.create", case.ref, actor=actor, after=_recommended(row, rulesets))
        except IntegrityError:  # another request took this reference (or this key) first
            continue
        return _view(session, case), True
    raise Conflict("Could not give the case a reference while others were being recorded; try again.")


def _ruleset_of(rulesets: Sequence[rules.Ruleset], rid: str) -> rules.Ruleset:
    return next(r for r in rulesets if r.id == rid)


def _view(session: Session, case: Case) -> CaseView:
    decisions = session.exec(
        select(CaseDecision).where(CaseDecision.case_id == case.id).order_by(col(CaseDecision.id))
    ).all()
    return CaseView(case, tuple(decisions), milestone_store.of_cases(session, [case.id])[case.id])  # type: ignore[list-item, index]


def get_case(*, session: Session, ref: str) -> CaseView:
    return _view(session, case_by_ref(session, ref))


def list_cases(
    *,
    session: Session,
    status: CaseStatus | None = None,
    area: str | None = None,
    limit: int = 50,
    offset: int = 0,
    partnership_ids: Collection[int] | None = None,
) -> tuple[list[CaseView], int]:
    """A page of cases, newest first, with their decisions; and how many cases match in all. With
    ``partnership_ids``, only cases those partnerships lead or contribute to (None: every case)."""
    query = select(Case)
    if partnership_ids is not None:
        contributed = select(CaseContributor.case_id).where(
            col(CaseContributor.partnership_id).in_(list(partnership_ids))
        )
        query = query.where(
            col(Case.partnership_id).in_(list(partnership_ids)) | col(Case.id).in_(contributed)
        )
    if status is not None:
        query = query.where(Case.status == status)
    if area is not None:
        query = query.where(func.lower(Case.area) == area.strip().lower())
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    cases = session.exec(query.order_by(col(Case.id).desc()).limit(limit).offset(offset)).all()
    decisions = session.exec(
        select(CaseDecision)
        .where(col(CaseDecision.case_id).in_([c.id for c in cases]))
        .order_by(col(CaseDecision.id))
    ).all()
    recorded = milestone_store.of_cases(session, [c.id for c in cases])  # type: ignore[misc]
    return [
        CaseView(c, tuple(d for d in decisions if d.case_id == c.id), recorded[c.id]) for c in cases
    ], total  # type: ignore[index]


AREA_FEATURES = ("area", "incident_area", "responsible_area", "looked_after", "country")


def _rehome(
    session: Session, case: Case, valid: features.Features, ruleset: rules.Ruleset, *, actor: str
) -> None:
    """After its areas change, the case's lead partnership by the rule again; a partnership that led it
    keeps reading it as a contributor, and the partnerships of the areas it now names contribute."""
    chosen = partnerships.for_case(session, valid, ruleset)
    if chosen.lead.id != case.partnership_id:
        former = session.get(partnerships.Partnership, case.partnership_id)
        case.partnership_id = chosen.lead.id  # type: ignore[assignment]
        session.add(case)
        session.flush()
        existing = session.get(CaseContributor, (case.id, chosen.lead.id))
        if existing is not None:
            session.delete(existing)
            session.flush()
        if former is not None:
            partnerships.add_contributor(session, case=case, partnership=former, actor=actor)
    for other in chosen.contributing:
        partnerships.add_contributor(session, case=case, partnership=other, actor=actor)


@dataclass(frozen=True)
class Updated:
    view: CaseView
    redeclare: list[int]  # commissions whose consultant must declare again: the agencies changed


def update_case(
    *,
    session: Session,
    ref: str,
    changes: Any,
    actor: str,
    today: date,
    rulesets: Sequence[rules.Ruleset],
    ruleset: str = threshold.AUTO,
) -> Updated:
    """Change some features (null or "unknown" forgets one), decide again and keep the history."""
    if not isinstance(changes, Mapping):
        raise Invalid(
            "The changes must be an object of features.", [{"feature": None, "msg": "expected an object"}]
        )
    with atomic(session=session):
        case = case_by_ref(session, ref, lock=True)
        valid = features.validate({**case.features, **changes}, today=today)
        if "area" not in valid:
            raise Invalid(
                "A case keeps its area.", [{"feature": "area", "msg": "cannot be forgotten on a case"}]
            )
        snapshot = features.to_json(valid)
        latest = _view(session, case).recommendation
        current = latest is not None and (
            latest.ruleset_version == _ruleset_of(rulesets, latest.ruleset_id).version
        )
        if snapshot == case.features and current:
            return Updated(_view(session, case), [])  # the same facts under the same rules: nothing new
        before = dict(case.features)
        decision = threshold.decide(valid, ruleset, today, rulesets=rulesets)
        if any(before.get(name) != snapshot.get(name) for name in AREA_FEATURES):
            _rehome(session, case, valid, _ruleset_of(rulesets, decision.ruleset_id), actor=actor)
        case.features, case.area, case.updated_at = snapshot, valid["area"], utcnow()
        session.add(case)
        row = _recommend(session=session, case=case, decision=decision, valid=valid, today=today, actor=actor)
        redeclare = []
        if before.get("agencies_involved") != snapshot.get("agencies_involved"):
            redeclare = commissions.agencies_changed(session=session, case_id=case.id, actor=actor)  # type: ignore[arg-type]
        audit.record(
            session,
            "case.update",
            case.ref,
            actor=actor,
            before={"features": before},
            after=_recommended(row, rulesets),
        )
    return Updated(_view(session, case), redeclare)


def _board_outcomes(outcomes: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """The outcomes the board chose instead, as (type, requirement) pairs; ``Invalid`` names bad ones."""
    types = rules.outcome_types()
    problems = [
        {
            "loc": ["body", "outcomes", n],
            "msg": f"{o.get('type')!r} / {o.get('requirement')!r} is not a valid outcome",
        }
        for n, o in enumerate(outcomes)
        if o.get("type") not in types or o.get("requirement") not in (rules.MANDATORY, rules.DISCRETIONARY)
    ]
    if len({o.get("type") for o in outcomes}) != len(outcomes):
        problems.append({"loc": ["body", "outcomes"], "msg": "names the same outcome twice"})
    if problems:
        raise Invalid("The board's outcomes are not valid.", problems)
    return [(o["type"], o["requirement"]) for o in outcomes]


def record_board_decision(
    *,
    session: Session,
    ref: str,
    accepted: bool,
    reason: str | None,
    outcomes: Sequence[Mapping[str, Any]] | None,
    actor: str,
    today: date,
    rulesets: Sequence[rules.Ruleset],
    decided_on: date | None = None,
) -> CaseView:
    """The board accepts the latest recommendation, or departs from it with a reason (and, if it says,
    the outcomes it chose instead: an empty list for none), on ``decided_on`` (default ``today``).

    A decision is made under the newest version of the recommendation's ruleset, and records it. Its
    clocks count from their own triggers, the board's decision among them, so a review decided in 2020
    has its 2020 deadlines. Accepting takes the outcomes the board was shown: if the newest version would
    now answer differently, the case must be updated first (``Conflict``). Outcomes the board chose get the
    deadlines the rules give them (``decisions.departure``)."""
    reason = (reason or "").strip() or None
    decided_on = decided_on or today
    if not accepted and reason is None:
        raise Invalid(
            "Departing from the recommendation needs a reason.",
            [
                {
                    "loc": ["body", "reason"],
                    "msg": "is required when the board departs from the recommendation",
                }
            ],
        )
    if accepted and outcomes is not None:
        raise Invalid(
            "Accepting the recommendation takes its outcomes.",
            [
                {
                    "loc": ["body", "outcomes"],
                    "msg": "give outcomes only when departing from the recommendation",
                }
            ],
        )
    with atomic(session=session):
        case = case_by_ref(session, ref, lock=True)
        recommendation = _view(session, case).recommendation
        if recommendation is None:
            raise Conflict(f"Case {ref} has no recommendation to decide on: set its features first.")
        valid = features.validate(recommendation.features)
        _check_decided_on(decided_on, valid, today)
        newest = _ruleset_of(rulesets, recommendation.ruleset_id)
        if accepted:
            result = _accepted(recommendation, valid, decided_on=decided_on, rulesets=rulesets)
        elif outcomes is None:
            result = {}
        else:
            result = decisions.departure(
                decisions.StoredDecision.from_json(recommendation.result),
                _board_outcomes(outcomes),
                reason=reason,  # type: ignore[arg-type]
                ruleset=newest,
                features=valid,
                decided_on=decided_on,
            ).to_json()
        board = CaseDecision(
            case_id=case.id,  # type: ignore[arg-type]
            kind=DecisionKind.board,
            ruleset_id=newest.id,
            ruleset_version=newest.version,
            today=decided_on,  # a board decision is made, and its clocks read, as of the day it was taken
            features=recommendation.features,
            result=result,
            accepted=accepted,
            reason=reason,
            decided_by=actor,
        )
        audit.added(
            session,
            board,
            "case.decision",
            case.ref,
            actor=actor,
            after={
                "accepted": accepted,
                "reason": reason,
                "recommendation_id": recommendation.id,
                "recommended": _outcomes(recommendation.result),
                "outcomes": _outcomes(result),
                "decided_on": decided_on,
                "ruleset": {"id": newest.id, "version": newest.version},
            },
            free_text=("reason",),  # the board's words: the retention purge removes them
        )
    return _view(session, case)


def _check_decided_on(decided_on: date, valid: features.Features, today: date) -> None:
    """A decision is taken on a real day: not after today, nor before the authority learned of the case."""
    learned = valid.get("notified_date") or valid.get("incident_date")
    problems = []
    if decided_on > today:
        problems.append({"loc": ["body", "decided_on"], "msg": f"is after today ({features.written(today)})"})
    if learned is not None and decided_on < learned:
        named = features.phrase("notified_date" if valid.get("notified_date") else "incident_date")
        problems.append(
            {
                "loc": ["body", "decided_on"],
                "msg": f"is before {named} ({features.written(learned)}): the board cannot decide first",
            }
        )
    if problems:
        raise Invalid("The day of the board's decision is not possible.", problems)


def _accepted(
    recommendation: CaseDecision,
    valid: features.Features,
    *,
    decided_on: date,
    rulesets: Sequence[rules.Ruleset],
) -> dict[str, Any]:
    """The recommendation the board accepts, decided again under the newest rules as of ``decided_on`` so
    the clocks that run from the decision get their dates; ``Conflict`` if its outcomes would change."""
    fresh = threshold.decide(
        valid, _choice(recommendation), decided_on, rulesets=rulesets, decided_on=decided_on
    ).to_json()
    if _outcomes(fresh) != _outcomes(recommendation.result):
        raise Conflict(
            "The current rules answer this case differently from the recommendation the board was shown. "
            "Update the case to see the new recommendation, then record the board's decision on it.",
            findings=[
                {
                    "rule": "case.recommendation_out_of_date",
                    "recommended": _outcomes(recommendation.result),
                    "now": _outcomes(fresh),
                }
            ],
        )
    return fresh


def reproduce(decision: CaseDecision, *, settings: Mapping[str, Any]) -> dict[str, Any]:
    """Run a stored recommendation again: its ruleset at the stored version, its date, its features, and the
    ruleset chosen the same way. ``settings`` must be those it was made under (the audit log has them)."""
    ruleset = rules.load(decision.ruleset_id, decision.ruleset_version, settings)
    rulesets = [ruleset if r.id == ruleset.id else r for r in rules.load_all(settings)]
    chosen = (
        ruleset.id
        if decision.result["ruleset"]["chosen_by"] == threshold.CHOSEN_BY_REQUEST
        else threshold.AUTO
    )
    return threshold.decide(
        features.validate(decision.features), chosen, decision.today, rulesets=rulesets
    ).to_json()
