"""Time the filtered consultant listing through the API on a large registry in PostgreSQL.

Target (issue 18): the filtered list answers in under 100 ms at 100,000 consultants (median).

Creates a dedicated database (``scr_bench`` by default) on the server, migrates it, writes (with COPY)
100,000 consultants with 1,000,000 engagements across 500 agencies, then times
``GET /api/v1/consultants?specialism=..&area=..&expiring_within_days=90`` through the ASGI app
(TestClient, so the figures include routing, auth, validation and serialisation but no network).
Also times the conflict checks' engagement query. Prints median and p95, and the target as met or
missed; drops the database unless ``--keep``.

    .venv/bin/python bench/registry.py [--server postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
        [--smoke]

``--smoke`` runs in seconds on 200 consultants in a database of its own (``scr_bench_<pid>``), to show
the benchmark works; its figures say nothing about a large registry.
"""

import argparse
import json
import os
import random
import secrets
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert, make_url, text

# Run as a script, this file's folder leads sys.path and this file would shadow the ``registry``
# package; the repository root goes there instead.
sys.path[0] = str(Path(__file__).resolve().parents[1])

TARGET_CONSULTANTS = 100_000
TARGET_MS = 100.0
# fmt: off
BOROUGHS = ("Barking and Dagenham", "Barnet", "Bexley", "Brent", "Bromley", "Camden", "City", "Croydon",
            "Ealing", "Enfield", "Greenwich", "Hackney", "Hammersmith and Fulham", "Haringey", "Harrow",
            "Havering", "Hillingdon", "Hounslow", "Islington", "Kensington and Chelsea",
            "Kingston upon Thames", "Lambeth", "Lewisham", "Merton", "Newham", "Redbridge",
            "Richmond upon Thames", "Southwark", "Sutton", "Tower Hamlets", "Waltham Forest", "Wandsworth",
            "Westminster")
# fmt: on


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    from bench import _cli as cli

    parser = cli.options(
        __doc__,
        smoke="a few seconds on tiny data",
        consultants=TARGET_CONSULTANTS,
        engagements=10 * TARGET_CONSULTANTS,
        agencies=500,
        requests=300,
    )
    parser.add_argument("--server", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--database", help="default scr_bench (scr_bench_<pid> with --smoke)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = cli.parse(parser, smoke={"consultants": 200, "engagements": 1000, "agencies": 40, "requests": 20})
    args.database = args.database or (f"scr_bench_{os.getpid()}" if args.smoke else "scr_bench")

    server = make_url(args.server)
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{args.database}"'))
    url = server.set(database=args.database).render_as_string(hide_password=False)
    os.environ["SCR_DATABASE_URL"] = url
    os.environ["SCR_SECRET_KEY"] = secrets.token_urlsafe(48)  # this run's own: the app refuses a default
    try:
        run(url, args)
    finally:
        from service.db import get_engine

        get_engine().dispose()
        if not args.keep:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)'))
        admin.dispose()


def _copy(engine: Any, table: str, rows: list[dict[str, Any]]) -> None:
    """Write ``rows`` into ``table`` with COPY (lists as JSON), fast enough for a million."""
    columns = list(rows[0])
    raw = engine.raw_connection()
    try:
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with raw.driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([json.dumps(v) if isinstance(v, list) else v for v in row.values()])
        raw.driver_connection.commit()
    finally:
        raw.close()


