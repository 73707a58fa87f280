"""The figure groups of the cases' profile and themes, as the London study counted them: age bands,
what happened, perpetrators, ethnic group and recent immigration, selected features, and themes.

Every label and option comes from the case-feature catalogue where one feature answers the figure; a
figure reading more than one feature says so in its docstring. A figure's denominator is the cases whose
answer is known (an age, an outcome, a perpetrator, an ethnic group); features and themes, which are
ticked when they apply, are counted out of every case in scope.

Ethnic minority families are those of every ethnic group except White British ("White: English, Welsh,
Scottish, Northern Irish or British"), White minorities such as Irish, Gypsy, Irish Traveller and Roma
families included: the definition of the UK government's style guide ("Writing about ethnicity",
Ethnicity facts and figures, Cabinet Office Race Disparity Unit), which also retired "BAME". Recent
immigration is counted, as the study counted it, as a share of ethnic minority families.
"""

from collections.abc import Callable, Sequence

from commissioning.briefing.facts import CaseFacts
from commissioning.briefing.figures import (
    BARS,
    DENOMINATOR,
    HIDDEN,
    Counted,
    FigureGroup,
    Share,
    Sum,
    figure,
    shares,
)
from commissioning.features import BY_NAME

ALL_CASES = DENOMINATOR + "cases"
WHITE_BRITISH = "white_british"  # the one ethnic group that is not an ethnic minority


Test = Callable[[CaseFacts], bool]


def _aged(within: Callable[[float], bool]) -> Test:
    """Cases whose age in years is ``within`` a band (the cases given all have an age)."""
    return lambda case: within(case.features["subject_age_years"])


def _yes(*names: str) -> Test:
    """Cases where any of the features ``names`` is answered yes (or lists something)."""
    return lambda case: any(bool(case.features.get(name)) for name in names)


def _label(name: str) -> str:
    return BY_NAME[name].label


def age(cases: Sequence[CaseFacts]) -> Counted:
    """Age bands on the age in years at the incident, with the study's bounds: 6 months and under (at
    most 0.5) inside 1 year and under (at most 1), then over 1 and under 2, 2 to 3, 4 to 10, 11 to 12,
    13 to 18 (each from its first year to under the year after its last), and adults over 18."""
    known = [case for case in cases if "subject_age_years" in case.features]
    over = DENOMINATOR + "age"
    bands = shares(
        "age",
        known,
        [
            Share(
                "age.under_1_year", "1 year and under (includes 6 months and under)", _aged(lambda a: a <= 1)
            ),
            Share("age.1", "Over 1 and under 2", _aged(lambda a: 1 < a < 2)),
            Share("age.2_to_3", "2 to 3", _aged(lambda a: 2 <= a < 4)),
            Share("age.4_to_10", "4 to 10", _aged(lambda a: 4 <= a < 11)),
            Share("age.11_to_12", "11 to 12", _aged(lambda a: 11 <= a < 13)),
            Share("age.13_to_18", "13 to 18", _aged(lambda a: 13 <= a < 19)),
            Share("age.19_and_over", "19 and over (adults)", _aged(lambda a: a >= 19)),
        ],
        over=over,
        exclusive=True,
        complete=True,
    )
    infants = sum(1 for case in known if case.features["subject_age_years"] <= 0.5)
    older = bands.counts["age.11_to_12"] + bands.counts["age.13_to_18"]
    first = figure("age", "age.under_6_months", "6 months and under", infants, len(known), over)
    last = figure("age", "age.over_10", "Over 10 (11 to 18)", older, len(known), over)
    return Counted(
        (first, *bands.figures, last),
        {
            **bands.counts,
            first.key: infants,
            HIDDEN + "age.7_to_12_months": bands.counts["age.under_1_year"] - infants,
            last.key: older,
        },
        (
            *bands.sums,
            Sum("age.under_1_year", (first.key, HIDDEN + "age.7_to_12_months")),
            Sum(last.key, ("age.11_to_12", "age.13_to_18")),
        ),
    )


def outcome(cases: Sequence[CaseFacts]) -> Counted:
    """Deaths and serious harm, of the cases whose outcome is known (the rest: other harm, or none)."""
    known = [case for case in cases if "outcome" in case.features]
    options = {option.value: option.label for option in BY_NAME["outcome"].options}
    return shares(
        "outcome",
        known,
        [
            Share(f"outcome.{value}", options[value], lambda case, v=value: case.features["outcome"] == v)
            for value in ("death", "serious_harm")
        ],
        over=DENOMINATOR + "outcome",
        exclusive=True,
    )


PERPETRATOR_WORDS = {"self": "The person harmed themselves (self-harm or suicide)"}
ALWAYS_SHOWN = ("father", "mother")


def perpetrators(cases: Sequence[CaseFacts]) -> Counted:
    """Each relationship of an alleged perpetrator, of the cases where one is recorded; a case with two
    (a mother and a father) counts under both, so the shares add to more than 100%. The father and the
    mother are always shown; another relationship when some case names it."""
    known = [case for case in cases if case.features.get("perpetrators")]
    named = {value for case in known for value in case.features["perpetrators"]}
    return shares(
        "perpetrator",
        known,
        [
            Share(
                f"perpetrator.{option.value}",
                PERPETRATOR_WORDS.get(option.value, option.label),
                lambda case, v=option.value: v in case.features["perpetrators"],
            )
            for option in BY_NAME["perpetrators"].options
            if option.value in named or option.value in ALWAYS_SHOWN
        ],
        over=DENOMINATOR + "perpetrator",
    )


