"""The feature catalogue and the validation of case features."""

import json
from datetime import date
from pathlib import Path

import jsonschema
import pytest

from commissioning import features
from core.errors import Invalid

EXAMPLES = json.loads((Path(__file__).parent / "data" / "examples.json").read_text())
CONTRACT_NAMES = {
    *(
        "incident_date",
        "notified_date",
        "country",
        "area",
        "agencies_involved",
        "subject_age_years",
        "outcome",
    ),
    *("serious_harm_kinds", "abuse_or_neglect", "suspected_suicide", "death_unexpected", "setting"),
    *("looked_after", "care_and_support_needs", "interagency_concerns", "single_agency_concerns"),
    *("improvement_learning", "recurrent_themes", "national_importance", "panel_advises_local_review"),
    *("nhs_care_involved", "perpetrators", "linked_adult_death", "perpetrator_in_mental_health_care"),
    *(
        "perpetrator_mappa",
        "domestic_abuse",
        "parental_mental_health",
        "parental_substance_misuse",
        "neglect",
    ),
    *("fabricated_or_induced_illness", "sexual_abuse", "child_sexual_exploitation", "criminal_exploitation"),
    *("recent_immigration", "interpreter_needed", "temporary_accommodation", "high_mobility"),
    *(
        "known_to_childrens_social_care",
        "child_protection_plan",
        "disability",
        "faith_or_belief_related_abuse",
    ),
    *("no_prior_agency_involvement", "mother_and_child_died_together"),
    *("racism_or_discrimination", "race_ethnicity_and_culture", "family_languages"),
}
# Added for the rules since: where the child lived, the Panel's notification date.
FOR_THE_RULES = {"normally_resident_in_england", "incident_outside_home_area", "panel_notified_date"}
FOR_THE_LEAD = {"incident_area", "responsible_area"}  # which partnership leads (``commissioning.lead``)
FOR_THE_BRIEFING = {"ethnic_group"}  # the thematic briefing's own facts, which no rule reads


def problems(raw: object, **kwargs: date) -> list[dict[str, object]]:
    with pytest.raises(Invalid) as refused:
        features.validate(raw, **kwargs)
    return refused.value.problems


def test_the_catalogue_holds_every_contract_name_once_and_themes_are_flagged() -> None:
    names = [f.name for f in features.CATALOGUE]
    assert len(names) == len(set(names)) and set(names) >= CONTRACT_NAMES | FOR_THE_RULES
    assert {f.name for f in features.CATALOGUE if f.theme} >= {
        "domestic_abuse",
        "mother_and_child_died_together",
    }
    assert features.BY_NAME["outcome"].values == ("death", "serious_harm", "other_harm", "none")


def test_each_feature_publishes_its_question_type_and_options() -> None:
    published = features.BY_NAME["setting"].to_json()
    assert published["type"] == "choice" and published["question"] == "Where did it happen?"
    assert {"value": "nhs_care", "label": "NHS-funded care"} in published["options"]
    assert all(f.question.endswith("?") for f in features.CATALOGUE)


def test_valid_features_are_normalised_and_unknowns_dropped() -> None:
    got = features.validate(
        {
            "incident_date": "2026-11-02",
            "outcome": "death",
            "perpetrators": ["father", "father"],
            "agencies_involved": ["hackney-csc"],
            "area": " hackney ",
            "looked_after": None,
            "setting": "unknown",
            "subject_age_years": 0.4,
            "death_unexpected": False,
        }
    )
    assert got == {
        "incident_date": date(2026, 11, 2),
        "outcome": "death",
        "perpetrators": ("father",),
        "agencies_involved": ("hackney-csc",),
        "area": "hackney",
        "subject_age_years": 0.4,
        "death_unexpected": False,
    }


def test_every_problem_is_listed_at_once_with_the_valid_values() -> None:
    found = problems(
        {
            "outcom": "death",
            "outcome": "dead",
            "incident_date": "2026-02-30",
            "notified_date": "02/03/2026",
            "subject_age_years": True,
            "looked_after": "yes",
            "perpetrators": ["dad"],
            "serious_harm_kinds": "other",
            "area": "",
            "agencies_involved": ["Hackney CSC"],
        }
    )
    by_feature = {p["feature"]: p for p in found}
    assert len(found) == 10
    assert by_feature["outcom"]["msg"] == "unknown feature; did you mean 'outcome'?"
    assert by_feature["outcome"]["valid"] == ["death", "serious_harm", "other_harm", "none"]
    assert by_feature["incident_date"]["msg"] == "'2026-02-30' is not a real date"
    assert "YYYY-MM-DD" in by_feature["notified_date"]["msg"]
    assert by_feature["subject_age_years"]["msg"] == "True is not a number from 0 to 130"
    assert by_feature["looked_after"]["valid"] == [True, False]
    assert by_feature["perpetrators"]["msg"] == "['dad'] are not valid values"
    assert by_feature["serious_harm_kinds"]["msg"] == "needs a list of valid values"
    assert "1 to 100 characters" in by_feature["area"]["msg"]
    assert "lower-case letters" in by_feature["agencies_involved"]["msg"]


