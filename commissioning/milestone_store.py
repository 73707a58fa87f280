"""Database functions for a case's milestones, and the case read with them: its timeline and the
deadlines that count from what was recorded (``commissioning.milestones`` decides; this module stores).

Keyword-only, ``session` first. Recording a milestone checks it first (``milestones.problems``), then adds
or replaces the case's record of that kind with one audit event (``case.milestone``, what it replaced in
``before``; the note as a fingerprint), or writes nothing. The publication and a decision not to publish
are one place in the order: recording one replaces the other.
"""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from commissioning import decisions, features, milestones, rules
from commissioning.cases import case_by_ref
from commissioning.models import CaseDecision, CaseMilestone, DecisionKind
from core import audit
from core.errors import Invalid
from core.transaction import atomic

NAMED = {"kind": "the kind", "on": "the date", "note": "the note"}  # a problem's field in a sentence


def of_cases(session: Session, case_ids: Collection[int]) -> dict[int, tuple[CaseMilestone, ...]]:
    """Each case's milestones, in the order of the review (one query for them all)."""
    rows = session.exec(select(CaseMilestone).where(col(CaseMilestone.case_id).in_(list(case_ids)))).all()
    found: dict[int, list[CaseMilestone]] = {}
    for row in sorted(rows, key=lambda row: milestones.place(row.kind)):
        found.setdefault(row.case_id, []).append(row)
    return {case_id: tuple(found.get(case_id, ())) for case_id in case_ids}


@dataclass(frozen=True)
class Reading:
    """A case read with its milestones: the answer in force with the deadlines counted from what was
    recorded, the timeline, and whether the Panel's words apply (else Ofsted's)."""

    governing: decisions.Governing
    timeline: tuple[milestones.Entry, ...]
    panel: bool

    def to_json(self) -> list[dict[str, Any]]:
        return [entry.to_json() for entry in self.timeline]


def _in_force(history: Sequence[CaseDecision]) -> CaseDecision | None:
    """The decision ``decisions.governing`` reads: the board's latest, else the latest recommendation."""
    for kind in (DecisionKind.board, DecisionKind.recommendation):
        latest = next((d for d in reversed(history) if d.kind == kind), None)
        if latest is not None:
            return latest
    return None


def counted(
    governing: decisions.Governing,
    *,
    history: Sequence[CaseDecision],
    case_features: Mapping[str, Any],
    recorded: Sequence[CaseMilestone],
    rulesets: Sequence[rules.Ruleset],
    today: date,
) -> decisions.Governing:
    """``governing`` with its deadlines counted from the recorded milestones: unchanged (the stored
    deadlines, without reading the rules again) while none records a day a clock counts from."""
    if not any(milestones.BY_ID[one.kind].starts for one in recorded if one.kind in milestones.BY_ID):
        return governing
    return read(
        history=history, case_features=case_features, recorded=recorded, rulesets=rulesets, today=today
    ).governing


def read(
    *,
    history: Sequence[CaseDecision],
    case_features: Mapping[str, Any],
    recorded: Sequence[CaseMilestone],
    rulesets: Sequence[rules.Ruleset],
    today: date,
) -> Reading:
    """The case (its decisions oldest first, its features and milestones) read as of ``today`` under
    ``rulesets``; with nothing recorded that a clock counts from, its deadlines are the stored ones."""
    governing = decisions.governing((d.kind, d.result) for d in history)
    row = _in_force(history)
    facts = features.validate(row.features if row is not None else case_features)
    days = {one.kind: one.on for one in recorded}
    panel = milestones.panel_in_force(rulesets, milestones.notice_day(facts, days, today))
    ruleset = next((r for r in rulesets if row is not None and r.id == row.ruleset_id), None)
    due: Mapping[str, decisions.Due] = {}
    if ruleset is not None and row is not None:
        found = milestones.read(
            ruleset,
            [(outcome.type, outcome.requirement) for outcome in governing.decision.outcomes],
            facts,
            days,
            as_of=row.today,
            decided_on=row.today if row.kind == DecisionKind.board else None,
            panel=panel,
        )
        due = found.due
        if any(milestones.BY_ID[kind].starts for kind in days if kind in milestones.BY_ID):
            governing = decisions.Governing(governing.decision, found.deadlines)
    made = {
        one.kind: milestones.Recorded(one.on, one.note, one.recorded_by, one.recorded_at) for one in recorded
    }
    return Reading(governing, tuple(milestones.timeline(made, due, today=today, panel=panel)), panel)


def record(
    *,
    session: Session,
    ref: str,
    kind: str,
    on: date,
    note: str | None,
    actor: str,
    today: date,
    rulesets: Sequence[rules.Ruleset],
) -> CaseMilestone:
    """Record (or record again) a milestone of case ``ref``; ``Invalid`` lists every problem at once."""
    note = (note or "").strip() or None
    with atomic(session=session):
        case = case_by_ref(session, ref, lock=True)
        assert case.id is not None
        rows = of_cases(session, [case.id])[case.id]
        others = {row.kind: row.on for row in rows if row.kind != kind}
        facts = features.validate(case.features)
        panel = milestones.panel_in_force(rulesets, milestones.notice_day(facts, {kind: on, **others}, today))
        found = milestones.problems(
            kind,
            on,
            note,
            today=today,
            incident=facts.get("incident_date"),
            recorded=others,
            panel=panel,
        )
        if found:
            problems = [{"loc": ["body", field], "msg": msg} for field, msg in found]
            if kind not in milestones.BY_ID:
                problems[0]["valid"] = [k.id for k in milestones.KINDS]
            said = "; ".join(f"{NAMED[field]} {msg}" for field, msg in found)
            raise Invalid(f"The milestone was not recorded: {said}.", problems)
        replaced = [row for row in rows if row.kind == kind or _same_place(row.kind, kind)]
        before = [_audited(row) for row in replaced]
        for row in replaced:
            session.delete(row)
        session.flush()
        made = CaseMilestone(case_id=case.id, kind=kind, on=on, note=note, recorded_by=actor)
        session.add(made)
        session.flush()
        audit.record(
            session,
            "case.milestone",
            case.ref,
            actor=actor,
            before={"replaced": before} if before else None,
            after=_audited(made),
            free_text=("note",),  # people's words about the case: the retention purge removes them
        )
    return made


def _same_place(one: str, other: str) -> bool:
    return one in milestones.ENDS and other in milestones.ENDS


def _audited(row: CaseMilestone) -> dict[str, Any]:
    return {"kind": row.kind, "on": row.on, "note": row.note}
