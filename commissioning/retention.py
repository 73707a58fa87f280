"""The retention policy for closed cases: which are due, and what a purge leaves of a board's decision.

A case closed more than the retention period ago keeps what the service learns from: its features, every
decision's ruleset id and version, feature snapshot and outcomes, its commissions and their dates. It
loses the words people wrote about it: the board's reasons, consultants' declaration statements, the
terms of reference (their version, template, clause library and content hash stay) and the comments of
review records naming the case, the notes on its milestones and the reasons it was closed or
reopened. Pure: the database adapter is ``retention_store``.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from commissioning.decisions import BOARD_RULE
from core.errors import Invalid
from registry.lifecycle import add_years

FIELDS = (
    "decision_reasons",
    "declaration_statements",
    "terms_versions",
    "review_comments",
    "chronology_entries",
    "case_notes",
)
REMOVED = "Removed under the retention policy."


@dataclass(frozen=True)
class Held:
    """A closed case and how many records still hold free text about it, by kind (``FIELDS``)."""

    ref: str
    closed_on: date
    fields: Mapping[str, int]

    def to_json(self) -> dict[str, Any]:
        return {"ref": self.ref, "closed_on": self.closed_on, "fields": dict(self.fields)}


def closed_before(as_of: date, years: int) -> date:
    """Cases closed before this date were closed more than ``years`` ago on ``as_of``."""
    if as_of.year <= years:  # no case was closed that long before year 1
        return date.min
    return add_years(as_of, -years)


def due(held: Iterable[Held], *, as_of: date, years: int) -> list[Held]:
    """The cases to purge on ``as_of``, oldest closure first: closed more than ``years`` ago and still
    holding free text (so a second purge finds nothing)."""
    limit = closed_before(as_of, years)
    return sorted(
        (case for case in held if case.closed_on < limit and any(case.fields.values())),
        key=lambda case: (case.closed_on, case.ref),
    )


def check_as_of(as_of: date, *, today: date, dry_run: bool) -> None:
    """A purge removes data only as of today or earlier; a later date may only preview what will be due."""
    if as_of > today and not dry_run:
        raise Invalid(
            f"A purge as of {as_of} (after today, {today}) would remove data early.",
            [{"loc": ["today"], "msg": "may be later than today only for a dry run"}],
        )


def board_result_without_reason(result: Mapping[str, Any], *, accepted: bool | None) -> dict[str, Any]:
    """A board decision's result without the board's words, which a departure repeats in its summary and
    in each outcome's reasons; the outcomes, their requirements and deadlines stay. An accepted decision
    holds the engine's result, which has none."""
    if accepted is not False or not result:
        return dict(result)
    outcomes = [
        {
            **outcome,
            "reasons": [
                {**reason, "text": REMOVED} if reason.get("rule") == BOARD_RULE else reason
                for reason in outcome.get("reasons", ())
            ],
        }
        for outcome in result.get("outcomes", ())
    ]
    summary = f"The board departed from the recommendation. Its reason: {REMOVED.lower()}"
    return {**result, "outcomes": outcomes, "summary": summary}
