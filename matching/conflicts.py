"""Independence and availability checks of one consultant against one case.

Pure: profiles, a case context, the policy and today's date in; findings out. Each finding names its
rule, whether it blocks or warns, a sentence a commissioner can read aloud, and the record behind it
(the OpenReview habit of returning the intersecting items, so reasons come with the result).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from types import MappingProxyType
from typing import Any

from core.wording import day
from matching.policy import IndependencePolicy, Severity
from matching.profiles import AgencyDirectory, Away, CaseContext, ConsultantProfile, Engagement, Interest
from registry.lifecycle import add_years, dbs_valid_until
from registry.vocabulary import ConsultantStatus, EngagementKind


@dataclass(frozen=True)
class Evidence:
    """The record behind a finding: what it is, its id, and the fields that matter."""

    kind: str  # "engagement" | "interest" | "consultant" | "absence"
    id: int
    fields: Mapping[str, Any]


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    reason: str
    evidence: Evidence

    @property
    def blocks(self) -> bool:
        return self.severity is Severity.block

    def to_json(self) -> dict[str, Any]:
        """The finding as a shortlist shows it, a commission stores it and the audit log keeps it."""
        evidence = self.evidence
        return {
            "rule": self.rule,
            "severity": self.severity.value,
            "reason": self.reason,
            "evidence": {
                "kind": evidence.kind,
                "id": evidence.id,
                "fields": {
                    key: value.isoformat() if isinstance(value, date) else value
                    for key, value in evidence.fields.items()
                },
            },
        }


@dataclass(frozen=True)
class Rule:
    """What a rule is called in a summary, and what would let more consultants past it."""

    title: str
    widen: str


_LOOK_BACK_IS_POLICY = (
    "The look-back is a local policy setting, not law: the board may shorten it, or agree and record an "
    "exception for one consultant."
)
_NO_TIME_LIMIT = "This tie has no time limit and cannot be relaxed: recruit reviewers from outside the area."
_LOOK_ELSEWHERE = "A continuing tie cannot be waived: look for reviewers from outside the agencies involved."

RULES: Mapping[str, Rule] = MappingProxyType(
    {
        "independence.current_employment": Rule("employed by an involved agency", _LOOK_ELSEWHERE),
        "independence.recent_employment": Rule(
            "employed by an involved agency within the look-back", _LOOK_BACK_IS_POLICY
        ),
        "independence.past_employment": Rule(
            "employed by an involved agency in the past", _LOOK_BACK_IS_POLICY
        ),
        "independence.current_contract": Rule("contracted to an involved agency", _LOOK_ELSEWHERE),
        "independence.recent_contract": Rule(
            "contracted to an involved agency within the look-back", _LOOK_BACK_IS_POLICY
        ),
        "independence.past_contract": Rule(
            "contracted to an involved agency in the past", _LOOK_BACK_IS_POLICY
        ),
        "independence.board_member": Rule(
            "a board member of the partnership or an involved agency", _LOOK_ELSEWHERE
        ),
        "independence.past_board_member": Rule("a former board member", _LOOK_BACK_IS_POLICY),
        "independence.line_manager": Rule("line-managed staff at an involved agency", _NO_TIME_LIMIT),
        "independence.personal_link": Rule(
            "a personal or family link with an involved agency", _NO_TIME_LIMIT
        ),
        "independence.interest_in_case": Rule("declared an interest in this case", _NO_TIME_LIMIT),
        "independence.interest_in_agency": Rule(
            "declared an interest involving an involved agency",
            "Read the declaration: the board may decide the interest does not affect independence.",
        ),
        "independence.familiarity": Rule(
            "reviewed an involved agency repeatedly", "Familiarity warns by default; the board may accept it."
        ),
        "vetting.not_approved": Rule(
            "not approved", "Finish approving applicants, or look again at suspensions, in the registry."
        ),
        "vetting.dbs_expired": Rule(
            "DBS check out of date",
            "Ask them to renew their DBS check, or to show a DBS Update Service status check.",
        ),
        "vetting.dbs_expiring": Rule("DBS check due before the review ends", "Ask them to renew it now."),
        "vetting.registration_expired": Rule(
            "professional registration lapsed", "Ask them for their renewed registration."
        ),
        "vetting.registration_expiring": Rule(
            "professional registration lapses before the review ends", "Ask them to renew it now."
        ),
        "vetting.insurance_expired": Rule(
            "indemnity insurance lapsed or missing",
            "Ask them for a current professional indemnity certificate.",
        ),
        "vetting.insurance_expiring": Rule(
            "indemnity insurance lapses before the review ends", "Ask them to renew it now."
        ),
        "capacity.full": Rule(
            "at capacity",
            "Ask whether they can take one more review (raise their capacity), or wait for one to finish.",
        ),
        "capacity.away": Rule(
            "away now", "Ask whether they could start on their return, or wait until they are back."
        ),
        "capacity.away_during_review": Rule(
            "away during the review", "A short absence in a review of months may be fine: ask them."
        ),
    }
)
_ORDER = {rule: index for index, rule in enumerate(RULES)}


def _years_between(earlier: date, later: date) -> int:
    return later.year - earlier.year - ((later.month, later.day) < (earlier.month, earlier.day))


def _ago(earlier: date, today: date) -> str:
    years = _years_between(earlier, today)
    if years == 0:
        return "less than a year ago"
    return "1 year ago" if years == 1 else f"{years} years ago"


def _period(engagement: Engagement) -> str:
    start = f"{engagement.start.year}" if engagement.start else "an unknown date"
    end = f"{engagement.end.year}" if engagement.end else "now"
    return f"{start} to {end}"


# Ties that count with the commissioning partnership as well as with the agencies involved. Reviewers
# are contracted by partnerships and review for them as a matter of course, so those two do not.
_PARTNERSHIP_KINDS = frozenset(
    {
        EngagementKind.employed,
        EngagementKind.board_member,
        EngagementKind.line_manager,
        EngagementKind.personal_link,
    }
)


@dataclass(frozen=True)
class _Scope:
    """One case's agencies, resolved once, and the policy's cut-off dates as of today."""

    case: CaseContext
    policy: IndependencePolicy
    today: date
    agencies: AgencyDirectory
    involved: frozenset[str]
    partnership: str | None
    lapse_horizon: date  # a check valid until before this day lapses before the review is due, or soon
    dbs_clear_from: date  # a DBS check dated this day or later is still valid on the horizon

    def where(self, agency_id: str) -> str:
        name = self.agencies.name(agency_id)
        if agency_id in self.involved:
            return f"{name}, an agency involved in this case"
        return f"{name}, the partnership commissioning this review"

    def tied(self, agency_id: str | None, *, partnership: bool) -> str | None:
        """The resolved agency id when it is involved in the case (or is the partnership), else None."""
        if agency_id is None:
            return None
        if agency_id in self.involved:  # already the id of an involved agency: skip resolving it
            return agency_id
        resolved = self.agencies.resolve(agency_id)
        if resolved in self.involved or (partnership and resolved == self.partnership):
            return resolved
        return None

    def since(self, years: int) -> date:
        return add_years(self.today, -years)


def _engagement_evidence(engagement: Engagement, agency_id: str, scope: _Scope, **extra: Any) -> Evidence:
    fields: dict[str, Any] = {
        "agency_id": agency_id,
        "agency": scope.agencies.name(agency_id),
        "kind": engagement.kind.value,
        "start": engagement.start,
        "end": engagement.end,
        "confirmed": engagement.confirmed,
    }
    if engagement.end is not None:
        fields["years_since_end"] = _years_between(engagement.end, scope.today)
    if engagement.agency_id != agency_id:
        fields["recorded_as"] = engagement.agency_id
    return Evidence("engagement", engagement.id, {**fields, **extra})


_WINDOWED = {
    # kind: (verb, current rule, recent rule, past rule, block-years setting, warn-years setting)
    EngagementKind.employed: (
        "employed by",
        "independence.current_employment",
        "independence.recent_employment",
        "independence.past_employment",
        "employment_block_years",
        "employment_warn_years",
    ),
    EngagementKind.contracted: (
        "contracted to",
        "independence.current_contract",
        "independence.recent_contract",
        "independence.past_contract",
        "contract_block_years",
        "contract_warn_years",
    ),
}


def _windowed(
    scope: _Scope, name: str, engagement: Engagement, agency_id: str
) -> tuple[str, Severity, str] | None:
    verb, current, recent, past, block_setting, warn_setting = _WINDOWED[engagement.kind]
    where = scope.where(agency_id)
    if engagement.end is None or engagement.end >= scope.today:
        start = f" (from {day(engagement.start)})" if engagement.start else ""
        return current, scope.policy.severity(current), f"{name} is {verb} {where}{start}."
    block_years = getattr(scope.policy, block_setting)
    warn_years = getattr(scope.policy, warn_setting)
    ended = f"{name} was {verb} {where}, until {day(engagement.end)}, {_ago(engagement.end, scope.today)}"
    if engagement.end > scope.since(block_years):
        return (
            recent,
            Severity.block,
            f"{ended}; the policy excludes ties that ended less than {block_years} years ago.",
        )
    if engagement.end > scope.since(warn_years):
        return (
            past,
            Severity.warn,
            f"{ended}: outside the {block_years}-year exclusion but within {warn_years} years, so the "
            "independence statement must say how long ago it ended.",
        )
    return None


def _tie(
    scope: _Scope, name: str, engagement: Engagement, agency_id: str
) -> tuple[str, Severity, str] | None:
    """The rule, severity and reason for one engagement with a tied agency (not a review), if any."""
    if engagement.kind in _WINDOWED:
        return _windowed(scope, name, engagement, agency_id)
    where = scope.where(agency_id)
    if engagement.kind == EngagementKind.board_member:
        rule = "independence.board_member"
        if engagement.end is None or engagement.end >= scope.today:
            return rule, scope.policy.severity(rule), f"{name} is a board member of {where}."
        years = scope.policy.board_warn_years
        if engagement.end > scope.since(years):
            return (
                "independence.past_board_member",
                Severity.warn,
                f"{name} was a board member of {where}, until {day(engagement.end)}, "
                f"{_ago(engagement.end, scope.today)}; within {years} years the tie must be declared.",
            )
        return None
    if engagement.kind == EngagementKind.line_manager:
        rule = "independence.line_manager"
        reason = (
            f"{name} line-managed staff at {where} ({_period(engagement)}); line-managing anyone involved "
            "in the case is a conflict with no time limit."
        )
        return rule, scope.policy.severity(rule), reason
    rule = "independence.personal_link"
    return (
        rule,
        scope.policy.severity(rule),
        f"{name} has a declared personal or family link with someone at {where}.",
    )


def _engagement_findings(scope: _Scope, consultant: ConsultantProfile) -> list[Finding]:
    findings = []
    reviews: dict[str, list[Engagement]] = {}
    for engagement in consultant.engagements:
        if engagement.kind == EngagementKind.reviewed:
            agency_id = scope.tied(engagement.agency_id, partnership=False)
            if agency_id and (
                engagement.end is None or engagement.end > scope.since(scope.policy.familiarity_years)
            ):
                reviews.setdefault(agency_id, []).append(engagement)
            continue
        agency_id = scope.tied(engagement.agency_id, partnership=engagement.kind in _PARTNERSHIP_KINDS)
        if agency_id is None:
            continue
        tie = _tie(scope, consultant.name, engagement, agency_id)
        if tie is None:
            continue
        rule, severity, reason = tie
        finding = Finding(rule, severity, reason, _engagement_evidence(engagement, agency_id, scope))
        findings.append(_declared(finding, confirmed=engagement.confirmed, what="tie"))
    findings.extend(_familiarity(scope, consultant.name, reviews))
    return findings


def _declared(finding: Finding, *, confirmed: bool, what: str) -> Finding:
    """A self-declared record is not evidence until an admin confirms it: what it would block, it warns."""
    if confirmed or not finding.blocks:
        return finding
    note = f"The {what} is self-declared and not yet confirmed by an admin, so it warns for now."
    return replace(finding, severity=Severity.warn, reason=f"{finding.reason} {note}")


def _familiarity(scope: _Scope, name: str, reviews: Mapping[str, list[Engagement]]) -> list[Finding]:
    rule = "independence.familiarity"
    years = scope.policy.familiarity_years
    findings = []
    for agency_id, engagements in reviews.items():
        if len(engagements) < scope.policy.familiarity_min_reviews:
            continue
        latest = max(engagements, key=lambda item: item.end or date.max)
        reason = (
            f"{name} has reviewed {scope.where(agency_id)}, {len(engagements)} times in the last {years} "
            "years; familiarity can weaken independence."
        )
        evidence = _engagement_evidence(
            latest,
            agency_id,
            scope,
            reviews_in_window=len(engagements),
            engagement_ids=[e.id for e in engagements],
        )
        findings.append(Finding(rule, scope.policy.severity(rule), reason, evidence))
    return findings


def _interest_finding(scope: _Scope, name: str, interest: Interest) -> Finding | None:
    evidence = Evidence(
        "interest",
        interest.id,
        {
            "text": interest.text,
            "agency_id": interest.agency_id,
            "case_ref": interest.case_ref,
            "declared_on": interest.declared_on,
            "confirmed": interest.confirmed,
        },
    )
    if interest.case_ref == scope.case.ref:
        rule = "independence.interest_in_case"
        reason = f"{name} declared an interest in this case on {day(interest.declared_on)}."
        finding = Finding(rule, scope.policy.severity(rule), reason, evidence)
        return _declared(finding, confirmed=interest.confirmed, what="interest")
    agency_id = scope.tied(interest.agency_id, partnership=True)
    if agency_id is None:
        return None
    rule = "independence.interest_in_agency"
    reason = (
        f"{name} declared an interest involving {scope.where(agency_id)}, on {day(interest.declared_on)}; "
        "read it before deciding."
    )
    finding = Finding(rule, scope.policy.severity(rule), reason, evidence)
    return _declared(finding, confirmed=interest.confirmed, what="interest")


# Each check: the words for it, and the profile field its date comes from.
_CHECKS = {
    "vetting.dbs": ("DBS check", "dbs_check_date"),
    "vetting.registration": ("professional registration", "registration_expiry"),
    "vetting.insurance": ("professional indemnity insurance", "insurance_expiry"),
}


def _lapse(scope: _Scope, consultant: ConsultantProfile, prefix: str, valid_until: date) -> Finding:
    """A block when a check has lapsed; a warning when it lapses before the review is due, or soon."""
    what, field = _CHECKS[prefix]
    recorded = getattr(consultant, field)
    if prefix == "vetting.dbs":
        what = f"{what} of {day(recorded)} (rechecked every {scope.policy.dbs_recheck_years} years)"
    evidence = Evidence("consultant", consultant.id, {field: recorded, "valid_until": valid_until})
    name = consultant.name
    if valid_until < scope.today:
        return Finding(
            f"{prefix}_expired", Severity.block, f"{name}'s {what} ran out on {day(valid_until)}.", evidence
        )
    due = scope.case.due_date
    if due is not None and valid_until < due:
        when = f"before the review is due on {day(due)}"
    else:
        when = f"within {scope.policy.expiry_warn_days} days"
    reason = f"{name}'s {what} runs out on {day(valid_until)}, {when}."
    return Finding(f"{prefix}_expiring", Severity.warn, reason, evidence)


def _dbs_clear_from(horizon: date, policy: IndependencePolicy) -> date:
    """The earliest DBS check date still valid on ``horizon`` (29 February moves it by a day or so)."""
    near = add_years(horizon, -policy.dbs_recheck_years)
    return next(
        checked
        for checked in (near + timedelta(days=shift) for shift in (-1, 0, 1, 2))
        if dbs_valid_until(checked, policy.dbs_recheck_years) >= horizon
    )


_NOT_APPROVED = {
    ConsultantStatus.applied: "their application awaits approval",
    ConsultantStatus.suspended: "they are suspended",
    ConsultantStatus.removed: "they have been removed from the approved list",
}


def _vetting_findings(scope: _Scope, consultant: ConsultantProfile) -> list[Finding]:
    policy = scope.policy
    findings: list[Finding] = []
    if consultant.status != ConsultantStatus.approved:
        findings.append(
            Finding(
                "vetting.not_approved",
                Severity.block,
                f"{consultant.name} is not approved: {_NOT_APPROVED[consultant.status]}.",
                Evidence("consultant", consultant.id, {"status": consultant.status.value}),
            )
        )
    horizon = scope.lapse_horizon
    dbs = consultant.dbs_check_date
    if dbs is None:
        findings.append(_missing(consultant, "vetting.dbs"))
    elif dbs < scope.dbs_clear_from and (until := dbs_valid_until(dbs, policy.dbs_recheck_years)) < horizon:
        findings.append(_lapse(scope, consultant, "vetting.dbs", until))  # from dbs_clear_from on: valid
    for prefix, valid_until, required in (
        ("vetting.registration", consultant.registration_expiry, policy.registration_required),
        ("vetting.insurance", consultant.insurance_expiry, policy.insurance_required),
    ):
        if valid_until is None:
            if required:
                findings.append(_missing(consultant, prefix))
        elif valid_until < horizon:
            findings.append(_lapse(scope, consultant, prefix, valid_until))
    if consultant.active_commissions >= consultant.capacity:
        findings.append(
            Finding(
                "capacity.full",
                Severity.block,
                f"{consultant.name} is at capacity: {consultant.active_commissions} of {consultant.capacity} "
                "reviews in progress.",
                Evidence(
                    "consultant",
                    consultant.id,
                    {"capacity": consultant.capacity, "active_commissions": consultant.active_commissions},
                ),
            )
        )
    return findings


def _missing(consultant: ConsultantProfile, prefix: str) -> Finding:
    return Finding(
        f"{prefix}_expired",
        Severity.block,
        f"{consultant.name} has no {_CHECKS[prefix][0]} on record.",
        Evidence("consultant", consultant.id, {}),
    )


def _away(scope: _Scope, name: str, away: Away) -> Finding | None:
    """Away today: no new review. Away later within the review (to its due date, or soon): a warning."""
    if away.end < scope.today:
        return None
    evidence = Evidence("absence", away.id, {"start": away.start, "end": away.end})
    period = f"from {day(away.start)} to {day(away.end)}"
    if away.start <= scope.today:
        return Finding(
            "capacity.away",
            Severity.block,
            f"{name} is away {period}, so cannot take a review now.",
            evidence,
        )
    due = scope.case.due_date
    if due is None:
        days = scope.policy.expiry_warn_days
        until, when = scope.today + timedelta(days=days), f"within {days} days"
    else:
        until, when = due, f"before the review is due on {day(due)}"
    if away.start > until:
        return None
    reason = f"{name} will be away {period}, {when}."
    return Finding("capacity.away_during_review", Severity.warn, reason, evidence)


def checker(
    case: CaseContext, policy: IndependencePolicy, today: date, agencies: AgencyDirectory | None = None
) -> Callable[[ConsultantProfile], list[Finding]]:
    """``check`` with the case's agencies resolved once, for checking many consultants against one case."""
    return _quick(_scope_of(case, policy, today, agencies))


