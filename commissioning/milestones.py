"""The review's milestones: the dates of a case's life, in order, checked, and read against its deadlines.

A case records when the local authority learned of it, when the Panel (or, before the Panel existed,
Ofsted) was notified, when the rapid review was sent, the decision to hold the review, when it started,
the draft, the Panel told before publication, and the publication (or a decision not to publish, with
its reason). Each is checked against today, the incident and the milestones around it.

The deadlines are the rules' own clocks (``threshold.deadline_for``), not numbers kept here: a milestone
that is a clock's start (the authority learning of it, the Panel's notification, the decision) replaces
the case's date of that name once recorded, so the deadlines counting from it move to the recorded day;
a milestone that ends a clock (the notification, the rapid review, the decision, the publication) is late
when it is recorded after that clock's date. Which body was notified, the Panel or Ofsted, is the one the
edition of the guidance in force on the notification's day has a notification clock for. Pure.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from commissioning import rules, threshold
from commissioning.citations import DECISION, trigger_day
from commissioning.clocks import CASE_DATES
from commissioning.decisions import Due
from commissioning.features import Features, written

PANEL, OFSTED = "notify_panel", "notify_ofsted"  # the notification a ``panel_notified`` milestone records
REVIEW = "review"


@dataclass(frozen=True)
class Kind:
    """A milestone: its id (a public contract), what happened in words, and, when it differs, the words
    under an edition before the Panel; ``starts`` names the case date a clock counts from that it records."""

    id: str
    words: str
    before_panel: str = ""
    starts: str | None = None

    def said(self, *, panel: bool) -> str:
        return self.words if panel or not self.before_panel else self.before_panel


KINDS: tuple[Kind, ...] = (
    Kind("la_notified", "The local authority learned of it", starts="notified_date"),
    Kind(
        "panel_notified",
        "The Child Safeguarding Practice Review Panel was notified",
        "Ofsted was notified",
        starts="panel_notified_date",
    ),
    Kind("rapid_review_sent", "The rapid review was sent to the Panel"),
    Kind("decision_to_initiate", "The decision to hold the review", starts=DECISION),
    Kind("review_started", "The review started"),
    Kind("draft_received", "The draft report was received"),
    Kind(
        "panel_told_before_publication",
        "The Panel was told before publication",
        "The report was sent to Ofsted and the Department before publication",
    ),
    Kind("published", "The report was published"),
    Kind("not_published", "It was decided not to publish the report"),
)
BY_ID = {kind.id: kind for kind in KINDS}
ENDS = ("published", "not_published")  # one or the other: the same place in the order
NEEDS_NOTE = "not_published"


def place(kind: str) -> int:
    """Where ``kind`` comes in the order (the two ends share a place)."""
    return min(KINDS.index(BY_ID[kind]), KINDS.index(BY_ID[ENDS[0]]))


def panel_in_force(rulesets: Sequence[rules.Ruleset], day: date) -> bool:
    """Whether the edition in force on ``day`` (the last to start by then; else the first) has the Panel:
    it gives a clock for notifying it."""
    in_force = [ruleset for ruleset in rulesets if ruleset.starts.value <= day] or list(rulesets[:1])
    return PANEL in in_force[-1].clocks


def notice_day(features: Features, recorded: Mapping[str, date], today: date) -> date:
    """The day that decides the notification's edition: the Panel's notification, else the nearest known
    date standing in for it (``citations.trigger_day``)."""
    return trigger_day("panel_notification", _dates(features, recorded), today)


def problems(
    kind: str,
    on: date,
    note: str | None,
    *,
    today: date,
    incident: date | None,
    recorded: Mapping[str, date],
    panel: bool = True,
) -> list[tuple[str, str]]:
    """What is wrong with recording ``kind`` on ``on`` (each a field and a sentence; none: it may be
    recorded), given the other milestones ``recorded`` (id -> date). ``panel``: the Panel's words."""
    if kind not in BY_ID:
        return [("kind", "is not one of a review's milestones: choose one of those listed")]
    found = []
    if on > today:
        found.append(("on", f"is after today ({written(today)}): record a milestone once it has happened"))
    if incident is not None and on < incident:
        found.append(("on", f"is before the incident ({written(incident)})"))
    for other, day in recorded.items():
        if other == kind or other not in BY_ID or place(other) == place(kind):
            continue
        said = BY_ID[other].said(panel=panel).lower()
        if place(other) < place(kind) and day > on:
            found.append(("on", f"is before {written(day)}, when {said}, which comes first"))
        if place(other) > place(kind) and day < on:
            found.append(("on", f"is after {written(day)}, when {said}, which comes later"))
    if kind == NEEDS_NOTE and not (note or "").strip():
        found.append(("note", "is needed: the reason the report is not published"))
    return found