def run(url: str, args: argparse.Namespace) -> None:
    from fastapi.testclient import TestClient
    from sqlmodel import Session

    from registry import records
    from registry.models import Agency
    from registry.vocabulary import AgencyKind, ConsultantStatus, EngagementKind, Specialism
    from service.app import create_app
    from service.db import get_engine
    from service.migrate import upgrade
    from service.models import Role
    from service.users import add_user

    upgrade(url)
    engine = get_engine()
    rng = random.Random(2007)
    today, now = date.today(), datetime.now(UTC)
    areas = list(BOROUGHS)
    kinds = list(AgencyKind)
    started = time.perf_counter()
    agencies = [
        {
            "id": f"agency-{n:03d}",
            "name": f"Agency {n:03d}",
            "kind": kinds[n % len(kinds)],
            "area": areas[n % len(areas)],
        }
        for n in range(args.agencies)
    ]
    statuses = [ConsultantStatus.approved] * 8 + [ConsultantStatus.applied, ConsultantStatus.suspended]
    consultants = []
    for n in range(args.consultants):
        consultants.append(
            {
                "name": f"Consultant {n:05d}",
                "email": f"c{n:05d}@bench.example.org",
                "backgrounds": ["social_work"],
                "specialisms": [s.value for s in rng.sample(list(Specialism), k=rng.randint(2, 5))],
                "languages": rng.sample(
                    ["English", "Turkish", "Bengali", "Somali", "Polish", "Urdu"], k=rng.randint(1, 2)
                ),
                "areas": rng.sample(areas, k=rng.randint(1, 3)),
                "dbs_check_date": today - timedelta(days=rng.randint(0, 4 * 365)),
                "insurance_expiry": today + timedelta(days=rng.randint(-60, 700)),
                "registration_expiry": today + timedelta(days=rng.randint(0, 900))
                if rng.random() < 0.5
                else None,
                "reapproval_due": today + timedelta(days=rng.randint(0, 3 * 365)),
                "capacity": rng.randint(1, 3),
                "status": rng.choice(statuses).value,
                "created_at": now,
                "updated_at": now,
            }
        )
    with Session(engine) as session:
        session.execute(insert(Agency), agencies)
        session.commit()
    _copy(engine, "consultant", consultants)
    with Session(engine) as session:
        ids = [row[0] for row in session.execute(text("SELECT id FROM consultant"))]
    engagement_kinds = list(EngagementKind)
    engagements = []
    for _ in range(args.engagements):
        start = today - timedelta(days=rng.randint(365, 30 * 365))
        end = None if rng.random() < 0.15 else min(today, start + timedelta(days=rng.randint(90, 12 * 365)))
        engagements.append(
            {
                "consultant_id": rng.choice(ids),
                "agency_id": rng.choice(agencies)["id"],
                "role_title": "Role",
                "kind": rng.choice(engagement_kinds).value,
                "start_date": start,
                "end_date": end,
                "confirmed": True,
            }
        )
    _copy(engine, "engagement", engagements)
    with Session(engine) as session:
        session.execute(text("ANALYZE"))
        # The list's keeper reads it: a regional role, held in no partnership.
        _, token = add_user(session, email="bench@bench.example.org", role=Role.list_admin, actor="bench")
        session.commit()
    print(
        f"Loaded {args.agencies} agencies, {args.consultants} consultants, {args.engagements} engagements "
        f"in {time.perf_counter() - started:.1f} s."
    )

    headers = {"Authorization": f"Bearer {token}"}
    combos = [(s.value, a) for s in Specialism for a in areas]
    rng.shuffle(combos)
    timings, totals = [], []
    with TestClient(create_app()) as client:
        for n in range(20 + args.requests):
            specialism, area = combos[n % len(combos)]
            params = {"specialism": specialism, "area": area, "expiring_within_days": 90}
            began = time.perf_counter()
            response = client.get("/api/v1/consultants", params=params, headers=headers)
            elapsed = (time.perf_counter() - began) * 1000
            assert response.status_code == 200, response.text
            if n >= 20:  # the first 20 warm the pool and caches
                timings.append(elapsed)
                totals.append(response.json()["total"])
    median = statistics.median(timings)
    print(
        f"GET /api/v1/consultants?specialism=&area=&expiring_within_days=90, {len(timings)} requests: "
        f"median {median:.1f} ms, p95 {percentile(timings, 0.95):.1f} ms "
        f"(matches per request: median {statistics.median(totals):.0f})"
    )
    if args.consultants >= TARGET_CONSULTANTS:
        verdict = "met" if median < TARGET_MS else "MISSED"
        print(
            f"target: the filtered list under {TARGET_MS:.0f} ms at {TARGET_CONSULTANTS:,} consultants "
            f"(median, issue 18): {verdict}"
        )

    query_times = []
    with Session(engine) as session:
        for _ in range(200):
            chosen = [agency["id"] for agency in rng.sample(agencies, k=8)]
            began = time.perf_counter()
            found = records.engagements_since(
                session=session,
                agency_ids=chosen,
                kinds=[EngagementKind.employed, EngagementKind.contracted, EngagementKind.board_member],
                since=today - timedelta(days=10 * 365),
            )
            query_times.append((time.perf_counter() - began) * 1000)
        plan = session.execute(
            text(
                "EXPLAIN SELECT * FROM engagement WHERE agency_id IN ('agency-001', 'agency-002') "
                "AND kind IN ('employed', 'contracted') AND (end_date IS NULL OR end_date >= :since)"
            ),
            {"since": today - timedelta(days=3650)},
        ).scalars()
        uses_index = any("ix_engagement_agency_kind_end" in line for line in plan)
    print(
        f"records.engagements_since (8 agencies, 3 kinds, 10 years; ~{len(found)} rows): "
        f"median {statistics.median(query_times):.1f} ms, p95 {percentile(query_times, 0.95):.1f} ms; "
        f"plan uses ix_engagement_agency_kind_end: {uses_index}"
    )


if __name__ == "__main__":
    main()
