"""Case features take their dates and text through the service's shared checks (``core.values``)."""

from datetime import date

import pytest

from commissioning import features
from core.errors import Invalid


def problems(raw: dict, today: date | None = None) -> list[tuple[str | None, str]]:
    with pytest.raises(Invalid) as refused:
        features.validate(raw, today=today)
    return [(problem["feature"], problem["msg"]) for problem in refused.value.problems]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2101-01-01", "must be on or before 31 December 2100"),
        ("9999-12-31", "must be on or before 31 December 2100"),
        ("1899-12-31", "must be on or after 1 January 1900"),
    ],
)
def test_a_date_outside_1900_to_2100_is_a_problem_naming_the_feature(value, message):
    assert problems({"notified_date": value}) == [("notified_date", message)]


def test_dates_at_the_bounds_are_accepted():
    valid = features.validate({"incident_date": "1900-01-01", "notified_date": "2100-12-31"})
    assert (valid["incident_date"], valid["notified_date"]) == (date(1900, 1, 1), date(2100, 12, 31))


@pytest.mark.parametrize(
    ("area", "message"),
    [
        ("hack\x01ney", "holds a control character that cannot be stored; remove it"),
        ("hack\x00ney", "holds a control character that cannot be stored; remove it"),
        ("hack\ud800ney", "holds a broken character that cannot be stored; retype it"),
        ("hack\nney", "must be on one line; remove the line break"),
    ],
    ids=["control", "NUL", "lone surrogate", "line break"],
)
def test_an_area_that_cannot_be_stored_is_a_problem_naming_the_feature(area, message):
    assert problems({"area": area}) == [("area", message)]


def test_an_unknown_feature_with_a_lone_surrogate_is_named_so_it_can_be_sent_back():
    [(feature, message)] = problems({"are\udc00a": "hackney"})
    assert feature == "are\\udc00a"
    assert feature.encode("utf-8") and message.startswith("unknown feature")
