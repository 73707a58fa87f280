"""Independence and availability checks: each rule with a record inside its window and one just outside."""

from dataclasses import replace
from datetime import date, timedelta

import pytest
from factories import consultant_profile
from hypothesis import example, given, settings
from hypothesis import strategies as st

from matching import conflicts
from matching.conflicts import RULES, Finding, check
from matching.policy import IndependencePolicy, Severity
from matching.profiles import AgencyDirectory, CaseContext, ConsultantProfile, Engagement, Interest
from registry.lifecycle import add_years
from registry.vocabulary import ConsultantStatus, EngagementKind

TODAY = date(2026, 6, 1)
POLICY = IndependencePolicy()
AGENCIES = AgencyDirectory(
    aliases={
        "hackney children's social care": "hackney-csc",
        "met-police-hackney-bcu": "met-police",
        "hackney-csc": "hackney-csc",
    },
    names={
        "hackney-csc": "Hackney Children's Social Care",
        "met-police": "Metropolitan Police Service",
        "homerton": "Homerton Healthcare NHS Trust",
        "city-hackney-scp": "City & Hackney Safeguarding Children Partnership",
        "camden-csc": "Camden Children's Social Care",
    },
)
CASE = CaseContext(
    ref="HK-2026-001",
    area="hackney",
    agencies=("Hackney Children's Social Care", "met-police", "homerton"),
    due_date=date(2026, 12, 1),
    commissioning_agency_id="city-hackney-scp",
)


def tie(kind: EngagementKind, agency: str = "hackney-csc", **dates: object) -> ConsultantProfile:
    engagement = Engagement(id=31, agency_id=agency, kind=kind, **dates)  # type: ignore[arg-type]
    return consultant_profile(engagements=(engagement,))


def findings(
    profile: ConsultantProfile, case: CaseContext = CASE, policy: IndependencePolicy = POLICY
) -> list[Finding]:
    return check(profile, case, policy, TODAY, agencies=AGENCIES)


def rules(profile: ConsultantProfile, **kwargs: object) -> list[tuple[str, Severity]]:
    return [(finding.rule, finding.severity) for finding in findings(profile, **kwargs)]  # type: ignore[arg-type]


def years_ago(years: int, days: int = 0) -> date:
    return add_years(TODAY, -years) + timedelta(days=days)


def test_an_approved_consultant_with_no_ties_and_current_checks_has_no_findings() -> None:
    assert findings(consultant_profile()) == []


# Employment ------------------------------------------------------------------------------------


def test_a_consultant_employed_by_an_involved_agency_is_excluded() -> None:
    (finding,) = findings(tie(EngagementKind.employed, start=date(2019, 3, 4)))
    assert (finding.rule, finding.severity) == ("independence.current_employment", Severity.block)
    assert finding.reason == (
        "Ann Reviewer is employed by Hackney Children's Social Care, an agency involved in this case "
        "(from Mon 4 Mar 2019)."
    )
    assert finding.evidence.kind == "engagement"
    assert finding.evidence.id == 31
    assert finding.evidence.fields["agency_id"] == "hackney-csc"


def test_a_finding_as_json_names_its_rule_and_the_record_behind_it_with_dates_as_iso_text() -> None:
    (finding,) = findings(tie(EngagementKind.employed, start=date(2019, 3, 4)))
    assert finding.to_json() == {
        "rule": "independence.current_employment",
        "severity": "block",
        "reason": finding.reason,
        "evidence": {
            "kind": "engagement",
            "id": 31,
            "fields": {
                "agency_id": "hackney-csc",
                "agency": "Hackney Children's Social Care",
                "kind": "employed",
                "start": "2019-03-04",
                "end": None,
                "confirmed": True,
            },
        },
    }


def test_employment_ending_today_still_counts_as_current() -> None:
    assert rules(tie(EngagementKind.employed, end=TODAY)) == [
        ("independence.current_employment", Severity.block)
    ]


def test_employment_that_starts_in_the_future_counts_as_current() -> None:
    (finding,) = findings(tie(EngagementKind.employed, start=date(2026, 9, 1)))
    assert finding.rule == "independence.current_employment"


