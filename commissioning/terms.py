"""Terms of reference: one content object, assembled from a case, its decision and its commission.

Pure: plain data in, a frozen `Terms` out (``commissioning.terms_document``). The wording lives in
`clauses.json` (versioned data, each clause with its source); this module only chooses clauses and fills
them in, so the renderers never decide content and every format says the same thing. Nothing here reads
a child's name or date of birth: the inputs carry none, and only the named features below are ever read.
"""

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from commissioning.arrangements import Arrangement, arrangement_on
from commissioning.calendar import add_months, describe, is_working_day
from commissioning.calendar import due as due_date
from commissioning.citations import DECISION
from commissioning.rules import Ruleset, outcome_types
from commissioning.rules import load as load_ruleset
from commissioning.terms_document import (
    Block,
    Milestone,
    Paragraph,
    Points,
    Section,
    Terms,
    Timetable,
    format_date,
    parse_date,
)
from core.errors import NotFound

CLAUSES_PATH = Path(__file__).with_name("clauses.json")


@lru_cache
def load_clauses() -> dict[str, Any]:
    """The clause library; read once per process."""
    return json.loads(CLAUSES_PATH.read_text(encoding="utf-8"))


CLAUSES_VERSION: str = load_clauses()["version"]


# Inputs -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Agency:
    id: str
    name: str


@dataclass(frozen=True)
class CaseFacts:
    """What the terms need from a case: its reference and features, never personal details."""

    ref: str
    features: Mapping[str, Any]
    agencies: tuple[Agency, ...] = ()
    other_areas: tuple[str, ...] = ()
    period_from: date | None = None
    period_to: date | None = None


@dataclass(frozen=True)
class BoardDecision:
    """The board's recorded decision: the name of the chair who recorded it (None when no name is known),
    the day it was made, and (optionally) which review and method."""

    decided_by: str | None
    decided_on: date
    review_type: str | None = None
    method: str | None = None
    superseded_on: date | None = None  # the case changed later and the engine now recommends otherwise


@dataclass(frozen=True)
class CommissionFacts:
    """The reviewer commissioned for the case, the checks run and the declaration made (if any)."""

    consultant_name: str
    role: str
    commissioned_on: date | None = None
    checks: tuple[str, ...] = ()
    declared_on: date | None = None
    declaration: str | None = None
    signed_on: date | None = None  # the board recorded it from the consultant's statement signed that day


TITLES: dict[str, str] = {
    "purpose": "Purpose",
    "decision": "Criteria met, decision and legal basis",
    "scope": "Scope",
    "enquiry": "Key lines of enquiry",
    "method": "Method",
    "governance": "Governance and sign-off",
    "independence": "Independence of the lead reviewer",
    "involvement": "Family and practitioner involvement",
    "parallel": "Parallel processes",
    "media": "Media and communications",
    "timescales": "Timescales",
    "publication": "Publication",
    "siblings": "Immediate safety of siblings and other children",
}


# Assembly -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Facts:
    """Everything the section builders share, worked out once."""

    case: CaseFacts
    decision: Mapping[str, Any]
    board: BoardDecision | None
    commission: CommissionFacts | None
    review_type: str | None
    ruleset_id: str
    ruleset: Ruleset | None
    clauses: Mapping[str, Any]
    arrangement: Arrangement | None  # who decided in the area on the day of the board's decision

    @property
    def regime_id(self) -> str:
        """The decision's ruleset when the library knows it, else today's regime."""
        return self.ruleset_id if self.ruleset_id in self.clauses["regimes"] else "wt2023"

    @property
    def regime(self) -> Mapping[str, str]:
        return self.clauses["regimes"][self.regime_id]

    @property
    def review_name(self) -> str:
        if self.review_type is None:
            return "review"
        return self.clauses["review_types"][self.review_type]["name"]

    @property
    def area(self) -> str | None:
        area = self.case.features.get("area")
        return _area_name(area) if isinstance(area, str) and area.strip() else None

    @property
    def decider(self) -> Mapping[str, str]:
        """Who decides: the LSCB or the safeguarding partners in force on the day of the board's decision,
        else those of the decision's regime."""
        if self.arrangement is None:
            return self.regime
        return self.clauses["decision"]["deciders"][self.arrangement]

    @property
    def words(self) -> dict[str, str]:
        """Placeholders the clause texts may use."""
        return {
            "board": self.decider["board"],
            "decider": self.decider["decider"],
            "guidance": self.regime["guidance"],
            "area": self.area or "the lead area",
            "review_name": self.review_name,
        }

    def fill(self, clause: Mapping[str, str], **extra: str) -> Paragraph:
        return Paragraph(clause["text"].format_map({**self.words, **extra}), clause.get("source", ""))

    def outcome(self, outcome_type: str) -> Mapping[str, Any] | None:
        return next((o for o in self.decision.get("outcomes", []) if o.get("type") == outcome_type), None)

    def feature_true(self, name: str) -> bool:
        return self.case.features.get(name) is True


