"""An invented but realistic approved list, for trying the service and for demonstrations.

Thirty agencies across five north and east London boroughs (with the aliases people use), forty
consultants shaped like the sector (registry practice notes, section 7): mostly social workers, with
police and health well represented; thirty approved, four applicants, three suspended, three removed;
some checks lapsed or lapsing; engagement histories that exercise every independence rule; review
records with ratings. Every person, email, phone number and firm is invented: emails use example.org
and phone numbers the range Ofcom keeps for drama (020 7946 0xxx). Seeded, so the same ``today``
always gives the same data; dates are relative to ``today`` so "expiring" stays expiring.
"""

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel import Session

from core import clock
from core.errors import Conflict
from registry import agencies, consultants, records
from registry.lifecycle import Action, add_years
from registry.models import (
    AccreditationCreate,
    AgencyCreate,
    ConsultantCreate,
    EngagementCreate,
    InterestCreate,
    ReviewRecordCreate,
)
from registry.vocabulary import (
    Accreditation,
    AgencyKind,
    Background,
    EngagementKind,
    RegistrationBody,
    ReviewRole,
    ReviewType,
    Specialism,
)
from service import demo_region
from service.demo_region import DemoUser

SEED = 20070814  # the date of the briefing note on 27 London serious case reviews that started this
ACTOR = demo_region.ACTOR

K = AgencyKind
AGENCIES: tuple[tuple[str, str, AgencyKind, str, tuple[str, ...]], ...] = (
    # id, name, kind, area, aliases
    (
        "hackney-csc",
        "Hackney Children and Families Service",
        K.childrens_social_care,
        "Hackney",
        ("Hackney Council", "London Borough of Hackney", "LB Hackney children's social care"),
    ),
    (
        "islington-csc",
        "Islington Children's Services",
        K.childrens_social_care,
        "Islington",
        ("Islington Council", "London Borough of Islington"),
    ),
    (
        "camden-csc",
        "Camden Children's Safeguarding and Social Work",
        K.childrens_social_care,
        "Camden",
        ("Camden Council", "London Borough of Camden"),
    ),
    (
        "haringey-csc",
        "Haringey Children's Services",
        K.childrens_social_care,
        "Haringey",
        ("Haringey Council", "London Borough of Haringey"),
    ),
    (
        "tower-hamlets-csc",
        "Tower Hamlets Children's Social Care",
        K.childrens_social_care,
        "Tower Hamlets",
        ("Tower Hamlets Council", "London Borough of Tower Hamlets", "LBTH children's services"),
    ),
    (
        "hackney-scp",
        "City and Hackney Safeguarding Children Partnership",
        K.safeguarding_partnership,
        "Hackney",
        ("CHSCP",),
    ),
    (
        "islington-scp",
        "Islington Safeguarding Children Partnership",
        K.safeguarding_partnership,
        "Islington",
        ("ISCP",),
    ),
    (
        "haringey-scp",
        "Haringey Safeguarding Children Partnership",
        K.safeguarding_partnership,
        "Haringey",
        ("HSCP",),
    ),
    (
        "met-central-east",
        "Metropolitan Police, Central East BCU",
        K.police,
        "Hackney",
        ("Central East BCU", "Met Police Hackney and Tower Hamlets"),
    ),
    (
        "met-central-north",
        "Metropolitan Police, Central North BCU",
        K.police,
        "Islington",
        ("Central North BCU", "Met Police Camden and Islington"),
    ),
    (
        "met-north-area",
        "Metropolitan Police, North Area BCU",
        K.police,
        "Haringey",
        ("North Area BCU", "Met Police Haringey and Enfield"),
    ),
    (
        "lea-valley-hospitals",
        "Lea Valley University Hospitals NHS Foundation Trust",
        K.nhs_trust,
        "Hackney",
        ("Lea Valley Hospitals", "LVUH"),
    ),
    ("northgate-hospital", "Northgate Hospital NHS Trust", K.nhs_trust, "Islington", ("Northgate Hospital",)),
    (
        "riverside-community-health",
        "Riverside Community Health NHS Trust",
        K.nhs_trust,
        "Tower Hamlets",
        ("Riverside health visiting", "Riverside school nursing"),
    ),
    (
        "thameside-mental-health",
        "Thameside Mental Health NHS Foundation Trust",
        K.nhs_trust,
        "Camden",
        ("Thameside CAMHS",),
    ),
    ("london-ambulance", "London Ambulance Service NHS Trust", K.nhs_trust, "London", ("LAS",)),
    (
        "ncl-icb",
        "North Central London Integrated Care Board",
        K.icb,
        "Camden",
        ("NCL ICB", "North Central London ICB"),
    ),
    (
        "nel-icb",
        "North East London Integrated Care Board",
        K.icb,
        "Tower Hamlets",
        ("NEL ICB", "North East London ICB"),
    ),
    ("gp-hackney-downs", "Hackney Downs Medical Practice", K.gp_practice, "Hackney", ()),
    ("gp-caledonian", "Caledonian Road Health Centre", K.gp_practice, "Islington", ()),
    ("gp-kentish-town", "Kentish Town Family Practice", K.gp_practice, "Camden", ()),
    ("gp-tottenham-green", "Tottenham Green Surgery", K.gp_practice, "Haringey", ()),
    ("gp-mile-end", "Mile End Road Group Practice", K.gp_practice, "Tower Hamlets", ()),
    ("school-kingsland-fields", "Kingsland Fields Primary School", K.school, "Hackney", ()),
    ("school-bowside", "Bowside Academy", K.school, "Tower Hamlets", ("Bowside Secondary",)),
    (
        "london-probation",
        "Probation Service, London Region",
        K.probation,
        "London",
        ("London probation", "National Probation Service London"),
    ),
    ("hackney-yjs", "Hackney Youth Justice Service", K.youth_justice, "Hackney", ("Hackney YOT",)),
    ("haringey-yjs", "Haringey Youth Justice Service", K.youth_justice, "Haringey", ("Haringey YOS",)),
    ("lantern-da", "Lantern Domestic Abuse Service", K.voluntary_sector, "Hackney", ("Lantern DA",)),
    (
        "haven-advocacy",
        "Haven Advocacy North London",
        K.voluntary_sector,
        "Haringey",
        ("Haven IDVA service",),
    ),
)

