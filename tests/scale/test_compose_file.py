"""The compose file runs the service as the replicas test runs it: a proxy in front of a `service` that
scales (`docker compose up --scale service=2`), on one PostgreSQL. No Docker daemon runs here, so CI
checks the file against the compose specification (.ci/run) and this test checks its shape, and that
nginx accepts the proxy's configuration."""

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


def test_the_service_scales_behind_a_proxy_with_no_host_port_of_its_own(compose: dict[str, Any]) -> None:
    services = compose["services"]
    service, proxy = services["service"], services["proxy"]
    assert "ports" not in service, "a fixed host port stops a second replica starting"
    assert "container_name" not in service, "a fixed container name stops a second replica starting"
    assert service["expose"] == ["8000"] and service["command"][-2:] == ["--port", "8000"]
    assert proxy["image"].startswith("nginx:")
    assert proxy["ports"] == ["${SCR_PORT:-8000}:80"]
    assert proxy["depends_on"]["service"]["condition"] == "service_healthy"
    [mounted] = proxy["configs"]
    assert mounted["target"] == "/etc/nginx/conf.d/default.conf"
    config = REPO / compose["configs"][mounted["source"]]["file"]
    assert "set $replicas http://service:8000;" in config.read_text()
    assert services["bot"]["environment"]["SCR_SERVICE_URL"] == "http://proxy"


def test_every_replica_shares_one_database_and_needs_the_secret_key(compose: dict[str, Any]) -> None:
    environment = compose["services"]["service"]["environment"]
    assert environment["SCR_DATABASE_URL"].startswith("postgresql+psycopg://scr:scr@db:5432/")
    assert environment["SCR_SECRET_KEY"].startswith("${SCR_SECRET_KEY:?")  # compose stops without it
    subnet = "${SCR_COMPOSE_SUBNET:-172.28.0.0/24}"
    assert environment["SCR_TRUSTED_PROXIES"] == subnet  # the proxy's network, and only it
    assert compose["networks"]["default"]["ipam"]["config"] == [{"subnet": subnet}]


def test_nginx_accepts_the_proxy_configuration(tmp_path: Path) -> None:
    """`nginx -t` on the file as the nginx image includes it, inside an http block."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.fail("nginx is not installed: apt-get install nginx (.ci/run does)")
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path}/nginx.pid;\nevents {{}}\nhttp {{\n"
        + "".join(
            f"    {kind}_temp_path {tmp_path}/{kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        + f"    include {REPO / 'docs/deploy/nginx.conf'};\n}}\n"
    )
    checked = subprocess.run(
        [nginx, "-t", "-q", "-p", str(tmp_path), "-c", str(main), "-e", "stderr"],
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    assert checked.returncode == 0, checked.stderr
