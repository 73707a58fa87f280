"""Load test: concurrent users on two service processes behind nginx over PostgreSQL, mixing the service's
busiest reads.

Targets (issue 18; the same mix for 60 s):

- 50 users who never pause: p99 under 250 ms over all requests and for the shortlist, under 50 ms for
  the threshold check;
- with ``--think 1000`` (each user pauses 0.5-1.5 s): p99 under 100 ms for every kind of request;
- always: no errors (no non-2xx answers, no socket errors), and no PostgreSQL sessions opened beyond the
  processes' pools while measuring (connection churn).

Each target is printed as met or missed. So is the same server's ``GET /healthz`` throughput, measured
in the same run with the same users never pausing, and each throughput's ratio to it: the headroom left
between what a route costs and what the server, wrk and the machine can do at all.

Creates a throwaway database on the PostgreSQL server ``--server`` names (dropped at the end, whatever
happens), migrates it and fills it (``bench._load_mix``): the demo registry (``service/demo.py``: 30
agencies, 40 consultants, three partnerships and their people) with a commissioner of all three
partnerships, ``--consultants`` more consultants shaped like it (engagements with the demo agencies,
review records; a few on commissions) and ``--cases`` stored cases in the partnerships' areas, recorded
through the same function as ``POST /api/v1/cases``. Then it serves the database as
``docs/deploy/nginx-replicas.conf`` documents (``bench._replicas``): ``--replicas`` (2) single-worker
``scr serve`` processes on free ports of 127.0.0.1 behind Debian's nginx, which sends each request to the
process with the fewest in hand (so long-lived connections cannot leave one process queueing while
another idles, as one listening socket shared by uvicorn's ``--workers`` does). Once each answers
``/readyz``, it sends every distinct request of the mix once (any non-2xx stops the run: the mix must be
valid, so an error under load is the load's doing), warms up, and drives nginx with ``wrk`` (Debian
package ``wrk``; ``bench._wrk``), one thread and one connection per user, each user cycling from its own
place through a shuffled mix with the commissioner's token:

- ``POST /api/v1/threshold`` with varied case features (the threshold benchmark's cases and cases
  like the stored ones; the token keeps them clear of the public routes' rate limit for callers
  without one),
- ``GET /api/v1/cases/{ref}/shortlist`` for the stored cases,
- ``GET /api/v1/consultants`` with filters (status, specialism, area, language, name, expiring checks),
- ``GET /api/v1/consultants/{id}``.

By default a user sends the next request as soon as the last is answered, as wrk does; then the mean
latency is simply users / throughput (Little's law), so a p99 under 250 ms needs well over 200 req/s
from 50 users. ``--think MS`` makes each user pause 0.5-1.5 times MS between requests, as people do.

The CPU time per request of the processes and of nginx comes from ``/proc``; the connections PostgreSQL
accepted while measuring from ``pg_stat_database``, beside the room the pools had left (each process
keeps ``SCR_DB_POOL_SIZE`` connections).

    .venv/bin/python -m bench.load [--users 50] [--duration 60] [--think 0] [--replicas 2]
        [--server postgresql+psycopg://postgres@127.0.0.1:5432/test] [--smoke]

``--smoke`` (2 users for 1 s on 20 more consultants and 5 cases) shows in seconds that the bench works;
its figures say nothing about the targets.

wrk, nginx, the service and PostgreSQL share the machine's cores: run it on a quiet machine.
"""

import argparse
import os
import random
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import httpx
from sqlalchemy import Engine, create_engine, make_url, text

from bench._load_mix import MIX, calls, fill
from bench._replicas import cluster
from bench._wrk import Call, Figures, figures, lua_script, read_results, wrk

REPLICAS = 2
THINK_MS = 0
LABELS = {
    "threshold": "POST /api/v1/threshold",
    "shortlist": "GET  /api/v1/cases/{ref}/shortlist",
    "consultants": "GET  /api/v1/consultants?filters",
    "consultant": "GET  /api/v1/consultants/{id}",
}
HEALTH = "health"
# Targets: p99 in ms by kind ("all" over every request) for users who never pause, and for users who do.
BUSY_P99_MS = {"all": 250.0, "shortlist": 250.0, "threshold": 50.0}
THINKING_P99_MS = 100.0