def test_employment_that_ended_within_the_look_back_is_excluded_with_the_years_elapsed() -> None:
    (finding,) = findings(tie(EngagementKind.employed, start=date(2010, 1, 1), end=date(2022, 3, 31)))
    assert (finding.rule, finding.severity) == ("independence.recent_employment", Severity.block)
    assert finding.reason == (
        "Ann Reviewer was employed by Hackney Children's Social Care, an agency involved in this case, until "
        "Thu 31 Mar 2022, 4 years ago; the policy excludes ties that ended less than 5 years ago."
    )
    assert finding.evidence.fields["years_since_end"] == 4


def test_employment_that_ended_a_day_inside_five_years_blocks() -> None:
    profile = tie(EngagementKind.employed, end=years_ago(5, days=1))
    assert rules(profile) == [("independence.recent_employment", Severity.block)]


def test_employment_that_ended_exactly_five_years_ago_only_warns() -> None:
    (finding,) = findings(tie(EngagementKind.employed, end=years_ago(5)))
    assert (finding.rule, finding.severity) == ("independence.past_employment", Severity.warn)
    assert finding.reason == (
        "Ann Reviewer was employed by Hackney Children's Social Care, an agency involved in this case, until "
        "Tue 1 Jun 2021, 5 years ago: outside the 5-year exclusion but within 10 years, so the independence "
        "statement must say how long ago it ended."
    )


def test_employment_that_ended_a_day_inside_ten_years_warns() -> None:
    assert rules(tie(EngagementKind.employed, end=years_ago(10, days=1))) == [
        ("independence.past_employment", Severity.warn)
    ]


def test_employment_that_ended_ten_years_ago_is_not_a_finding() -> None:
    assert findings(tie(EngagementKind.employed, end=years_ago(10))) == []


def test_employment_with_an_agency_not_involved_is_not_a_finding() -> None:
    assert findings(tie(EngagementKind.employed, agency="camden-csc")) == []


def test_employment_ended_less_than_a_year_ago_says_so() -> None:
    (finding,) = findings(tie(EngagementKind.employed, end=date(2026, 1, 31)))
    assert "until Sat 31 Jan 2026, less than a year ago;" in finding.reason


def test_employment_ended_a_year_ago_is_singular() -> None:
    (finding,) = findings(tie(EngagementKind.employed, end=date(2025, 5, 1)))
    assert "until Thu 1 May 2025, 1 year ago;" in finding.reason


def test_a_longer_look_back_from_the_policy_applies() -> None:
    policy = replace(POLICY, employment_block_years=7)
    assert rules(tie(EngagementKind.employed, end=years_ago(6)), policy=policy) == [
        ("independence.recent_employment", Severity.block)
    ]


# Contracts -------------------------------------------------------------------------------------


def test_a_consultant_contracted_to_an_involved_agency_is_excluded() -> None:
    (finding,) = findings(tie(EngagementKind.contracted, agency="homerton"))
    assert (finding.rule, finding.severity) == ("independence.current_contract", Severity.block)
    assert finding.reason == (
        "Ann Reviewer is contracted to Homerton Healthcare NHS Trust, an agency involved in this case."
    )


def test_a_contract_that_ended_a_day_inside_three_years_blocks() -> None:
    assert rules(tie(EngagementKind.contracted, end=years_ago(3, days=1))) == [
        ("independence.recent_contract", Severity.block)
    ]


def test_a_contract_that_ended_three_years_ago_warns() -> None:
    (finding,) = findings(tie(EngagementKind.contracted, end=years_ago(3)))
    assert (finding.rule, finding.severity) == ("independence.past_contract", Severity.warn)
    assert "outside the 3-year exclusion but within 5 years" in finding.reason


def test_a_contract_that_ended_five_years_ago_is_not_a_finding() -> None:
    assert findings(tie(EngagementKind.contracted, end=years_ago(5))) == []


def test_a_contract_with_the_commissioning_partnership_is_not_a_conflict() -> None:
    assert findings(tie(EngagementKind.contracted, agency="city-hackney-scp")) == []


# Board membership ------------------------------------------------------------------------------


