"""The thematic briefing's timeliness and recommendations groups: on time, late and unknown milestones,
the late cases listed only internally, the years adding up to the period, the labels tied to the rules'
clocks, and the recommendations' statistics, scope, completion and overdue actions by agency."""

from datetime import date
from functools import partial

import pytest
from briefing_cases import case, hackney_briefing

from commissioning import rules
from commissioning.briefing import charts, recommendations, suppression, tables, timeliness
from commissioning.briefing.facts import Agency, CaseFacts, Milestone, Period, Recommendations
from commissioning.briefing.figures import Counted
from commissioning.briefing.html import briefing_html
from commissioning.briefing.report import FEWER, Briefing

SPAN = Period(date(2024, 1, 1), date(2026, 12, 31))
NOTIFIED = "timeliness.notified_within_5_working_days"


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def timed(
    ref: str, on: str | None, due: str | None, *, kind: str = "panel_notified", year: int = 2026
) -> CaseFacts:
    """A case of ``year`` whose ``kind`` milestone was recorded ``on`` and due by ``due``."""
    base = case(ref, notified_date=f"{year}-03-02")
    return CaseFacts(
        base.ref, base.partnership, base.features, milestones={kind: Milestone(_day(on), _day(due))}
    )


brief = partial(hackney_briefing, period=SPAN)


def shown(briefing: Briefing, group: str):  # type: ignore[no-untyped-def]
    return next(part for part in briefing.shown if part.group.id == group)


def test_a_milestone_is_on_time_by_its_deadline_late_after_it_and_unknown_without_either_day() -> None:
    cases = [
        timed("CHS-1", "2026-03-09", "2026-03-09"),  # on the day: on time
        timed("CHS-2", "2026-03-10", "2026-03-09"),  # a day late
        timed("CHS-3", None, "2026-03-09"),  # not recorded: not judged
        timed("CHS-4", "2026-03-05", None),  # no clock applies (an edition with none): not judged
        case("CHS-5"),  # no milestones at all
    ]
    found = {f.key: f for f in brief(cases).figures}
    assert (found[NOTIFIED].count, found[NOTIFIED].denominator, found[NOTIFIED].percent) == (1, 2, 50.0)
    assert found[NOTIFIED].late == ("CHS-2",)
    assert found["timeliness.rapid_review_within_15_working_days"].denominator == 0


@pytest.mark.parametrize(
    ("key", "kind"),
    [
        ("timeliness.rapid_review_within_15_working_days", "rapid_review_sent"),
        ("timeliness.decided_within_the_editions_time", "decision_to_initiate"),
        ("timeliness.published_within_6_months", "published"),
    ],
)
def test_each_measure_judges_its_own_milestone(key: str, kind: str) -> None:
    cases = [
        timed("CHS-1", "2026-05-01", "2026-04-30", kind=kind),
        timed("CHS-2", "2026-04-01", "2026-04-30", kind=kind),
    ]
    found = {f.key: f for f in brief(cases).figures}
    assert (found[key].count, found[key].denominator, found[key].late) == (1, 2, ("CHS-1",))
    assert found[NOTIFIED].denominator == 0


def test_the_labels_give_the_clocks_the_current_edition_sets() -> None:
    """The labels' times are the rules' own: a change of setting must change the label with it."""
    current = rules.load_all()[-1].params
    labels = {m.key: m.label for m in timeliness.MEASURES}
    assert f"within {current['panel_notice_working_days'].value} working days" in labels[NOTIFIED]
    rapid = current["rapid_review_working_days"].value
    assert f"within {rapid} working days" in labels["timeliness.rapid_review_within_15_working_days"]
    months = current["lcspr_publication_months"].value
    assert f"within {months} months" in labels["timeliness.published_within_6_months"]


def test_the_late_cases_are_listed_internally_and_never_in_the_publishable_version() -> None:
    cases = [timed(f"CHS-{i}", "2026-03-02", "2026-03-09") for i in range(8)]
    cases += [timed("CHS-LATE", "2026-03-20", "2026-03-09")]
    internal, public = brief(cases), brief(cases, publishable=True)
    assert internal.to_json()["late_cases"] == {NOTIFIED: ["CHS-LATE"]}
    assert tables.late_words(shown(internal, "timeliness")) == [
        f"Late ({timeliness.MEASURES[0].label}): CHS-LATE."
    ]
    assert "CHS-LATE" in briefing_html(internal)
    assert public.to_json()["late_cases"] == {} and "CHS-LATE" not in briefing_html(public)
    notified = {f.key: f for f in public.figures}[NOTIFIED]
    assert notified.count is None and notified.suppressed  # 8 of 9: the one late case could be worked out