# Running ---------------------------------------------------------------------------------------


def throwaway_database(server: str) -> tuple[str, Engine, str]:
    """A new database on ``server``: its URL, an engine on the server to drop it with, and its name."""
    name = f"scr_load_{os.getpid()}"
    admin = create_engine(make_url(server), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    return make_url(server).set(database=name).render_as_string(hide_password=False), admin, name


def sessions(admin: Engine, name: str) -> int:
    """Connections PostgreSQL has accepted to database ``name`` so far."""
    with admin.connect() as connection:
        query = text("SELECT sessions FROM pg_stat_database WHERE datname = :name")
        return connection.execute(query, {"name": name}).scalar_one()


def open_sessions(admin: Engine, name: str) -> int:
    """Connections to database ``name`` open now."""
    with admin.connect() as connection:
        query = text("SELECT count(*) FROM pg_stat_activity WHERE datname = :name")
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


@dataclass(frozen=True)
class Run:
    """What one measured run found: seconds, wrk's socket errors and each kind's (microseconds, status)."""

    seconds: float
    socket_errors: dict[str, int]
    samples: dict[str, list[tuple[int, int]]]


def drive(
    base: str, mix: list[Call], *, kinds: list[str], token: str, users: int, seconds: int, think: int
) -> Run:
    """``users`` wrk users walking ``mix`` for ``seconds``; what they met."""
    with tempfile.TemporaryDirectory(prefix="scr-load-") as tmp:
        output, script = Path(tmp) / "samples.txt", Path(tmp) / "load.lua"
        script.write_text(lua_script(mix, kinds=kinds, token=token, think_ms=think, output=output))
        wrk(base, script, users=users, seconds=seconds)
        return Run(*read_results(output, kinds))


@dataclass(frozen=True)
class Pools:
    """PostgreSQL sessions opened while measuring, and the room the pools had left for them."""

    opened: int
    room: int

    @property
    def beyond(self) -> int:
        return max(0, self.opened - self.room)


@dataclass(frozen=True)
class Cpu:
    """CPU seconds used by each replica, and by nginx."""

    replicas: list[float]
    proxy: float


def report(run: Run, health: Figures, *, cpu: Cpu, pools: Pools, users: int, think_ms: int) -> Iterator[str]:
    everything = [sample for kind in MIX for sample in run.samples[kind]]
    rows = {
        **{kind: figures(run.samples[kind], run.seconds) for kind in MIX},
        "all": figures(everything, run.seconds),
    }
    columns = ("requests", "req/s", "of /healthz", "p50 ms", "p99 ms", "non-2xx")
    yield f"{'':40} " + " ".join(f"{name:>{len(name) if len(name) > 7 else 7}}" for name in columns)
    for kind, f in rows.items():
        share = f.rps / health.rps if health.rps else 0.0
        yield (
            f"{LABELS.get(kind, kind):40} {f.requests:>8} {f.rps:>7.1f} {share:>11.3f} {f.p50:>7.1f} "
            f"{f.p99:>7.1f} {f.errors:>7}"
        )
    yield (
        f"{'GET  /healthz (same server and users)':40} {health.requests:>8} {health.rps:>7.1f} {1:>11.3f} "
        f"{health.p50:>7.1f} {health.p99:>7.1f} {health.errors:>7}"
    )
    overall = rows["all"]
    statuses = Counter(status for _, status in everything if not 200 <= status < 300)
    if statuses:
        yield "non-2xx by status: " + ", ".join(f"{s} x{n}" for s, n in sorted(statuses.items()))
    yield "socket errors: " + ", ".join(f"{name} {n}" for name, n in run.socket_errors.items())
    per_request = 1000 / max(overall.requests, 1)
    yield (
        f"server CPU: {sum(cpu.replicas) * per_request:.2f} ms per request in the replicas (each used "
        + ", ".join(f"{seconds:.1f}" for seconds in cpu.replicas)
        + f" s), {cpu.proxy * per_request:.2f} ms in nginx"
    )
    if not think_ms and overall.rps:
        yield (
            f"users / throughput: {users / overall.rps * 1000:.0f} ms, the mean latency any server gives "
            "users who never pause at this throughput (Little's law)"
        )
    yield (
        f"PostgreSQL sessions opened while measuring: {pools.opened} (the pools had room for {pools.room} "
        f"more); beyond the pools: {pools.beyond}"
    )
    failures = overall.errors + sum(run.socket_errors.values())
    yield _target("no errors", failures == 0, f"{failures} errors")
    yield _target("no PostgreSQL sessions beyond the pools", pools.beyond == 0, f"{pools.beyond} beyond")
    if think_ms:
        for kind, f in rows.items():
            yield _target(
                f"{_named(kind)} p99 under {THINKING_P99_MS:.0f} ms",
                f.p99 < THINKING_P99_MS,
                f"{f.p99:.1f} ms",
            )
    else:
        for kind, limit in BUSY_P99_MS.items():
            p99 = rows[kind].p99
            yield _target(f"{_named(kind)} p99 under {limit:.0f} ms", p99 < limit, f"{p99:.1f} ms")


def _named(kind: str) -> str:
    return "overall" if kind == "all" else kind


def _target(what: str, met: bool, figure: str) -> str:
    return f"target {what}: {'met' if met else 'MISSED'} ({figure})"


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
    parser.add_argument(
        "--replicas", type=int, default=REPLICAS, help="single-worker scr serve processes behind nginx"
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
    from service.settings import Settings

    pool_size = Settings().db_pool_size  # what the replicas read from the same environment
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
        kinds = list(MIX)
        with cluster(url, replicas=args.replicas) as served:
            base = served.url
            checked = preflight(base, mix, token)
            print(f"{checked} distinct requests of the mix each answered 2xx once", flush=True)
            # The warm-up and the measured run drive the same users over the same mix.
            drive_mix = partial(
                drive, base, mix, kinds=kinds, token=token, users=args.users, think=args.think
            )
            if args.warmup:
                drive_mix(seconds=args.warmup)
            load_before = os.getloadavg()[0]
            cpu_before = Cpu(served.replicas_cpu(), served.proxy_cpu())
            sessions_before = sessions(admin, name)
            room = args.replicas * pool_size - open_sessions(admin, name)
            run = drive_mix(seconds=args.duration)
            cpu = Cpu(
                [
                    now - before
                    for now, before in zip(served.replicas_cpu(), cpu_before.replicas, strict=True)
                ],
                served.proxy_cpu() - cpu_before.proxy,
            )
            load_after = os.getloadavg()[0]
            health_seconds = max(1, min(10, args.duration // 6))
            health_run = drive(
                base,
                [Call(HEALTH, "GET", "/healthz")],
                kinds=[HEALTH],
                token=token,
                users=args.users,
                seconds=health_seconds,
                think=0,
            )
            health = figures(health_run.samples[HEALTH], health_run.seconds)
        # The replicas' exits flushed their counts.
        pools = Pools(sessions(admin, name) - sessions_before, room)
        shares = ", ".join(f"{kind} {share}%" for kind, share in MIX.items())
        think = (
            f"pausing {args.think // 2}-{args.think * 3 // 2} ms between requests"
            if args.think
            else "no pause"
        )
        print(
            f"wrk: {args.users} users (one connection each, {think}) for {args.duration} s after "
            f"{args.warmup} s warm-up; mix {shares}; nginx (least_conn) in front of {args.replicas} "
            f"single-worker scr serve processes with {pool_size} PostgreSQL connections each; "
            f"{os.cpu_count()} cores, load average {load_before:.2f} before -> "
            f"{load_after:.2f} after; then /healthz for {health_seconds} s, users never pausing"
        )
        for line in report(run, health, cpu=cpu, pools=pools, users=args.users, think_ms=args.think):
            print(line)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
