"""Who decided in an area on a day: its Local Safeguarding Children Board until the day the area moved to
the safeguarding partners (a board's setting), the partners from that day; and the setting refused at
start-up when it names a day outside the window in which areas moved."""

from datetime import date

import pytest
from pydantic import ValidationError

from commissioning.arrangements import LAST_MOVE, Arrangement, arrangement_on, check_starts, moved_on
from service.settings import Settings

STARTS = {"Tower Hamlets": date(2019, 4, 1)}


@pytest.mark.parametrize(
    ("area", "expected"),
    [("tower-hamlets", date(2019, 4, 1)), ("TOWER_HAMLETS", date(2019, 4, 1)), ("Camden", LAST_MOVE)],
    ids=["as a case stores it", "another spelling", "not listed"],
)
def test_an_area_moved_on_its_own_day_however_it_is_written_else_on_the_last_day(area, expected) -> None:
    assert moved_on(area, STARTS) == expected


def test_the_partners_decide_from_the_day_the_area_moved_and_the_lscb_before() -> None:
    assert arrangement_on(date(2019, 3, 31), "tower-hamlets", STARTS) is Arrangement.lscb
    assert arrangement_on(date(2019, 4, 1), "tower-hamlets", STARTS) is Arrangement.partners
    assert arrangement_on(date(2019, 9, 28), None, STARTS) is Arrangement.lscb
    assert arrangement_on(LAST_MOVE, None, {}) is Arrangement.partners


def test_a_day_outside_the_window_an_area_named_twice_or_a_blank_area_is_refused() -> None:
    check_starts({"Hackney": date(2018, 6, 29), "Camden": LAST_MOVE})
    with pytest.raises(ValueError) as refused:
        check_starts({"Hackney": date(2018, 6, 28), "hackney ": date(2019, 1, 1), " ": date(2019, 1, 1)})
    message = str(refused.value)
    assert "Hackney: 2018-06-28 is outside 2018-06-29 to 2019-09-29" in message
    assert "'hackney' is named more than once" in message
    assert "an area's name is empty" in message


def test_the_setting_is_read_from_the_environment_and_a_wrong_day_stops_the_start(monkeypatch) -> None:
    monkeypatch.setenv("SCR_PARTNERSHIP_START_DATES", '{"Hackney": "2019-06-28"}')
    assert Settings().partnership_start_dates == {"Hackney": date(2019, 6, 28)}
    monkeypatch.setenv("SCR_PARTNERSHIP_START_DATES", '{"Hackney": "2020-01-01"}')
    with pytest.raises(ValidationError, match="when areas moved to the new arrangements"):
        Settings()