def _scope_of(
    case: CaseContext, policy: IndependencePolicy, today: date, agencies: AgencyDirectory | None
) -> _Scope:
    directory = agencies or AgencyDirectory()
    horizon = max(today + timedelta(days=policy.expiry_warn_days), case.due_date or today)
    return _Scope(
        case=case,
        policy=policy,
        today=today,
        agencies=directory,
        involved=frozenset(directory.resolve(agency) for agency in case.agencies),
        partnership=directory.resolve(case.commissioning_agency_id) if case.commissioning_agency_id else None,
        lapse_horizon=horizon,
        dbs_clear_from=_dbs_clear_from(horizon, policy),
    )


def _findings(scope: _Scope, consultant: ConsultantProfile) -> list[Finding]:
    findings = _vetting_findings(scope, consultant)
    if consultant.engagements:  # most consultants have no tie with the case's agencies: skip the work
        findings += _engagement_findings(scope, consultant)
    for interest in consultant.interests:
        finding = _interest_finding(scope, consultant.name, interest)
        if finding is not None:
            findings.append(finding)
    for away in consultant.away:
        finding = _away(scope, consultant.name, away)
        if finding is not None:
            findings.append(finding)
    if len(findings) > 1:
        findings.sort(key=lambda finding: (finding.severity is not Severity.block, _ORDER[finding.rule]))
    return findings