def _census_group(label: str) -> str:
    """A key for one of the census's five ethnic groups, from its first word: "asian", "black", "mixed",
    "white", "other"."""
    return label.split()[0].strip(",").lower()


def ethnicity(cases: Sequence[CaseFacts]) -> Counted:
    """The census's five ethnic groups and ethnic minority families, of the families whose ethnic group is
    known; then, of the ethnic minority families, those who arrived in the UK in the last 5 years."""
    known = [case for case in cases if "ethnic_group" in case.features]
    over = DENOMINATOR + "ethnicity"
    grouped = {option.value: option.group for option in BY_NAME["ethnic_group"].options}
    census = list(dict.fromkeys(grouped.values()))
    groups = shares(
        "ethnicity",
        known,
        [
            Share(
                f"ethnicity.{_census_group(name)}",
                name,
                lambda case, g=name: grouped[case.features["ethnic_group"]] == g,
            )
            for name in census
        ],
        over=over,
        exclusive=True,
        complete=True,
    )
    minority = shares(
        "ethnicity",
        known,
        [
            Share(
                "ethnicity.ethnic_minority",
                "Ethnic minority families (every ethnic group except White British)",
                lambda case: case.features["ethnic_group"] != WHITE_BRITISH,
            )
        ],
        over=over,
    )
    families = [case for case in known if case.features["ethnic_group"] != WHITE_BRITISH]
    arrived = sum(1 for case in families if case.features.get("recent_immigration"))
    recent = figure(
        "ethnicity",
        "ethnicity.recent_immigration",
        "Of ethnic minority families, those who arrived in the UK in the last 5 years",
        arrived,
        len(families),
        "ethnicity.ethnic_minority",
    )
    white_british, white_minority = HIDDEN + "ethnicity.ethnic_minority", HIDDEN + "ethnicity.white_minority"
    counts = {**groups.counts, **minority.counts}
    return (
        groups
        + minority
        + Counted(
            (recent,),
            {
                recent.key: arrived,
                HIDDEN + recent.key: len(families) - arrived,
                white_minority: counts["ethnicity.white"] - counts[white_british],
            },
            (
                Sum("ethnicity.ethnic_minority", (recent.key, HIDDEN + recent.key)),
                Sum("ethnicity.white", (white_british, white_minority)),
            ),
        )
    )


def selected_features(cases: Sequence[CaseFacts]) -> Counted:
    """The study's selected features, out of every case in scope. No children's social care involvement
    before the incident reads two answers: not known to children's social care, or no agency at all."""
    return shares(
        "feature",
        cases,
        [
            Share(
                "feature.child_protection_plan",
                _label("child_protection_plan"),
                _yes("child_protection_plan"),
            ),
            Share("feature.neglect", "Neglect a central feature", _yes("neglect")),
            Share(
                "feature.fabricated_or_induced_illness",
                _label("fabricated_or_induced_illness"),
                _yes("fabricated_or_induced_illness"),
            ),
            Share("feature.sexual_abuse", _label("sexual_abuse"), _yes("sexual_abuse")),
            Share(
                "feature.known_to_childrens_social_care",
                _label("known_to_childrens_social_care"),
                _yes("known_to_childrens_social_care"),
            ),
            Share(
                "feature.no_prior_childrens_social_care",
                "No children's social care involvement before the incident",
                lambda case: (
                    case.features.get("known_to_childrens_social_care") is False
                    or bool(case.features.get("no_prior_agency_involvement"))
                ),
            ),
            Share(
                "feature.mother_and_child_died_together",
                _label("mother_and_child_died_together"),
                _yes("mother_and_child_died_together"),
            ),
        ],
        over=ALL_CASES,
    )


def themes(cases: Sequence[CaseFacts]) -> Counted:
    """The study's themes, out of every case in scope. Mobility counts temporary accommodation or
    frequent moves; interpreters, an interpreter needed or the family's languages recorded."""
    return shares(
        "theme",
        cases,
        [
            Share("theme.domestic_abuse", _label("domestic_abuse"), _yes("domestic_abuse")),
            Share(
                "theme.parental_mental_health",
                _label("parental_mental_health"),
                _yes("parental_mental_health"),
            ),
            Share(
                "theme.substance_misuse",
                _label("parental_substance_misuse"),
                _yes("parental_substance_misuse"),
            ),
            Share(
                "theme.mobility_and_temporary_accommodation",
                "Mobility and temporary accommodation",
                _yes("temporary_accommodation", "high_mobility"),
            ),
            Share("theme.interpreters", "Interpreters", _yes("interpreter_needed", "family_languages")),
            Share("theme.race_and_culture", "Race and culture", _yes("race_ethnicity_and_culture")),
        ],
        over=ALL_CASES,
    )


PROFILE, THEMES = "Profile of the cases", "Themes"
GROUPS = (
    FigureGroup("age", "Age at the incident", PROFILE, age, chart=BARS),
    FigureGroup("outcome", "What happened", PROFILE, outcome),
    FigureGroup("perpetrator", "Alleged perpetrators", PROFILE, perpetrators),
    FigureGroup("ethnicity", "Ethnic group and recent immigration", PROFILE, ethnicity),
    FigureGroup("feature", "Selected features", PROFILE, selected_features),
    FigureGroup("theme", "Themes", THEMES, themes, chart=BARS),
)
"""The groups of the profile and themes, in the order the briefing shows them."""
