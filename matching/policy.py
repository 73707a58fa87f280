"""The independence policy and the shortlist weights, as configuration with labelled defaults.

No statute or guidance sets a look-back period for reviewers (sources R32: "N is a local policy
setting"), so most numbers here are a board's own choice. Every setting says which it is: ``law``,
``guidance``, ``common_practice`` (what commissioners usually do, with a source) or
``local_policy`` (our judgement; change it to match the board's policy). ``describe`` lists them,
so a commissioner can see which exclusions are the law and which are the board's choice.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from types import MappingProxyType
from typing import Any, TypeVar


class Severity(StrEnum):
    block = "block"
    warn = "warn"


class Basis(StrEnum):
    law = "law"
    guidance = "guidance"
    common_practice = "common_practice"
    local_policy = "local_policy"


def _setting(default: Any, basis: Basis, source: str) -> Any:
    return field(default=default, metadata={"basis": basis, "source": source})


@dataclass(frozen=True)
class RuleDefault:
    severity: Severity
    basis: Basis
    source: str


_RULE_DEFAULTS: Mapping[str, RuleDefault] = MappingProxyType(
    {
        "independence.current_employment": RuleDefault(
            Severity.block,
            Basis.guidance,
            "Independent of the organisations under review: WT2013/2015 principle (paragraph unconfirmed), "
            "Care and Support Statutory Guidance ch 14 (sources R31).",
        ),
        "independence.current_contract": RuleDefault(
            Severity.block, Basis.guidance, "As current employment (sources R31)."
        ),
        "independence.board_member": RuleDefault(
            Severity.block,
            Basis.local_policy,
            "Sources R33 only flag it; registry practice section 7 blocks while current (judgement).",
        ),
        "independence.line_manager": RuleDefault(
            Severity.block,
            Basis.common_practice,
            "Not the line manager of anyone involved: a local SCR procedure (Leicester 2010, sources R30); "
            "no time limit.",
        ),
        "independence.personal_link": RuleDefault(
            Severity.block,
            Basis.local_policy,
            "Registry practice section 7: declarations cover family members (lay member specifications); "
            "blocking with no time limit is judgement.",
        ),
        "independence.interest_in_case": RuleDefault(
            Severity.block,
            Basis.guidance,
            "Directly involved with the child or family: reject (sources R29).",
        ),
        "independence.interest_in_agency": RuleDefault(
            Severity.warn, Basis.local_policy, "Judgement: a person decides, and the decision is logged."
        ),
        "independence.familiarity": RuleDefault(
            Severity.warn, Basis.local_policy, "Registry practice section 7 (judgement)."
        ),
    }
)


@dataclass(frozen=True)
class IndependencePolicy:
    """How far back ties with an agency count, and how seriously.

    A tie that ended less than ``*_block_years`` ago blocks; less than ``*_warn_years`` ago warns
    (the independence statement must then say how long ago it ended). ``severities`` sets the
    rules whose severity does not depend on time.
    """

    employment_block_years: int = _setting(
        5,
        Basis.local_policy,
        "No statutory or guidance figure (sources R32); 5 years is the issue's default "
        "and registry practice section 7.",
    )
    employment_warn_years: int = _setting(
        10,
        Basis.local_policy,
        "Registry practice section 7 (judgement); DHR guidance 2016 asks the statement to say how "
        "long ago the chair left.",
    )
    contract_block_years: int = _setting(
        3,
        Basis.local_policy,
        "Registry practice section 7 (judgement): contracts are shorter ties than employment; "
        "a pharmacy accreditation analogue (CCCEP) uses 2 years.",
    )
    contract_warn_years: int = _setting(5, Basis.local_policy, "Registry practice section 7 (judgement).")
    board_warn_years: int = _setting(
        3,
        Basis.local_policy,
        "Registry practice section 7 (judgement); the tension between independence and the board's "
        "ownership is in SCIE Quality Markers 2016, Governance (sources R33).",
    )
    familiarity_years: int = _setting(
        3,
        Basis.local_policy,
        "Registry practice section 7 (judgement): the 'favourite overview writers' concern.",
    )
    familiarity_min_reviews: int = _setting(
        2, Basis.local_policy, "Registry practice section 7 (judgement): warn at 2 or more reviews."
    )
    dbs_recheck_years: int = _setting(
        3,
        Basis.common_practice,
        "Enhanced DBS certificates carry no expiry; rechecking every 3 years is the common "
        "recommendation (DBS guides, registry practice section 2).",
    )
    expiry_warn_days: int = _setting(
        60,
        Basis.local_policy,
        "Registry practice section 7 (judgement): warn 60 days before a check lapses.",
    )
    insurance_required: bool = _setting(
        True,
        Basis.local_policy,
        "Registry practice section 7 (judgement): professional indemnity insurance is required.",
    )
    registration_required: bool = _setting(
        False,
        Basis.local_policy,
        "Registry practice section 2 (judgement): many reviewers are retired from practice.",
    )
    severities: Mapping[str, Severity] = field(
        default_factory=lambda: {rule: default.severity for rule, default in _RULE_DEFAULTS.items()}
    )

    def severity(self, rule: str) -> Severity:
        """The configured severity of a rule whose severity does not depend on time."""
        return self.severities.get(rule, _RULE_DEFAULTS[rule].severity)


@dataclass(frozen=True)
class RankingPolicy:
    """Points for each part of a candidate's fit; a plain weighted score is enough for a list of ~50."""

    theme_points: float = _setting(
        10.0, Basis.local_policy, "Judgement: each case theme the consultant covers."
    )
    language_points: float = _setting(
        8.0, Basis.local_policy, "Judgement: each needed language spoken, when an interpreter is needed."
    )
    area_points: float = _setting(
        0.0,
        Basis.local_policy,
        "The consultant works in the case's area. Nothing in the guidance rewards closeness, and families "
        "and practice read independence as distance, so by default it earns nothing.",
    )
    distance_points: float = _setting(
        0.0,
        Basis.local_policy,
        "The consultant covers none of the areas of the case and its agencies. No guidance asks for "
        "distance either; a board that prefers reviewers from outside the region (one Welsh board "
        "appointed its chair 'from outside of the region') sets the points it chooses.",
    )
    free_place_points: float = _setting(
        3.0, Basis.local_policy, "Judgement: each free place in their capacity."
    )
    quality_points_per_grade: float = _setting(
        4.0,
        Basis.local_policy,
        "Judgement: average rating on the 1-4 scale (registry practice section 7) above or below 2.5.",
    )
    rotation_days: int = _setting(
        365,
        Basis.local_policy,
        "Registry practice section 7 (judgement): rank down consultants commissioned in the last 12 months.",
    )
    rotation_points: float = _setting(
        -4.0, Basis.local_policy, "Judgement: each recent commission elsewhere."
    )
    rotation_same_area_points: float = _setting(
        -8.0, Basis.local_policy, "Judgement: each recent commission by the same partnership."
    )


