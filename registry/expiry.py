"""The dated checks on a consultant's record and how each stands: current, falling due, lapsed or missing.

Four things lapse: the DBS check (its date plus the recheck period), professional registration,
insurance and approval itself (re-approval due). Insurance and a DBS check are required, so none recorded
counts as falling due; registration and re-approval are counted only when a date is held. This is the
rule ``registry.consultants.expiring_condition`` applies in SQL for the admin dashboard and the listing
filter, written out per check so a digest or a card can say which check it is and by when.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Protocol

from registry.lifecycle import add_years


class Check(StrEnum):
    """A dated check: its value is what the API and Slack carry, its ``label`` what people read."""

    dbs = "dbs"
    registration = "registration"
    insurance = "insurance"
    reapproval = "reapproval"

    @property
    def label(self) -> str:
        return LABELS[self]


class State(StrEnum):
    current = "current"
    due_soon = "due_soon"  # falls due within the window
    lapsed = "lapsed"  # lapsed, or lapses today
    missing = "missing"  # required, none recorded
    not_held = "not_held"  # optional, none recorded


LABELS: Mapping[Check, str] = MappingProxyType(
    {
        Check.dbs: "DBS check",
        Check.registration: "professional registration",
        Check.insurance: "insurance",
        Check.reapproval: "re-approval",
    }
)
FALLING_DUE = frozenset({State.due_soon, State.lapsed, State.missing})


class Dated(Protocol):
    """What a record holds about its checks (a consultant, as stored or as published)."""

    @property
    def dbs_check_date(self) -> date | None: ...
    @property
    def registration_expiry(self) -> date | None: ...
    @property
    def insurance_expiry(self) -> date | None: ...
    @property
    def reapproval_due(self) -> date | None: ...


@dataclass(frozen=True)
class CheckStatus:
    check: Check
    recorded: date | None  # the date held: when the DBS check was done, or the expiry or due date
    due: date | None  # when it must be renewed by; None when nothing is recorded
    state: State

    @property
    def label(self) -> str:
        return self.check.label

    @property
    def falling_due(self) -> bool:
        return self.state in FALLING_DUE


def _expiry(check: Check, day: date | None, *, today: date, horizon: date, required: bool) -> CheckStatus:
    if day is None:
        return CheckStatus(check, None, None, State.missing if required else State.not_held)
    state = State.lapsed if day <= today else State.due_soon if day <= horizon else State.current
    return CheckStatus(check, day, day, state)


def _dbs(day: date | None, *, today: date, horizon: date, recheck_years: int) -> CheckStatus:
    if day is None:
        return CheckStatus(Check.dbs, None, None, State.missing)
    # Compared as the SQL filter compares (the check date against the cut-off), so both agree on 29 February.
    if day <= add_years(today, -recheck_years):
        state = State.lapsed
    elif day <= add_years(horizon, -recheck_years):
        state = State.due_soon
    else:
        state = State.current
    return CheckStatus(Check.dbs, day, add_years(day, recheck_years), state)


def statuses(record: Dated, *, today: date, within_days: int, dbs_recheck_years: int) -> list[CheckStatus]:
    """Every check of ``record``, with whether it falls due within ``within_days`` of ``today``."""
    horizon = today + timedelta(days=within_days)
    return [
        _dbs(record.dbs_check_date, today=today, horizon=horizon, recheck_years=dbs_recheck_years),
        _expiry(Check.registration, record.registration_expiry, today=today, horizon=horizon, required=False),
        _expiry(Check.insurance, record.insurance_expiry, today=today, horizon=horizon, required=True),
        _expiry(Check.reapproval, record.reapproval_due, today=today, horizon=horizon, required=False),
    ]


def falling_due(record: Dated, *, today: date, within_days: int, dbs_recheck_years: int) -> list[CheckStatus]:
    """The checks of ``record`` lapsed, missing or falling due within ``within_days`` of ``today``."""
    found = statuses(record, today=today, within_days=within_days, dbs_recheck_years=dbs_recheck_years)
    return [status for status in found if status.falling_due]