BOROUGHS = ("Hackney", "Islington", "Camden", "Haringey", "Tower Hamlets")
BOROUGH_CODES = {"Hackney": "HK", "Islington": "IS", "Camden": "CM", "Haringey": "HG", "Tower Hamlets": "TH"}
# fmt: off
LANGUAGES = ("Turkish", "Bengali", "Sylheti", "Somali", "Yoruba", "Polish", "Urdu", "Portuguese", "Arabic",
             "Twi", "French", "Spanish", "Kurdish", "Gujarati")
FIRST = ("Adaeze", "Bronwen", "Caspar", "Delphine", "Eamon", "Farida", "Gideon", "Harriet", "Ifeoma",
         "Jasper", "Kerensa", "Leopold", "Marisol", "Nkechi", "Oisin", "Perpetua", "Quentin", "Rosalind",
         "Sunniva", "Tobias", "Ulrike", "Vikram", "Wilhelmina", "Xanthe", "Yewande", "Zachary", "Anwen",
         "Benedict", "Clemency", "Dervla", "Emrys", "Fenella", "Ghislaine", "Hamish", "Ingrid", "Jolyon",
         "Kavita", "Lorcan", "Morwenna", "Nuala")
LAST = ("Ashdown", "Blakemore", "Carrow", "Dunstable", "Elswick", "Fairbairn", "Gorringe", "Hartnell",
        "Ingleby", "Jessop", "Kettlewell", "Lindqvist", "Marchbank", "Nettleford", "Okonjo-Reid", "Pennycook",
        "Quarrington", "Rowntree", "Stainforth", "Threlfall", "Umberleigh", "Vantongeren", "Wetherell",
        "Yelverton", "Ziegler", "Abernethy", "Bellweather", "Cottingham", "Drinkwater", "Edgecombe",
        "Fothergill", "Greatorex", "Hazlewood", "Illingworth", "Juniper", "Kilbride", "Loxley",
        "Merriweather", "Northcote", "Ormerod")
