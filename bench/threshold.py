"""Benchmark: ``POST /api/v1/threshold`` against a hello-world route on the same server, in the same run.

Targets (issue 3): at least half the hello-world throughput; p99 under 20 ms at 16 concurrent clients;
``scr check`` under 0.5 s wall.

Starts one uvicorn worker on a free port of 127.0.0.1 serving the service's app with one extra route,
``GET /bench/hello`` (async, returns a small JSON object), so both routes share the app, its middleware
and the server settings. Drives it with ``wrk`` (``apt-get install wrk``) when installed, else with an
asyncio httpx client (which is itself the bottleneck on a small machine: the figures are then only
indicative). The threshold requests cycle through the valid cases of ``tests/unit/data/examples.json``
plus the catalogue's example, so the engine meets a realistic mix of known and unknown facts. The two
routes are measured in turns, twice each, and the medians compared. Because a shared machine's other
work skews throughput, each run also reports the server process's own CPU time per request (from
``/proc``), whose ratio is what the throughput ratio would be on an otherwise idle machine. Then
``scr check`` is timed. The requests carry no token, like an outsider's, so the server's rate limit for
such callers is raised out of their way: its bookkeeping is still measured, its refusals are not.

    .venv/bin/python bench/threshold.py [--seconds 10] [--connections 16] [--smoke]

``--smoke`` is a short run (1 s a measurement and a warm-up, one round, two ``scr check`` runs) that
shows the benchmark works; its figures are indicative only.

The load generator shares the machine's cores with the server; run it on a quiet machine.
"""

import argparse
import asyncio
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HELLO = "/bench/hello"
THRESHOLD = "/api/v1/threshold"
P99_TARGET_MS = 20.0
RATIO_TARGET = 0.5
CHECK_TARGET_S = 0.5
# The catalogue's example case (a case file as ``scr check`` reads one), shared with the terms tests.
CATALOGUE_EXAMPLE = json.loads((ROOT / "tests/unit/data/example_case.json").read_text())


def bench_app():  # type: ignore[no-untyped-def]
    """The service's app plus the hello-world route (a uvicorn factory)."""
    from service.app import create_app

    app = create_app()

    @app.get(HELLO)
    async def hello() -> dict[str, str]:
        return {"message": "hello, world"}

    return app


