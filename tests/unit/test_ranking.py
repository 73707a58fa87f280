"""Ranking: each part of the score with its reason, exclusions with findings, and the empty-pool summary."""

from dataclasses import fields, replace
from datetime import date, timedelta

import pytest
from factories import consultant_profile
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.policy import IndependencePolicy, RankingPolicy
from matching.profiles import (
    AgencyDirectory,
    CaseContext,
    ConsultantProfile,
    Engagement,
    PastCommission,
)
from matching.shortlist import Shortlist, _Scorer, rank, score, summarise
from registry.vocabulary import ConsultantStatus, EngagementKind

TODAY = date(2026, 6, 1)
POLICY = IndependencePolicy()
RANKING = RankingPolicy()
CASE = CaseContext(
    ref="HK-2026-001",
    area="Hackney",
    agencies=("hackney-csc", "met-police"),
    themes=frozenset({"neglect", "domestic_abuse", "parental_mental_health"}),
    languages=frozenset({"Somali"}),
    interpreter_needed=True,
    due_date=date(2026, 12, 1),
)


def parts(profile: ConsultantProfile, case: CaseContext = CASE) -> dict[str, tuple[float, str]]:
    return {part.component: (part.points, part.why) for part in score(profile, case, RANKING, TODAY)}


def ranked(*profiles: ConsultantProfile, case: CaseContext = CASE) -> Shortlist:
    return rank(profiles, case, policy=POLICY, ranking=RANKING, today=TODAY, agencies=AgencyDirectory())


# Score parts ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("specialisms", "themes", "expected"),
    [
        (
            {"neglect", "domestic_abuse", "disability"},
            CASE.themes,
            (20, "covers 2 of the 3 case themes: domestic abuse, neglect"),
        ),
        (
            {"neglect", "domestic_abuse", "parental_mental_health"},
            CASE.themes,
            (30, "covers all 3 case themes: domestic abuse, neglect, parental mental health"),
        ),
        ({"neglect", "disability"}, frozenset({"neglect"}), (10, "covers the case's theme: neglect")),
        (
            {"infant_injury_and_sudi"},
            frozenset({"infant_injury_and_sudi"}),
            (10, "covers the case's theme: infant injury and SUDI"),
        ),
        (
            {"disability"},
            CASE.themes,
            (0, "covers none of the case's themes (domestic abuse, neglect, parental mental health)"),
        ),
        ({"neglect"}, frozenset(), (0, "the case names no themes")),
    ],
    ids=[
        "some themes covered",
        "all covered",
        "the one theme covered",
        "named in words",
        "none covered",
        "the case has none",
    ],
)
def test_each_case_theme_the_consultant_covers_earns_points(specialisms, themes, expected) -> None:
    profile = consultant_profile(specialisms=frozenset(specialisms))
    assert parts(profile, replace(CASE, themes=themes))["specialisms"] == expected


@pytest.mark.parametrize(
    ("languages", "case", "expected"),
    [
        ({"somali", "Arabic"}, CASE, (8, "speaks somali, needed here")),
        ({"somali", "Arabic"}, replace(CASE, interpreter_needed=False), (0, "no interpreter needed")),
        ({"Arabic"}, CASE, (0, "speaks none of the languages needed (somali)")),
        (
            {"Arabic"},
            replace(CASE, languages=frozenset()),
            (0, "an interpreter is needed but the case names no language"),
        ),
    ],
    ids=["needed", "no interpreter needed", "not spoken", "none named"],
)
def test_a_needed_language_counts_only_when_an_interpreter_is_needed(languages, case, expected) -> None:
    assert parts(consultant_profile(languages=frozenset(languages)), case)["languages"] == expected


DIRECTORY = AgencyDirectory(areas={"hackney-csc": "Hackney", "met-police": "London"})


def area_part(profile: ConsultantProfile, case: CaseContext = CASE, ranking: RankingPolicy = RANKING):
    (part,) = [p for p in score(profile, case, ranking, TODAY, DIRECTORY) if p.component == "area"]
    return part.points, part.why