@dataclass(frozen=True)
class Read:
    """The deadlines in force once the recorded milestones are counted from, soonest first, and the date
    each milestone was due by (id -> the deadline it meets)."""

    deadlines: tuple[Due, ...]
    due: Mapping[str, Due]


def read(
    ruleset: rules.Ruleset,
    outcomes: Sequence[tuple[str, str]],
    features: Features,
    recorded: Mapping[str, date],
    *,
    as_of: date,
    decided_on: date | None,
    panel: bool,
) -> Read:
    """The deadlines of ``outcomes`` (type and requirement, the answer in force, made under ``ruleset``
    as of ``as_of``) on the case's dates with the recorded milestones in place of those they record; the
    decision's day is the recorded decision, else the board's (``decided_on``)."""
    dated = _dates(features, recorded)
    facts = {**features, **{name: dated[name] for name in CASE_DATES if dated[name] is not None}}
    decided = recorded.get("decision_to_initiate", decided_on)
    kinds = rules.outcome_types()
    found: dict[str, Due] = {}
    for outcome, requirement in outcomes:
        deadline = threshold.deadline_for(
            ruleset, outcome, requirement, facts, today=as_of, decided_on=decided
        )
        if deadline is not None and deadline.date is not None:
            found[outcome] = Due(outcome, kinds[outcome].kind, deadline.date, deadline.basis)
    due: dict[str, Due] = {}
    notice = found.get(PANEL if panel else OFSTED)
    if notice is not None:
        due["panel_notified"] = notice
    if "rapid_review" in found:
        due["rapid_review_sent"] = found["rapid_review"]
    for outcome, requirement in outcomes:
        starts = {variant.start == DECISION for variant in ruleset.clocks.get(outcome, ())}
        if starts == {True, False}:  # a clock to decide by, then one from the decision
            undecided = threshold.deadline_for(ruleset, outcome, requirement, facts, today=as_of)
            if undecided is not None and undecided.date is not None:
                due["decision_to_initiate"] = _sooner(
                    due.get("decision_to_initiate"),
                    Due(outcome, kinds[outcome].kind, undecided.date, undecided.basis),
                )
        if True in starts and outcome in found and found[outcome].kind == REVIEW:
            for end in ENDS:
                due[end] = _sooner(due.get(end), found[outcome])
    return Read(tuple(sorted(found.values(), key=lambda one: one.day)), due)


def _sooner(one: Due | None, other: Due) -> Due:
    return other if one is None or other.day < one.day else one


def _dates(features: Features, recorded: Mapping[str, date]) -> dict[str, date | None]:
    """The case's dates a clock counts from, each recorded milestone in place of the date it records."""
    dates: dict[str, date | None] = {name: features.get(name) for name in CASE_DATES}
    for kind in KINDS:
        if kind.starts in dates and kind.id in recorded:
            dates[kind.starts] = recorded[kind.id]
    return dates


@dataclass(frozen=True)
class Recorded:
    """A milestone as recorded: its day, the note, who recorded it and when."""

    on: date
    note: str | None
    recorded_by: str
    recorded_at: datetime


@dataclass(frozen=True)
class Entry:
    """One line of a case's timeline: a milestone, recorded or still to come, and its deadline."""

    kind: str
    words: str
    recorded: Recorded | None
    due: Due | None
    late: bool  # recorded after its deadline, or not recorded and its deadline has passed

    @property
    def standing(self) -> str:
        """The line's state in words: late, on time, overdue, due, or nothing to say."""
        if self.due is None:
            return "" if self.recorded else "Not recorded yet"
        by = written(self.due.day)
        if self.recorded is not None:
            return f"Late: it was due by {by}" if self.late else f"On time: due by {by}"
        return f"Overdue: it was due by {by}" if self.late else f"Due by {by}"

    def to_json(self) -> dict[str, Any]:
        recorded = self.recorded
        return {
            "kind": self.kind,
            "words": self.words,
            "on": recorded and recorded.on,
            "note": recorded and recorded.note,
            "recorded_by": recorded and recorded.recorded_by,
            "recorded_at": recorded and recorded.recorded_at,
            "due": self.due and self.due.day,
            "due_basis": self.due and self.due.basis,
            "late": self.late,
            "standing": self.standing,
        }


def timeline(
    recorded: Mapping[str, Recorded], due: Mapping[str, Due], *, today: date, panel: bool
) -> list[Entry]:
    """Every milestone in order, with its record when there is one and its deadline when one applies; of
    the two ends, the one recorded (the publication while neither is)."""
    end = next((kind for kind in reversed(ENDS) if kind in recorded), ENDS[0])
    entries = []
    for kind in KINDS:
        if kind.id in ENDS and kind.id != end:
            continue
        made, by = recorded.get(kind.id), due.get(kind.id)
        late = by is not None and (made.on > by.day if made is not None else by.day < today)
        entries.append(Entry(kind.id, kind.said(panel=panel), made, by, late))
    return entries
