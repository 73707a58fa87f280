"""Every benchmark in bench/ runs in its ``--smoke`` mode, so none can break unseen between hand runs.

The benchmarks are found by listing bench/, so a new one is run without anyone adding it here (a module
whose name starts with an underscore is a helper they share, not a benchmark). Each runs
as a module from the repository root, as the README tells people to run them, with no secret key in its
environment (each must make its own, as the service refuses to start without one) and must exit 0
having printed figures. A benchmark that takes ``--server`` measures on PostgreSQL: it is given the run's
server, makes a database of its own there and drops it, and is skipped on SQLite runs. Tools a benchmark
needs (``wrk``) must be installed: a missing one fails the run with the benchmark's message.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCHES = sorted(path for path in (ROOT / "bench").glob("*.py") if not path.stem.startswith("_"))
TIMEOUT_S = 180  # each smoke run takes seconds; this only stops a hung one
FIGURE = re.compile(r"\d ms\b")  # every benchmark reports some latency in milliseconds


def needs_postgresql(bench: Path) -> bool:
    """A benchmark that takes ``--server`` builds its data on a PostgreSQL server."""
    return '"--server"' in bench.read_text()


def smoke_params() -> list[object]:
    postgres_only = [pytest.mark.postgres_only]
    return [
        pytest.param(bench, id=bench.stem, marks=postgres_only if needs_postgresql(bench) else [])
        for bench in BENCHES
    ]


def test_the_benchmarks_are_found() -> None:
    expected = {"briefing", "chronology", "load", "registry", "shortlist", "slack", "terms", "threshold"}
    assert expected <= {b.stem for b in BENCHES}


@pytest.mark.parametrize("bench", smoke_params())
def test_a_benchmark_runs_in_smoke_mode_and_prints_its_figures(bench: Path, database_url: str) -> None:
    env = {name: value for name, value in os.environ.items() if name != "SCR_SECRET_KEY"}
    env["SCR_DATABASE_URL"] = database_url  # bench.slack makes its database beside the run's
    server = ["--server", database_url] if needs_postgresql(bench) else []
    run = subprocess.run(
        [sys.executable, "-m", f"bench.{bench.stem}", "--smoke", *server],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
    )
    output = f"stdout:\n{run.stdout}\nstderr:\n{run.stderr}"
    assert run.returncode == 0, output
    assert FIGURE.search(run.stdout), output