def assemble(
    *,
    case: CaseFacts,
    decision: Mapping[str, Any],
    board: BoardDecision | None,
    commission: CommissionFacts | None,
    today: date,
    ruleset: Ruleset | None = None,
    partnership_starts: Mapping[str, date] = MappingProxyType({}),
) -> Terms:
    """The terms of reference for a case as of `today`, with every gap listed rather than left blank.

    ``ruleset`` is the ruleset the decision applied, as the caller loads it (with any local settings);
    without it the decision's ruleset is loaded with its default settings. ``partnership_starts`` gives
    the day areas moved to the safeguarding partners (``commissioning.arrangements``), so the board's
    decision is credited to whoever decided in the case's area that day.
    """
    clauses = load_clauses()
    ruleset_ref = decision.get("ruleset") or {}
    area = case.features.get("area")
    arrangement = (
        None
        if board is None
        else arrangement_on(board.decided_on, area if isinstance(area, str) else None, partnership_starts)
    )
    facts = _Facts(
        case=case,
        decision=decision,
        board=board,
        commission=commission,
        review_type=_review_type(decision, board, clauses),
        ruleset_id=ruleset_ref.get("id", ""),
        ruleset=ruleset or _default_ruleset(ruleset_ref),
        clauses=clauses,
        arrangement=arrangement,
    )
    builders: dict[str, Callable[[_Facts], tuple[tuple[Block, ...], tuple[str, ...]]]] = {
        "purpose": _purpose,
        "decision": _decision,
        "scope": _scope,
        "enquiry": _enquiry,
        "method": _method,
        "governance": _governance,
        "independence": _independence,
        "involvement": _involvement,
        "parallel": _parallel,
        "media": _media,
        "timescales": _timescales,
        "publication": _publication,
        "siblings": _siblings,
    }
    sections = []
    for key, build in builders.items():
        blocks, to_confirm = build(facts)
        sections.append(Section(key=key, title=TITLES[key], blocks=blocks, to_confirm=to_confirm))
    review_name = facts.review_name if facts.review_type else None
    return Terms(
        case_ref=case.ref,
        title=f"Terms of reference: {review_name or 'case review'}",
        review_type=facts.review_type,
        review_name=review_name,
        area=facts.area,
        issued_on=today,
        clauses_version=CLAUSES_VERSION,
        ruleset=f"{ruleset_ref['id']} v{ruleset_ref.get('version', '?')}" if ruleset_ref.get("id") else None,
        sections=tuple(sections),
    )


def _default_ruleset(ruleset_ref: Mapping[str, Any]) -> Ruleset | None:
    """The decision's ruleset at its base version and default settings, if it exists."""
    if not ruleset_ref.get("id"):
        return None
    base = str(ruleset_ref.get("version") or "").partition("+")[0] or None
    try:
        return load_ruleset(ruleset_ref["id"], base)
    except NotFound:
        return None


def _review_type(decision: Mapping[str, Any], board: BoardDecision | None, clauses: Mapping) -> str | None:
    """The board's choice if it made one, else the first review in the decision that terms can cover."""
    if board is not None and board.review_type in clauses["review_types"]:
        return board.review_type
    present = {o.get("type") for o in decision.get("outcomes", [])}
    return next((t for t in clauses["review_preference"] if t in present), None)


_Built = tuple[tuple[Block, ...], tuple[str, ...]]


def _purpose(f: _Facts) -> _Built:
    return tuple(f.fill(c) for c in f.clauses["purpose"]), ()


