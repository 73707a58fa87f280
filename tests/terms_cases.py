"""One case for each edition of the guidance and each regime a review's terms can be read under, put
through the real threshold decision and assembled into terms of reference: WT2006, WT2010 with a 2011
domestic homicide review, WT2013 with an NHS serious incident, WT2015 with a 2017 domestic homicide review,
WT2018 (a case like Child Q's) and WT2023 with a family who need an interpreter. The lint and the
citation tests read the same documents a professional would.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from commissioning import features, threshold
from commissioning.terms import Agency, BoardDecision, CaseFacts, CommissionFacts, assemble
from commissioning.terms_document import Terms

ISSUED = date(2026, 12, 14)

CSC = Agency("area-csc", "Children's Social Care", "childrens_social_care")
POLICE = Agency("area-police", "County Police", "police")
TRUST = Agency("area-trust", "County Hospitals NHS Foundation Trust", "nhs_trust")
GP = Agency("area-gp", "Riverside Surgery", "gp_practice")
SCHOOL = Agency("area-school", "Northgate Academy", "school")
PROBATION = Agency("area-probation", "Probation Service", "probation")

REVIEWER = CommissionFacts(
    consultant_name="Jo Reviewer",
    role="lead_reviewer",
    warnings=("Jo Reviewer worked for County Police until 2009.",),
    backgrounds=("social_work",),
    accreditations=("scie_learning_together_accredited", "silp"),
    reviews=(("scr", 2), ("lcspr", 1)),
    specialisms=("domestic_abuse", "race_ethnicity_and_culture"),
    languages=("Tigrinya",),
)


@dataclass(frozen=True)
class EditionCase:
    name: str
    regime: str  # "scr" or "cspr": the regime the review is held under
    features: dict[str, Any]
    decided_on: date
    agencies: tuple[Agency, ...]
    parallel: frozenset[str] = frozenset()  # the regimes of the parallel processes the decision names
    cites: tuple[str, ...] = ()  # what the document must cite
    never: tuple[str, ...] = ()  # words that would belong to another edition or regime
    board_review: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ref(self) -> str:
        """A reference as the service makes one: the area's first letters and the incident's year."""
        return f"{self.features['area'][:3].upper()}-{self.features['incident_date'][:4]}-0001"

    def decision(self) -> dict[str, Any]:
        valid = features.validate(self.features)
        return threshold.decide(valid, "auto", self.decided_on).to_json()

    def terms(self) -> Terms:
        decision = self.decision()
        commission = CommissionFacts(
            **{
                **REVIEWER.__dict__,
                "commissioned_on": self.decided_on,
                "declared_on": self.decided_on,
                "declaration": "no conflict of interest with any of the agencies in scope.",
            }
        )
        return assemble(
            case=CaseFacts(ref=self.ref, features=self.features, agencies=self.agencies),
            decision=decision,
            board=BoardDecision("The chair", self.decided_on, review_type=self.board_review),
            commission=commission,
            today=ISSUED,
        )


CASES = (
    EditionCase(
        name="wt2006",
        regime="scr",
        features={
            "incident_date": "2008-03-03",
            "notified_date": "2008-03-04",
            "country": "england",
            "area": "haringey",
            "subject_age_years": 1.5,
            "outcome": "death",
            "abuse_or_neglect": "suspected",
            "perpetrators": ["parent_partner"],
            "known_to_childrens_social_care": True,
            "child_protection_plan": True,
            "neglect": True,
        },
        decided_on=date(2008, 4, 1),
        agencies=(CSC, POLICE, TRUST, GP),
        parallel=frozenset({"cdr", "coroner"}),
        cites=(
            "Working Together to Safeguard Children 2006, chapter 8",
            "Local Safeguarding Children Boards Regulations 2006, regulation 5",
        ),
        never=(
            "Working Together to Safeguard Children 2010",
            "Department for Education",
            "Government Office",
            "published in full",
            "Data Protection Act 2018",
            "safeguarding partners",
        ),
    ),
    EditionCase(
        name="wt2010",
        regime="scr",
        features={
            "incident_date": "2011-06-06",
            "notified_date": "2011-06-07",
            "country": "england",
            "area": "leeds",
            "subject_age_years": 17,
            "outcome": "death",
            "abuse_or_neglect": "known",
            "perpetrators": ["former_intimate_partner"],
            "domestic_abuse": True,
            "interagency_concerns": True,
        },
        decided_on=date(2011, 7, 4),
        agencies=(CSC, POLICE, PROBATION),
        parallel=frozenset({"dhr", "coroner", "cdr"}),
        cites=(
            "Working Together to Safeguard Children 2010, chapter 8",
            "Home Office, Multi-agency Statutory Guidance for the Conduct of Domestic Homicide Reviews "
            "(2011)",
        ),
        never=("December 2016", "Government Office", "2015, chapter 4", "safeguarding partners"),
    ),
    EditionCase(
        name="wt2013",
        regime="scr",
        features={
            "incident_date": "2014-01-13",
            "notified_date": "2014-01-14",
            "country": "england",
            "area": "norfolk",
            "subject_age_years": 3,
            "outcome": "serious_harm",
            "serious_harm_kinds": ["life_threatening_injury"],
            "abuse_or_neglect": "known",
            "interagency_concerns": True,
            "nhs_care_involved": True,
            "setting": "community",
        },
        decided_on=date(2014, 2, 10),
        agencies=(CSC, TRUST, GP),
        parallel=frozenset({"nhs"}),
        cites=("Working Together to Safeguard Children 2013, chapter 4",),
        never=("2015, chapter 4", "2010, chapter 8", "Government Office", "safeguarding partners"),
    ),
    EditionCase(
        name="wt2015",
        regime="scr",
        features={
            "incident_date": "2017-03-06",
            "notified_date": "2017-03-07",
            "country": "england",
            "area": "lancashire",
            "subject_age_years": 16,
            "outcome": "death",
            "abuse_or_neglect": "known",
            "perpetrators": ["intimate_partner"],
            "domestic_abuse": True,
            "interagency_concerns": True,
            "nhs_care_involved": True,
        },
        decided_on=date(2017, 4, 3),
        agencies=(CSC, POLICE, TRUST, SCHOOL),
        parallel=frozenset({"dhr", "nhs", "coroner", "cdr"}),
        cites=(
            "Working Together to Safeguard Children 2015, chapter 4",
            "Home Office, Multi-agency Statutory Guidance for the Conduct of Domestic Homicide Reviews "
            "(December 2016)",
        ),
        never=("Guidance for the Conduct of Domestic Homicide Reviews (2011)", "2013, chapter 4"),
    ),
    EditionCase(
        name="wt2018",
        regime="cspr",
        features={
            "incident_date": "2020-12-03",
            "notified_date": "2020-12-07",
            "country": "england",
            "area": "hackney",
            "subject_age_years": 15,
            "outcome": "serious_harm",
            "serious_harm_kinds": ["other"],
            "abuse_or_neglect": "suspected",
            "perpetrators": ["other_relative"],
            "interagency_concerns": True,
            "improvement_learning": True,
            "recurrent_themes": True,
            "race_ethnicity_and_culture": True,
            "racism_or_discrimination": True,
        },
        decided_on=date(2021, 3, 1),
        agencies=(SCHOOL, POLICE, CSC),
        cites=("Working Together to Safeguard Children 2018, chapter 4", "Equality Act 2010"),
        never=("Working Together to Safeguard Children 2023", "Local Safeguarding Children Board", "LSCB"),
    ),
    EditionCase(
        name="wt2023",
        regime="cspr",
        features={
            "incident_date": "2024-03-04",
            "notified_date": "2024-03-05",
            "country": "england",
            "area": "bradford",
            "subject_age_years": 2,
            "outcome": "death",
            "abuse_or_neglect": "suspected",
            "perpetrators": ["mother"],
            "interagency_concerns": True,
            "improvement_learning": True,
            "interpreter_needed": True,
            "family_languages": ["tigrinya"],
            "recent_immigration": True,
            "nhs_care_involved": True,
        },
        decided_on=date(2024, 4, 15),
        agencies=(CSC, TRUST, GP),
        parallel=frozenset({"nhs", "coroner", "cdr"}),
        cites=("Working Together to Safeguard Children 2023, chapter 5",),
        never=("Working Together to Safeguard Children 2018", "Serious Case Review", "LSCB"),
    ),
)
