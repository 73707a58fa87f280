"""How fast the bot acknowledges slash commands: 20 concurrent signed ``/scr`` commands, p50 and p99.

Slack gives an app 3 s to acknowledge; the target here is p99 under 300 ms. The service runs under
uvicorn in its own process with the bot mounted (HTTP mode), on a throwaway database: SQLite, or a
database of its own on the PostgreSQL server SCR_DATABASE_URL names (dropped afterwards). The bot's Web
API calls go to the loopback stand-in the tests use, so the work done after each acknowledgement
(checking the user, fetching the catalogue, opening the modal) competes with the acknowledgements as it
would in production.

    .venv/bin/python bench/slack.py [--rounds 10] [--concurrency 20] [--command check] [--smoke]

``--smoke`` sends 2 rounds of 5, to show the benchmark works in seconds; its figures are indicative only.
"""

import asyncio
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "slack")]

from slack_standin import TEAM, SlackStandIn, sign  # noqa: E402

from bench import _cli as cli  # noqa: E402

SECRET = "bench-signing-secret"
USER = "U0BENCHCHAIR"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _throwaway_database(server: str) -> tuple[str, Callable[[], None]]:
    """A new, empty database (on the PostgreSQL server ``server`` names, else SQLite) and its removal."""
    if not server.startswith("postgresql"):
        return f"sqlite:///{tempfile.mkdtemp(prefix='scr-bench-')}/bench.db", lambda: None
    from sqlalchemy import create_engine, make_url, text

    name = f"scr_bench_{os.getpid()}"
    admin = create_engine(make_url(server), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        from service.db import get_engine

        get_engine().dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    return make_url(server).set(database=name).render_as_string(hide_password=False), drop


def _prepare_database(url: str) -> tuple[str, str]:
    """Migrate, add the bot's service user and a chair linked to the bench's Slack user; the bot token."""
    os.environ["SCR_DATABASE_URL"] = url
    from sqlmodel import Session

    from commissioning import partnerships
    from service.db import get_engine
    from service.migrate import upgrade
    from service.models import Role
    from service.users import add_user

    upgrade(url)
    suffix = str(int(time.time() * 1000))
    with Session(get_engine()) as session:
        letters = "".join(chr(ord("A") + int(digit)) for digit in suffix[-5:])
        partnerships.add_partnership(
            session, name=f"Bench partnership {suffix}", prefix=f"B{letters}", areas=[], actor="bench"
        )
        _, token = add_user(session, email=f"bot-{suffix}@bench.example.org", role=Role.bot, actor="bench")
        add_user(
            session,
            email=f"chair-{suffix}@bench.example.org",
            role=Role.chair,
            actor="bench",
            slack_user_id=f"{USER}{suffix[-6:]}",
            partnership=f"B{letters}",
        )
        session.commit()
    return token, f"{USER}{suffix[-6:]}"


def _command(text: str, *, user: str, trigger_id: str, response_url: str) -> str:
    return urlencode(
        {
            "team_id": TEAM,
            "channel_id": "C0BENCH",
            "user_id": user,
            "command": "/scr",
            "text": text,
            "response_url": response_url,
            "trigger_id": trigger_id,
        }
    )


async def _one(http: httpx.AsyncClient, url: str, body: str) -> float:
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body, secret=SECRET)}
    started = time.perf_counter()
    response = await http.post(url, content=body, headers=headers)
    elapsed = time.perf_counter() - started
    response.raise_for_status()
    return elapsed


async def _run(
    url: str, *, user: str, text: str, rounds: int, concurrency: int, standin: SlackStandIn
) -> list[float]:
    times: list[float] = []
    async with httpx.AsyncClient(timeout=10, limits=httpx.Limits(max_connections=concurrency)) as http:
        for round_ in range(rounds + 1):  # round 0 warms up and is not counted
            bodies = []
            for _ in range(concurrency):
                trigger, hook = standin.mint_trigger(), standin.response_url("bench")
                bodies.append(_command(text, user=user, trigger_id=trigger, response_url=hook))
            got = await asyncio.gather(*(_one(http, url, body) for body in bodies))
            if round_:
                times.extend(got)
            standin.settle(0.2)
    return times


def main() -> None:
    parser = cli.options(__doc__, smoke="2 rounds of 5 commands", rounds=10, concurrency=20)
    parser.add_argument("--command", default="check", help="the /scr text to send, e.g. 'check' or 'help'")
    args = cli.parse(parser, smoke={"rounds": 2, "concurrency": 5})

    url, drop = _throwaway_database(os.environ.get("SCR_DATABASE_URL", ""))
    token, user = _prepare_database(url)
    standin = SlackStandIn().start()
    port = _free_port()
    env = {
        **os.environ,
        "SCR_DATABASE_URL": url,
        "SCR_SECRET_KEY": secrets.token_urlsafe(48),
        "SCR_SLACK_BOT_TOKEN": "xoxb-bench",
        "SCR_SLACK_SIGNING_SECRET": SECRET,
        "SCR_SLACK_API_URL": standin.api_url,
        "SCR_BOT_API_TOKEN": token,
        "SCR_SLACK_REMINDER_INTERVAL_SECONDS": "0",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "service.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("the service did not start")
            time.sleep(0.1)
        times = asyncio.run(
            _run(
                f"{base}/slack/events",
                user=user,
                text=args.command,
                rounds=args.rounds,
                concurrency=args.concurrency,
                standin=standin,
            )
        )
    finally:
        server.terminate()
        server.wait(10)
        standin.stop()
        drop()
    ms = sorted(t * 1000 for t in times)
    p99 = ms[min(len(ms) - 1, round(0.99 * (len(ms) - 1)))]
    made = Counter(call.method for call in standin.calls)
    print(
        f"/scr {args.command}: {len(ms)} acknowledgements, "
        f"{args.concurrency} concurrent x {args.rounds} rounds"
    )
    print(f"p50 {statistics.median(ms):.1f} ms  p99 {p99:.1f} ms  max {ms[-1]:.1f} ms  (target p99 < 300 ms)")
    print(f"Web API calls made after the acks: {dict(made)}")
    print(f"refused by Slack's rules: {dict(Counter(call.method for call in standin.refusals))}")
    print(f"database: {url.split('://')[0]}")


if __name__ == "__main__":
    main()
