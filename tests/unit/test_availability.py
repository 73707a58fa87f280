"""Dates away and self-declared interests in the checks: away today excludes, away within the review warns,
and what a consultant declares warns until an admin confirms it."""

from dataclasses import replace
from datetime import date, timedelta

from factories import consultant_profile
from hypothesis import given
from hypothesis import strategies as st

from matching.conflicts import check
from matching.policy import IndependencePolicy, RankingPolicy, Severity
from matching.profiles import AgencyDirectory, CaseContext, ConsultantProfile, Interest
from matching.shortlist import rank, summarise

TODAY = date(2026, 6, 1)
POLICY = IndependencePolicy()  # warns of what falls within 60 days when the case has no due date yet
RANKING = RankingPolicy()
DUE = date(2026, 12, 1)
CASE = CaseContext(ref="HK-2026-001", area="hackney", agencies=("hackney-csc",), due_date=DUE)
UNDATED = replace(CASE, due_date=None)
AGENCIES = AgencyDirectory(names={"hackney-csc": "Hackney Children's Social Care"})


def rules(profile: ConsultantProfile, case: CaseContext = CASE) -> list[tuple[str, Severity]]:
    return [(f.rule, f.severity) for f in check(profile, case, POLICY, TODAY, agencies=AGENCIES)]


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


# Dates away ------------------------------------------------------------------------------------


def test_a_consultant_away_today_cannot_take_a_review_now() -> None:
    (finding,) = check(consultant_profile(away=[(days(-3), days(10))]), CASE, POLICY, TODAY)
    assert (finding.rule, finding.severity) == ("capacity.away", Severity.block)
    assert (
        finding.reason
        == "Ann Reviewer is away from Fri 29 May 2026 to Thu 11 Jun 2026, so cannot take a review now."
    )
    assert (finding.evidence.kind, finding.evidence.id) == ("absence", 50)
    assert finding.evidence.fields == {"start": days(-3), "end": days(10)}


def test_the_first_and_last_days_away_both_count() -> None:
    assert rules(consultant_profile(away=[(TODAY, days(5))])) == [("capacity.away", Severity.block)]
    assert rules(consultant_profile(away=[(days(-5), TODAY)])) == [("capacity.away", Severity.block)]


def test_a_period_already_over_is_ignored() -> None:
    assert rules(consultant_profile(away=[(days(-20), days(-1))])) == []


def test_away_later_but_before_the_review_is_due_warns() -> None:
    (finding,) = check(consultant_profile(away=[(days(100), days(114))]), CASE, POLICY, TODAY)
    assert (finding.rule, finding.severity) == ("capacity.away_during_review", Severity.warn)
    assert finding.reason == (
        "Ann Reviewer will be away from Wed 9 Sep 2026 to Wed 23 Sep 2026, before the review is due on "
        "Tue 1 Dec 2026."
    )


def test_away_only_after_the_review_is_due_does_not_matter() -> None:
    assert rules(consultant_profile(away=[(DUE + timedelta(days=1), DUE + timedelta(days=30))])) == []
    assert rules(consultant_profile(away=[(DUE, DUE + timedelta(days=30))])) == [
        ("capacity.away_during_review", Severity.warn)
    ]


def test_without_a_due_date_away_within_the_warning_window_warns() -> None:
    (finding,) = check(consultant_profile(away=[(days(60), days(70))]), UNDATED, POLICY, TODAY)
    assert (finding.rule, finding.severity) == ("capacity.away_during_review", Severity.warn)
    assert finding.reason.endswith("within 60 days.")
    assert rules(consultant_profile(away=[(days(61), days(70))]), UNDATED) == []


def test_each_period_is_judged_on_its_own_and_blocks_come_first() -> None:
    profile = consultant_profile(away=[(days(30), days(40)), (days(-1), days(2))], active_commissions=2)
    assert rules(profile) == [
        ("capacity.full", Severity.block),
        ("capacity.away", Severity.block),
        ("capacity.away_during_review", Severity.warn),
    ]


@given(start=st.integers(min_value=-400, max_value=400), length=st.integers(min_value=0, max_value=400))
def test_a_period_away_blocks_exactly_when_it_covers_today_and_warns_exactly_when_it_starts_by_the_due_date(
    start: int, length: int
) -> None:
    first, last = days(start), days(start + length)
    expected = []
    if first <= TODAY <= last:
        expected = [("capacity.away", Severity.block)]
    elif TODAY < first <= DUE:
        expected = [("capacity.away_during_review", Severity.warn)]
    assert rules(consultant_profile(away=[(first, last)])) == expected


def test_the_shortlist_excludes_whoever_is_away_and_says_what_would_widen_the_pool() -> None:
    away, back = consultant_profile(away=[(days(-1), days(7))]), consultant_profile(id=8, name="Bo Back")
    shortlist = rank([away, back], CASE, policy=POLICY, ranking=RANKING, today=TODAY, agencies=AGENCIES)
    assert [c.consultant.name for c in shortlist.candidates] == ["Bo Back"]
    assert [e.consultant.name for e in shortlist.excluded] == ["Ann Reviewer"]
    alone = rank([away], CASE, policy=POLICY, ranking=RANKING, today=TODAY, agencies=AGENCIES)
    message = summarise(alone).message
    assert message.startswith("Nobody is eligible: the one consultant checked is excluded.")
    assert "1 consultant would be eligible but for 'away now': Ask whether they could start" in message


# Self-declared interests -----------------------------------------------------------------------


def interest(*, confirmed: bool, case_ref: str | None = None, agency_id: str | None = None) -> Interest:
    return Interest(
        id=90,
        text="My sister is a health visitor",
        declared_on=date(2026, 5, 20),
        agency_id=agency_id,
        case_ref=case_ref,
        confirmed=confirmed,
    )


def test_an_unconfirmed_interest_in_the_case_warns_saying_it_awaits_confirmation() -> None:
    profile = consultant_profile(interests=(interest(confirmed=False, case_ref=CASE.ref),))
    (finding,) = check(profile, CASE, POLICY, TODAY)
    assert (finding.rule, finding.severity) == ("independence.interest_in_case", Severity.warn)
    assert finding.reason == (
        "Ann Reviewer declared an interest in this case on Wed 20 May 2026. The interest is self-declared "
        "and not yet confirmed by an admin, so it warns for now."
    )
    assert finding.evidence.fields["confirmed"] is False


def test_a_confirmed_interest_in_the_case_blocks() -> None:
    profile = consultant_profile(interests=(interest(confirmed=True, case_ref=CASE.ref),))
    assert rules(profile) == [("independence.interest_in_case", Severity.block)]


def test_an_unconfirmed_interest_in_an_agency_warns_as_a_confirmed_one_does() -> None:
    unconfirmed = consultant_profile(interests=(interest(confirmed=False, agency_id="hackney-csc"),))
    confirmed = consultant_profile(interests=(interest(confirmed=True, agency_id="hackney-csc"),))
    (finding,) = check(unconfirmed, CASE, POLICY, TODAY, agencies=AGENCIES)
    assert (finding.rule, finding.severity) == ("independence.interest_in_agency", Severity.warn)
    assert "confirmed" not in finding.reason
    assert rules(confirmed) == [("independence.interest_in_agency", Severity.warn)]
