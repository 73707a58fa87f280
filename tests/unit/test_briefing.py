"""The thematic briefing's pure core: figure groups, the small-number rules, references, the briefing
and its rows in words."""

from datetime import date
from functools import partial

import pytest
from briefing_cases import case, hackney_briefing
from hypothesis import given, settings
from hypothesis import strategies as st

from commissioning.briefing import profile, references, suppression, tables
from commissioning.briefing.facts import CaseFacts, Period
from commissioning.briefing.figures import HIDDEN, Counted, Reference, Sum, figure, percent
from commissioning.briefing.report import FEWER, Briefing

YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))
FIXED_KEYS = {
    *("age.under_6_months", "age.under_1_year", "age.1", "age.2_to_3", "age.4_to_10", "age.11_to_12"),
    *("age.13_to_18", "perpetrator.father", "perpetrator.mother", "feature.child_protection_plan"),
    *("feature.neglect", "feature.fabricated_or_induced_illness", "feature.sexual_abuse"),
    *("feature.no_prior_childrens_social_care", "feature.mother_and_child_died_together"),
    *("theme.domestic_abuse", "theme.parental_mental_health", "ethnicity.ethnic_minority"),
    "ethnicity.recent_immigration",
    "timeliness.notified_within_5_working_days",
}


brief = partial(hackney_briefing, period=YEAR, prefix="CHS")


def by_key(briefing: Briefing) -> dict[str, object]:
    return {f.key: f for f in briefing.figures}


# --- figure groups -----------------------------------------------------------------------------------


def test_the_fixed_keys_are_all_there_even_with_no_cases() -> None:
    empty = brief([])
    assert empty.cases == 0 and {f.key for f in empty.figures} >= FIXED_KEYS
    assert all(f.percent is None and f.count == (None if f.statistic else 0) for f in empty.figures)


@pytest.mark.parametrize(
    ("age", "bands"),
    [
        (0.5, {"age.under_6_months", "age.under_1_year"}),
        (0.51, {"age.under_1_year"}),
        (1, {"age.under_1_year"}),
        (1.5, {"age.1"}),
        (2, {"age.2_to_3"}),
        (3.9, {"age.2_to_3"}),
        (4, {"age.4_to_10"}),
        (10.9, {"age.4_to_10"}),
        (11, {"age.11_to_12", "age.over_10"}),
        (13, {"age.13_to_18", "age.over_10"}),
        (18.9, {"age.13_to_18", "age.over_10"}),
        (19, {"age.19_and_over"}),
    ],
)
def test_each_age_falls_in_the_bands_the_study_drew(age: float, bands: set[str]) -> None:
    found = brief([case(subject_age_years=age), case(outcome="death")])
    counted = {f.key for f in found.figures if f.group == "age" and f.count}
    assert counted == bands
    assert all(f.denominator == 1 for f in found.figures if f.group == "age")  # of the ages known


def test_perpetrators_count_each_relationship_once_per_case_and_may_add_past_100() -> None:
    found = by_key(
        brief([case(perpetrators=["mother", "father"]), case(perpetrators=["self"]), case(outcome="death")])
    )
    assert found["perpetrator.mother"].percent == found["perpetrator.father"].percent == 50.0
    assert found["perpetrator.self"].label.startswith("The person harmed themselves")
    assert "perpetrator.stranger" not in found and found["perpetrator.mother"].denominator == 2


def test_ethnicity_groups_the_census_categories_and_counts_white_minorities_as_ethnic_minorities() -> None:
    found = by_key(
        brief(
            [
                case(ethnic_group="white_british", recent_immigration=True),
                case(ethnic_group="white_roma", recent_immigration=True),
                case(ethnic_group="asian_indian"),
                case(outcome="death"),
            ]
        )
    )
    assert found["ethnicity.white"].count == 2 and found["ethnicity.asian"].count == 1
    assert (
        found["ethnicity.ethnic_minority"].count == 2 and found["ethnicity.ethnic_minority"].denominator == 3
    )
    recent = found["ethnicity.recent_immigration"]
    assert (recent.count, recent.denominator, recent.percent) == (1, 2, 50.0)
    assert not [f for f in found.values() if "BAME" in f.label or "ethnic_group" in f.label]


def test_features_and_themes_count_out_of_every_case_and_read_the_answers_they_combine() -> None:
    found = by_key(
        brief(
            [
                case(known_to_childrens_social_care=False, temporary_accommodation=True),
                case(no_prior_agency_involvement=True, family_languages=["Somali"]),
                case(known_to_childrens_social_care=True, high_mobility=True, interpreter_needed=True),
                case(),
            ]
        )
    )
    assert found["feature.no_prior_childrens_social_care"].count == 2
    assert found["theme.mobility_and_temporary_accommodation"].count == 2
    assert found["theme.interpreters"].count == 2
    assert found["theme.domestic_abuse"].denominator == 4