def test_the_years_add_up_to_the_period_and_are_drawn_over_time() -> None:
    cases = [timed(f"A-{i}", "2026-03-02", "2026-03-09", year=2025) for i in range(6)]
    cases += [timed(f"B-{i}", "2026-03-02", "2026-03-09", year=2026) for i in range(5)]
    cases += [timed("B-LATE", "2026-03-20", "2026-03-09", year=2026)]
    internal = brief(cases)
    years = shown(internal, "timeliness_by_year")
    notified = [f for f in years.figures if f.series == "Notifications"]
    assert [(f.year, f.count, f.denominator) for f in notified] == [(2025, 6, 6), (2026, 5, 6)]
    alternative = tables.text_alternative(years)
    assert alternative.startswith("Line chart of timeliness over time, the share on time each year:")
    assert "Notifications in 2026: 5 of 6 (83%)" in alternative
    drawn = charts.charts(internal)
    assert drawn["timeliness_by_year"].startswith(b"\x89PNG") and "timeliness" not in drawn
    # Publishable: 1 late of 12, so the 2026 count and, through the sums, the period's are hidden too.
    public = {f.key: f for f in brief(cases, publishable=True).figures}
    assert public[f"{NOTIFIED}.2026"].count is None and public[NOTIFIED].count is None
    assert public[f"{NOTIFIED}.2026"].denominator == 6  # denominators stay: how many reviews there were
    assert "Notifications in 2026: fewer than 5 of 6." in tables.text_alternative(
        shown(brief(cases, publishable=True), "timeliness_by_year")
    )


def test_no_milestones_no_years_and_no_chart() -> None:
    empty = brief([case("CHS-1")])
    assert shown(empty, "timeliness_by_year").figures == () and "timeliness_by_year" not in charts.charts(
        empty
    )


def made(n: int, single: int = 0, multi: int = 0, completed: int = 0, *agencies: Agency) -> Recommendations:
    return Recommendations(n, single, multi, completed, agencies)


def with_recommendations(ref: str, counted: Recommendations) -> CaseFacts:
    base = case(ref)
    return CaseFacts(base.ref, base.partnership, base.features, recommendations=counted)


POLICE, CSC = "Metropolitan Police", "Hackney Children's Social Care"
REVIEWS = [
    with_recommendations("CHS-1", made(3, 2, 1, 3, Agency(POLICE, 4, 0))),
    with_recommendations("CHS-2", made(8, 2, 5, 1, Agency(POLICE, 6, 3), Agency(CSC, 10, 1))),
    with_recommendations("CHS-3", made(5, 1, 2, 0, Agency(CSC, 2, 2))),
    with_recommendations("CHS-4", made(12, 6, 6, 6)),
    with_recommendations("CHS-5", made(6, 3, 1, 2)),
    case("CHS-6"),  # a review still under way: no recommendations yet, not counted per review
]


def test_recommendations_per_review_scope_and_completion() -> None:
    found = {f.key: f for f in brief(REVIEWS).figures}
    stats = [found[f"recommendations.per_review_{name}"] for name in ("minimum", "median", "maximum")]
    assert [(f.count, f.denominator, f.percent) for f in stats] == [(3, 5, None), (6, 5, None), (12, 5, None)]
    single, multi = found["recommendations.single_agency"], found["recommendations.multi_agency"]
    assert (single.count, multi.count, single.denominator, single.percent) == (14, 15, 29, 48.3)
    completed = found["recommendations.completed"]
    assert (completed.count, completed.denominator, completed.percent) == (12, 34, 35.3)
    median = {f.key: f for f in brief(REVIEWS[:4]).figures}["recommendations.per_review_median"]
    assert median.count == 6.5 and tables.row(median)[1] == "6.5"


def test_overdue_actions_by_agency_then_all_agencies() -> None:
    part = shown(brief(REVIEWS), "overdue")
    assert [(f.key, f.label, f.count, f.denominator) for f in part.figures] == [
        ("recommendations.overdue.hackney_children_s_social_care", CSC, 3, 12),
        ("recommendations.overdue.metropolitan_police", POLICE, 3, 10),
        ("recommendations.overdue.all_agencies", "All agencies", 6, 22),
    ]


def test_the_statistics_are_hidden_when_fewer_than_5_reviews_give_them() -> None:
    public = {f.key: f for f in brief(REVIEWS, publishable=True).figures}
    assert public["recommendations.per_review_median"].count == 6  # 5 reviews: shown
    few = {f.key: f for f in brief(REVIEWS[:4], publishable=True).figures}
    median = few["recommendations.per_review_median"]
    assert median.count is None and median.suppressed and tables.count_words(median) == FEWER
    # A statistic is no count: it neither takes part in nor triggers the counts' suppression.
    counted = recommendations.recommendations(REVIEWS[:4])
    assert "recommendations.per_review_median" not in suppression.hidden_counts(counted)
    assert "recommendations.per_review_median" not in counted.counts


def test_publishable_overdue_counts_under_5_are_suppressed_with_the_total_protecting_them() -> None:
    public = {f.key: f for f in brief(REVIEWS, publishable=True).figures}
    assert public["recommendations.overdue.metropolitan_police"].count is None
    assert public["recommendations.overdue.hackney_children_s_social_care"].count is None
    assert public["recommendations.overdue.all_agencies"].count == 6


def test_groups_count_nothing_from_no_cases() -> None:
    assert recommendations.overdue([]).figures[-1].denominator == 0
    assert timeliness.by_year([]) == Counted()