@dataclass(frozen=True)
class SettingDescription:
    name: str
    value: Any
    basis: Basis
    source: str


def describe(policy: IndependencePolicy | RankingPolicy) -> list[SettingDescription]:
    """Every setting with its value and where it comes from, for people reading a shortlist.

    A rule's severity keeps its default's basis only while it has the default value.
    """
    rows = [
        SettingDescription(
            item.name, getattr(policy, item.name), item.metadata["basis"], item.metadata["source"]
        )
        for item in fields(policy)
        if item.name != "severities"
    ]
    if isinstance(policy, IndependencePolicy):
        for rule, default in _RULE_DEFAULTS.items():
            severity = policy.severity(rule)
            if severity is default.severity:
                rows.append(SettingDescription(f"severity:{rule}", severity, default.basis, default.source))
            else:
                rows.append(
                    SettingDescription(f"severity:{rule}", severity, Basis.local_policy, "Set by the board.")
                )
    return rows


Policy = TypeVar("Policy", IndependencePolicy, RankingPolicy)


def configured(kind: type[Policy], overrides: Mapping[str, Any]) -> Policy:
    """``kind`` with ``overrides`` (from configuration) over its defaults.

    ValueError names each unknown setting or value of the wrong type, so a typo in configuration fails
    at start-up rather than silently keeping a default.
    """
    defaults = kind()
    known = {item.name: getattr(defaults, item.name) for item in fields(kind)}
    problems = [f"unknown setting {name!r}" for name in overrides if name not in known]
    values: dict[str, Any] = {}
    for name, value in overrides.items():
        if name not in known:
            continue
        if name == "severities":
            values[name] = _severities(value, problems)
            continue
        default = known[name]
        numeric = (
            isinstance(default, float) and isinstance(value, int | float) and not isinstance(value, bool)
        )
        if type(value) is not type(default) and not numeric:
            problems.append(f"{name} must be {type(default).__name__}, got {value!r}")
        values[name] = value
    if problems:
        raise ValueError(
            f"{kind.__name__}: " + "; ".join(problems) + f". Known settings: {', '.join(known)}."
        )
    return replace(defaults, **values)


def _severities(value: Any, problems: list[str]) -> dict[str, Severity]:
    if not isinstance(value, Mapping):
        problems.append(f"severities must map rule ids to block or warn, got {value!r}")
        return {}
    severities = {}
    for rule, severity in value.items():
        if rule not in _RULE_DEFAULTS:
            problems.append(
                f"no rule {rule!r} has a configurable severity (known: {', '.join(_RULE_DEFAULTS)})"
            )
        elif severity not in set(Severity):
            problems.append(f"severity of {rule} must be block or warn, got {severity!r}")
        else:
            severities[rule] = Severity(severity)
    return severities