def test_a_current_member_of_the_commissioning_partnership_is_excluded() -> None:
    (finding,) = findings(tie(EngagementKind.board_member, agency="city-hackney-scp"))
    assert (finding.rule, finding.severity) == ("independence.board_member", Severity.block)
    assert finding.reason == (
        "Ann Reviewer is a board member of City & Hackney Safeguarding Children Partnership, the partnership "
        "commissioning this review."
    )


def test_a_current_board_member_of_an_involved_agency_is_excluded() -> None:
    assert rules(tie(EngagementKind.board_member, agency="homerton")) == [
        ("independence.board_member", Severity.block)
    ]


def test_a_board_member_who_left_within_three_years_warns() -> None:
    (finding,) = findings(
        tie(EngagementKind.board_member, agency="city-hackney-scp", end=years_ago(3, days=1))
    )
    assert (finding.rule, finding.severity) == ("independence.past_board_member", Severity.warn)
    assert "within 3 years the tie must be declared" in finding.reason


def test_a_board_member_who_left_three_years_ago_is_not_a_finding() -> None:
    assert findings(tie(EngagementKind.board_member, agency="city-hackney-scp", end=years_ago(3))) == []


def test_a_board_member_of_an_unrelated_agency_is_not_a_finding() -> None:
    assert findings(tie(EngagementKind.board_member, agency="camden-csc")) == []


def test_employment_by_the_commissioning_partnership_is_excluded() -> None:
    (finding,) = findings(tie(EngagementKind.employed, agency="city-hackney-scp"))
    assert finding.rule == "independence.current_employment"
    assert "the partnership commissioning this review" in finding.reason


def test_without_a_commissioning_partnership_only_involved_agencies_count() -> None:
    case = replace(CASE, commissioning_agency_id=None)
    assert findings(tie(EngagementKind.board_member, agency="city-hackney-scp"), case=case) == []


# Ties with no time limit -----------------------------------------------------------------------


def test_line_management_at_an_involved_agency_blocks_with_no_time_limit() -> None:
    profile = tie(EngagementKind.line_manager, start=date(1990, 1, 1), end=date(1996, 7, 31))
    (finding,) = findings(profile)
    assert (finding.rule, finding.severity) == ("independence.line_manager", Severity.block)
    assert finding.reason == (
        "Ann Reviewer line-managed staff at Hackney Children's Social Care, an agency involved in this case "
        "(1990 to 1996); line-managing anyone involved in the case is a conflict with no time limit."
    )


def test_line_management_with_unknown_dates_says_so() -> None:
    (finding,) = findings(tie(EngagementKind.line_manager))
    assert "(an unknown date to now)" in finding.reason


def test_line_management_at_another_agency_is_not_a_finding() -> None:
    assert findings(tie(EngagementKind.line_manager, agency="camden-csc")) == []


def test_a_personal_link_with_someone_at_an_involved_agency_blocks() -> None:
    (finding,) = findings(tie(EngagementKind.personal_link, agency="met-police", end=date(2001, 1, 1)))
    assert (finding.rule, finding.severity) == ("independence.personal_link", Severity.block)
    assert finding.reason == (
        "Ann Reviewer has a declared personal or family link with someone at Metropolitan Police Service, "
        "an agency involved in this case."
    )


def test_a_personal_link_with_another_agency_is_not_a_finding() -> None:
    assert findings(tie(EngagementKind.personal_link, agency="camden-csc")) == []


# Interests -------------------------------------------------------------------------------------


def interest(**fields: object) -> ConsultantProfile:
    declared = Interest(id=5, text="Knew a foster carer", declared_on=date(2026, 5, 3), **fields)  # type: ignore[arg-type]
    return consultant_profile(interests=(declared,))


def test_an_interest_declared_on_this_case_blocks() -> None:
    (finding,) = findings(interest(case_ref="HK-2026-001", agency_id="camden-csc"))
    assert (finding.rule, finding.severity) == ("independence.interest_in_case", Severity.block)
    assert finding.reason == "Ann Reviewer declared an interest in this case on Sun 3 May 2026."
    assert finding.evidence.kind == "interest"
    assert finding.evidence.fields["text"] == "Knew a foster carer"


