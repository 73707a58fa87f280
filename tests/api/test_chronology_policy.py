"""A partnership's own chronology settings: the working days a request is due in, its own columns, and
how the composite's marks are found; each checked before it is kept."""

import pytest
from factories import home_partnership

from commissioning.chronology.composite import Settings
from commissioning.partnerships import checked_policy, policy_for
from core.errors import Invalid
from service.policy import service_policy


def test_a_partnership_sets_its_own_due_days_columns_and_marks(session) -> None:  # type: ignore[no-untyped-def]
    partnership = home_partnership(session)
    partnership.policy = checked_policy(
        {
            "chronology_working_days": 15,
            "chronology_columns": [{"header": "Ethnicity recorded", "help": "As the record gives it"}],
            "chronology_marks": {"gap_days": 14, "cluster_size": 3},
        }
    )
    policy = policy_for(partnership, service=service_policy())
    assert policy.chronology_working_days == 15
    assert policy.chronology_columns[-1].header == "Ethnicity recorded"
    assert policy.chronology_marks == Settings(gap_days=14, cluster_size=3)
    assert policy_for(None, service=service_policy()).chronology_marks == Settings()


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        ({"chronology_working_days": 0}, "must be a whole number from 1 to 120"),
        ({"chronology_columns": ["Ethnicity"]}, 'each {"header": "...", "required": false}'),
        (
            {"chronology_columns": [{"header": "Source"}]},
            "would be read as the 'Source of information' column",
        ),
        ({"chronology_marks": {"gap": 3}}, "must be an object of settings from"),
        ({"chronology_marks": {"gap_days": "two"}}, "each setting must be a number"),
        ({"chronology_marks": {"gap_days": 0}}, "a gap must be at least 1 day"),
    ],
)
def test_wrong_settings_are_refused_saying_why(policy: dict[str, object], message: str) -> None:
    with pytest.raises(Invalid) as refused:
        checked_policy(policy)
    assert message in refused.value.problems[0]["msg"]