# fmt: on

B = Background
# 40 backgrounds: about half social work, police and health well represented (section 7).
BACKGROUNDS: tuple[Background, ...] = (
    (B.social_work,) * 20
    + (B.police,) * 6
    + (B.nursing_health_visiting,) * 4
    + (B.medicine_paediatrics,) * 2
    + (B.education, B.education, B.probation_youth_justice, B.probation_youth_justice)
    + (B.mental_health, B.mental_health, B.law, B.academic)
)
# The consultant at each index, by status: 30 approved, 4 applied, 3 suspended, 3 removed.
APPLIED = (18, 24, 31, 39)
SUSPENDED = {15: "DBS check expired.", 22: "Quality concern.", 33: "At the consultant's own request."}
REMOVED = {
    12: "Retired from review work.",
    29: "Did not renew professional indemnity insurance after two reminders.",
    38: "Removed after a complaint upheld by the partnership's review group.",
}
FIRMS = {
    1: "Trades as Blakemore Review Associates Ltd.",
    5: "Trades as Fairbairn Safeguarding Consultancy Ltd.",
    9: "Trades as Jessop Learning Reviews Ltd.",
    14: "Trades as Oisin Pennycook Consulting Ltd.",
    22: "Trades as Wetherell and Co Ltd.",
    2: "Partner in Northbank Review Partners LLP.",
    12: "Partner in Northbank Review Partners LLP.",
    26: "Partner in Northbank Review Partners LLP.",
}


@dataclass(frozen=True)
class Tie:
    """An engagement, in years before ``today`` (``ended`` None = current)."""

    agency: str
    kind: EngagementKind
    role_title: str
    started: float
    ended: float | None
    confirmed: bool = True


E = EngagementKind
# Histories that exercise every independence rule, by consultant index (registry practice section 7).
TIES: dict[int, tuple[Tie, ...]] = {
    0: (Tie("hackney-csc", E.employed, "Head of Service, Children in Need", 9, 1),),  # left 1 year ago
    1: (Tie("islington-csc", E.employed, "Service Manager, Safeguarding and Quality", 12, 4),),  # 4 years
    2: (Tie("camden-csc", E.employed, "Head of Children's Safeguarding", 14, 6),),  # 6 years
    3: (Tie("haringey-csc", E.employed, "Assistant Director, Children's Social Care", 20, 11),),  # 11 years
    20: (Tie("met-central-east", E.employed, "Detective Inspector, Child Abuse Investigation Team", 28, 2),),
    21: (Tie("met-north-area", E.employed, "Detective Chief Inspector, Public Protection", 30, 7),),
    26: (Tie("nel-icb", E.employed, "Designated Nurse for Safeguarding Children", 3, None),),
    27: (Tie("lea-valley-hospitals", E.employed, "Named Nurse for Safeguarding Children", 10, 3),),
    30: (
        Tie("lea-valley-hospitals", E.employed, "Consultant Paediatrician and Designated Doctor", 12, None),
    ),
    35: (Tie("london-probation", E.employed, "Senior Probation Officer", 15, 3),),
    36: (Tie("thameside-mental-health", E.employed, "Consultant Clinical Psychologist, CAMHS", 7, None),),
    4: (Tie("hackney-scp", E.board_member, "Independent Scrutineer", 2, None),),  # current scrutineer
    5: (  # reviewed the same borough twice in three years
        Tie("hackney-csc", E.reviewed, "Lead reviewer, local child safeguarding practice review", 1.5, 1),
        Tie("hackney-csc", E.reviewed, "Lead reviewer, rapid review support", 2.8, 2.5),
    ),
    6: (Tie("tower-hamlets-csc", E.personal_link, "Sister is a team manager in the service", 8, None),),
    7: (Tie("islington-csc", E.contracted, "Interim Head of Service (agency contract)", 2.5, 2),),
    8: (Tie("camden-csc", E.contracted, "Practice review consultant", 4.5, 4),),
    9: (Tie("haringey-yjs", E.line_manager, "Line-managed youth justice practitioners", 10, 5),),
    10: (Tie("islington-scp", E.board_member, "Independent Chair of the case review subgroup", 6, 2),),
    11: (
        Tie("haringey-csc", E.employed, "Principal Social Worker", 6, 0.5, confirmed=False),
    ),  # self-declared
}
INTERESTS: dict[int, tuple[str, str | None]] = {
    6: ("My sister is a team manager in Tower Hamlets children's social care.", "tower-hamlets-csc"),
    13: ("I am a trustee of a domestic abuse charity working in Haringey.", "haven-advocacy"),
}