def test_an_interest_declared_on_another_case_is_not_a_finding() -> None:
    assert findings(interest(case_ref="HK-2025-009")) == []


def test_an_interest_involving_an_involved_agency_warns() -> None:
    (finding,) = findings(interest(agency_id="homerton"))
    assert (finding.rule, finding.severity) == ("independence.interest_in_agency", Severity.warn)
    assert finding.reason == (
        "Ann Reviewer declared an interest involving Homerton Healthcare NHS Trust, an agency involved in "
        "this case, on Sun 3 May 2026; read it before deciding."
    )


def test_an_interest_involving_the_commissioning_partnership_warns() -> None:
    assert rules(interest(agency_id="city-hackney-scp")) == [
        ("independence.interest_in_agency", Severity.warn)
    ]


def test_an_interest_involving_an_unrelated_agency_is_not_a_finding() -> None:
    assert findings(interest(agency_id="camden-csc")) == []


# Familiarity -----------------------------------------------------------------------------------


def reviews(*ends: date | None) -> ConsultantProfile:
    engagements = tuple(
        Engagement(
            id=40 + index,
            agency_id="hackney-csc",
            kind=EngagementKind.reviewed,
            start=date(2020, 1, 1),
            end=end,
        )
        for index, end in enumerate(ends)
    )
    return consultant_profile(engagements=engagements)


def test_reviewing_an_involved_agency_twice_within_three_years_warns() -> None:
    (finding,) = findings(reviews(date(2024, 2, 1), years_ago(3, days=1)))
    assert (finding.rule, finding.severity) == ("independence.familiarity", Severity.warn)
    assert finding.reason == (
        "Ann Reviewer has reviewed Hackney Children's Social Care, an agency involved in this case, 2 times "
        "in the last 3 years; familiarity can weaken independence."
    )
    assert finding.evidence.id == 40
    assert finding.evidence.fields["engagement_ids"] == [40, 41]
    assert finding.evidence.fields["reviews_in_window"] == 2


def test_a_review_that_ended_three_years_ago_falls_outside_the_familiarity_window() -> None:
    assert findings(reviews(date(2024, 2, 1), years_ago(3))) == []


def test_a_review_still_in_progress_counts_towards_familiarity_and_is_the_latest() -> None:
    (finding,) = findings(reviews(date(2024, 2, 1), None))
    assert finding.evidence.id == 41


def test_one_review_is_not_familiarity_by_default_but_is_when_the_policy_says_so() -> None:
    assert findings(reviews(date(2025, 2, 1))) == []
    policy = replace(POLICY, familiarity_min_reviews=1)
    assert rules(reviews(date(2025, 2, 1)), policy=policy) == [("independence.familiarity", Severity.warn)]


def test_reviewing_an_agency_not_involved_is_not_familiarity() -> None:
    engagements = tuple(
        Engagement(id=40 + n, agency_id="camden-csc", kind=EngagementKind.reviewed, end=date(2025, 1, 1))
        for n in range(3)
    )
    assert findings(consultant_profile(engagements=engagements)) == []


# Policy: severities, aliases, unconfirmed ties -------------------------------------------------


def test_the_policy_can_make_familiarity_block_and_current_employment_warn() -> None:
    policy = replace(
        POLICY,
        severities={
            "independence.familiarity": Severity.block,
            "independence.current_employment": Severity.warn,
        },
    )
    assert rules(reviews(date(2025, 1, 1), date(2025, 6, 1)), policy=policy) == [
        ("independence.familiarity", Severity.block)
    ]
    assert rules(tie(EngagementKind.employed), policy=policy) == [
        ("independence.current_employment", Severity.warn)
    ]


def test_aliases_and_units_resolve_to_the_same_agency() -> None:
    (finding,) = findings(tie(EngagementKind.employed, agency="Met-Police-Hackney-BCU"))
    assert finding.rule == "independence.current_employment"
    assert finding.evidence.fields["agency_id"] == "met-police"
    assert finding.evidence.fields["recorded_as"] == "Met-Police-Hackney-BCU"
    assert "Metropolitan Police Service, an agency involved in this case" in finding.reason


