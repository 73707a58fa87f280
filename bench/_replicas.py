"""The load test's server, in the shape ``docs/deploy/nginx-replicas.conf`` documents: several single-worker
``scr serve`` processes on one database behind Debian's nginx, which balances each request (least_conn)
over connections it keeps open to them.

nginx runs as a child of the bench (``daemon off``) with its configuration, pid file and temporary paths in
the bench's own folder; the documented file is included as it is, with the bench's ports put in place of
its example ones, so the bench measures what the documentation tells people to run.
"""

import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench._nginx import command, installed, main_config
from bench.threshold import cpu_seconds, free_port

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTED = ROOT / "docs" / "deploy" / "nginx-replicas.conf"
READY_S = 60


@dataclass(frozen=True)
class Cluster:
    """The replicas and nginx in front of them: where to send requests, and the processes to count."""

    url: str
    replicas: list[subprocess.Popen[bytes]]
    proxy: subprocess.Popen[bytes]

    def replicas_cpu(self) -> list[float]:
        """CPU seconds each replica has used so far."""
        return [cpu_seconds(replica.pid) for replica in self.replicas]

    def proxy_cpu(self) -> float:
        """CPU seconds nginx (its master and worker) has used so far."""
        pid = self.proxy.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return sum(cpu_seconds(p) for p in [pid, *map(int, children)])


def site(documented: str, *, port: int, upstreams: list[int]) -> str:
    """The documented site with the bench's listening port and upstream ports in place of its examples."""
    example = re.compile(r"^( *)server 127\.0\.0\.1:\d+;\n", re.MULTILINE)
    indent = example.search(documented)
    if indent is None or "listen 80;" not in documented:
        raise SystemExit(f"{DOCUMENTED.name} no longer has the example lines the bench replaces.")
    servers = "".join(f"{indent.group(1)}server 127.0.0.1:{p};\n" for p in upstreams)
    replaced = example.sub("", documented)
    replaced = replaced[: indent.start()] + servers + replaced[indent.start() :]
    return replaced.replace("listen 80;", f"listen 127.0.0.1:{port};")


@contextmanager
def cluster(url: str, *, replicas: int) -> Iterator[Cluster]:
    """``replicas`` ``scr serve`` processes on the database at ``url`` behind nginx, all answering
    ``/readyz``; stopped afterwards, whatever happens."""
    nginx = installed()
    if nginx is None:
        raise SystemExit(
            "nginx is not installed: on Debian, 'apt-get install nginx' (the load test's proxy)."
        )
    env = {
        **os.environ,
        "SCR_DATABASE_URL": url,
        "SCR_SECRET_KEY": secrets.token_urlsafe(48),  # shared: a token works on every replica
        "SCR_TRUSTED_PROXIES": "127.0.0.1",
        "SCR_LOG_LEVEL": "WARNING",  # no line for each request: nginx could keep those
    }
    ports = [free_port() for _ in range(replicas)]
    processes: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory(prefix="scr-load-proxy-") as made:
        folder = Path(made)
        try:
            for port in ports:
                serve = (sys.executable, "-m", "service.cli", "serve", "--host", "127.0.0.1")
                processes.append(subprocess.Popen([*serve, "--port", str(port)], cwd=ROOT, env=env))
            for port, process in zip(ports, processes, strict=True):
                _wait_ready(process, f"http://127.0.0.1:{port}/readyz", "a replica")
            proxy_port = free_port()
            (folder / "site.conf").write_text(site(DOCUMENTED.read_text(), port=proxy_port, upstreams=ports))
            config = folder / "nginx.conf"
            config.write_text(main_config(folder, f"    include {folder / 'site.conf'};\n"))
            processes.append(subprocess.Popen(command(nginx, folder, config)))
            proxy_url = f"http://127.0.0.1:{proxy_port}"
            _wait_ready(processes[-1], f"{proxy_url}/readyz", "nginx")
            yield Cluster(proxy_url, processes[:-1], processes[-1])
        finally:
            for process in processes:
                stop(process)


def _wait_ready(process: subprocess.Popen[bytes], url: str, what: str) -> None:
    deadline = time.monotonic() + READY_S
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{what} did not answer {url} within {READY_S} s (see its log above).")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
