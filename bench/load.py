"""Load test: concurrent users on two uvicorn workers over PostgreSQL, mixing the service's busiest reads.

Targets (issue 8): 50 users for 60 s with no errors (no non-2xx answers, no socket errors) and p99
under 250 ms.

Creates a throwaway database on the PostgreSQL server ``--server`` names (dropped at the end, whatever
happens), migrates it and fills it: the demo registry (``service/demo.py``: 30 agencies, 40
consultants, three partnerships and their people) with a commissioner of all three partnerships,
``--consultants`` more consultants shaped like it (engagements with the demo agencies, review records; a
few on commissions) and ``--cases`` stored cases in the partnerships' areas, recorded through the same
function as ``POST /api/v1/cases``. Then it serves the database with
``uvicorn --factory service.app:create_app --workers 2`` on a free port of 127.0.0.1, waits for
``/readyz``, sends every distinct request of the mix once (any non-2xx stops the run: the mix must be
valid, so an error under load is the load's doing), warms up, and drives it with ``wrk`` (Debian
package ``wrk``), one thread and one connection per user, each user cycling from its own place through
a shuffled mix with the commissioner's token:

- ``POST /api/v1/threshold`` with varied case features (the threshold benchmark's cases and cases
  like the stored ones; the token keeps them clear of the public routes' rate limit for callers
  without one),
- ``GET /api/v1/cases/{ref}/shortlist`` for the stored cases,
- ``GET /api/v1/consultants`` with filters (status, specialism, area, language, name, expiring checks),
- ``GET /api/v1/consultants/{id}``.

By default a user sends the next request as soon as the last is answered, as wrk does; then the mean
latency is simply users / throughput (Little's law), so a p99 under 250 ms needs well over 200 req/s
from 50 users. ``--think MS`` makes each user pause 0.5-1.5 times MS between requests, as people do.

The generated Lua script times each request itself (LuaJIT's monotonic clock; one connection per
thread, so each response answers the request timed before it) to report each kind on its own; wrk's
summary gives the socket errors. The server's CPU time per request comes from ``/proc``, and the
connections PostgreSQL accepted while measuring (pool churn) from ``pg_stat_database``.

    .venv/bin/python -m bench.load [--users 50] [--duration 60] [--think 0]
        [--server postgresql+psycopg://postgres@127.0.0.1:5432/test] [--smoke]

``--smoke`` (2 users for 1 s on 20 more consultants and 5 cases) shows in seconds that the bench works;
its figures say nothing about the targets.

wrk, the server and PostgreSQL share the machine's cores: run it on a quiet machine.
"""

import argparse
import json
import math
import os
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import httpx
from sqlalchemy import Engine, create_engine, insert, make_url, text
from sqlmodel import Session

from bench.shortlist import KINDS
from bench.threshold import bodies, cpu_seconds, free_port
from commissioning.features import CATALOGUE

ROOT = Path(__file__).resolve().parents[1]
P99_TARGET_MS = 250.0
THINK_MS = 0
DOMAIN = "load.example.org"
# Share of each kind of request in the mix, and how it is labelled in the report.
MIX = {"threshold": 40, "shortlist": 25, "consultants": 20, "consultant": 15}
LABELS = {
    "threshold": "POST /api/v1/threshold",
    "shortlist": "GET  /api/v1/cases/{ref}/shortlist",
    "consultants": "GET  /api/v1/consultants?filters",
    "consultant": "GET  /api/v1/consultants/{id}",
}
# Catalogue themes a generated case never draws: it names the agencies that knew the family (so never
# "no prior agency involvement", which the catalogue refuses beside that), and it sets the other two itself.
UNDRAWN_THEMES = ("no_prior_agency_involvement", "known_to_childrens_social_care", "interpreter_needed")
THEMES = tuple(f.name for f in CATALOGUE if f.theme and f.name not in UNDRAWN_THEMES)
DEATH_THEMES = ("mother_and_child_died_together",)  # drawn only for a death: the catalogue refuses it else