def test_without_a_directory_agency_ids_must_match_exactly() -> None:
    profile = tie(EngagementKind.employed, agency="homerton")
    assert [f.rule for f in check(profile, CASE, POLICY, TODAY)] == ["independence.current_employment"]
    assert check(tie(EngagementKind.employed, agency="hackney-csc"), CASE, POLICY, TODAY) == []


def test_an_unconfirmed_self_declared_tie_warns_instead_of_blocking() -> None:
    engagement = Engagement(id=31, agency_id="hackney-csc", kind=EngagementKind.employed, confirmed=False)
    (finding,) = findings(consultant_profile(engagements=(engagement,)))
    assert (finding.rule, finding.severity) == ("independence.current_employment", Severity.warn)
    assert finding.reason.endswith("not yet confirmed by an admin, so it warns for now.")


def test_an_unconfirmed_tie_that_only_warns_keeps_its_reason() -> None:
    engagement = Engagement(
        id=31, agency_id="hackney-csc", kind=EngagementKind.employed, end=years_ago(6), confirmed=False
    )
    (finding,) = findings(consultant_profile(engagements=(engagement,)))
    assert finding.rule == "independence.past_employment"
    assert "confirmed" not in finding.reason


# Vetting and capacity --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "why"),
    [
        (ConsultantStatus.applied, "their application awaits approval"),
        (ConsultantStatus.suspended, "they are suspended"),
        (ConsultantStatus.removed, "they have been removed from the approved list"),
    ],
)
def test_a_consultant_who_is_not_approved_is_excluded(status: ConsultantStatus, why: str) -> None:
    (finding,) = findings(consultant_profile(status=status))
    assert (finding.rule, finding.severity) == ("vetting.not_approved", Severity.block)
    assert finding.reason == f"Ann Reviewer is not approved: {why}."


def test_a_consultant_with_no_dbs_check_is_excluded() -> None:
    (finding,) = findings(consultant_profile(dbs_check_date=None))
    assert (finding.rule, finding.severity) == ("vetting.dbs_expired", Severity.block)
    assert finding.reason == "Ann Reviewer has no DBS check on record."


def test_a_dbs_check_exactly_three_years_old_has_run_out() -> None:
    (finding,) = findings(consultant_profile(dbs_check_date=years_ago(3)))
    assert (finding.rule, finding.severity) == ("vetting.dbs_expired", Severity.block)
    assert finding.reason == (
        "Ann Reviewer's DBS check of Thu 1 Jun 2023 (rechecked every 3 years) ran out on Sun 31 May 2026."
    )
    assert finding.evidence.fields == {"dbs_check_date": date(2023, 6, 1), "valid_until": date(2026, 5, 31)}


def test_a_dbs_check_a_day_short_of_three_years_is_valid_today_but_warns() -> None:
    (finding,) = findings(consultant_profile(dbs_check_date=years_ago(3, days=1)))
    assert (finding.rule, finding.severity) == ("vetting.dbs_expiring", Severity.warn)
    assert finding.reason == (
        "Ann Reviewer's DBS check of Fri 2 Jun 2023 (rechecked every 3 years) runs out on Mon 1 Jun 2026, "
        "before the review is due on Tue 1 Dec 2026."
    )


def test_a_dbs_check_lapsing_after_the_due_date_is_not_a_finding() -> None:
    assert findings(consultant_profile(dbs_check_date=date(2023, 12, 2))) == []


def test_a_dbs_check_lapsing_on_the_due_date_warns() -> None:
    assert rules(consultant_profile(dbs_check_date=date(2023, 12, 1))) == [
        ("vetting.dbs_expiring", Severity.warn)
    ]


def test_without_a_due_date_a_check_lapsing_within_sixty_days_warns() -> None:
    case = replace(CASE, due_date=None)
    (finding,) = findings(consultant_profile(insurance_expiry=TODAY + timedelta(days=59)), case=case)
    assert (finding.rule, finding.severity) == ("vetting.insurance_expiring", Severity.warn)
    assert finding.reason == (
        "Ann Reviewer's professional indemnity insurance runs out on Thu 30 Jul 2026, within 60 days."
    )
    assert findings(consultant_profile(insurance_expiry=TODAY + timedelta(days=60)), case=case) == []


