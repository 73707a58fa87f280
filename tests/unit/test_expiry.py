"""Each dated check on a consultant's record: current, falling due, lapsed, missing or not held."""

from dataclasses import dataclass
from datetime import date

from registry.expiry import Check, State, falling_due, statuses

TODAY = date(2026, 3, 10)


@dataclass(frozen=True)
class Record:
    dbs_check_date: date | None = date(2025, 1, 1)
    registration_expiry: date | None = None
    insurance_expiry: date | None = date(2027, 1, 1)
    reapproval_due: date | None = None


def states(record: Record, *, within_days: int = 30) -> dict[Check, State]:
    found = statuses(record, today=TODAY, within_days=within_days, dbs_recheck_years=3)
    return {status.check: status.state for status in found}


def test_current_checks_and_optional_ones_not_held_fall_due_for_nobody():
    assert states(Record()) == {
        Check.dbs: State.current,
        Check.registration: State.not_held,
        Check.insurance: State.current,
        Check.reapproval: State.not_held,
    }
    assert falling_due(Record(), today=TODAY, within_days=30, dbs_recheck_years=3) == []


def test_a_dbs_check_falls_due_its_recheck_period_after_it_was_done():
    [dbs] = [
        s for s in statuses(Record(), today=TODAY, within_days=30, dbs_recheck_years=3) if s.check == "dbs"
    ]
    assert (dbs.recorded, dbs.due, dbs.label) == (date(2025, 1, 1), date(2028, 1, 1), "DBS check")
    assert states(Record(dbs_check_date=date(2023, 4, 1)))[Check.dbs] == State.due_soon
    assert states(Record(dbs_check_date=date(2023, 3, 10)))[Check.dbs] == State.lapsed
    assert states(Record(dbs_check_date=date(2023, 4, 10)))[Check.dbs] == State.current


def test_required_checks_with_nothing_recorded_are_missing():
    record = Record(dbs_check_date=None, insurance_expiry=None)
    due = falling_due(record, today=TODAY, within_days=30, dbs_recheck_years=3)
    assert [(s.check, s.state, s.due) for s in due] == [
        (Check.dbs, State.missing, None),
        (Check.insurance, State.missing, None),
    ]


def test_expiry_dates_lapse_on_the_day_and_fall_due_within_the_window():
    record = Record(
        registration_expiry=date(2026, 3, 10),
        insurance_expiry=date(2026, 4, 9),
        reapproval_due=date(2026, 4, 10),
    )
    assert states(record) == {
        Check.dbs: State.current,
        Check.registration: State.lapsed,
        Check.insurance: State.due_soon,
        Check.reapproval: State.current,
    }
    assert [s.check for s in falling_due(record, today=TODAY, within_days=30, dbs_recheck_years=3)] == [
        Check.registration,
        Check.insurance,
    ]
    assert states(record, within_days=31)[Check.reapproval] == State.due_soon
