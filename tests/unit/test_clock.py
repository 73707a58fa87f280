""" "Today" is the day in England (Europe/London), whatever zone the server runs in; nothing asks the
server for its own day."""

import ast
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot import clock as bot_clock
from core import clock

ROOT = Path(__file__).resolve().parents[2]
LATE_IN_SUMMER = datetime(2026, 7, 1, 23, 30, tzinfo=UTC)  # 00:30 on 2 July in London (BST)
LATE_IN_WINTER = datetime(2026, 1, 15, 23, 30, tzinfo=UTC)  # 23:30 on 15 January in London (GMT)


def test_half_past_eleven_utc_on_a_summer_night_is_already_tomorrow_in_london(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(clock, "utcnow", lambda: LATE_IN_SUMMER)
    assert clock.today() == date(2026, 7, 2)
    assert clock.local_day(LATE_IN_SUMMER) == bot_clock.local_day(LATE_IN_SUMMER) == date(2026, 7, 2)


def test_in_winter_london_keeps_utcs_day() -> None:
    assert clock.local_day(LATE_IN_WINTER) == bot_clock.local_day(LATE_IN_WINTER) == date(2026, 1, 15)


def test_the_bot_and_the_service_count_the_same_day() -> None:
    assert bot_clock.now().tzinfo is bot_clock.LOCAL_ZONE
    assert bot_clock.today() == clock.today()  # (a run at the stroke of midnight would need a rerun)


def test_a_date_entered_is_judged_against_londons_day(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from pydantic import TypeAdapter, ValidationError

    from core.values import PastDay

    monkeypatch.setattr(clock, "utcnow", lambda: LATE_IN_SUMMER)
    days = TypeAdapter(PastDay)
    assert days.validate_python("2026-07-02") == date(2026, 7, 2)  # today in London, though not in UTC
    with pytest.raises(ValidationError, match="in the future"):
        days.validate_python("2026-07-03")


def _asks_the_server_for_its_day(node: ast.AST) -> bool:
    """``date.today()``, ``datetime.now()`` with no zone, or ``datetime.utcnow()``."""
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
        return False
    name, owner = node.func.attr, node.func.value
    owner_name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
    if owner_name == "date" and name == "today":
        return True
    return owner_name == "datetime" and (
        name == "utcnow" or (name == "now" and not node.args and not node.keywords)
    )


@pytest.mark.parametrize("package", ["core", "registry", "matching", "commissioning", "service", "bot"])
def test_no_code_asks_the_server_for_its_day(package: str) -> None:
    found = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in sorted((ROOT / package).rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text()))
        if _asks_the_server_for_its_day(node)
    ]
    assert found == [], "use core.clock.today() (the bot: bot.clock.today())"


def test_the_check_for_the_servers_day_sees_it() -> None:
    assert _asks_the_server_for_its_day(ast.parse("date.today()").body[0].value)  # type: ignore[attr-defined]
    assert _asks_the_server_for_its_day(ast.parse("dt.date.today()").body[0].value)  # type: ignore[attr-defined]
    assert _asks_the_server_for_its_day(ast.parse("datetime.now()").body[0].value)  # type: ignore[attr-defined]
    assert not _asks_the_server_for_its_day(ast.parse("datetime.now(UTC)").body[0].value)  # type: ignore[attr-defined]