def _quick(scope: _Scope) -> Callable[[ConsultantProfile], list[Finding]]:
    """The checks, answering in a few comparisons for a consultant they find nothing about: no ties,
    interests or time away recorded for the case, approved, a place free, and every check valid beyond
    the horizon. Most consultants checked are such, and a shortlist checks every consultant on the list;
    the full checks (``_findings``) are for the others. The quick answer must be theirs (a property test
    holds the two together).
    """
    horizon, dbs_from, policy = scope.lapse_horizon, scope.dbs_clear_from, scope.policy
    registration_required, insurance_required = policy.registration_required, policy.insurance_required
    approved = ConsultantStatus.approved

    def run(consultant: ConsultantProfile) -> list[Finding]:
        dbs, registration, insurance = (
            consultant.dbs_check_date,
            consultant.registration_expiry,
            consultant.insurance_expiry,
        )
        if (
            not (consultant.engagements or consultant.interests or consultant.away)
            and consultant.status == approved
            and consultant.active_commissions < consultant.capacity
            and dbs is not None
            and dbs >= dbs_from
            and (not registration_required if registration is None else registration >= horizon)
            and (not insurance_required if insurance is None else insurance >= horizon)
        ):
            return []
        return _findings(scope, consultant)

    return run


def check(
    consultant: ConsultantProfile,
    case: CaseContext,
    policy: IndependencePolicy,
    today: date,
    *,
    agencies: AgencyDirectory | None = None,
) -> list[Finding]:
    """Every finding about ``consultant`` for ``case`` as of ``today``: blocks first, then warnings."""
    return checker(case, policy, today, agencies)(consultant)
