"""A case's decisions as it stores them, read in one place, and which of them sets the case's deadlines.

A case keeps a history of the engine's recommendations and the board's decisions, each answer stored
as JSON in the decision shape. The board's latest decision governs once the board has decided (an
accepted recommendation, or the outcomes it chose instead); until then the latest recommendation does.
The admin pages, the reminders, the App Home, the case API and the commissioning checks all read the
deadlines from ``governing``, so they cannot disagree. Pure: plain data in, plain data out.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from commissioning import rules, threshold
from commissioning.features import Features, inline, written
from commissioning.models import DecisionKind
from commissioning.threshold import OpenQuestion, Outcome, Reason

BOARD_RULE = "board.decision"  # the rule id of the reason each outcome a board chose itself carries


@dataclass(frozen=True)
class RulesetRef:
    id: str
    version: str
    chosen_by: str
    title: str  # the edition as people name it (decisions stored before titles were kept: from the id)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "version": self.version, "chosen_by": self.chosen_by, "title": self.title}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "RulesetRef":
        title = data.get("title") or rules.title(data["id"])
        return cls(data["id"], data["version"], data["chosen_by"], title)


@dataclass(frozen=True)
class StoredDecision:
    """One answer in a case's history, as stored: the engine's, or the board's.

    A board that departed from the recommendation without naming other outcomes stores an empty
    answer (``{}``): no ruleset, no outcomes.
    """

    ruleset: RulesetRef | None
    outcomes: tuple[Outcome, ...]
    open_questions: tuple[OpenQuestion, ...] = ()
    summary: str = ""

    def to_json(self) -> dict[str, Any]:
        """The decision shape of the domain notes, as ``threshold.Decision.to_json`` writes it."""
        if self.ruleset is None:
            return {}
        return {
            "ruleset": self.ruleset.to_json(),
            "outcomes": [outcome.to_json() for outcome in self.outcomes],
            "open_questions": [question.to_json() for question in self.open_questions],
            "summary": self.summary,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "StoredDecision":
        if not data:
            return cls(None, ())
        return cls(
            RulesetRef.from_json(data["ruleset"]),
            tuple(Outcome.from_json(outcome) for outcome in data["outcomes"]),
            tuple(OpenQuestion.from_json(question) for question in data["open_questions"]),
            data["summary"],
        )


def departure(
    recommendation: StoredDecision,
    chosen: Sequence[tuple[str, str]],
    *,
    reason: str,
    ruleset: rules.Ruleset,
    features: Features,
    decided_on: date,
) -> StoredDecision:
    """The board's answer when it departs from ``recommendation`` and names the outcomes it chose instead
    (type and requirement pairs, already checked), in decision order, on ``decided_on``.

    Each outcome carries the board's reason and the deadline the rules give it on the case's facts and the
    day of the decision (``threshold.deadline_for``), the one the engine gives it when it reaches it: a
    departure changes which clocks run, not how they count. The answer records ``ruleset``, the version
    the board decided under (the newest), not the recommendation's.
    """
    types = rules.outcome_types()
    order = list(types)
    because = (Reason(BOARD_RULE, reason, "decision of the board"),)
    outcomes = tuple(
        Outcome(
            name,
            types[name].kind,
            requirement,
            because,
            threshold.deadline_for(
                ruleset, name, requirement, features, today=decided_on, decided_on=decided_on
            ),
        )
        for name, requirement in sorted(chosen, key=lambda pair: order.index(pair[0]))
    )
    summary = f"The board departed from the recommendation: {reason}"
    chosen_by = recommendation.ruleset.chosen_by if recommendation.ruleset else threshold.CHOSEN_BY_REQUEST
    return StoredDecision(
        RulesetRef(ruleset.id, ruleset.version, chosen_by, ruleset.title), outcomes, (), summary
    )


def changes(before: StoredDecision, after: StoredDecision) -> tuple[str, ...]:
    """What ``after`` answers differently from ``before``, in plain words, in decision order: outcomes
    added or dropped, a requirement changed, a deadline moved."""
    types = rules.outcome_types()
    was = {outcome.type: outcome for outcome in before.outcomes}
    now = {outcome.type: outcome for outcome in after.outcomes}
    said = []
    for name in types:
        label = inline(types[name].label)
        old, new = was.get(name), now.get(name)
        if old is None and new is not None:
            said.append(f"{label} now applies ({new.requirement})")
        elif new is None and old is not None:
            said.append(f"{label} no longer applies")
        elif old is not None and new is not None and old.requirement != new.requirement:
            said.append(f"{label} becomes {new.requirement}")
        elif old is not None and new is not None and _due(old) != _due(new):
            said.append(_moved(label, _due(old), _due(new)))
    return tuple(said)


def _moved(label: str, old: date | None, new: date | None) -> str:
    if new is None:
        return f"{label} no longer has a date (it was due {written(old)})"
    if old is None:
        return f"{label} is now due {written(new)}"
    return f"{label} is due {written(new)} instead of {written(old)}"


def newer_answer(title: str, changed: Sequence[str]) -> str:
    """The line a case's page shows when the newest rules would answer it differently."""
    return (
        f"The current version of the rules ({title}) would now answer this case differently: "
        f"{'; '.join(changed)}. Update the case to record the new answer before the board decides on it."
    )


def _due(outcome: Outcome) -> date | None:
    return outcome.deadline.date if outcome.deadline else None


@dataclass(frozen=True)
class Due:
    """One dated deadline of the outcomes in force."""

    type: str  # the outcome whose deadline it is
    kind: str  # review or notification
    day: date
    basis: str

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, "date": self.day.isoformat(), "basis": self.basis}


@dataclass(frozen=True)
class Governing:
    """The answer in force for a case, and its dated deadlines, soonest first."""

    decision: StoredDecision
    deadlines: tuple[Due, ...]

    def ahead(self, today: date) -> tuple[Due, ...]:
        """The deadlines on or after ``today``, soonest first."""
        return tuple(due for due in self.deadlines if due.day >= today)

    def next_deadline(self, today: date) -> Due | None:
        """The earliest deadline on or after ``today``, if any."""
        return next(iter(self.ahead(today)), None)

    @property
    def review_due(self) -> date | None:
        """The last review deadline: the date the checks on a reviewer's availability look ahead to."""
        return max((due.day for due in self.deadlines if due.kind == "review"), default=None)


def governing(history: Iterable[tuple[str, Mapping[str, Any]]]) -> Governing:
    """Which answer governs a case with this history (each decision's kind and stored answer, oldest
    first), with its dated deadlines: the board's latest decision when the board has decided, else the
    latest recommendation, else nothing yet."""
    latest: dict[str, Mapping[str, Any]] = dict(history)  # later entries replace earlier ones
    stored = latest.get(DecisionKind.board, latest.get(DecisionKind.recommendation, {}))
    decision = StoredDecision.from_json(stored)
    dated = [
        Due(outcome.type, outcome.kind, outcome.deadline.date, outcome.deadline.basis)
        for outcome in decision.outcomes
        if outcome.deadline is not None and outcome.deadline.date is not None
    ]
    return Governing(decision, tuple(sorted(dated, key=lambda due: due.day)))