def test_insurance_that_ran_out_yesterday_excludes_and_insurance_ending_today_warns() -> None:
    (finding,) = findings(consultant_profile(insurance_expiry=TODAY - timedelta(days=1)))
    assert (finding.rule, finding.severity) == ("vetting.insurance_expired", Severity.block)
    assert finding.reason == "Ann Reviewer's professional indemnity insurance ran out on Sun 31 May 2026."
    assert rules(consultant_profile(insurance_expiry=TODAY)) == [
        ("vetting.insurance_expiring", Severity.warn)
    ]


def test_missing_insurance_excludes_unless_the_policy_does_not_require_it() -> None:
    (finding,) = findings(consultant_profile(insurance_expiry=None))
    assert (finding.rule, finding.severity) == ("vetting.insurance_expired", Severity.block)
    assert finding.reason == "Ann Reviewer has no professional indemnity insurance on record."
    assert (
        findings(consultant_profile(insurance_expiry=None), policy=replace(POLICY, insurance_required=False))
        == []
    )


def test_registration_is_optional_by_default_but_a_lapsed_one_excludes() -> None:
    assert findings(consultant_profile(registration_expiry=None)) == []
    (finding,) = findings(consultant_profile(registration_expiry=date(2026, 5, 31)))
    assert (finding.rule, finding.severity) == ("vetting.registration_expired", Severity.block)
    assert finding.reason == "Ann Reviewer's professional registration ran out on Sun 31 May 2026."
    assert rules(consultant_profile(registration_expiry=date(2026, 11, 30))) == [
        ("vetting.registration_expiring", Severity.warn)
    ]


def test_missing_registration_excludes_when_the_policy_requires_it() -> None:
    policy = replace(POLICY, registration_required=True)
    assert rules(consultant_profile(), policy=policy) == [("vetting.registration_expired", Severity.block)]


def test_a_consultant_at_capacity_is_excluded() -> None:
    (finding,) = findings(consultant_profile(capacity=2, active_commissions=2))
    assert (finding.rule, finding.severity) == ("capacity.full", Severity.block)
    assert finding.reason == "Ann Reviewer is at capacity: 2 of 2 reviews in progress."
    assert finding.evidence.fields == {"capacity": 2, "active_commissions": 2}


def test_a_consultant_with_one_place_left_is_not_at_capacity() -> None:
    assert findings(consultant_profile(capacity=2, active_commissions=1)) == []


# Ordering and dates ----------------------------------------------------------------------------


def test_blocks_come_before_warnings_in_rule_order() -> None:
    profile = consultant_profile(
        status=ConsultantStatus.suspended,
        active_commissions=2,
        engagements=(
            Engagement(id=1, agency_id="homerton", kind=EngagementKind.contracted, end=years_ago(4)),
            Engagement(id=2, agency_id="met-police", kind=EngagementKind.employed),
        ),
    )
    assert rules(profile) == [
        ("independence.current_employment", Severity.block),
        ("vetting.not_approved", Severity.block),
        ("capacity.full", Severity.block),
        ("independence.past_contract", Severity.warn),
    ]


def test_every_rule_has_a_title_and_advice() -> None:
    assert all(rule.title and rule.widen for rule in RULES.values())


def test_adding_years_to_the_29th_of_february_lands_on_the_28th() -> None:
    assert add_years(date(2024, 2, 29), 3) == date(2027, 2, 28)
    assert add_years(date(2024, 2, 29), -4) == date(2020, 2, 29)


def test_a_finding_blocks_only_when_its_severity_is_block() -> None:
    blocking, warning = findings(tie(EngagementKind.employed)) + findings(reviews(date(2025, 1, 1), None))
    assert blocking.blocks
    assert not warning.blocks


