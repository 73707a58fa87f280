"""Cases for the thematic briefing's tests: the London study's 26, built from its printed profile
(see ``test_briefing_study.py`` for which rows 26 cases can and cannot reproduce)."""

from datetime import date, timedelta
from typing import Any

from commissioning import features
from commissioning.briefing import references
from commissioning.briefing.facts import CaseFacts, Period
from commissioning.briefing.report import Briefing, build

STUDY_YEAR = 2006
ETHNIC_MINORITY = ("black_african", "black_caribbean", "asian_bangladeshi", "white_other", "mixed_other")


def _ages(i: int) -> float:
    """11 aged 6 months or under, 2 more up to a year, 4 aged 2 to 3, 5 aged 4 to 10, 1 aged 12, and
    3 teenagers."""
    bands = ((11, 0.3), (2, 0.8), (4, 3), (5, 7), (1, 12), (3, 15))
    for size, age in bands:
        if i < size:
            return age
        i -= size
    raise IndexError(i)


def study_case(i: int) -> dict[str, Any]:
    """The features of case ``i`` of 26, as the study's table describes the whole."""
    when = date(STUDY_YEAR, 1, 9) + timedelta(days=13 * i)
    raw: dict[str, Any] = {
        "incident_date": when.isoformat(),
        "notified_date": (when + timedelta(days=2)).isoformat(),
        "country": "england",
        "area": "hackney",
        "subject_age_years": _ages(i),
        "outcome": "serious_harm" if i < 6 else "death",
        "abuse_or_neglect": "suspected",
        "ethnic_group": ETHNIC_MINORITY[i % len(ETHNIC_MINORITY)] if i < 17 else "white_british",
        "recent_immigration": i < 7,
        "known_to_childrens_social_care": i >= 7,
    }
    if i >= 24:  # two teenagers took their own lives
        raw |= {"perpetrators": ["self"], "suspected_suicide": True}
    else:
        raw["perpetrators"] = (["father", "mother"] if i < 3 else ["father"] if i < 14 else ["mother"]) + (
            ["grandparent"] if i == 14 else ["sibling"] if i == 22 else []
        )
    if i in (15, 16):
        raw |= {"mother_and_child_died_together": True, "linked_adult_death": "other"}
    themes = {
        "child_protection_plan": range(17, 22),
        "neglect": range(13, 18),
        "fabricated_or_induced_illness": (11, 12),
        "sexual_abuse": (22, 23),
        "parental_mental_health": range(7, 19),
        "domestic_abuse": range(15),
    }
    raw |= {name: True for name, which in themes.items() if i in which}
    return raw


def study_cases() -> list[CaseFacts]:
    return [
        CaseFacts(f"LDN-{STUDY_YEAR}-{i + 1:04d}", "LDN", features.validate(study_case(i))) for i in range(26)
    ]


def case(ref: str = "CHS-2026-0001", partnership: str = "CHS", **raw: Any) -> CaseFacts:
    """One case of 2026 with the features given."""
    return CaseFacts(ref, partnership, features.validate({"notified_date": "2026-03-02", **raw}))


def hackney_briefing(
    cases: list[CaseFacts], *, period: Period, publishable: bool = False, prefix: str | None = None
) -> Briefing:
    """The City and Hackney briefing of ``cases`` over ``period``, beside the references of the partnership
    whose cases carry ``prefix`` (England's alone for None)."""
    return build(
        cases,
        period=period,
        scope="City and Hackney",
        publishable=publishable,
        references=references.for_partnership(prefix),
    )