def _ago(today: date, years: float) -> date:
    whole = int(years)
    return add_years(today, -whole) - timedelta(days=round((years - whole) * 365))


def _agencies() -> list[AgencyCreate]:
    return [
        AgencyCreate(id=agency_id, name=name, kind=kind, area=area, aliases=list(aliases))
        for agency_id, name, kind, area, aliases in AGENCIES
    ]


@dataclass
class _Plan:
    """One consultant to create, and what happens to them afterwards."""

    data: ConsultantCreate
    approved_on: date | None
    ties: Sequence[Tie] = ()
    accreditations: list[AccreditationCreate] = field(default_factory=list)
    reviews: list[ReviewRecordCreate] = field(default_factory=list)


def _specialisms(rng: random.Random, background: Background) -> list[Specialism]:
    S = Specialism
    leaning = {
        B.police: [S.criminal_exploitation, S.child_sexual_exploitation, S.domestic_abuse, S.sexual_abuse],
        B.nursing_health_visiting: [S.infant_injury_and_sudi, S.health_systems, S.neglect],
        B.medicine_paediatrics: [S.fabricated_or_induced_illness, S.infant_injury_and_sudi, S.health_systems],
        B.education: [S.education_and_absence, S.disability],
        B.probation_youth_justice: [S.criminal_exploitation, S.custody_and_secure_settings],
        B.mental_health: [S.adolescent_mental_health_and_suicide, S.parental_mental_health],
    }.get(background, [S.neglect, S.domestic_abuse, S.parental_substance_misuse, S.looked_after_children])
    others = [s for s in Specialism if s not in leaning]
    chosen = rng.sample(leaning, k=min(len(leaning), rng.randint(2, 3))) + rng.sample(
        others, k=rng.randint(0, 2)
    )
    return list(dict.fromkeys(chosen))


def _registration(rng: random.Random, background: Background, today: date) -> dict[str, object]:
    # Social Work England registrations renew each 30 November; take one at least 120 days off.
    renewal = date(today.year, 11, 30)
    while renewal < today + timedelta(days=120):
        renewal = renewal.replace(year=renewal.year + 1)
    if background is B.social_work and rng.random() < 0.6:
        return {
            "registration_body": RegistrationBody.social_work_england,
            "registration_number": f"SW{rng.randint(10000, 99999)}",
            "registration_expiry": renewal,
        }
    if background is B.nursing_health_visiting:
        return {
            "registration_body": RegistrationBody.nmc,
            "registration_number": f"{rng.randint(10, 99)}{rng.choice('ABCDEFGHJ')}{rng.randint(1000, 9999)}"
            + "E",
            "registration_expiry": today + timedelta(days=rng.randint(40, 1000)),
        }
    if background is B.medicine_paediatrics:
        return {
            "registration_body": RegistrationBody.gmc,
            "registration_number": str(rng.randint(4000000, 7999999)),
            "registration_expiry": today + timedelta(days=rng.randint(100, 1000)),
        }
    return {}