@pytest.mark.parametrize(
    ("areas", "case", "why"),
    [
        ({"hackney"}, CASE, "works in Hackney, the case's area"),
        ({"london", "Leeds"}, CASE, "works in London, where an agency in the case is"),
        ({"Leeds"}, CASE, "covers none of the areas of the case and its agencies (Hackney, London)"),
        (set(), CASE, "lists no areas they cover"),
        ({"Leeds"}, replace(CASE, area=None, agencies=()), "the case names no area"),
    ],
    ids=["the case's area", "an agency's area", "far", "lists none", "the case names none"],
)
def test_closeness_earns_nothing_by_default(areas, case, why) -> None:
    assert area_part(consultant_profile(areas=frozenset(areas)), case) == (0, why)


CHOSEN = replace(RANKING, distance_points=6.0)


@pytest.mark.parametrize(
    ("areas", "case", "points"),
    [
        ({"Leeds"}, CASE, 6),
        ({"Leeds", "LONDON"}, CASE, 0),
        ({"hackney"}, CASE, 0),
        (set(), CASE, 0),
        ({"Leeds"}, replace(CASE, area=None), 6),
        ({"Leeds"}, replace(CASE, area=None, agencies=()), 0),
    ],
    ids=["far", "covers an agency's area", "the case's area", "lists none", "only agencies", "no area"],
)
def test_a_board_may_prefer_reviewers_from_outside_every_area_of_the_case(areas, case, points) -> None:
    assert area_part(consultant_profile(areas=frozenset(areas)), case, CHOSEN)[0] == points


def test_a_board_that_chooses_to_reward_the_case_area_gets_what_it_set() -> None:
    ranking = replace(RANKING, area_points=5.0, distance_points=6.0)
    assert area_part(consultant_profile(areas=frozenset({"Hackney"})), ranking=ranking)[0] == 5
    assert area_part(consultant_profile(areas=frozenset({"Leeds"})), ranking=ranking)[0] == 6


def test_free_places_earn_points() -> None:
    assert parts(consultant_profile(capacity=3, active_commissions=1))["capacity"] == (
        6,
        "2 of 3 places free",
    )


def test_quality_above_the_middle_of_the_scale_adds_and_below_takes_away() -> None:
    good = consultant_profile(mean_rating=3.5, rated_reviews=2)
    assert parts(good)["quality"] == (4, "average rating 3.5 of 4 from 2 rated reviews")
    poor = consultant_profile(id=2, name="Bob", mean_rating=1.0, rated_reviews=1)
    assert parts(poor)["quality"] == (-6, "average rating 1.0 of 4 from 1 rated review")
    assert parts(consultant_profile(id=3, name="Cy"))["quality"] == (0, "no rated reviews yet")


LATELY = (
    PastCommission(1, TODAY - timedelta(days=30), "hackney"),
    PastCommission(2, TODAY - timedelta(days=200), "camden"),
    PastCommission(3, TODAY - timedelta(days=365), "hackney"),
)
ELSEWHERE = (PastCommission(1, TODAY - timedelta(days=10), None),)


@pytest.mark.parametrize(
    ("recent", "case", "expected"),
    [
        (LATELY, CASE, (-12, "2 commissions in the last 365 days, 1 of them by this area's partnership")),
        (ELSEWHERE, CASE, (-4, "1 commission in the last 365 days")),
        (ELSEWHERE, replace(CASE, area=None), (-4, "1 commission in the last 365 days")),
        ((), CASE, (0, "no commissions in the last 365 days")),
    ],
    ids=["more so for the same partnership", "another area's", "a case with no area", "none"],
)
def test_recent_commissions_rank_a_consultant_lower_and_more_so_for_the_same_partnership(
    recent, case, expected
) -> None:
    assert parts(consultant_profile(recent_commissions=recent), case)["rotation"] == expected