def bodies() -> list[str]:
    examples = json.loads((ROOT / "tests/unit/data/examples.json").read_text())
    cases = [e["features"] for e in examples if not e.get("error")] + [CATALOGUE_EXAMPLE]
    return [json.dumps({"features": case}) for case in cases]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(port: int, database: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "SCR_DATABASE_URL": f"sqlite:///{database}",
        "SCR_SECRET_KEY": secrets.token_urlsafe(48),
        "SCR_PUBLIC_RATE_PER_MINUTE": str(10**9),
    }
    server = subprocess.Popen(
        [
            *(
                sys.executable,
                "-m",
                "uvicorn",
                "bench.threshold:bench_app",
                "--factory",
                "--host",
                "127.0.0.1",
            ),
            *("--port", str(port), "--workers", "1", "--no-access-log", "--log-level", "warning"),
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("uvicorn did not start within 30 s")


def wrk(url: str, *, seconds: int, connections: int, script: Path | None) -> dict[str, Any]:
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        *(["-s", str(script)] if script else []),
    ]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    units = {"us": 0.001, "ms": 1.0, "s": 1000.0}

    def latency(label: str) -> float:
        value, unit = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()  # type: ignore[union-attr]
        return float(value) * units[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "requests": requests,
        "p50": latency("50%"),
        "p99": latency("99%"),
        "errors": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


def wrk_script(payloads: list[str], folder: Path) -> Path:
    """A wrk script that POSTs the payloads in turn."""
    lua = folder / "threshold.lua"
    items = ",\n".join(f"[==[{body}]==]" for body in payloads)
    lua.write_text(
        'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
        f"local bodies = {{\n{items}\n}}\nlocal n = 0\n"
        "request = function()\n  n = n % #bodies + 1\n  return wrk.format(nil, nil, nil, bodies[n])\nend\n"
    )
    return lua


async def httpx_load(
    url: str, *, seconds: int, connections: int, payloads: list[str] | None
) -> dict[str, Any]:
    import httpx

    latencies: list[float] = []
    errors = 0
    stop = time.monotonic() + seconds

    async def client(index: int) -> None:
        nonlocal errors
        async with httpx.AsyncClient(timeout=10) as http:
            n = index
            while time.monotonic() < stop:
                start = time.perf_counter()
                if payloads is None:
                    response = await http.get(url)
                else:
                    n += 1
                    body = payloads[n % len(payloads)]
                    response = await http.post(
                        url, content=body, headers={"Content-Type": "application/json"}
                    )
                latencies.append((time.perf_counter() - start) * 1000)
                errors += response.status_code != 200

    started = time.monotonic()
    await asyncio.gather(*(client(i) for i in range(connections)))
    ordered = sorted(latencies)
    return {
        "rps": len(ordered) / (time.monotonic() - started),
        "requests": len(ordered),
        "p50": ordered[len(ordered) // 2],
        "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
        "errors": errors,
        "socket_errors": "",
    }


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(
    server: int,
    base: str,
    path: str,
    *,
    seconds: int,
    connections: int,
    payloads: list[str] | None,
    folder: Path,
) -> dict[str, Any]:
    """One run against ``path``, with the server process's CPU time per request."""
    before = cpu_seconds(server)
    if shutil.which("wrk"):
        script = wrk_script(payloads, folder) if payloads else None
        result = wrk(base + path, seconds=seconds, connections=connections, script=script)
    else:
        result = asyncio.run(
            httpx_load(base + path, seconds=seconds, connections=connections, payloads=payloads)
        )
    result["cpu_us"] = (cpu_seconds(server) - before) / max(result["requests"], 1) * 1e6
    return result


def time_check(folder: Path, runs: int = 5) -> list[float]:
    case = folder / "case.json"
    case.write_text(json.dumps(CATALOGUE_EXAMPLE))
    scr = Path(sys.executable).with_name("scr")
    walls = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([str(scr), "check", str(case), "--format", "json"], capture_output=True, check=True)
        walls.append(time.perf_counter() - start)
    return walls


def line(name: str, result: dict[str, Any]) -> str:
    errors = f", {result['errors']} non-2xx" if result["errors"] else ""
    socket_errors = f", socket errors: {result['socket_errors']}" if result["socket_errors"] else ""
    figures = (
        f"{result['rps']:>8.0f} req/s  p50 {result['p50']:6.2f} ms  p99 {result['p99']:6.2f} ms  "
        f"server CPU {result['cpu_us']:5.0f} us/request"
    )
    return f"  {name:<28} {figures}{errors}{socket_errors}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=10, help="length of each measurement")
    parser.add_argument("--connections", type=int, default=16, help="concurrent clients")
    parser.add_argument("--rounds", type=int, default=2, help="measurements of each route, taken in turns")
    parser.add_argument("--smoke", action="store_true", help="a short run: 1 s a measurement, one round")
    args = parser.parse_args()
    warmup, checks = 2, 5
    if args.smoke:
        args.seconds, args.rounds, warmup, checks = 1, 1, 1, 2
    payloads = bodies()
    driver = "wrk -t2" if shutil.which("wrk") else "httpx (client-bound: indicative only)"
    print(
        f"load: {driver}, {args.connections} connections, {args.seconds} s a run, {args.rounds} runs a route"
    )
    print(
        f"threshold payloads: {len(payloads)} cases in turn; {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.2f} (other processes compete for the cores)"
    )
    with tempfile.TemporaryDirectory(prefix="scr-bench-") as tmp:
        folder = Path(tmp)
        port = free_port()
        server = start_server(port, folder / "bench.db")
        base = f"http://127.0.0.1:{port}"
        try:
            for path, warm in ((THRESHOLD, payloads), (HELLO, None)):
                measure(
                    server.pid,
                    base,
                    path,
                    seconds=warmup,
                    connections=args.connections,
                    payloads=warm,
                    folder=folder,
                )
            runs: dict[str, list[dict[str, Any]]] = {HELLO: [], THRESHOLD: []}
            for _ in range(args.rounds):
                for path in (HELLO, THRESHOLD):
                    result = measure(
                        server.pid,
                        base,
                        path,
                        seconds=args.seconds,
                        connections=args.connections,
                        payloads=payloads if path == THRESHOLD else None,
                        folder=folder,
                    )
                    runs[path].append(result)
                    print(line(("POST " if path == THRESHOLD else "GET ") + path, result))
        finally:
            server.terminate()
            server.wait(timeout=10)
        hello = statistics.median(r["rps"] for r in runs[HELLO])
        threshold = statistics.median(r["rps"] for r in runs[THRESHOLD])
        p99 = max(r["p99"] for r in runs[THRESHOLD])
        ratio = threshold / hello
        cpu_ratio = statistics.median(r["cpu_us"] for r in runs[HELLO]) / statistics.median(
            r["cpu_us"] for r in runs[THRESHOLD]
        )
        print(f"median throughput: threshold {threshold:.0f} req/s, hello-world {hello:.0f} req/s")
        print(
            f"ratio threshold / hello-world: {ratio:.2f} (target >= {RATIO_TARGET}) "
            + ("ok" if ratio >= RATIO_TARGET else "MISSED")
        )
        print(
            f"server CPU per request, hello-world / threshold: {cpu_ratio:.2f} (the ratio on an idle machine)"
        )
        print(
            f"worst threshold p99: {p99:.2f} ms (target < {P99_TARGET_MS:.0f} ms) "
            + ("ok" if p99 < P99_TARGET_MS else "MISSED")
        )
        walls = time_check(folder, runs=checks)
        wall = statistics.median(walls)
        print(
            f"scr check wall: median {wall:.3f} s, max {max(walls):.3f} s over {len(walls)} runs "
            f"(target < {CHECK_TARGET_S} s) {'ok' if wall < CHECK_TARGET_S else 'MISSED'}"
        )


if __name__ == "__main__":
    sys.path[0] = str(ROOT)  # run as a script: import the service from the repository
    main()