def test_the_familys_languages_are_typed_as_words_and_kept_as_ids() -> None:
    got = features.validate(
        {"interpreter_needed": True, "family_languages": [" Tigrinya ", "British  Sign Language", "tigrinya"]}
    )
    assert got["family_languages"] == ("tigrinya", "british-sign-language")
    assert features.answer_words("family_languages", got["family_languages"]) == (
        "Tigrinya, British Sign Language"
    )
    (problem,) = problems({"family_languages": ["Tigrinya (Eritrea)"]})
    assert problem["msg"] == "needs a list of words such as 'Somali' or 'British Sign Language'"
    (problem,) = problems({"family_languages": "Somali"})
    assert problem["feature"] == "family_languages"


def test_languages_named_when_no_interpreter_was_needed_are_refused() -> None:
    (problem,) = problems({"interpreter_needed": False, "family_languages": ["somali"]})
    assert problem["feature"] == "family_languages"
    assert problem["msg"] == "names languages, but no interpreter was needed"
    assert features.validate({"family_languages": ["somali"]}) == {"family_languages": ("somali",)}


def test_race_ethnicity_and_culture_is_a_theme_and_racism_a_question_of_its_own() -> None:
    assert features.BY_NAME["race_ethnicity_and_culture"].theme
    racism = features.BY_NAME["racism_or_discrimination"]
    assert not racism.theme and racism.type is features.Kind.boolean
    assert features.validate({"race_ethnicity_and_culture": True, "racism_or_discrimination": True})


def test_a_feature_name_far_from_any_known_gets_no_guess() -> None:
    assert problems({"zzz": 1})[0]["msg"] == "unknown feature"


def test_features_must_be_an_object() -> None:
    assert problems(["outcome"]) == [{"feature": None, "msg": "expected an object of features"}]


@pytest.mark.parametrize(
    ("country", "body"),
    [
        ("wales", "Safeguarding Children Board decides on a Child Practice Review"),
        ("scotland", "Child Protection Committee"),
        ("northern_ireland", "Safeguarding Board for Northern Ireland"),
        ("outside_uk", "the country's own authorities decide"),
    ],
)
def test_a_case_outside_england_is_refused_naming_who_decides_there(country: str, body: str) -> None:
    for resident in (None, False):
        (problem,) = problems({"country": country, "normally_resident_in_england": resident})
        assert problem["feature"] == "country" and body in str(problem["msg"])
        assert "normally resident in England (Children Act 2004 s16C(1)(b))" in str(problem["msg"])


@pytest.mark.parametrize("country", ["wales", "scotland", "northern_ireland", "outside_uk"])
def test_a_child_normally_resident_in_england_harmed_elsewhere_is_in_scope(country: str) -> None:
    raw = {"country": country, "normally_resident_in_england": True, "outcome": "death"}
    assert features.validate(raw) == {**raw}


def test_a_child_living_elsewhere_harmed_in_england_is_in_scope() -> None:
    raw = {"country": "england", "normally_resident_in_england": False}
    assert features.validate(raw) == raw


@pytest.mark.parametrize(
    ("raw", "feature", "words"),
    [
        ({"outcome": "none", "death_unexpected": False}, "death_unexpected", "describes a death"),
        ({"outcome": "serious_harm", "suspected_suicide": True}, "suspected_suicide", "describes a death"),
        ({"outcome": "none", "serious_harm_kinds": ["other"]}, "serious_harm_kinds", "lists serious harm"),
        (
            {"mother_and_child_died_together": True, "linked_adult_death": "none"},
            "linked_adult_death",
            "is 'No', but the mother and child died together",
        ),
        ({"subject_age_years": 19, "looked_after": True}, "looked_after", "applies to children"),
        (
            {"no_prior_agency_involvement": True, "child_protection_plan": True},
            "no_prior_agency_involvement",
            "known to children's social care",
        ),
        (
            {"abuse_or_neglect": "not_suspected", "serious_harm_kinds": ["serious_sexual_abuse"]},
            "abuse_or_neglect",
            "serious sexual abuse",
        ),
        (
            {"incident_date": "2026-05-02", "notified_date": "2026-05-01"},
            "notified_date",
            "is before the day of the death or serious harm",
        ),
        (
            {
                "incident_date": "2026-05-01",
                "notified_date": "2026-05-04",
                "panel_notified_date": "2026-05-02",
            },
            "panel_notified_date",
            "is before the day the local authority learned of it",
        ),
        (
            {"incident_date": "2026-05-01", "panel_notified_date": "2026-04-30"},
            "panel_notified_date",
            "is before the day of the death or serious harm",
        ),
    ],
)
def test_contradictory_facts_are_refused(raw: dict[str, object], feature: str, words: str) -> None:
    (problem,) = problems(raw)
    assert problem["feature"] == feature and words in str(problem["msg"])