# Ranking ----------------------------------------------------------------------------------------


def test_the_best_fit_comes_first_and_the_score_is_the_sum_of_its_parts() -> None:
    specialist = consultant_profile(
        id=1, name="Zed", specialisms=frozenset({"neglect", "domestic_abuse"}), areas=frozenset({"hackney"})
    )
    generalist = consultant_profile(id=2, name="Amy")
    shortlist = ranked(generalist, specialist)
    assert [c.consultant.id for c in shortlist.candidates] == [1, 2]
    best = shortlist.candidates[0]
    # Two themes and two free places; working in Hackney adds nothing.
    assert best.score == sum(part.points for part in best.breakdown) == 26
    assert [part.component for part in best.breakdown] == [
        "specialisms",
        "languages",
        "area",
        "capacity",
        "quality",
        "rotation",
    ]


def test_a_consultant_employed_by_an_involved_agency_is_excluded_with_the_finding() -> None:
    employed = consultant_profile(
        id=1, name="Ann", engagements=(Engagement(9, "met-police", EngagementKind.employed),)
    )
    shortlist = ranked(employed)
    assert shortlist.candidates == ()
    (excluded,) = shortlist.excluded
    assert [f.rule for f in excluded.findings] == ["independence.current_employment"]
    assert excluded.blocking_rules == {"independence.current_employment"}


def test_a_candidate_carries_its_warnings_and_ranks_below_an_equal_score_without_them() -> None:
    warned = consultant_profile(
        id=1,
        name="Amy",
        engagements=(Engagement(9, "met-police", EngagementKind.employed, end=date(2019, 1, 1)),),
    )
    clean = consultant_profile(id=2, name="Zed")
    shortlist = ranked(warned, clean)
    assert [c.consultant.name for c in shortlist.candidates] == ["Zed", "Amy"]
    assert [w.rule for w in shortlist.candidates[1].warnings] == ["independence.past_employment"]


def test_equal_scores_without_warnings_are_listed_by_name() -> None:
    shortlist = ranked(consultant_profile(id=1, name="Zed"), consultant_profile(id=2, name="Amy"))
    assert [c.consultant.name for c in shortlist.candidates] == ["Amy", "Zed"]


def test_excluded_consultants_are_listed_by_name() -> None:
    shortlist = ranked(
        consultant_profile(id=1, name="Zed", status=ConsultantStatus.suspended),
        consultant_profile(id=2, name="Amy", status=ConsultantStatus.applied),
    )
    assert [e.consultant.name for e in shortlist.excluded] == ["Amy", "Zed"]


# When nobody is eligible -----------------------------------------------------------------------


def employed_by(agency: str) -> tuple[Engagement, ...]:
    return (Engagement(9, agency, EngagementKind.employed),)


def test_the_summary_names_the_rule_excluding_most_and_what_would_widen_the_pool() -> None:
    shortlist = ranked(
        consultant_profile(id=1, name="Ann", engagements=employed_by("met-police")),
        consultant_profile(id=2, name="Bob", engagements=employed_by("hackney-csc"), dbs_check_date=None),
        consultant_profile(id=3, name="Cy", engagements=employed_by("hackney-csc"), active_commissions=2),
        consultant_profile(id=4, name="Di", dbs_check_date=None),
    )
    summary = summarise(shortlist)
    assert (summary.checked, summary.eligible) == (4, 0)
    assert [(r.rule, r.excludes, r.only_rule) for r in summary.rules] == [
        ("independence.current_employment", 3, 1),
        ("vetting.dbs_expired", 2, 1),
        ("capacity.full", 1, 0),
    ]
    assert summary.message == (
        "Nobody is eligible: all 4 consultants checked are excluded. 'employed by an involved agency' "
        "excludes the most: 3 consultants. 1 consultant would be eligible but for 'employed by an involved "
        "agency': A continuing tie cannot be waived: look for reviewers from outside the agencies involved. "
        "1 consultant would be eligible but for 'DBS check out of date': Ask them to renew their DBS check, "
        "or to show a DBS Update Service status check."
    )


