"""The demo's region: three safeguarding partnerships, their people and a few cases (``service.demo``).

City and Hackney (one partnership for two local-authority areas, as it is in life), Camden and Islington
share the approved list; Haringey and Tower Hamlets, where the list also has agencies, have not joined
yet (a list admin adds them with ``scr partnership add``). Each partnership has a chair, a commissioner
and an admin; Camden's chair also commissions for Islington. Above them sit a list admin and an analyst.
The cases hold features only, never a name: one of them, a Camden child harmed in Hackney, is led by
City and Hackney with Camden contributing (Working Together 2023: the area where it happened leads).
Every person is invented; emails are at ``demo.example.org``.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, select

from commissioning import partnerships, rules, store
from commissioning.models import Partnership
from core.errors import Conflict
from service.models import Role, User
from service.settings import get_settings
from service.users import add_user, grant_role

ACTOR = "demo"
USER_DOMAIN = "demo.example.org"

# name, prefix, areas, local policy (None: the service's settings)
PARTNERSHIPS: tuple[tuple[str, str, tuple[str, ...], dict[str, Any] | None], ...] = (
    ("City and Hackney Safeguarding Children Partnership", "CHS", ("hackney", "city-of-london"), None),
    ("Camden Safeguarding Children Partnership", "CAM", ("camden",), None),
    (
        "Islington Safeguarding Children Partnership",
        "ISL",
        ("islington",),
        # Islington asks for a longer gap after employment, and keeps its records for longer.
        {"independence_policy": {"employment_block_years": 7}, "retention_years": 10},
    ),
)


@dataclass(frozen=True)
class Person:
    """A demo user: their email's local part, their name, and the role they are added with (held in the
    partnership with ``prefix``, for a partnership role)."""

    handle: str
    name: str
    role: Role
    prefix: str | None = None

    @property
    def email(self) -> str:
        return f"{self.handle}@{USER_DOMAIN}"


PEOPLE: tuple[Person, ...] = (
    Person("list-admin", "Amara Osei", Role.list_admin),
    Person("analyst", "Daniel Mensah", Role.analyst),
    Person("chair.chs", "Priya Raman", Role.chair, "CHS"),
    Person("commissioner.chs", "Tom Whitfield", Role.commissioner, "CHS"),
    Person("admin.chs", "Grace Adeyemi", Role.admin, "CHS"),
    Person("chair.cam", "Helen Marsh", Role.chair, "CAM"),
    Person("commissioner.cam", "Samir Haddad", Role.commissioner, "CAM"),
    Person("admin.cam", "Joanna Kowalczyk", Role.admin, "CAM"),
    Person("chair.isl", "Rufus Okafor", Role.chair, "ISL"),
    Person("commissioner.isl", "Niamh Brennan", Role.commissioner, "ISL"),
    Person("admin.isl", "Lucy Tran", Role.admin, "ISL"),
    Person("bot", "Case review bot", Role.bot),
)
# A person may chair one partnership and commission for another: (handle, role, prefix).
ALSO: tuple[tuple[str, Role, str], ...] = (("chair.cam", Role.commissioner, "ISL"),)


@dataclass(frozen=True)
class DemoUser:
    """A demo user as ``scr demo load`` prints them: email, what they hold, and their token (shown once)."""

    email: str
    name: str
    standing: str  # "list admin", "chair of CAM, commissioner of ISL"
    token: str


def _standing(person: Person) -> str:
    held = [
        f"{person.role.value} of {person.prefix}" if person.prefix else person.role.value.replace("_", " ")
    ]
    held += [f"{role.value} of {prefix}" for handle, role, prefix in ALSO if handle == person.handle]
    return ", ".join(held)


def check_empty(session: Session) -> None:
    """Conflict unless the service has no partnership and no demo user: the region goes into an empty one."""
    if session.exec(select(Partnership)).first() is not None:
        raise Conflict("The service already has partnerships; demo data goes into an empty one.")
    emails = [person.email for person in PEOPLE]
    if session.exec(select(User).where(User.email.in_(emails))).first():  # type: ignore[attr-defined]
        raise Conflict(f"Demo users (@{USER_DOMAIN}) already exist.")


def add_people(session: Session) -> list[DemoUser]:
    """The partnerships and their people; each person with a new API token."""
    for name, prefix, areas, policy in PARTNERSHIPS:
        partnerships.add_partnership(
            session, name=name, prefix=prefix, areas=areas, policy=policy, actor=ACTOR
        )
    users = []
    for person in PEOPLE:
        _, token = add_user(
            session,
            email=person.email,
            role=person.role,
            actor=ACTOR,
            display_name=person.name,
            partnership=person.prefix,
        )
        users.append(DemoUser(person.email, person.name, _standing(person), token))
    for handle, role, prefix in ALSO:
        grant_role(session, email=f"{handle}@{USER_DOMAIN}", role=role, partnership=prefix, actor=ACTOR)
    return users


def _cases(today: date) -> list[tuple[str, dict[str, Any]]]:
    """The demo's cases, as a chair would record them: (who records it, features), dated before ``today``."""

    def ago(days: int) -> str:
        return (today - timedelta(days=days)).isoformat()

    return [
        (  # an infant's unexpected death at home in Hackney: City and Hackney leads
            "chair.chs",
            {
                "incident_date": ago(9),
                "notified_date": ago(8),
                "country": "england",
                "area": "hackney",
                "subject_age_years": 0,
                "outcome": "death",
                "abuse_or_neglect": "suspected",
                "death_unexpected": True,
                "setting": "community",
                "known_to_childrens_social_care": True,
                "parental_substance_misuse": True,
                "temporary_accommodation": True,
                "agencies_involved": [
                    "hackney-csc",
                    "met-central-east",
                    "lea-valley-hospitals",
                    "gp-hackney-downs",
                ],
            },
        ),
        (  # a Camden teenager stabbed in Hackney: the area where it happened leads, Camden contributes
            "chair.chs",
            {
                "incident_date": ago(20),
                "notified_date": ago(18),
                "country": "england",
                "area": "camden",
                "incident_area": "hackney",
                "incident_outside_home_area": True,
                "subject_age_years": 15,
                "outcome": "serious_harm",
                "serious_harm_kinds": ["life_threatening_injury", "violent_assault"],
                "abuse_or_neglect": "suspected",
                "criminal_exploitation": True,
                "interagency_concerns": True,
                "improvement_learning": True,
                "agencies_involved": ["camden-csc", "hackney-yjs", "met-central-east", "met-central-north"],
            },
        ),
        (  # serious harm to a young child in Camden with domestic abuse at home
            "chair.cam",
            {
                "incident_date": ago(34),
                "notified_date": ago(31),
                "country": "england",
                "area": "camden",
                "subject_age_years": 3,
                "outcome": "serious_harm",
                "serious_harm_kinds": ["permanent_impairment"],
                "abuse_or_neglect": "known",
                "domestic_abuse": True,
                "parental_mental_health": True,
                "child_protection_plan": True,
                "improvement_learning": True,
                "agencies_involved": ["camden-csc", "thameside-mental-health", "gp-kentish-town", "ncl-icb"],
            },
        ),
        (  # a suspected suicide of an Islington teenager: a learning review Islington may choose
            "chair.isl",
            {
                "incident_date": ago(45),
                "notified_date": ago(44),
                "country": "england",
                "area": "islington",
                "subject_age_years": 16,
                "outcome": "death",
                "abuse_or_neglect": "not_suspected",
                "suspected_suicide": True,
                "death_unexpected": True,
                "improvement_learning": True,
                "agencies_involved": ["islington-csc", "northgate-hospital", "gp-caledonian"],
            },
        ),
    ]


def add_cases(session: Session, today: date) -> list[str]:
    """The demo's cases, recorded as the service records any case (the lead partnership from the areas);
    the first one with its board's decision. Their references."""
    rulesets = rules.load_all(get_settings().rule_settings)
    refs = []
    for handle, features in _cases(today):
        actor = f"{handle}@{USER_DOMAIN}"
        view, _ = store.create_case(
            session=session, raw_features=features, actor=actor, today=today, rulesets=rulesets
        )
        refs.append(view.case.ref)
    store.record_board_decision(
        session=session,
        ref=refs[0],
        accepted=True,
        reason=None,
        outcomes=None,
        actor=f"chair.chs@{USER_DOMAIN}",
        today=today,
        rulesets=rulesets,
    )
    return refs