def _decision(f: _Facts) -> _Built:
    c = f.clauses["decision"]
    blocks: list[Block] = []
    to_confirm: list[str] = []
    if f.board is not None:
        decided_on = format_date(f.board.decided_on)
        body = f.words["board"]
        said = {"Board": body[:1].upper() + body[1:], "for_area": _for(f.area), "decided_on": decided_on}
        text = (c["decided"] if f.review_type else c["decided_no_review"]).format_map({**f.words, **said})
        if f.board.decided_by:
            chair = {"chair": f.board.decided_by, "chair_role": f.decider["chair_role"]}
            text += " " + c["recorded_by"].format_map(chair)
        else:
            to_confirm.append(c["unnamed_chair"])
        blocks.append(Paragraph(text, f.decider["source"]))
        if f.board.superseded_on is not None:
            changed_on = format_date(f.board.superseded_on)
            to_confirm.append(c["superseded"].format(decided_on=decided_on, changed_on=changed_on))
    else:
        to_confirm.append("who decided to hold the review, and when (no board decision is recorded)")
    ruleset = f.decision.get("ruleset") or {}
    if ruleset.get("id"):
        blocks.append(
            f.fill(c["ruleset"], ruleset_id=ruleset["id"], ruleset_version=str(ruleset.get("version")))
        )
    else:
        to_confirm.append("the ruleset the threshold decision applied")
    if f.review_type is None:
        to_confirm.append("the review type: the decision names no review these terms can cover")
        return tuple(blocks), tuple(to_confirm)
    kind = f.clauses["review_types"][f.review_type]
    blocks.append(Paragraph(f"Review type: {kind['name']}.", ""))
    outcome = f.outcome(f.review_type)
    if outcome is None:
        to_confirm.append(f"the criteria met: the threshold decision does not recommend a {kind['name']}")
    else:
        requirement = outcome.get("requirement")
        if requirement in c["requirement"]:
            blocks.append(Paragraph(c["requirement"][requirement].format_map(f.words), f.regime["source"]))
        reasons = tuple(
            Paragraph(r.get("text", ""), r.get("source", ""))
            for r in outcome.get("reasons", [])
            if r.get("text")
        )
        if reasons:
            blocks += [Paragraph(c["criteria_intro"]), Points(reasons)]
        else:
            to_confirm.append("the criteria met: the decision records no reasons")
    blocks.append(Paragraph(f"Legal basis: {kind['legal_basis']}.", kind["source"]))
    return tuple(blocks), tuple(to_confirm)


def _scope(f: _Facts) -> _Built:
    c = f.clauses["scope"]
    blocks: list[Block] = []
    to_confirm: list[str] = []
    if f.case.period_from and f.case.period_to:
        blocks.append(
            f.fill(
                c["period"],
                period_from=format_date(f.case.period_from),
                period_to=format_date(f.case.period_to),
            )
        )
    else:
        incident = parse_date(f.case.features.get("incident_date"))
        proposal = ""
        if incident is not None:
            months = c["default_period_months"]
            start = add_months(incident, -months)
            note = c["default_period_note"].format(months=months)
            proposal = f" (proposed: {format_date(start)} to {format_date(incident)}, {note})"
        to_confirm.append(f"the period under review{proposal}")
    if f.case.agencies:
        blocks += [f.fill(c["agencies"]), Points(tuple(Paragraph(a.name) for a in f.case.agencies))]
    else:
        to_confirm.append("the agencies in scope: the case lists no agencies involved")
    if f.area:
        blocks.append(f.fill(c["lead_area"]))
    else:
        to_confirm.append("the lead area: the case records no area")
    if f.case.other_areas:
        blocks.append(f.fill(c["other_areas"], areas=", ".join(_area_name(a) for a in f.case.other_areas)))
    else:
        blocks.append(f.fill(c["no_other_areas"]))
    return tuple(blocks), tuple(to_confirm)


def _enquiry(f: _Facts) -> _Built:
    c = f.clauses["lines_of_enquiry"]
    lines = [Paragraph(x["text"], x["source"]) for x in c["core"]]
    for feature, questions in c["by_feature"].items():
        if f.feature_true(feature):
            lines += [Paragraph(q["text"], q["source"]) for q in questions]
    setting_group = c["by_setting"].get(f.case.features.get("setting"))
    if setting_group:
        lines += [Paragraph(q["text"], q["source"]) for q in c["settings"][setting_group]]
    return (Paragraph(c["intro"]), Points(tuple(lines), numbered=True)), ()


