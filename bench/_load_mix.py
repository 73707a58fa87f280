"""The load test's data and its mix of requests: the demo registry grown with consultants shaped like it,
stored cases, and the requests users send (threshold checks, shortlists, consultant lists and records).
"""

import json
import random
from datetime import date, timedelta

import httpx
from sqlalchemy import insert, text
from sqlmodel import Session

from bench._wrk import Call
from bench.shortlist import KINDS
from bench.threshold import bodies
from commissioning.features import CATALOGUE

DOMAIN = "load.example.org"
# Share of each kind of request in the mix, and how it is labelled in the report.
MIX = {"threshold": 40, "shortlist": 25, "consultants": 20, "consultant": 15}
# Catalogue themes a generated case never draws: it names the agencies that knew the family (so never
# "no prior agency involvement", which the catalogue refuses beside that), and it sets the other two itself.
UNDRAWN_THEMES = ("no_prior_agency_involvement", "known_to_childrens_social_care", "interpreter_needed")
THEMES = tuple(f.name for f in CATALOGUE if f.theme and f.name not in UNDRAWN_THEMES)
DEATH_THEMES = ("mother_and_child_died_together",)  # drawn only for a death: the catalogue refuses it else


# Data ------------------------------------------------------------------------------------------


def _commissioner_everywhere(session: Session) -> str:
    """The token of a commissioner in every demo partnership, so the load's cases are all theirs."""
    from service import demo_region
    from service.models import Role
    from service.users import add_user, grant_role

    first, *others = [prefix for _, prefix, _, _ in demo_region.PARTNERSHIPS]
    email = f"commissioner@{DOMAIN}"
    _, token = add_user(session, email=email, role=Role.commissioner, partnership=first, actor="load")
    for prefix in others:
        grant_role(session, email=email, role=Role.commissioner, partnership=prefix, actor="load")
    return token


def case_features(rng: random.Random, today: date) -> dict[str, object]:
    """A recent case in one of the demo boroughs a demo partnership covers, naming some of its agencies,
    with a few themes."""
    from service import demo

    area = rng.choice(covered_boroughs())
    local = [a[0] for a in demo.AGENCIES if a[3] == area and a[2] != "safeguarding_partnership"]
    london = [a[0] for a in demo.AGENCIES if a[3] == "London"]
    incident = today - timedelta(days=rng.randint(5, 250))
    outcome = rng.choices(("death", "serious_harm"), (35, 65))[0]
    features: dict[str, object] = {
        "incident_date": incident.isoformat(),
        "notified_date": (incident + timedelta(days=rng.randint(0, 4))).isoformat(),
        "country": "england",
        "area": area,
        "agencies_involved": rng.sample(local, k=min(len(local), rng.randint(2, 4)))
        + rng.sample(london, k=rng.randint(0, 1)),
        "subject_age_years": round(rng.uniform(0.1, 1) if rng.random() < 0.4 else rng.uniform(1, 17), 1),
        "outcome": outcome,
        "abuse_or_neglect": rng.choice(("known", "suspected", "suspected")),
        "setting": "community",
        "perpetrators": rng.sample(
            ["mother", "father", "step_parent", "parent_partner", "household_member"], k=rng.randint(1, 2)
        ),
        "known_to_childrens_social_care": rng.random() < 0.6,
        "interpreter_needed": rng.random() < 0.2,
    }
    if outcome == "death":
        features["death_unexpected"] = True
    else:
        features["serious_harm_kinds"] = [rng.choice(["life_threatening_injury", "permanent_impairment"])]
    themes = [theme for theme in THEMES if outcome == "death" or theme not in DEATH_THEMES]
    features.update(dict.fromkeys(rng.sample(themes, k=rng.randint(1, 3)), True))
    return features


def covered_boroughs() -> list[str]:
    """The demo boroughs one of the demo's partnerships covers (cases elsewhere have no partnership)."""
    from commissioning.partnerships import area_slug
    from service import demo, demo_region

    covered = {area for _, _, areas, _ in demo_region.PARTNERSHIPS for area in areas}
    return [borough for borough in demo.BOROUGHS if area_slug(borough) in covered]