def test_the_period_holds_cases_by_notification_then_incident_then_recording_day() -> None:
    inside = [
        case("A"),
        CaseFacts("B", "CHS", {"incident_date": date(2026, 12, 31)}),
        CaseFacts("C", "CHS", {}, created_on=date(2026, 1, 1)),
    ]
    outside = [
        CaseFacts("D", "CHS", {"notified_date": date(2027, 1, 1), "incident_date": date(2026, 12, 30)}),
        CaseFacts("E", "CHS", {}),
    ]
    found = brief(inside + outside)
    assert found.cases == 3 and found.references == ("A", "B", "C")


# --- references ----------------------------------------------------------------------------------------


def test_a_partnerships_own_reference_replaces_the_shared_one_figure_by_figure() -> None:
    sets = (
        {
            "partnerships": ["CHS"],
            "figures": [{"key": "age.over_10", "percent": 50, "area": "London", "source": "S", "year": 2024}],
        },
        {
            "partnerships": ["*"],
            "figures": [
                {"key": "age.over_10", "percent": 60, "area": "England", "source": "T", "year": 2007},
                {"key": "age.under_1_year", "percent": 15, "area": "England", "source": "T", "year": 2007},
            ],
        },
    )
    mine = references.for_partnership("CHS", sets)
    assert (
        mine["age.over_10"] == Reference(50.0, "London", "S", 2024) and mine["age.under_1_year"].percent == 15
    )
    assert references.for_partnership(None, sets)["age.over_10"].area == "England"
    assert references.for_partnership("CAM", sets)["age.over_10"].percent == 60
    assert references.for_partnership(None)["theme.parental_mental_health"].year == 2007


# --- suppression ---------------------------------------------------------------------------------------


def test_primary_suppression_hides_every_count_under_5_and_its_percentage() -> None:
    cases = [case(f"C{i}", domestic_abuse=i < 7, parental_mental_health=i < 3) for i in range(20)]
    found = by_key(brief(cases, publishable=True))
    shown, hidden = found["theme.domestic_abuse"], found["theme.parental_mental_health"]
    assert (shown.count, shown.percent) == (7, 35.0)
    assert (hidden.count, hidden.percent, hidden.denominator, hidden.suppressed) == (None, None, 20, True)
    assert tables.row(hidden)[1:4] == (FEWER, "20", tables.DASH) and FEWER == "fewer than 5"


def test_secondary_suppression_hides_a_count_whose_complement_is_small() -> None:
    """18 of 20 with domestic abuse would tell that 2 had none: the 18 is hidden too."""
    cases = [case(f"C{i}", domestic_abuse=i < 18) for i in range(20)]
    assert by_key(brief(cases, publishable=True))["theme.domestic_abuse"].count is None
    assert by_key(brief(cases))["theme.domestic_abuse"].count == 18  # the internal version shows it


def test_secondary_suppression_hides_the_next_smallest_part_of_a_whole() -> None:
    """31 families in the census's five groups: 3 Asian, 7 Black, 5 Mixed, 10 White, 6 Other. Hiding the 3
    alone would leave it as 31 - 7 - 5 - 10 - 6, so the 5 goes too; the rest stay, and so does the
    denominator."""
    groups = ["asian_indian"] * 3 + ["black_african"] * 7 + ["mixed_other"] * 5
    groups += ["white_british"] * 10 + ["other_arab"] * 6
    found = by_key(brief([case(f"C{i}", ethnic_group=g) for i, g in enumerate(groups)], publishable=True))
    assert found["ethnicity.asian"].count is None and found["ethnicity.mixed"].count is None
    assert [found[f"ethnicity.{g}"].count for g in ("black", "white", "other")] == [7, 10, 6]
    assert found["ethnicity.black"].denominator == 31


def test_a_count_over_a_hidden_denominator_loses_the_denominator_and_percentage() -> None:
    """20 families of known ethnic group, 18 ethnic minority: White British (2) would follow from 20 - 18,
    so the 18 is hidden, and recent immigration's share of it with it."""
    cases = [
        case(f"C{i}", ethnic_group="white_british" if i < 2 else "black_african", recent_immigration=i < 9)
        for i in range(20)
    ]
    found = by_key(brief(cases, publishable=True))
    assert found["ethnicity.ethnic_minority"].count is None
    recent = found["ethnicity.recent_immigration"]
    assert (recent.count, recent.denominator, recent.percent) == (7, None, None)


