"""A review's recommendations as they are written and followed up: the writing checks, the action plan's
statuses, and where a recommendation stands. Pure: plain data in, plain data out.

The writing checks and their wording are data (``recommendation_checks.json``), each citing the practice
it follows and saying where it rests on local practice. They warn; they never refuse, because a
recommendation the review's report already holds must be recorded as the report words it.

An agency's action moves ``not started -> in progress -> evidence submitted -> completed`` (the
partnership may send evidence back, to in progress), and the partnership closes a recommendation once
every action on it is completed: its actions are then closed by the partnership too.
"""

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from commissioning.chronology.requests import EmailText
from core.errors import NotAllowed
from core.transitions import Transition
from core.wording import day

CHECKS_FILE = Path(__file__).with_name("recommendation_checks.json")
Scope = Literal["single_agency", "multi_agency"]
Priority = Literal["high", "medium", "low"]
SCOPE_WORDS: Mapping[str, str] = {"single_agency": "single-agency", "multi_agency": "multi-agency"}


# The writing checks ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One writing check as the data file gives it: its wording and the sources it follows."""

    id: str
    title: str
    msg: str
    sources: tuple[str, ...]
    local: bool
    spec: Mapping[str, Any]

    def to_json(self, sources: Mapping[str, Mapping[str, str]]) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "local": self.local,
            "local_note": self.spec.get("local_note"),
            "sources": [sources[name]["cite"] for name in self.sources],
        }


def _load() -> tuple[dict[str, Check], dict[str, dict[str, str]]]:
    data = json.loads(CHECKS_FILE.read_text(encoding="utf-8"))
    checks = {
        spec["id"]: Check(
            spec["id"], spec["title"], spec["msg"], tuple(spec["sources"]), bool(spec["local"]), spec
        )
        for spec in data["checks"]
    }
    return checks, data["sources"]


CHECKS, SOURCES = _load()
DEFAULT_LIMIT: int = CHECKS["too_many"].spec["default_limit"]


@dataclass(frozen=True)
class Draft:
    """A recommendation as written: ``scope`` None when the writer has not said which."""

    text: str
    scope: Scope | None = None
    agencies: tuple[str, ...] = ()
    owner: str | None = None
    priority: Priority | None = None
    due: date | None = None
    finding: str | None = None


@dataclass(frozen=True)
class Warning:
    check: str
    msg: str

    def to_json(self) -> dict[str, str]:
        return {"check": self.check, "msg": self.msg}


def _phrase(phrase: str) -> re.Pattern[str]:
    return re.compile(r"\b" + re.escape(phrase.strip()) + r"\b", re.IGNORECASE)


_OUTCOMES = tuple(_phrase(p) for p in CHECKS["no_measurable_outcome"].spec["outcome_phrases"])
_RESULTS = tuple(_phrase(p) for p in CHECKS["vague_verb"].spec["result_phrases"])
# A vague verb counts where it is the verb: at the start of a sentence, or after should, will, must, to.
_VERBS = tuple(
    (
        verb,
        re.compile(
            r"(?:^|[.;:!?]\s+|\b(?:should|will|must|shall|to|and)\s+)" + re.escape(verb) + r"\b",
            re.IGNORECASE,
        ),
    )
    for verb in CHECKS["vague_verb"].spec["verbs"]
)
_FIGURE = re.compile(r"\d|%")


def _warn(check: str, **values: Any) -> Warning:
    return Warning(check, CHECKS[check].msg.format(**values))


def _blank(text: str | None) -> bool:
    return not (text or "").strip()


def measurable(text: str) -> bool:
    """Whether ``text`` says how anyone would know it worked: a figure, or an outcome phrase."""
    return bool(_FIGURE.search(text)) or any(p.search(text) for p in _OUTCOMES)


def vague_verb(text: str) -> str | None:
    """The first vague verb ``text`` uses as its verb with no result after it, else None."""
    if any(p.search(text) for p in _RESULTS):
        return None
    return next((verb for verb, pattern in _VERBS if pattern.search(text)), None)


def _scope_warning(draft: Draft) -> Warning | None:
    check = CHECKS["scope_undecided"]
    if draft.scope is None:
        return Warning(check.id, check.msg)
    if draft.scope == "single_agency" and not draft.agencies:
        return Warning(check.id, check.spec["msg_single"])
    if draft.scope == "multi_agency" and len(draft.agencies) < 2:
        named = "one agency" if draft.agencies else "no agency"
        return Warning(check.id, check.spec["msg_multi"].format(count=named))
    return None


def check(draft: Draft, *, count: int, limit: int = DEFAULT_LIMIT) -> list[Warning]:
    """The writing checks ``draft`` fails, in the data file's order; ``count`` is how many
    recommendations the review has with this one, ``limit`` the partnership's most."""
    found: list[Warning] = []
    if _blank(draft.owner):
        found.append(_warn("no_owner"))
    if draft.due is None:
        found.append(_warn("no_date"))
    if not measurable(draft.text):
        found.append(_warn("no_measurable_outcome"))
    verb = vague_verb(draft.text)
    if verb is not None:
        found.append(_warn("vague_verb", verb=verb.capitalize()))
    scope = _scope_warning(draft)
    if scope is not None:
        found.append(scope)
    if _blank(draft.finding):
        found.append(_warn("no_finding"))
    if count > limit:
        found.append(_warn("too_many", count=count, limit=limit))
    return found


def published_checks() -> list[dict[str, Any]]:
    """Every writing check with its sources, as the API publishes them."""
    return [found.to_json(SOURCES) for found in CHECKS.values()]


# The action plan ---------------------------------------------------------------------------------------