@dataclass(frozen=True)
class Call:
    kind: str
    method: str
    path: str
    body: str | None = None


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


def lua_script(mix: list[Call], *, token: str, think_ms: int, output: Path) -> str:
    """The wrk script: each thread (one user, one connection) walks the mix from its own place,
    pausing between requests when ``think_ms`` is set, and times each request; ``done`` writes every
    sample and wrk's summary to ``output``."""
    kinds = list(MIX)
    # wrk calls ``delay`` before each request when the script defines it.
    think = f"function delay()\n  return {think_ms} * (0.5 + math.random())\nend\n" if think_ms > 0 else ""
    entries = ",\n".join(
        f'{{{kinds.index(c.kind) + 1}, "{c.method}", [==[{c.path}]==], '
        + (f"[==[{c.body}]==]}}" if c.body is not None else "nil}")
        for c in mix
    )
    return f"""-- Generated by bench/load.py.
local ffi = require("ffi")
ffi.cdef[[
typedef struct {{ long tv_sec; long tv_nsec; }} scr_timespec;
int clock_gettime(int clock_id, scr_timespec *tp);
]]
local clock = ffi.new("scr_timespec")
local function now_us()
  ffi.C.clock_gettime(1, clock) -- CLOCK_MONOTONIC
  return tonumber(clock.tv_sec) * 1000000 + tonumber(clock.tv_nsec) / 1000
end

wrk.headers["Authorization"] = "Bearer {token}"
wrk.headers["Content-Type"] = "application/json"
local mix = {{
{entries}
}}

local threads, users = {{}}, 0
function setup(thread)
  thread:set("user", users)
  users = users + 1
  table.insert(threads, thread)
end

local prepared, position, kind, started
function init(args)
  prepared = {{}}
  for i, call in ipairs(mix) do prepared[i] = wrk.format(call[2], call[3], nil, call[4]) end
  position = (user * 7919) % #mix
  math.randomseed(user + 1)
  kinds, latencies, statuses = {{}}, {{}}, {{}}
end

function request()
  position = position % #mix + 1
  kind = mix[position][1]
  started = now_us()
  return prepared[position]
end

{think}
function response(status, headers, body)
  local n = #kinds + 1
  kinds[n], latencies[n], statuses[n] = kind, math.floor(now_us() - started), status
end

function done(summary, latency, requests)
  local out = assert(io.open([==[{output}]==], "w"))
  local e = summary.errors
  out:write(string.format("summary %d %d %d %d %d %d\\n", summary.duration, e.connect, e.read, e.write,
    e.status, e.timeout))
  for _, thread in ipairs(threads) do
    local k, l, s = thread:get("kinds"), thread:get("latencies"), thread:get("statuses")
    for i = 1, #k do out:write(k[i], " ", l[i], " ", s[i], "\\n") end
  end
  out:close()
end
"""


# Running ---------------------------------------------------------------------------------------


def throwaway_database(server: str) -> tuple[str, Engine, str]:
    """A new database on ``server``: its URL, an engine on the server to drop it with, and its name."""
    name = f"scr_load_{os.getpid()}"
    admin = create_engine(make_url(server), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    return make_url(server).set(database=name).render_as_string(hide_password=False), admin, name


def start_server(url: str, port: int) -> subprocess.Popen[bytes]:
    """Two uvicorn workers on the database, once ``/readyz`` says ready."""
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "uvicorn", "service.app:create_app", "--factory", "--workers", "2"),
            *("--host", "127.0.0.1", "--port", str(port), "--no-access-log", "--log-level", "warning"),
        ],
        cwd=ROOT,
        env={**os.environ, "SCR_DATABASE_URL": url, "SCR_SECRET_KEY": secrets.token_urlsafe(48)},
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    stop(server)
    raise SystemExit("The service did not answer /readyz within 60 s (see its log above).")


def stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def workers(server: int) -> list[int]:
    return [int(pid) for pid in Path(f"/proc/{server}/task/{server}/children").read_text().split()]