def fill(url: str, *, consultants: int, cases: int, seed: int) -> tuple[str, list[str], int]:
    """Migrate and load the database; the commissioner's token, the cases' references, the list's size."""
    from sqlmodel import col, select

    from commissioning import store as case_store
    from commissioning.models import Commission
    from core.clock import utcnow
    from registry.lifecycle import add_years
    from registry.models import Consultant, Engagement, ReviewRecord
    from registry.vocabulary import Specialism
    from service import demo
    from service.api.cases import rulesets
    from service.db import make_engine
    from service.migrate import upgrade

    upgrade(url)
    rng = random.Random(seed)
    today, now = date.today(), utcnow()
    engine = make_engine(url)
    kinds = [kind for kind, weight in KINDS for _ in range(weight)]
    with Session(engine) as session:
        demo.load(session=session, today=today)
        token = _commissioner_everywhere(session)
        rows = []
        for n in range(consultants):
            status = rng.choices(("approved", "applied", "suspended", "removed"), (85, 5, 5, 5))[0]
            approved = None if status == "applied" else today - timedelta(days=rng.randint(20, 1000))
            rows.append(
                {
                    "name": f"{rng.choice(demo.FIRST)} {rng.choice(demo.LAST)}",
                    "email": f"reviewer{n:04d}@{DOMAIN}",
                    "backgrounds": [rng.choice(demo.BACKGROUNDS).value],
                    "specialisms": [s.value for s in rng.sample(list(Specialism), k=rng.randint(2, 4))],
                    "languages": ["English", *rng.sample(demo.LANGUAGES, k=rng.choice((0, 0, 1, 1, 2)))],
                    "areas": rng.sample(demo.BOROUGHS, k=rng.randint(1, 3))
                    + (["London-wide"] if rng.random() < 0.3 else []),
                    "dbs_check_date": today - timedelta(days=rng.randint(20, 1200)),
                    "insurance_expiry": today + timedelta(days=rng.randint(-30, 500)),
                    "day_rate": rng.randrange(450, 751, 25),
                    "capacity": rng.choices((1, 2, 3), (20, 55, 25))[0],
                    "status": status,
                    "status_reason": None if status in ("applied", "approved") else "Set by the load test.",
                    "approved_on": approved,
                    "reapproval_due": add_years(approved, 3) if approved else None,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        session.execute(insert(Consultant), rows)
        added = session.exec(
            select(Consultant.id, Consultant.areas, Consultant.status)
            .where(col(Consultant.email).endswith(f"@{DOMAIN}"))
            .order_by(col(Consultant.id))
        ).all()
        by_area = {area: [a[0] for a in demo.AGENCIES if a[3] == area] for area in demo.BOROUGHS}
        everywhere = [a[0] for a in demo.AGENCIES]
        engagements, reviews = [], []
        for cid, areas, _ in added:
            home = [agency for area in areas for agency in by_area.get(area, [])] or everywhere
            for _ in range(rng.randint(1, 4)):
                start = today - timedelta(days=rng.randint(400, 25 * 365))
                end = (
                    None if rng.random() < 0.1 else min(today, start + timedelta(days=rng.randint(90, 3000)))
                )
                engagements.append(
                    {
                        "consultant_id": cid,
                        "agency_id": rng.choice(home if rng.random() < 0.7 else everywhere),
                        "role_title": "Senior practitioner",
                        "kind": rng.choice(kinds),
                        "start_date": start,
                        "end_date": end,
                        "confirmed": rng.random() < 0.95,
                    }
                )
            for number in range(rng.choice((0, 1, 1, 2, 3))):
                began = today - timedelta(days=rng.randint(200, 1800))
                reviews.append(
                    {
                        "consultant_id": cid,
                        "case_ref": f"LT-{began.year}-{cid:04d}{number}",
                        "review_type": "lcspr",
                        "role": "lead_reviewer",
                        "started_on": began,
                        "completed_on": began + timedelta(days=rng.randint(120, 300)),
                        "rating": rng.choices((2, 3, 4), (15, 60, 25))[0],
                    }
                )
        session.execute(insert(Engagement), engagements)
        session.execute(insert(ReviewRecord), reviews)
        session.commit()
        refs, case_ids = [], []
        for _ in range(cases):
            view, _ = case_store.create_case(
                session=session,
                raw_features=case_features(rng, today),
                actor="load",
                today=today,
                rulesets=rulesets(),
            )
            refs.append(view.case.ref)
            assert view.case.id is not None
            case_ids.append(view.case.id)
        approved = [cid for cid, _, status in added if status == "approved"]
        commissions = [
            {
                "case_id": rng.choice(case_ids),
                "consultant_id": cid,
                "role": "lead_reviewer",
                "status": "confirmed",
                "warnings": [],
                "created_by": "load",
                "created_at": now,
                "updated_at": now,
            }
            for cid in rng.sample(approved, k=len(approved) // 10)
        ]
        if commissions:
            session.execute(insert(Commission), commissions)
        session.commit()
        listed = session.execute(text("SELECT count(*) FROM consultant")).scalar_one()
        session.execute(text("ANALYZE"))
        session.commit()
    engine.dispose()
    return token, refs, listed


# The mix ---------------------------------------------------------------------------------------


def calls(rng: random.Random, *, refs: list[str], consultants: int, size: int) -> list[Call]:
    """``size`` requests drawn by the mix's shares, in a shuffled order."""
    from registry.vocabulary import Specialism
    from service import demo

    today = date.today()
    thresholds = [*bodies(), *(json.dumps({"features": case_features(rng, today)}) for _ in range(40))]
    filters: list[dict[str, object]] = [
        {
            "status": "approved",
            "specialism": rng.choice(list(Specialism)).value,
            "area": rng.choice(demo.BOROUGHS),
        }
        for _ in range(30)
    ]
    filters += [{"status": "approved", "language": language} for language in demo.LANGUAGES]
    filters += [{"q": name[:4]} for name in rng.sample(demo.LAST, k=10)]
    filters += [{"expiring_within_days": days} for days in (0, 30, 60, 90)]
    filters += [{"status": status, "limit": 25} for status in ("approved", "applied", "suspended")]

    def one(kind: str) -> Call:
        if kind == "threshold":
            return Call(kind, "POST", "/api/v1/threshold", rng.choice(thresholds))
        if kind == "shortlist":
            return Call(kind, "GET", f"/api/v1/cases/{rng.choice(refs)}/shortlist")
        if kind == "consultants":
            return Call(kind, "GET", str(httpx.URL("/api/v1/consultants", params=rng.choice(filters))))
        return Call(kind, "GET", f"/api/v1/consultants/{rng.randint(1, consultants)}")

    return [one(kind) for kind in rng.choices(list(MIX), weights=list(MIX.values()), k=size)]