class Status(StrEnum):
    """Where an action stands; a recommendation's standing is read from its actions (``standing``)."""

    not_started = "not_started"
    in_progress = "in_progress"
    evidence_submitted = "evidence_submitted"
    completed = "completed"
    closed = "closed"


STATUS_WORDS: Mapping[Status, str] = MappingProxyType(
    {
        Status.not_started: "not started",
        Status.in_progress: "in progress",
        Status.evidence_submitted: "evidence submitted",
        Status.completed: "completed",
        Status.closed: "closed by the partnership",
    }
)
ORDER = tuple(Status)  # the course an action runs


class Change(StrEnum):
    """What a person does to an action."""

    start = "start"
    submit_evidence = "submit_evidence"
    complete = "complete"
    send_back = "send_back"


CHANGE_WORDS: Mapping[Change, str] = MappingProxyType(
    {
        Change.start: "be started",
        Change.submit_evidence: "take evidence",
        Change.complete: "be marked completed",
        Change.send_back: "have its evidence sent back",
    }
)
TRANSITIONS: Mapping[Change, Transition[Status]] = MappingProxyType(
    {
        Change.start: Transition(frozenset({Status.not_started}), Status.in_progress),
        Change.submit_evidence: Transition(
            frozenset({Status.not_started, Status.in_progress, Status.evidence_submitted}),
            Status.evidence_submitted,
        ),
        Change.complete: Transition(frozenset({Status.evidence_submitted}), Status.completed),
        Change.send_back: Transition(frozenset({Status.evidence_submitted}), Status.in_progress),
    }
)
# The agency owning an action starts it and submits its evidence; the partnership judges the evidence.
AGENCY_CHANGES = frozenset({Change.start, Change.submit_evidence})
OWED = frozenset({Status.not_started, Status.in_progress})  # the owner still owes work: chased when late


def allowed_changes(status: Status, *, agency: bool) -> list[str]:
    """The changes a person may make to an action in ``status``: ``agency`` for its agency's contact,
    who starts it and submits evidence, else for the partnership."""
    return [
        change.value
        for change in Change
        if status in TRANSITIONS[change].sources and (not agency or change in AGENCY_CHANGES)
    ]


def advance(status: Status, change: Change, *, agency: bool, evidence: int) -> Status:
    """The status ``change`` leads to; NotAllowed, in words, when the status or the person does not allow
    it, or when evidence is submitted with none attached (``evidence`` counts what the action holds)."""
    allowed = allowed_changes(status, agency=agency)
    if agency and change not in AGENCY_CHANGES:
        raise NotAllowed(
            "Only the partnership marks an action completed or sends its evidence back.", allowed=allowed
        )
    target = TRANSITIONS[change].target_from(
        status,
        refused=f"An action that is {STATUS_WORDS[status]} cannot {CHANGE_WORDS[change]}",
        allowed=allowed,
    )
    if change == Change.submit_evidence and evidence == 0:
        raise NotAllowed("Attach a file or a link as evidence first, then submit it.", allowed=allowed)
    return target


def overdue(status: Status, due: date | None, today: date) -> int:
    """Days an action is overdue (0 when it is not): past its due date while its owner still owes work."""
    if due is None or status not in OWED or due >= today:
        return 0
    return (today - due).days


def standing(statuses: Iterable[Status], *, closed: bool) -> Status:
    """A recommendation's status from its actions': closed once the partnership closes it; else the least
    advanced of its actions (not started while it has none)."""
    if closed:
        return Status.closed
    found = list(statuses)
    return min(found, key=ORDER.index) if found else Status.not_started


def closable(statuses: Sequence[Status]) -> None:
    """Nothing when a recommendation with these actions may be closed; else NotAllowed saying why."""
    if not statuses:
        raise NotAllowed("It has no actions yet: a recommendation closes once its actions are completed.")
    waiting = sum(status != Status.completed for status in statuses)
    if waiting:
        some = "1 action is" if waiting == 1 else f"{waiting} actions are"
        raise NotAllowed(f"{some} not completed yet: a recommendation closes once all are.")


@dataclass(frozen=True)
class Counts:
    """Overdue actions in one partnership, as its channel sees them: counts, never a case or an owner."""

    actions: int = 0
    cases: int = 0

    def words(self) -> str:
        actions = "1 overdue action" if self.actions == 1 else f"{self.actions} overdue actions"
        cases = "1 case" if self.cases == 1 else f"{self.cases} cases"
        return f"{actions} across {cases}"


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"


def overdue_words(*, case_ref: str, number: int, agency: str | None, due: date, days: int) -> str:
    """One overdue action in a sentence for its owner (a Slack DM, an email's first line): the case
    reference, the recommendation's number, the agency and the dates; never the action's words, which
    may describe the family's circumstances."""
    plan = f"{agency}'s action" if agency else "An action"
    return (
        f"{plan} on recommendation {number} of case review {case_ref}, which you own, was due on "
        f"{day(due)} and is {_days(days)} overdue."
    )


def overdue_email(
    *, case_ref: str, number: int, agency: str | None, due: date, days: int, partnership: str
) -> EmailText:
    """The email to the owner of an overdue action: what is late and what to do, nothing more."""
    return EmailText(
        f"Overdue action: case review {case_ref}, recommendation {number}",
        "\n\n".join(
            (
                "Dear colleague,",
                overdue_words(case_ref=case_ref, number=number, agency=agency, due=due, days=days),
                "Please sign in to the case review service, open Recommendations, and start the action or "
                "submit its evidence; if the date cannot be met, tell the partnership when it will be. "
                "Use the case reference, not names, in any reply.",
                partnership,
            )
        )
        + "\n",
    )
