"""The timetable in the terms of reference: the threshold decision's own deadlines, then the review's steps
planned from the board's decision.

Pure. Each row says what it rests on in words a reader can weigh ("Statutory guidance", "Proposed",
"For the board to confirm"), cites only sources of its own regime in force on the day, and says when its
date has already passed.
"""

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from commissioning.calendar import describe, is_working_day
from commissioning.calendar import due as due_date
from commissioning.citations import DECISION
from commissioning.features import in_words
from commissioning.rules import outcome_types
from commissioning.terms_context import Context, without_notes
from commissioning.terms_document import Block, Milestone, Paragraph, Timetable, parse_date

_Built = tuple[tuple[Block, ...], tuple[str, ...]]


def timescales(c: Context) -> _Built:
    text = c.clauses["timescales"]
    outcomes = c.decision.get("outcomes", [])
    # The chosen review's own clock is planned below from the board's decision, not copied from the engine.
    rows = [
        _decision_deadline(c, o)
        for o in outcomes
        if o.get("type") != c.review_type and (o.get("deadline") or {}).get("date")
    ]
    to_confirm: list[str] = []
    start = c.board.decided_on if c.board is not None else None
    if start is None:
        to_confirm.append(text["no_decision_date"])
    review_steps = [_ruleset_clock(c, m) for m in text["milestones"].get(c.review_type or "", [])]
    due: dict[str, date | None] = {"decided_on": start}
    for step in [*text["milestones"]["common"], *review_steps]:
        anchor_key = step.get("from") or step["before"]
        anchor = due.get(anchor_key)
        due[step["id"]] = None if anchor is None else _shift(anchor, step)
        direction = "before" if "before" in step else "from"
        basis = f"{describe(step['count'], step['unit'])} {direction} {text['anchor_names'][anchor_key]}"
        standing = _standing(c, step["status"], due[step["id"]])
        rows.append(Milestone(step["label"], due[step["id"]], basis, standing, c.cite(step["sources"])))
    if c.review_type is None:
        to_confirm.append("the completion date: it depends on the review type")
    known = sorted((r for r in rows if r.due is not None), key=lambda r: r.due or date.min)
    rows = known + [r for r in rows if r.due is None]
    return (Paragraph(text["intro"]), Timetable(tuple(rows))), tuple(to_confirm)


def _standing(c: Context, status: str, due: date | None) -> str:
    """The row's standing in words, saying so when its date is already past on the day of issue."""
    text = c.clauses["timescales"]
    standing = text["standing"][status]
    return text["passed"].format(standing=standing) if due is not None and due < c.today else standing


def _ruleset_clock(c: Context, step: Mapping[str, Any]) -> Mapping[str, Any]:
    """A review's completion clock from the ruleset the decision applied, when it sets one from the decision.

    The rulesets are the single source of statutory timescales; the clause library's own figure is the
    fallback for rulesets (or review types) that set none. A figure the ruleset has not confirmed is for
    the board to confirm.
    """
    ruleset = c.ruleset
    if step["id"] != "completion" or ruleset is None or ruleset.id != c.ruleset_id:
        return step
    spec = ruleset.deadlines.get(c.review_type or "")
    if spec is None or spec.start not in (None, DECISION) or spec.unit is None:
        return step
    param = ruleset.params[spec.count_param] if spec.count_param else None
    count = param.value if param else spec.count
    if count is None:
        return step
    confirmed = param is None or param.confirmed
    return {**step, "count": count, "unit": spec.unit, "status": step["status"] if confirmed else "confirm"}


def _decision_deadline(c: Context, outcome: Mapping[str, Any]) -> Milestone:
    known = outcome_types().get(outcome["type"])
    deadline = outcome["deadline"]
    spec = c.clauses["timescales"]["decision_sources"].get(
        outcome["type"], {"regime": c.regime, "sources": []}
    )
    due = parse_date(deadline["date"])
    basis, unsure = without_notes(in_words(deadline.get("basis", "")))
    provisional = c.clauses["timescales"]["provisional"]
    if provisional["marker"] in basis:  # counted from another day until the one the law names is known
        basis, unsure = basis.replace(provisional["marker"], provisional["words"]), True
    return Milestone(
        label=known.label if known else outcome["type"].replace("_", " ").capitalize(),
        due=due,
        basis=basis,
        status=_standing(c, "confirm" if unsure else "decision", due),
        source=c.cite(spec["sources"], regime=spec["regime"], day=c.criteria_day),
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
