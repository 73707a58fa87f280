"""The replicas rig: `scr serve` processes on one database, and Debian's nginx in front of them.

nginx runs as a child of the test (``daemon off``), on a free loopback port, with its configuration, logs,
pid file and temporary paths in the test's own folder. It sends a request to replica A or B when the
request says so in ``X-Replica`` (to the two in turn when it does not), and names the replica that
answered in ``X-Upstream``, so the test can show that each request crossed to the replica it meant.
"""

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from server_process import free_port, wait_until_up

from bench._nginx import command, installed, main_config

REPO = Path(__file__).resolve().parents[2]
READY_TIMEOUT = 60.0  # seconds for a replica to migrate and answer /readyz on a loaded machine
# The rest of nginx's http block (``bench._nginx`` writes the whole configuration).
SITE = """
    upstream replica_a {{ server 127.0.0.1:{port_a}; }}
    upstream replica_b {{ server 127.0.0.1:{port_b}; }}
    upstream replicas {{ server 127.0.0.1:{port_a}; server 127.0.0.1:{port_b}; }}
    map $http_x_replica $replica {{ a replica_a; b replica_b; default replicas; }}

    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://$replica;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
"""


@dataclass
class Replica:
    """One `scr serve` process (one uvicorn worker) with its own environment."""

    name: str
    env: dict[str, str]
    folder: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def log(self) -> Path:
        return self.folder / f"replica-{self.name}.log"

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [sys.executable, "-m", "service.cli", "serve", "--host", "127.0.0.1"]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [*command, "--port", str(self.port)], cwd=REPO, env=self.env, stdout=log, stderr=log
            )

    def wait_ready(self) -> None:
        assert self.process is not None
        wait_until_up(self.process, f"http://{self.address}/readyz", self.log, timeout=READY_TIMEOUT)


@dataclass
class Proxy:
    """nginx in front of replicas A and B."""

    folder: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.folder / "error.log"

    def start(self, a: Replica, b: Replica) -> None:
        nginx = installed()
        if nginx is None:
            pytest.fail("nginx is not installed: apt-get install nginx (.ci/run does)")
        config = self.folder / "nginx.conf"
        site = SITE.format(port=self.port, port_a=a.port, port_b=b.port)
        config.write_text(
            main_config(self.folder, site, connections=256, access_log=f"{self.folder}/access.log")
        )
        with (self.folder / "nginx.out").open("ab") as out:
            self.process = subprocess.Popen(command(nginx, self.folder, config), stdout=out, stderr=out)
        wait_until_up(self.process, f"{self.url}/healthz", self.log, timeout=READY_TIMEOUT)


def replica_environment(database_url: str, **settings: str) -> dict[str, str]:
    """The test run's environment (its secret key among it, shared by both replicas), on ``database_url``,
    believing the proxy's forwarded headers, with ``settings`` added."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("SCR_SLACK")}
    return env | {
        "SCR_DATABASE_URL": database_url,
        "SCR_TRUSTED_PROXIES": "127.0.0.1",
        "PYTHONUNBUFFERED": "1",
        **settings,
    }
