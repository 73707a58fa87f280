"""A features object larger or deeper than the catalogue is refused with one problem, before any work
per feature (the threshold check is public: a problem for each of 150,000 keys once made a 144 MB answer)."""

import pytest

from commissioning import features
from core.errors import Invalid


def test_more_features_than_the_catalogue_has_are_one_problem():
    with pytest.raises(Invalid) as refused:
        features.validate({f"unknown-{i}": True for i in range(len(features.CATALOGUE) + 1)})
    (problem,) = refused.value.problems
    assert problem["feature"] is None
    assert f"at most {len(features.CATALOGUE)}" in problem["msg"]


def test_as_many_features_as_the_catalogue_has_are_each_checked():
    with pytest.raises(Invalid) as refused:
        features.validate({f"unknown-{i}": True for i in range(len(features.CATALOGUE))})
    assert len(refused.value.problems) == len(features.CATALOGUE)


@pytest.mark.parametrize(
    "answer", [{"death": True}, [["father"]], ["father", {"who": "father"}], [[]]], ids=repr
)
def test_an_answer_nested_deeper_than_any_feature_takes_is_one_problem(answer):
    with pytest.raises(Invalid) as refused:
        features.validate({"outcome": "death", "perpetrators": answer, "unknown": 1})
    (problem,) = refused.value.problems
    assert problem["feature"] == "perpetrators"
    assert problem["msg"].startswith("takes one value, or a list of values")


def test_a_flat_list_is_not_too_deep():
    assert features.validate({"perpetrators": ["father", "mother"]})["perpetrators"] == ("father", "mother")
