"""The service as its own uvicorn process on 127.0.0.1, for the tests that need a real server (a crash, an
event loop held up): as deployed, one worker and one event loop, with no Slack settings and its output
appended to a log file."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(database_url: str, log: Path, *options: str, **env: str) -> tuple[subprocess.Popen[bytes], str]:
    """uvicorn serving the app on a free port, ``options`` added to its command line and ``env`` to its
    environment; the process and the service's base URL (``wait_until_up`` waits for it to answer)."""
    port = free_port()
    environment = {key: value for key, value in os.environ.items() if not key.startswith("SCR_SLACK")}
    environment |= {"SCR_DATABASE_URL": database_url, "PYTHONUNBUFFERED": "1", **env}
    command = [sys.executable, "-m", "uvicorn", "service.app:create_app", "--factory", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--log-level", "warning", *options]
    with log.open("ab") as out:
        process = subprocess.Popen(command, cwd=REPO, env=environment, stdout=out, stderr=out)
    return process, f"http://127.0.0.1:{port}"


def wait_until_up(process: subprocess.Popen[bytes], url: str, log: Path, *, timeout: float = 60) -> None:
    """Return once GET ``url`` answers 200; fail the test, with the log's end, if the process exits or
    ``timeout`` seconds (a loaded CI machine is slow to import) pass first."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    with httpx.Client(timeout=2) as http:  # one client: each new one loads the CA bundle again
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"the service exited with {process.returncode}:\n{log_tail(log)}")
            try:
                response = http.get(url)
                if response.status_code == 200:
                    return
                last = f"{response.status_code} {response.text}"
            except httpx.TransportError as error:
                last = type(error).__name__
            time.sleep(0.1)
    pytest.fail(f"{url} did not answer within {timeout:g}s (last: {last}):\n{log_tail(log)}")


def log_tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:] if log.exists() else ""


def stop(process: subprocess.Popen[bytes] | None, *, timeout: float = 15) -> None:
    """Ask it to shut down; kill it if it has not within ``timeout`` seconds (None: it never started)."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)