def _method(f: _Facts) -> _Built:
    """The board's chosen method if it named one the library knows, else the review type's default."""
    c = f.clauses["methods"]
    if f.board is not None and f.board.method in c["options"]:
        chosen = f.board.method
    elif f.review_type is not None:
        chosen = c["default_by_review"][f.review_type][f.regime_id]
    else:
        return (f.fill(c["proportionate"]),), ("the method: it follows from the review type",)
    return (f.fill(c["options"][chosen]), f.fill(c["proportionate"])), ()


def _governance(f: _Facts) -> _Built:
    return tuple(f.fill(c) for c in f.clauses["governance"]), ()


def _independence(f: _Facts) -> _Built:
    c = f.clauses["independence"]
    blocks: list[Block] = [f.fill(c["principle"])]
    if f.commission is None:
        return tuple(blocks), ("the lead reviewer, the independence checks run and their declaration",)
    commission = f.commission
    to_confirm: list[str] = []
    on = f" on {format_date(commission.commissioned_on)}" if commission.commissioned_on else ""
    role = commission.role.replace("_", " ")
    blocks.append(
        f.fill(c["commissioned"], consultant=commission.consultant_name, role=role, commissioned_on=on)
    )
    if commission.checks:
        source = c["checks_intro"]["source"]
        blocks += [f.fill(c["checks_intro"]), Points(tuple(Paragraph(x, source) for x in commission.checks))]
    else:
        to_confirm.append("the independence checks run before commissioning")
    if commission.signed_on and commission.declaration:
        blocks.append(
            f.fill(
                c["recorded"],
                consultant=commission.consultant_name,
                signed_on=format_date(commission.signed_on),
                declaration=commission.declaration,
            )
        )
    elif commission.declared_on and commission.declaration:
        blocks.append(
            f.fill(
                c["declared"],
                consultant=commission.consultant_name,
                declared_on=format_date(commission.declared_on),
                declaration=commission.declaration,
            )
        )
    else:
        to_confirm.append(f"the declaration of independence by {commission.consultant_name}")
    return tuple(blocks), tuple(to_confirm)


def _involvement(f: _Facts) -> _Built:
    blocks = [f.fill(c) for c in f.clauses["involvement"]]
    blocks += [f.fill(c) for name, c in f.clauses["involvement_by_feature"].items() if f.feature_true(name)]
    if _criminal_interest(f.case.features):
        blocks.append(f.fill(f.clauses["involvement_when_criminal"]))
    return tuple(blocks), ()


def _parallel(f: _Facts) -> _Built:
    c = f.clauses["parallel"]
    items: list[Paragraph] = []
    if _criminal_interest(f.case.features):
        items.append(f.fill(c["criminal"]))
    if f.case.features.get("outcome") == "death":
        items.append(f.fill(c["coroner"]))
    for outcome_type in c["outcomes"]:
        outcome = f.outcome(outcome_type)
        if outcome is None or outcome.get("requirement") not in ("mandatory", "discretionary"):
            continue
        kind = f.clauses["review_types"][outcome_type]
        text = c["review"][outcome["requirement"]].format(name=kind["name"], legal_basis=kind["legal_basis"])
        items.append(Paragraph(text, kind["source"]))
    items.append(f.fill(c["other"]))
    return (f.fill(c["intro"]), Points(tuple(items))), ()


def _media(f: _Facts) -> _Built:
    blocks = [f.fill(c) for c in f.clauses["media"]]
    for name, clause in f.clauses["media_by_feature"].items():
        if f.feature_true(name):
            blocks.append(f.fill(clause))
    return tuple(blocks), ()