def server_cpu(server: int) -> float:
    """CPU seconds used so far by the server's processes (the supervisor and its workers)."""
    return sum(cpu_seconds(pid) for pid in [server, *workers(server)])


def sessions(admin: Engine, name: str) -> int:
    """Connections PostgreSQL has accepted to database ``name`` so far."""
    with admin.connect() as connection:
        query = text("SELECT sessions FROM pg_stat_database WHERE datname = :name")
        return connection.execute(query, {"name": name}).scalar_one()


def preflight(base: str, mix: list[Call], token: str) -> int:
    """Send each distinct request once (how many there were); stop on any answer but 2xx, naming it."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        for call in dict.fromkeys(mix):
            response = client.request(call.method, call.path, content=call.body)
            if not response.is_success:
                raise SystemExit(
                    f"{call.method} {call.path} answered {response.status_code} before any load: "
                    f"{response.text[:500]}"
                )
    return len(set(mix))


def wrk(base: str, script: Path, *, users: int, seconds: int) -> None:
    command = ["wrk", f"-t{users}", f"-c{users}", f"-d{seconds}s", "--timeout", "5s", "-s", str(script), base]
    run = subprocess.run(command, capture_output=True, text=True)
    if run.returncode != 0:
        raise SystemExit(f"wrk failed ({run.returncode}): {run.stderr or run.stdout}")


@dataclass(frozen=True)
class Figures:
    requests: int
    rps: float
    p50: float
    p99: float
    errors: int


def percentile(ordered: list[int], share: float) -> float:
    """Nearest-rank percentile of sorted microseconds, in milliseconds."""
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)] / 1000


def figures(samples: list[tuple[int, int]], seconds: float) -> Figures:
    ordered = sorted(latency for latency, _ in samples)
    if not ordered:
        return Figures(0, 0.0, 0.0, 0.0, 0)
    errors = sum(not 200 <= status < 300 for _, status in samples)
    return Figures(
        len(ordered), len(ordered) / seconds, percentile(ordered, 0.5), percentile(ordered, 0.99), errors
    )


def read_results(output: Path) -> tuple[float, dict[str, int], dict[str, list[tuple[int, int]]]]:
    """Seconds run, wrk's socket errors by kind, and each request kind's (microseconds, status) samples."""
    lines = output.read_text().splitlines()
    duration, *errors = (int(n) for n in lines[0].split()[1:])
    socket_errors = dict(zip(("connect", "read", "write", "status", "timeout"), errors, strict=True))
    del socket_errors["status"]  # wrk's non-2xx count; the samples carry each status
    samples: dict[str, list[tuple[int, int]]] = {kind: [] for kind in MIX}
    kinds = list(MIX)
    for line in lines[1:]:
        kind, latency, status = (int(n) for n in line.split())
        samples[kinds[kind - 1]].append((latency, status))
    return duration / 1e6, socket_errors, samples


def report(
    seconds: float,
    socket_errors: dict[str, int],
    samples: dict[str, list[tuple[int, int]]],
    *,
    cpu: float,
    sessions: int,
    users: int,
    think_ms: int,
) -> Iterator[str]:
    everything = [sample for kind in MIX for sample in samples[kind]]
    yield f"{'':40} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'non-2xx':>7}"
    for label, part in [*((LABELS[k], samples[k]) for k in MIX), ("all", everything)]:
        f = figures(part, seconds)
        yield f"{label:40} {f.requests:>8} {f.rps:>7.1f} {f.p50:>7.1f} {f.p99:>7.1f} {f.errors:>7}"
    overall = figures(everything, seconds)
    statuses = Counter(status for _, status in everything if not 200 <= status < 300)
    if statuses:
        yield "non-2xx by status: " + ", ".join(f"{s} x{n}" for s, n in sorted(statuses.items()))
    yield "socket errors: " + ", ".join(f"{name} {n}" for name, n in socket_errors.items())
    yield f"server CPU (both workers): {cpu / max(overall.requests, 1) * 1000:.2f} ms per request"
    if not think_ms and overall.rps:
        yield (
            f"users / throughput: {users / overall.rps * 1000:.0f} ms, the mean latency any server gives "
            "users who never pause at this throughput (Little's law)"
        )
    yield f"PostgreSQL sessions opened while measuring: {sessions} (beyond the pools: connection churn)"
    failures = overall.errors + sum(socket_errors.values())
    yield f"target no errors: {'met' if failures == 0 else f'MISSED ({failures})'}"
    met = overall.p99 < P99_TARGET_MS
    yield f"target p99 under {P99_TARGET_MS:.0f} ms: {'met' if met else 'MISSED'} ({overall.p99:.1f} ms)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument(
        "--users", type=int, default=50, help="concurrent users (wrk threads and connections)"
    )
    parser.add_argument("--duration", type=int, default=60, help="seconds of measured load")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of load before measuring")
    parser.add_argument(
        "--think", type=int, default=THINK_MS, help="mean ms a user pauses between requests (0: none)"
    )
    parser.add_argument("--consultants", type=int, default=300, help="consultants added to the demo's 40")
    parser.add_argument("--cases", type=int, default=40, help="stored cases to shortlist for")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="a few seconds on tiny data (2 users for 1 s, no warm-up, 20 consultants, 5 cases) to show the "
        "bench works: its figures say nothing about the targets",
    )
    args = parser.parse_args()
    if args.smoke:
        args.users, args.duration, args.warmup, args.consultants, args.cases = 2, 1, 0, 20, 5
    if not args.server.startswith("postgresql"):
        parser.error("the load test runs on PostgreSQL: pass --server postgresql+psycopg://...")
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: on Debian, 'apt-get install wrk' (the load test drives wrk).")
    started = time.perf_counter()
    url, admin, name = throwaway_database(args.server)
    try:
        token, refs, listed = fill(url, consultants=args.consultants, cases=args.cases, seed=args.seed)
        mix = calls(random.Random(args.seed), refs=refs, consultants=listed, size=100 if args.smoke else 1000)
        print(
            f"database {name}: {listed} consultants (demo 40 + {args.consultants}), {len(refs)} cases; "
            f"loaded in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        port = free_port()
        server = start_server(url, port)
        base = f"http://127.0.0.1:{port}"
        try:
            checked = preflight(base, mix, token)
            print(f"{checked} distinct requests of the mix each answered 2xx once", flush=True)
            with tempfile.TemporaryDirectory(prefix="scr-load-") as tmp:
                output = Path(tmp) / "samples.txt"
                script = Path(tmp) / "load.lua"
                script.write_text(lua_script(mix, token=token, think_ms=args.think, output=output))
                if args.warmup:
                    wrk(base, script, users=args.users, seconds=args.warmup)
                load_before, cpu_before = os.getloadavg()[0], server_cpu(server.pid)
                sessions_before = sessions(admin, name)
                wrk(base, script, users=args.users, seconds=args.duration)
                cpu = server_cpu(server.pid) - cpu_before
                seconds, socket_errors, samples = read_results(output)
        finally:
            stop(server)
        opened = sessions(admin, name) - sessions_before  # the workers' exits flushed their counts
        shares = ", ".join(f"{kind} {share}%" for kind, share in MIX.items())
        think = (
            f"pausing {args.think // 2}-{args.think * 3 // 2} ms between requests"
            if args.think
            else "no pause"
        )
        print(
            f"wrk: {args.users} users (one connection each, {think}) for {args.duration} s after "
            f"{args.warmup} s warm-up; mix {shares}; 2 uvicorn workers; {os.cpu_count()} cores, load average "
            f"{load_before:.2f} before -> {os.getloadavg()[0]:.2f} after"
        )
        for line in report(
            seconds, socket_errors, samples, cpu=cpu, sessions=opened, users=args.users, think_ms=args.think
        ):
            print(line)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
