"""Benchmark: one case's shortlist at 1,000, 10,000 and 100,000 consultants, and a 50-case batch plan.

Targets: a shortlist under 100 ms at 10,000 consultants (issue 4) and under 300 ms at 100,000 (issue
18), in process, growing no worse than linearly; a batch plan for 50 cases over 1,000 consultants under
2 s. The shortlist reads its consultants from the per-process copy of the list
(``matching.profile_cache``); the first shortlist after a registry write reads the list afresh, and is
timed apart ("after a write").

Run by hand against a PostgreSQL server, on which it makes a database of its own
(``scr_shortlist_<pid>``, re-created for every size and dropped at the end)::

    .venv/bin/python -m bench.shortlist [--server postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
        [--sizes 1000 10000 100000] [--smoke]

``--smoke`` measures 300 consultants in 60 areas, with the batch plan, a few times: it shows the
benchmark works in seconds, and its figures say nothing about the targets.

Each consultant has 10 engagements, 2 review records and a 10% chance of an active commission. The
registry is national: ``--areas`` partnerships with ``--agencies-per-area`` agencies each. A
consultant's ties are mostly with agencies in their two home areas, as reviewers' careers are local.
The case involves 8 agencies of one area; its partnership is that area's.
"""

import argparse
import itertools
import json
import os
import random
import secrets
import statistics
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import create_engine, make_url, text
from sqlmodel import Session

TODAY = date.today()
NOW = datetime.now(UTC)
SHORTLIST_TARGET_MS = 100.0
LARGE_TARGET_MS = 300.0  # at 100,000 consultants (issue 18)
PLAN_TARGET_MS = 2000.0
KINDS = (
    ("employed", 40),
    ("contracted", 20),
    ("reviewed", 25),
    ("board_member", 5),
    ("line_manager", 5),
    ("personal_link", 5),
)
SPECIALISMS = (
    "neglect",
    "domestic_abuse",
    "parental_mental_health",
    "parental_substance_misuse",
    "sexual_abuse",
    "child_sexual_exploitation",
    "criminal_exploitation",
    "disability",
    "looked_after_children",
    "health_systems",
)
LANGUAGES = ("Somali", "Urdu", "Polish", "Bengali", "Turkish", "Arabic")


def area_name(area: int) -> str:
    return f"area-{area:03d}"


def agency_id(area: int, index: int) -> str:
    """Index 0 is the area's safeguarding partnership."""
    return f"a{area:03d}-{index:02d}"


