"""Controlled vocabularies of the approved list.

Specialisms keep the theme names of the case-feature vocabulary, so fit scoring is a direct match,
plus the areas the national Panel keeps returning to (registry practice notes, section 7).
"""

from enum import StrEnum


class AgencyKind(StrEnum):
    childrens_social_care = "childrens_social_care"
    police = "police"
    nhs_trust = "nhs_trust"
    icb = "icb"
    gp_practice = "gp_practice"
    school = "school"
    probation = "probation"
    youth_justice = "youth_justice"
    voluntary_sector = "voluntary_sector"
    safeguarding_partnership = "safeguarding_partnership"
    other = "other"


class ConsultantStatus(StrEnum):
    applied = "applied"
    approved = "approved"
    suspended = "suspended"
    removed = "removed"


class EngagementKind(StrEnum):
    employed = "employed"
    contracted = "contracted"
    board_member = "board_member"
    line_manager = "line_manager"
    reviewed = "reviewed"
    personal_link = "personal_link"


class Specialism(StrEnum):
    neglect = "neglect"
    domestic_abuse = "domestic_abuse"
    parental_mental_health = "parental_mental_health"
    parental_substance_misuse = "parental_substance_misuse"
    sexual_abuse = "sexual_abuse"
    child_sexual_exploitation = "child_sexual_exploitation"
    criminal_exploitation = "criminal_exploitation"
    fabricated_or_induced_illness = "fabricated_or_induced_illness"
    infant_injury_and_sudi = "infant_injury_and_sudi"
    disability = "disability"
    looked_after_children = "looked_after_children"
    adolescent_mental_health_and_suicide = "adolescent_mental_health_and_suicide"
    education_and_absence = "education_and_absence"
    race_ethnicity_and_culture = "race_ethnicity_and_culture"
    recent_immigration = "recent_immigration"
    faith_or_belief_related_abuse = "faith_or_belief_related_abuse"
    custody_and_secure_settings = "custody_and_secure_settings"
    health_systems = "health_systems"


class Background(StrEnum):
    social_work = "social_work"
    police = "police"
    nursing_health_visiting = "nursing_health_visiting"
    medicine_paediatrics = "medicine_paediatrics"
    education = "education"
    probation_youth_justice = "probation_youth_justice"
    mental_health = "mental_health"
    law = "law"
    academic = "academic"


class RegistrationBody(StrEnum):
    social_work_england = "social_work_england"
    nmc = "nmc"
    gmc = "gmc"
    hcpc = "hcpc"
    other = "other"


class Accreditation(StrEnum):
    scie_learning_together_accredited = "scie_learning_together_accredited"
    scie_learning_together_trainee = "scie_learning_together_trainee"
    silp = "silp"
    dfe_scr_quality_programme = "dfe_scr_quality_programme"
    home_office_dhr_chair_module = "home_office_dhr_chair_module"
    aafda_dhr_chair = "aafda_dhr_chair"
    systems_approach_other = "systems_approach_other"
    appreciative_inquiry = "appreciative_inquiry"


class ReviewType(StrEnum):
    lcspr = "lcspr"
    scr = "scr"
    national_review = "national_review"
    rapid_review = "rapid_review"
    learning_review = "learning_review"
    sar = "sar"
    dhr = "dhr"
    agency_report = "agency_report"


class ReviewRole(StrEnum):
    lead_reviewer = "lead_reviewer"
    panel_chair = "panel_chair"
    overview_author = "overview_author"
    agency_report_author = "agency_report_author"
    supporting_reviewer = "supporting_reviewer"


# The vocabularies in words --------------------------------------------------------------------------

ACRONYMS = frozenset(
    {"aafda", "dbs", "dfe", "dhr", "gmc", "gp", "hcpc", "icb", "lcspr", "nhs", "nmc", "sar", "scie"}
    | {"scr", "silp", "sudi"}
)
# Values whose words are not their spelling: the names people use for them.
SPOKEN = {
    "social_work_england": "Social Work England",
    "dfe_scr_quality_programme": "DfE SCR quality programme",
    "lcspr": "local child safeguarding practice review",
    "scr": "serious case review",
    "national_review": "national child safeguarding practice review",
    "sar": "safeguarding adults review",
    "dhr": "domestic homicide review",
    "race_ethnicity_and_culture": "race, ethnicity and culture",
    "nursing_health_visiting": "nursing and health visiting",
    "medicine_paediatrics": "medicine and paediatrics",
    "probation_youth_justice": "probation and youth justice",
}
# Every vocabulary a person may read a value of, by the name the API gives it.
VOCABULARIES: dict[str, type[StrEnum]] = {
    "agency_kind": AgencyKind,
    "consultant_status": ConsultantStatus,
    "engagement_kind": EngagementKind,
    "specialism": Specialism,
    "background": Background,
    "registration_body": RegistrationBody,
    "accreditation": Accreditation,
    "review_type": ReviewType,
    "review_role": ReviewRole,
}


def in_words(value: str) -> str:
    """A vocabulary value as words within a sentence: ``infant_injury_and_sudi`` -> "infant injury and
    SUDI", ``lcspr`` -> "local child safeguarding practice review"."""
    if value in SPOKEN:
        return SPOKEN[value]
    return " ".join(part.upper() if part in ACRONYMS else part for part in str(value).split("_"))