def _plans(today: date) -> list[_Plan]:
    rng = random.Random(SEED)
    plans = []
    for index, background in enumerate(BACKGROUNDS):
        first, last = FIRST[index], LAST[index]
        # Checks: most in date; a few DBS checks past or near the three-year recheck, a few insurance lapses.
        dbs = _ago(today, rng.uniform(0.2, 2.6))
        if index in (15, 17, 25, 38):
            dbs = _ago(today, rng.uniform(3.1, 4.5))  # older than three years
        elif index in (19, 23, 28, 34):
            dbs = add_years(today, -3) + timedelta(days=rng.randint(10, 80))  # lapses within 90 days
        insurance = today + timedelta(days=rng.randint(90, 400))
        if index in (16, 24, 29):
            insurance = today - timedelta(days=rng.randint(5, 60))
        elif index in (18, 26):
            insurance = today + timedelta(days=rng.randint(10, 60))
        capacity = 1 if index % 5 == 0 else 3 if index % 4 == 1 else 2
        languages = rng.sample(LANGUAGES, k=rng.choice((0, 0, 1, 1, 2)))
        areas = rng.sample(BOROUGHS, k=rng.randint(1, 3)) + (["London-wide"] if rng.random() < 0.3 else [])
        data = ConsultantCreate(
            name=f"{first} {last}",
            email=f"{first}.{last}@reviews.example.org".lower(),
            phone=f"020 7946 0{100 + index * 7:03d}",
            backgrounds=[background]
            + ([B.academic] if rng.random() < 0.1 and background is not B.academic else []),
            specialisms=_specialisms(rng, background),
            languages=["English", *languages],
            areas=areas,
            dbs_check_date=dbs,
            insurance_expiry=insurance,
            day_rate=rng.randrange(450, 751, 25),
            capacity=capacity,
            notes=FIRMS.get(index),
            **_registration(rng, background, today),  # type: ignore[arg-type]
        )
        approved_on = None
        if index not in APPLIED:
            approved_on = _ago(today, rng.uniform(0.1, 2.7))
            if index in (0, 8, 14):
                approved_on = add_years(today, -3) + timedelta(
                    days=rng.randint(15, 75)
                )  # re-approval due soon
        plans.append(
            _Plan(
                data=data,
                approved_on=approved_on,
                ties=TIES.get(index, ()),
                accreditations=_accreditations(rng, today),
                reviews=_reviews(rng, today, index) if approved_on else [],
            )
        )
    return plans


def _accreditations(rng: random.Random, today: date) -> list[AccreditationCreate]:
    A = Accreditation
    held = []
    draw = rng.random()
    if draw < 0.3:
        held.append(A.scie_learning_together_accredited)
    elif draw < 0.38:
        held.append(A.scie_learning_together_trainee)
    if rng.random() < 0.25:
        held.append(A.silp)
    if rng.random() < 0.15:
        held.append(rng.choice((A.aafda_dhr_chair, A.home_office_dhr_chair_module)))
    if rng.random() < 0.1:
        held.append(A.dfe_scr_quality_programme)
    return [AccreditationCreate(name=name, awarded_on=_ago(today, rng.uniform(1, 9))) for name in held]


def _reviews(rng: random.Random, today: date, index: int) -> list[ReviewRecordCreate]:
    reviews = []
    for number in range(rng.choice((0, 1, 1, 2, 2, 3))):
        started = _ago(today, rng.uniform(0.8, 5))
        borough = rng.choice(BOROUGHS)
        # A review should report within six months; a few overran.
        length = rng.randint(120, 180) if rng.random() < 0.8 else rng.randint(200, 320)
        completed = started + timedelta(days=length)
        rating = rng.choices((2, 3, 4), weights=(15, 60, 25))[0]
        reviews.append(
            ReviewRecordCreate(
                case_ref=f"{BOROUGH_CODES[borough]}-{started.year}-{index:02d}{number}",
                review_type=rng.choices(
                    (ReviewType.lcspr, ReviewType.sar, ReviewType.dhr), weights=(70, 15, 15)
                )[0],
                role=rng.choices(
                    (ReviewRole.lead_reviewer, ReviewRole.panel_chair, ReviewRole.overview_author),
                    weights=(70, 15, 15),
                )[0],
                started_on=started,
                completed_on=completed if completed < today else None,
                rating=rating if completed < today else None,
                comment=_COMMENTS[rating] if completed < today else None,
            )
        )
    if index == 22:  # the consultant suspended over quality
        started = _ago(today, 1.2)
        reviews.append(
            ReviewRecordCreate(
                case_ref=f"IS-{started.year}-{index:02d}9",
                review_type=ReviewType.lcspr,
                role=ReviewRole.lead_reviewer,
                started_on=started,
                completed_on=started + timedelta(days=290),
                rating=1,
                comment=_COMMENTS[1],
            )
        )
    return reviews