def _timescales(f: _Facts) -> _Built:
    c = f.clauses["timescales"]
    outcomes = f.decision.get("outcomes", [])
    # The chosen review's own clock is planned below from the board's decision, not copied from the engine.
    rows = [
        _decision_deadline(o)
        for o in outcomes
        if o.get("type") != f.review_type and (o.get("deadline") or {}).get("date")
    ]
    to_confirm: list[str] = []
    start = f.board.decided_on if f.board is not None else None
    if start is None:
        to_confirm.append(c["no_decision_date"])
    review_steps = [_ruleset_clock(f, m) for m in c["milestones"].get(f.review_type or "", [])]
    due: dict[str, date | None] = {"decided_on": start}
    for m in [*c["milestones"]["common"], *review_steps]:
        anchor_key = m.get("from") or m["before"]
        anchor = due.get(anchor_key)
        due[m["id"]] = None if anchor is None else _shift(anchor, m)
        direction = "before" if "before" in m else "from"
        basis = f"{describe(m['count'], m['unit'])} {direction} {c['anchor_names'][anchor_key]}"
        rows.append(Milestone(m["label"], due[m["id"]], basis, m["status"], m["source"]))
    if f.review_type is None:
        to_confirm.append("the completion date: it depends on the review type")
    known = sorted((r for r in rows if r.due is not None), key=lambda r: r.due or date.min)
    rows = known + [r for r in rows if r.due is None]
    return (Paragraph(c["intro"]), Timetable(tuple(rows))), tuple(to_confirm)


def _ruleset_clock(f: _Facts, step: Mapping[str, Any]) -> Mapping[str, Any]:
    """A review's completion clock from the ruleset the decision applied, when it sets one from the decision.

    The rulesets are the single source of statutory timescales; the clause library's own figure is the
    fallback for rulesets (or review types) that set none.
    """
    ruleset = f.ruleset
    if step["id"] != "completion" or ruleset is None or ruleset.id != f.ruleset_id:
        return step
    spec = ruleset.deadlines.get(f.review_type or "")
    if spec is None or spec.start not in (None, DECISION) or spec.unit is None:
        return step
    param = ruleset.params[spec.count_param] if spec.count_param else None
    count = param.value if param else spec.count
    if count is None:
        return step
    confirmed = param is None or param.confirmed
    source = param.source if param else ruleset.title
    return {
        **step,
        "count": count,
        "unit": spec.unit,
        "status": "guidance" if confirmed else "unconfirmed",
        "source": source,
    }


def _publication(f: _Facts) -> _Built:
    c = f.clauses["publication"]
    specific = c.get(f.review_type or "", [])
    blocks = [f.fill(x) for x in [*specific, *c["all"]]]
    to_confirm = () if specific else ("the publication arrangements: they follow from the review type",)
    return tuple(blocks), to_confirm


def _siblings(f: _Facts) -> _Built:
    return tuple(f.fill(c) for c in f.clauses["siblings"]), ()


# Small pure pieces --------------------------------------------------------------------------------


def _for(area: str | None) -> str:
    return f" for {area}" if area else ""


def _area_name(area: str) -> str:
    """The area as people write it: a stored slug such as "tower-hamlets" reads "Tower Hamlets"."""
    return area.replace("-", " ").replace("_", " ").title() if area.islower() else area


def _criminal_interest(features: Mapping[str, Any]) -> bool:
    """A criminal process is likely when abuse is known or suspected, or someone else harmed the child."""
    if features.get("abuse_or_neglect") in ("known", "suspected"):
        return True
    return any(p != "self" for p in features.get("perpetrators") or ())


def _decision_deadline(outcome: Mapping[str, Any]) -> Milestone:
    known = outcome_types().get(outcome["type"])
    deadline = outcome["deadline"]
    reasons = outcome.get("reasons") or [{}]
    return Milestone(
        label=known.label if known else outcome["type"].replace("_", " ").capitalize(),
        due=parse_date(deadline["date"]),
        basis=deadline.get("basis", ""),
        status="decision",
        source=reasons[0].get("source", ""),
    )


def _shift(anchor: date, step: Mapping[str, Any]) -> date:
    """The step's date: working days land on working days; other units move to the next working day."""
    if "before" in step:
        return _working_days_before(anchor, step["count"])
    day = due_date(anchor, step["count"], step["unit"])
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def _working_days_before(day: date, count: int) -> date:
    """The ``count``-th working day before ``day`` (the calendar only counts forwards)."""
    while count > 0:
        day -= timedelta(days=1)
        count -= is_working_day(day)
    return day