@settings(max_examples=400, deadline=None)
@example(today=date(2027, 2, 28), age_days=(date(2027, 2, 28) - date(2024, 2, 29)).days, years=3)
@example(today=date(2027, 2, 27), age_days=(date(2027, 2, 27) - date(2024, 2, 29)).days, years=3)
@example(today=date(2028, 2, 29), age_days=(date(2028, 2, 29) - date(2025, 2, 28)).days, years=3)
@example(today=date(2027, 12, 31), age_days=(date(2027, 12, 31) - date(2024, 2, 29)).days, years=4)
@given(
    today=st.dates(min_value=date(2020, 1, 1), max_value=date(2032, 12, 31)),
    age_days=st.integers(min_value=0, max_value=4 * 366),
    years=st.integers(min_value=1, max_value=5),
)
def test_the_dbs_rule_matches_its_definition_on_every_day_including_29_february(
    today: date, age_days: int, years: int
) -> None:
    """Due for recheck on the same day ``years`` later; warn from 60 days before (no due date here)."""
    checked = today - timedelta(days=age_days)
    valid_until = add_years(checked, years) - timedelta(days=1)
    expected = []
    if valid_until < today:
        expected = [("vetting.dbs_expired", Severity.block)]
    elif valid_until < today + timedelta(days=60):
        expected = [("vetting.dbs_expiring", Severity.warn)]
    policy = replace(POLICY, dbs_recheck_years=years)
    profile = consultant_profile(dbs_check_date=checked, insurance_expiry=date(2099, 1, 1))
    found = check(profile, replace(CASE, due_date=None), policy, today, agencies=AGENCIES)
    assert [(f.rule, f.severity) for f in found] == expected


# The quick answer for consultants the checks find nothing about ------------------------------------

# Each fact is mostly quiet, and otherwise on either side of the day the checks turn on: a consultant
# quiet in every way but one is then common.
FAR = TODAY + timedelta(days=900)
horizons = (TODAY + timedelta(days=POLICY.expiry_warn_days), CASE.due_date, TODAY)
near = st.one_of(
    st.just(FAR),
    st.just(FAR),
    st.none(),
    st.tuples(st.sampled_from(horizons), st.integers(min_value=-2, max_value=2)).map(
        lambda pair: pair[0] + timedelta(days=pair[1])
    ),
)
dbs_checked = st.one_of(
    st.just(years_ago(1)),
    st.just(years_ago(1)),
    st.none(),
    st.tuples(st.sampled_from(horizons), st.integers(min_value=-2, max_value=2)).map(
        lambda pair: add_years(pair[0], -3) + timedelta(days=pair[1])
    ),
)


@settings(max_examples=600, deadline=None)
@given(
    status=st.sampled_from([ConsultantStatus.approved] * 3 + list(ConsultantStatus)),
    dbs=dbs_checked,
    registration=near,
    insurance=near,
    capacity=st.integers(min_value=1, max_value=3),
    active=st.sampled_from([0, 0, 1, 2, 3]),
    engagements=st.sampled_from([(), (), (Engagement(31, "hackney-csc", EngagementKind.reviewed),)]),
    interests=st.sampled_from([(), (), (Interest(41, "Knew a practitioner", TODAY, case_ref=CASE.ref),)]),
    away=st.sampled_from([(), (), ((TODAY, TODAY + timedelta(days=5)),)]),
    registration_required=st.booleans(),
    insurance_required=st.booleans(),
    due=st.sampled_from([None, CASE.due_date]),
)
def test_the_quick_answer_is_always_the_full_checks_answer(**given: object) -> None:
    """The checker says in a few comparisons that it finds nothing about most consultants; it must say so
    only of those the full checks find nothing about, and leave the rest to them."""
    policy = replace(
        POLICY,
        registration_required=given["registration_required"],
        insurance_required=given["insurance_required"],
    )
    profile = consultant_profile(
        status=given["status"],
        dbs_check_date=given["dbs"],
        registration_expiry=given["registration"],
        insurance_expiry=given["insurance"],
        capacity=given["capacity"],
        active_commissions=given["active"],
        engagements=given["engagements"],
        interests=given["interests"],
        away=given["away"],
    )
    case = replace(CASE, due_date=given["due"])
    full = conflicts._findings(conflicts._scope_of(case, policy, TODAY, AGENCIES), profile)
    assert check(profile, case, policy, TODAY, agencies=AGENCIES) == full