def partnership_prefix(area: int) -> str:
    """The reference prefix of the partnership covering ``area``: B and three letters."""
    return "B" + "".join(chr(ord("A") + area // 26**k % 26) for k in (2, 1, 0))


def _on_server(url: str, *statements: str) -> None:
    """Run statements naming the database ``url`` names (``{name}``) from the server's own database."""
    target = make_url(url)
    server = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        for statement in statements:
            connection.execute(text(statement.format(name=target.database)))
    server.dispose()


def recreate(url: str) -> None:
    _on_server(url, 'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', 'CREATE DATABASE "{name}"')


def drop(url: str) -> None:
    _on_server(url, 'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _day_between(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange(max((end - start).days, 1)))


def load(url: str, *, consultants: int, areas: int, per_area: int, seed: int) -> float:
    """Create the schema and fill it with COPY; the seconds it took."""
    from service.migrate import upgrade

    started = time.perf_counter()
    recreate(url)
    upgrade(url)
    rng = random.Random(seed)
    kinds = [kind for kind, weight in KINDS for _ in range(weight)]
    engine = create_engine(url)
    raw = engine.raw_connection()
    try:
        connection = raw.driver_connection
        with connection.cursor() as cursor:  # type: ignore[union-attr]
            with cursor.copy("COPY agency (id, name, kind, area) FROM STDIN") as copy:
                for area in range(areas):
                    for index in range(per_area):
                        kind = "safeguarding_partnership" if index == 0 else "other"
                        copy.write_row(
                            (agency_id(area, index), f"Agency {area}/{index}", kind, area_name(area))
                        )
            # Each area's partnership, which leads the cases there (partnership ids are the areas + 1).
            with cursor.copy("COPY partnership (id, name, prefix, policy, created_at) FROM STDIN") as copy:
                for area in range(areas):
                    name = f"Partnership of {area_name(area)}"
                    copy.write_row((area + 1, name, partnership_prefix(area), "{}", NOW))
            with cursor.copy("COPY partnership_area (area, partnership_id) FROM STDIN") as copy:
                for area in range(areas):
                    copy.write_row((area_name(area), area + 1))
            columns = (
                "id, name, email, backgrounds, specialisms, languages, areas, capacity, status, "
                "dbs_check_date, insurance_expiry, registration_expiry, created_at, updated_at"
            )
            homes: list[tuple[int, int]] = []
            with cursor.copy(f"COPY consultant ({columns}) FROM STDIN") as copy:
                for cid in range(1, consultants + 1):
                    home = (rng.randrange(areas), rng.randrange(areas))
                    homes.append(home)
                    status = rng.choices(("approved", "applied", "suspended", "removed"), (85, 5, 5, 5))[0]
                    copy.write_row(
                        (
                            cid,
                            f"Consultant {cid}",
                            f"c{cid}@bench.example.org",
                            "[]",
                            json.dumps(rng.sample(SPECIALISMS, rng.randint(1, 4))),
                            json.dumps(rng.sample(LANGUAGES, rng.randint(0, 2))),
                            json.dumps(sorted({area_name(a) for a in home})),
                            rng.choices((1, 2, 3), (20, 55, 25))[0],
                            status,
                            _day_between(rng, TODAY - timedelta(days=365 * 4), TODAY),
                            _day_between(rng, TODAY - timedelta(days=60), TODAY + timedelta(days=730)),
                            None
                            if rng.random() < 0.5
                            else _day_between(rng, TODAY, TODAY + timedelta(days=900)),
                            NOW,
                            NOW,
                        )
                    )
            columns = "id, consultant_id, agency_id, role_title, kind, start_date, end_date, confirmed"
            with cursor.copy(f"COPY engagement ({columns}) FROM STDIN") as copy:
                eid = 0
                for cid, home in enumerate(homes, start=1):
                    for _ in range(10):
                        eid += 1
                        area = rng.choice(home) if rng.random() < 0.7 else rng.randrange(areas)
                        start = _day_between(rng, date(1990, 1, 1), TODAY - timedelta(days=400))
                        end = None if rng.random() < 0.08 else _day_between(rng, start, TODAY)
                        copy.write_row(
                            (
                                eid,
                                cid,
                                agency_id(area, rng.randrange(per_area)),
                                "Role",
                                rng.choice(kinds),
                                start,
                                end,
                                True,
                            )
                        )
            columns = "id, consultant_id, case_ref, review_type, role, started_on, completed_on, rating"
            with cursor.copy(f"COPY review_record ({columns}) FROM STDIN") as copy:
                for cid in range(1, consultants + 1):
                    for n in range(2):
                        rating = rng.choice((2, 3, 3, 3, 4)) if rng.random() < 0.8 else None
                        began = _day_between(rng, date(2015, 1, 1), TODAY - timedelta(days=200))
                        copy.write_row(
                            (
                                2 * cid + n,
                                cid,
                                f"OLD-{cid}-{n}",
                                "lcspr",
                                "lead_reviewer",
                                began,
                                began + timedelta(days=180),
                                rating,
                            )
                        )
            columns = "id, ref, area, features, status, created_by, created_at, updated_at, partnership_id"
            with cursor.copy(f"COPY review_case ({columns}) FROM STDIN") as copy:
                for n in range(1, 501):
                    area = rng.randrange(areas)
                    features = {
                        "area": area_name(area),
                        "agencies_involved": [agency_id(area, k) for k in range(1, 9)],
                    }
                    copy.write_row(
                        (
                            n,
                            f"PAST-{n}",
                            area_name(area),
                            json.dumps(features),
                            "open",
                            "bench",
                            NOW,
                            NOW,
                            area + 1,
                        )
                    )
            columns = "id, case_id, consultant_id, role, status, warnings, created_by, created_at, updated_at"
            with cursor.copy(f"COPY commission ({columns}) FROM STDIN") as copy:
                commission = 0
                for cid in range(1, consultants + 1):
                    if rng.random() < 0.1:
                        commission += 1
                        created = NOW - timedelta(days=rng.randrange(300))
                        copy.write_row(
                            (
                                commission,
                                rng.randint(1, 500),
                                cid,
                                "lead_reviewer",
                                "confirmed",
                                "[]",
                                "bench",
                                created,
                                created,
                            )
                        )
            for table in (
                "partnership",
                "consultant",
                "engagement",
                "review_record",
                "review_case",
                "commission",
            ):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                )
        connection.commit()  # type: ignore[union-attr]
        with connection.cursor() as cursor:  # type: ignore[union-attr]
            connection.autocommit = True  # type: ignore[union-attr]
            cursor.execute("VACUUM ANALYZE")
    finally:
        raw.close()
        engine.dispose()
    return time.perf_counter() - started


def add_cases(session: Session, *, refs: list[str], areas: list[int]) -> None:
    """Cases of 8 agencies each, in the given areas, with three themes, each led by its area's partnership."""
    from commissioning import partnerships
    from commissioning.models import Case

    lead: dict[int, int | None] = {}
    for area in sorted(set(areas)):
        found = partnerships.covering(session, area_name(area))
        if found is None:
            found = partnerships.add_partnership(
                session,
                name=f"Partnership of {area_name(area)}",
                prefix=partnership_prefix(area),
                areas=[area_name(area)],
                actor="bench",
            ).partnership
        lead[area] = found.id
    for ref, area in zip(refs, areas, strict=True):
        features = {
            "area": area_name(area),
            "agencies_involved": [agency_id(area, k) for k in range(1, 9)],
            "neglect": True,
            "domestic_abuse": True,
            "parental_mental_health": True,
        }
        session.add(
            Case(
                ref=ref,
                area=area_name(area),
                features=features,
                created_by="bench",
                partnership_id=lead[area],
            )
        )
    session.commit()


def timed(run: Callable[[], Any], *, warmup: int, repeat: int) -> tuple[list[float], list[float], Any]:
    """Wall-clock and this process's CPU milliseconds of each run after the warm-ups, and the last result.

    CPU time leaves out PostgreSQL's work and the waiting, so it shows what other load on the machine
    does to the wall-clock figures.
    """
    result = None
    for _ in range(warmup):
        result = run()
    wall, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = run()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return wall, cpu, result


def measure(url: str, *, size: int, repeat: int, plan: bool) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from commissioning import partnerships
    from commissioning.shortlists import plan_for, shortlist_for
    from matching.policy import IndependencePolicy, RankingPolicy
    from service.app import create_app
    from service.db import get_engine
    from service.models import Role
    from service.settings import get_settings
    from service.users import add_user

    os.environ["SCR_DATABASE_URL"] = url
    os.environ["SCR_SECRET_KEY"] = secrets.token_urlsafe(48)  # this run's own: the app refuses a default
    get_settings.cache_clear()
    get_engine.cache_clear()
    engine = get_engine()
    policy, ranking = IndependencePolicy(), RankingPolicy()
    figures: dict[str, Any] = {"size": size}
    with Session(engine, expire_on_commit=False) as session:
        add_cases(session, refs=["BENCH-1"], areas=[0])

        def shortlist() -> Any:
            result = shortlist_for(
                session=session, ref="BENCH-1", policy=policy, ranking=ranking, today=TODAY, limit=20
            )
            session.rollback()  # end the read transaction, as a request would
            return result

        figures["load_average_before"] = os.getloadavg()[0]
        figures["store_ms"], figures["store_cpu_ms"], result = timed(shortlist, warmup=3, repeat=repeat)

        def after_a_write() -> Any:
            # Any committed write to the list moves its version: the next shortlist reads the list afresh.
            session.execute(text("UPDATE consultant SET updated_at = updated_at WHERE id = 1"))
            session.commit()
            return shortlist()

        figures["cold_ms"], _, _ = timed(after_a_write, warmup=1, repeat=max(3, repeat // 5))
        figures["eligible"] = result.shortlist.eligible
        figures["excluded"] = len(result.shortlist.excluded)
        figures["listed"] = result.listed
        lead = partnerships.covering(session, area_name(0))  # the partnership leading BENCH-1
        assert lead is not None
        _, token = add_user(
            session,
            email="bench@board.example.org",
            role=Role.commissioner,
            actor="bench",
            partnership=lead.prefix,
        )
        session.commit()
        with TestClient(create_app()) as client:
            headers = {"Authorization": f"Bearer {token}"}

            def over_http() -> Any:
                response = client.get(
                    "/api/v1/cases/BENCH-1/shortlist", params={"limit": 20}, headers=headers
                )
                assert response.status_code == 200, response.text
                return response

            figures["http_ms"], _, _ = timed(over_http, warmup=3, repeat=repeat)
        if plan:
            refs = [f"PLAN-{n}" for n in range(50)]
            add_cases(session, refs=refs, areas=list(range(50)))

            def batch() -> Any:
                result = plan_for(session=session, refs=refs, policy=policy, ranking=ranking, today=TODAY)
                session.rollback()
                return result

            figures["plan_ms"], _, batch_result = timed(batch, warmup=1, repeat=max(3, repeat // 3))
            figures["plan_assigned"] = batch_result.plan.assigned
        figures["load_average_after"] = os.getloadavg()[0]
    engine.dispose()
    return figures


def _median(samples: list[float]) -> float:
    return statistics.median(samples)


def report(rows: list[dict[str, Any]], load_seconds: dict[int, float]) -> Iterator[str]:
    yield (
        "consultants  data s  listed  eligible  excluded | shortlist ms: median (min-max)  Python CPU  HTTP"
        "  after a write | load avg"
    )
    for row in rows:
        store = row["store_ms"]
        yield (
            f"{row['size']:>11,} {load_seconds[row['size']]:>7.1f} {row['listed']:>7,} {row['eligible']:>9,} "
            f"{row['excluded']:>9,} | {_median(store):>8.1f} ({min(store):.1f}-{max(store):.1f})"
            f"  {_median(row['store_cpu_ms']):>10.1f}  {_median(row['http_ms']):>6.1f}"
            f"  {_median(row['cold_ms']):>13.1f}"
            f" | {row['load_average_before']:.1f} -> {row['load_average_after']:.1f}"
        )
    yield (
        "(shortlist ms: in process, the copy of the list current; after a write: the first shortlist after "
        "a registry write, which reads the list afresh)"
    )
    for before, after in itertools.pairwise(rows):
        growth = _median(after["store_ms"]) / _median(before["store_ms"])
        scale = after["size"] / before["size"]
        verdict = "no worse than linear" if growth <= scale else "WORSE than linear"
        yield (
            f"growth {before['size']:,} -> {after['size']:,}: x{growth:.1f} for x{scale:.0f} consultants, "
            f"{verdict}"
        )
    for row in rows:
        for size, target, issue in ((10_000, SHORTLIST_TARGET_MS, 4), (100_000, LARGE_TARGET_MS, 18)):
            if row["size"] == size:
                verdict = "met" if _median(row["store_ms"]) < target else "MISSED"
                yield (
                    f"target: shortlist under {target:.0f} ms at {size:,} (store, issue {issue}): {verdict} "
                    f"({_median(row['store_ms']):.1f} ms)"
                )
        if "plan_ms" in row:
            plan = _median(row["plan_ms"])
            verdict = "met" if plan < PLAN_TARGET_MS else "MISSED"
            yield (
                f"batch plan, 50 cases x {row['size']:,} consultants: median {plan:.0f} ms "
                f"({row['plan_assigned']} of 50 assigned); target under {PLAN_TARGET_MS:.0f} ms: {verdict}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--plan-size", type=int, default=1_000, help="the size at which to time a batch plan")
    parser.add_argument("--areas", type=int, default=150)
    parser.add_argument("--agencies-per-area", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--smoke", action="store_true", help="a few seconds on tiny data")
    args = parser.parse_args()
    if not args.server.startswith("postgresql"):
        parser.error("the benchmark runs on PostgreSQL: pass --server postgresql+psycopg://...")
    if args.smoke:
        args.sizes, args.plan_size, args.areas, args.repeat = [300], 300, 60, 3
    url = make_url(args.server).set(database=f"scr_shortlist_{os.getpid()}")
    url = url.render_as_string(hide_password=False)
    rows = []
    load_seconds = {}
    try:
        for size in args.sizes:
            load_seconds[size] = load(
                url, consultants=size, areas=args.areas, per_area=args.agencies_per_area, seed=args.seed
            )
            rows.append(measure(url, size=size, repeat=args.repeat, plan=size == args.plan_size))
            print(f"measured {size:,} consultants", flush=True)
    finally:
        drop(url)
    print(
        f"PostgreSQL, {args.areas} areas x {args.agencies_per_area} agencies, 10 engagements per consultant, "
        f"case with 8 agencies, limit 20, {args.repeat} runs after 3 warm-ups"
    )
    for line in report(rows, load_seconds):
        print(line)


if __name__ == "__main__":
    main()