def test_consistent_facts_next_to_a_contradiction_are_not_reported() -> None:
    assert features.validate({"outcome": "serious_harm", "suspected_suicide": False, "subject_age_years": 17})


def test_dates_after_today_are_refused_when_today_is_given() -> None:
    raw = {"incident_date": "2026-12-01", "notified_date": "2026-12-02", "panel_notified_date": "2026-12-03"}
    assert [p["feature"] for p in problems(raw, today=date(2026, 11, 26))] == [
        "incident_date",
        "notified_date",
        "panel_notified_date",
    ]
    assert features.validate(raw)


def test_to_json_gives_back_the_input_form_in_catalogue_order() -> None:
    raw = {"perpetrators": ["mother"], "outcome": "death", "incident_date": "2026-11-02"}
    assert list(features.to_json(features.validate(raw)).items()) == [
        ("incident_date", "2026-11-02"),
        ("outcome", "death"),
        ("perpetrators", ["mother"]),
    ]


def test_the_json_schema_accepts_the_examples_and_rejects_unknown_names() -> None:
    schema = features.json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    for example in EXAMPLES:
        if not example.get("error"):
            jsonschema.validate(example["features"], schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"outcom": "death"}, schema)
    assert schema["properties"]["outcome"]["anyOf"][0]["enum"] == [
        "death",
        "serious_harm",
        "other_harm",
        "none",
    ]
    assert (
        set(schema["properties"])
        == set(features.BY_NAME)
        == CONTRACT_NAMES | FOR_THE_RULES | FOR_THE_LEAD | FOR_THE_BRIEFING
    )
    jsonschema.validate({"family_languages": ["British Sign Language"]}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"agencies_involved": ["Hackney CSC"]}, schema)


# --- words for people ------------------------------------------------------------------------------------


def test_every_feature_and_group_has_words_for_people() -> None:
    assert set(features.GROUP_TITLES) == set(features.Group)
    for feature in features.CATALOGUE:
        published = feature.to_json()
        assert published["label"] and "_" not in published["label"]
        assert published["group_title"] == features.GROUP_TITLES[feature.group]
        assert features.Feature.from_json(published) == feature  # the title is the group's, not kept twice
    assert features.BY_NAME["known_to_childrens_social_care"].label == "Known to children's social care"


def test_a_feature_named_in_a_text_for_people_is_replaced_by_its_phrase() -> None:
    assert features.in_words("from notified_date (not incident_date; not no_such_name)") == (
        "from the day the local authority learned of it (not the day of the death or serious harm; not "
        "no_such_name)"
    )
    assert features.inline("NHS-funded care may have contributed") == "NHS-funded care may have contributed"
    assert features.inline("A disability") == "a disability"


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("looked_after", True, "yes"),
        ("looked_after", False, "no"),
        ("incident_date", date(2026, 11, 11), "Wed 11 Nov 2026"),
        ("perpetrators", ("mother", "father"), "Mother, Father"),
        ("serious_harm_kinds", (), "none"),
        ("subject_age_years", 0.5, "0.5"),
        ("outcome", "other_harm", "Other harm"),
        ("area", "hackney", "hackney"),
    ],
)
def test_an_answer_reads_as_words(name: str, value: object, words: str) -> None:
    assert features.answer_words(name, value) == words


# --- the family's ethnic group (special category data) ------------------------------------------------


def test_the_ethnic_group_is_the_census_19_categories_in_its_5_groups_and_kept_out_of_slack() -> None:
    ethnic = features.BY_NAME["ethnic_group"]
    groups = {option.group for option in ethnic.options}
    assert len(ethnic.options) == 19 and len(groups) == 5
    assert "White: English, Welsh, Scottish, Northern Irish or British" in {o.label for o in ethnic.options}
    assert all(option.label.startswith(option.group + ": ") for option in ethnic.options)
    assert "Article 9" in ethnic.help and "Slack" in ethnic.help and "BAME" not in ethnic.help
    published = ethnic.to_json()
    assert published["in_slack"] is False and published["options"][0]["group"].startswith("Asian")
    assert features.BY_NAME["outcome"].to_json()["in_slack"] is True
    assert "group" not in features.BY_NAME["outcome"].to_json()["options"][0]
    assert features.validate({"ethnic_group": "white_roma"}) == {"ethnic_group": "white_roma"}
    assert problems({"ethnic_group": "bame"})[0]["valid"][0] == "asian_bangladeshi"