_COMMENTS = {
    1: "Report described events without analysing why; hindsight bias not controlled; five months late.",
    2: "Sound chronology, but findings not tied to the analysis and recommendations without owners.",
    3: "Clear analysis with practitioner involvement; findings owned; delivered close to the agreed plan.",
    4: "Excellent systems analysis; family engaged throughout; findings with owners and an evaluation plan.",
}


def registry_is_empty(*, session: Session) -> bool:
    return consultants.count_consultants(session=session) == 0 and not agencies.list_agencies(session=session)


@dataclass(frozen=True)
class Loaded:
    """What ``load`` made: the demo users with their tokens (shown once) and the cases' references."""

    users: list[DemoUser]
    refs: list[str]


def load(*, session: Session, today: date | None = None) -> Loaded:
    """Load the demo registry, its region's partnerships and people, and a few cases.

    Conflict if the registry already holds data, or the service has partnerships or demo users: demo
    data goes into an empty service. It all commits with the caller's unit of work, or none of it does.
    """
    today = today or clock.today()
    if not registry_is_empty(session=session):
        raise Conflict("The registry already has agencies or consultants; demo data goes into an empty one.")
    demo_region.check_empty(session)
    for agency in _agencies():
        agencies.create_agency(session=session, data=agency, actor=ACTOR)
    for index, plan in enumerate(_plans(today)):
        _create(session, index, plan, today)
    users = demo_region.add_people(session)
    return Loaded(users, demo_region.add_cases(session, today))


def _create(session: Session, index: int, plan: _Plan, today: date) -> None:
    consultant = consultants.create_consultant(session=session, data=plan.data, actor=ACTOR)
    cid = consultant.id
    for tie in plan.ties:
        engagement = EngagementCreate(
            agency_id=tie.agency,
            kind=tie.kind,
            role_title=tie.role_title,
            start_date=_ago(today, tie.started),
            end_date=None if tie.ended is None else _ago(today, tie.ended),
            confirmed=tie.confirmed,
        )
        records.add_record(
            session=session, kind=records.ENGAGEMENT, consultant_id=cid, data=engagement, actor=ACTOR
        )
    if index in INTERESTS:
        text, agency = INTERESTS[index]
        interest = InterestCreate(text=text, agency_id=agency, declared_on=_ago(today, 0.5))
        records.add_record(
            session=session, kind=records.INTEREST, consultant_id=cid, data=interest, actor=ACTOR
        )
    for accreditation in plan.accreditations:
        records.add_record(
            session=session, kind=records.ACCREDITATION, consultant_id=cid, data=accreditation, actor=ACTOR
        )
    for review in plan.reviews:
        records.add_record(session=session, kind=records.REVIEW, consultant_id=cid, data=review, actor=ACTOR)
    if plan.approved_on is None:
        return
    consultants.change_status(
        session=session,
        consultant_id=cid,
        action=Action.approve,
        reason="Met the approval criteria: references, DBS, insurance, a published review.",
        actor=ACTOR,
        today=plan.approved_on,
    )
    if index in SUSPENDED:
        reason = SUSPENDED[index]
        consultants.change_status(
            session=session, consultant_id=cid, action=Action.suspend, reason=reason, actor=ACTOR
        )
    if index in REMOVED:
        reason = REMOVED[index]
        consultants.change_status(
            session=session, consultant_id=cid, action=Action.remove, reason=reason, actor=ACTOR
        )