def test_the_figure_hidden_for_a_small_count_is_the_nearest_then_the_smallest() -> None:
    counted = Counted(
        (
            figure("g", "a", "A", 3, 30, "n:g"),
            figure("g", "b", "B", 12, 30, "n:g"),
            figure("g", "c", "C", 15, 30, "n:g"),
        ),
        {"n:g": 30, "a": 3, "b": 12, "c": 15},
        (Sum("n:g", ("a", "b", "c")),),
    )
    assert suppression.hidden_counts(counted) == {"a", "b"}


counts = st.lists(st.integers(0, 12), min_size=2, max_size=6)


@settings(max_examples=200, deadline=None)
@given(counts, counts)
def test_no_small_count_can_be_worked_out_from_what_the_publishable_version_shows(
    first: list[int], second: list[int]
) -> None:
    """Two wholes sharing a part, with complements: whatever the counts, nothing from 1 to 4 that is not
    shown follows from what is."""
    keys = [f"a{i}" for i in range(len(first))] + [f"b{i}" for i in range(1, len(second))]
    values = dict(zip(keys, first + second[1:], strict=True))
    values["b0"] = values["a0"]
    totals = {"n:a": sum(first), "n:b": values["a0"] + sum(second[1:])}
    sums = (
        Sum("n:a", tuple(f"a{i}" for i in range(len(first)))),
        Sum("n:b", ("a0", *(f"b{i}" for i in range(1, len(second))))),
        *(Sum("n:a", (key, HIDDEN + key)) for key in keys if key.startswith("a")),
    )
    complements = {HIDDEN + key: totals["n:a"] - values[key] for key in keys if key.startswith("a")}
    counted = Counted(
        tuple(figure("g", key, key, values[key], totals["n:" + key[0]], "n:" + key[0]) for key in keys),
        {**values, **totals, **complements},
        sums,
    )
    hidden = suppression.hidden_counts(counted)
    shown = {key for key in keys if key not in hidden} | set(totals)
    known = suppression.derivable(shown, sums)
    all_counts = {**values, **totals, **complements}
    assert not [key for key in known - shown if 0 < all_counts[key] < suppression.THRESHOLD]
    assert all(values[key] >= suppression.THRESHOLD for key in keys if key not in hidden)


# --- the briefing and its words -------------------------------------------------------------------------


def test_the_publishable_version_names_no_case_and_says_what_it_hides() -> None:
    cases = [case(f"CHS-2026-{i:04d}", domestic_abuse=True) for i in range(6)]
    internal, public = brief(cases), brief(cases, publishable=True)
    assert internal.references == tuple(f"CHS-2026-{i:04d}" for i in range(6)) and public.references == ()
    assert "fewer than 5" in public.version() and "Not for publication" in internal.version()
    data = public.to_json()
    assert data["cases"] == 6 and data["case_references"] == [] and data["from"] == "2026-01-01"
    assert set(data["figures"][0]) == {
        "group",
        "key",
        "label",
        "count",
        "denominator",
        "percent",
        "reference",
    }
    assert internal.title() == "Thematic briefing: City and Hackney"
    assert internal.subtitle() == "Cases from Thu 1 Jan 2026 to Thu 31 Dec 2026"
    assert [title for title, _ in internal.sections()] == [
        "Profile of the cases",
        "Themes",
        "Timeliness",
        "Recommendations",
    ]


def test_a_chart_has_a_text_alternative_and_the_csv_every_figure_with_its_reference() -> None:
    found = brief([case(f"C{i}", subject_age_years=0.3) for i in range(6)] + [case("D", subject_age_years=7)])
    age = next(part for part in found.shown if part.group.id == "age")
    words = tables.text_alternative(age)
    assert words.startswith("Bar chart of age at the incident") and "6 months and under: 6 (86%)" in words
    assert "compared with 15% in England" in words
    public = brief([case(f"C{i}", subject_age_years=0.3) for i in range(3)], publishable=True)
    assert "6 months and under: fewer than 5;" in tables.text_alternative(public.shown[0])
    rows = tables.to_csv(found).splitlines()
    assert rows[0].startswith("Section,Group,Figure,Cases") and len(rows) == 1 + len(found.figures)
    assert rows[2].endswith(
        ",15.0,England,National figures as printed in the London serious case reviews briefing,2007"
    )
    assert rows[1] == "Profile of the cases,Age at the incident,6 months and under,6,7,85.7,,,,"
    assert "_" not in tables.to_csv(found).split("\n", 1)[1].replace("under_", "")


def test_percent_is_none_without_cases() -> None:
    assert percent(0, 0) is None and percent(1, 3) == 33.3
    assert profile.GROUPS[0].chart and not profile.GROUPS[1].chart