def test_the_summary_says_when_no_single_change_would_help() -> None:
    summary = summarise(
        ranked(
            consultant_profile(id=1, name="Ann", engagements=employed_by("met-police"), dbs_check_date=None)
        )
    )
    assert summary.message.endswith(
        "No single change would make anyone eligible: each is excluded by two or more rules. "
        "Recruit reviewers from outside the agencies involved."
    )


def test_the_summary_of_an_empty_list_asks_for_consultants() -> None:
    summary = summarise(ranked())
    assert summary.message == "Nobody is on the approved list to check: add or approve consultants first."
    assert summary.rules == ()


def test_the_summary_counts_the_eligible_when_there_are_some() -> None:
    summary = summarise(
        ranked(
            consultant_profile(id=1, name="Ann"), consultant_profile(id=2, name="Bob", active_commissions=2)
        )
    )
    assert summary.message == "1 of the 2 consultants checked are eligible."
    assert [(r.rule, r.excludes, r.only_rule) for r in summary.rules] == [("capacity.full", 1, 1)]


# The score as the ranking adds it up for every consultant ------------------------------------------

words = st.sampled_from(["Hackney", "hackney", "Camden", "London", "Somali", "somali", "Urdu"])
themes = st.frozensets(st.sampled_from(["neglect", "domestic_abuse", "disability", "sexual_abuse"]))
# Every weight of the ranking policy (all but the look-back in days).
WEIGHTS = [field.name for field in fields(RankingPolicy) if field.name != "rotation_days"]
points = st.one_of(st.sampled_from([0, 3, 10, -4]), st.sampled_from([0.0, 2.5, 10.0, -8.0, 1.1]))


@settings(max_examples=300, deadline=None)
@given(
    profiles=st.lists(
        st.builds(
            lambda specialisms, languages, areas, capacity, active, mean, recent: consultant_profile(
                specialisms=specialisms,
                languages=languages,
                areas=areas,
                capacity=capacity,
                active_commissions=active,
                mean_rating=mean,
                recent_commissions=tuple(
                    PastCommission(n, TODAY - timedelta(days=days), area)
                    for n, (days, area) in enumerate(recent)
                ),
            ),
            themes,
            st.frozensets(words, max_size=2),
            st.frozensets(words, max_size=3),
            st.integers(min_value=1, max_value=3),
            st.integers(min_value=0, max_value=4),
            st.one_of(st.none(), st.sampled_from([1.0, 2.5, 3.0, 3.3333333333333335, 4.0])),
            st.lists(
                st.tuples(st.integers(0, 400), st.sampled_from([None, "Hackney", "camden"])), max_size=2
            ),
        ),
        min_size=1,
        max_size=8,
    ),
    case_themes=themes,
    area=st.sampled_from([None, "Hackney", "Leeds"]),
    languages=st.frozensets(words, max_size=2),
    interpreter=st.booleans(),
    weights=st.fixed_dictionaries({name: points for name in WEIGHTS}),
)
def test_the_score_each_consultant_is_ranked_by_is_the_sum_of_the_parts_shown(
    profiles, case_themes, area, languages, interpreter, weights
) -> None:
    """The ranking scores every consultant without building the parts it shows for the best; each total
    must be exactly (value and type) the sum of those parts as ``breakdown`` gives them, rounded."""
    ranking = RankingPolicy(**weights)
    case = replace(CASE, themes=case_themes, area=area, languages=languages, interpreter_needed=interpreter)
    scorer = _Scorer(case, ranking, TODAY, AgencyDirectory())  # one scorer for them all, as rank uses it
    for profile in profiles * 2:
        expected = round(sum(part.points for part in scorer.breakdown(profile)), 2)
        total = scorer.total(profile)
        assert (total, type(total)) == (expected, type(expected))
