"""Debian's nginx as a child process kept in one folder: the load test's proxy (``bench._replicas``) and the
replicas test rig (``tests/scale/replica_rig.py``) run it the same way, so it is written once, here.

nginx stays in the foreground (``daemon off``) as a child of whoever starts it, and keeps its pid file, logs
and temporary paths in that folder; nothing is buffered to disk, so its workers need no folder of their own
whoever runs it.
"""

import shutil
from pathlib import Path

MAIN = """\
daemon off;
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections {connections}; }}
http {{
    access_log {access_log};
    client_body_temp_path {root}/client_body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    client_body_buffer_size 1m;
    proxy_max_temp_file_size 0;
{http}}}
"""


def installed() -> str | None:
    """nginx's path, or None when it is not installed (``apt-get install nginx``)."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    return nginx if Path(nginx).exists() else None


def main_config(root: Path, http: str, *, connections: int = 1024, access_log: str = "off") -> str:
    """nginx's whole configuration, kept in ``root``, with ``http`` (indented lines) ending its http block."""
    return MAIN.format(root=root, http=http, connections=connections, access_log=access_log)


def command(nginx: str, root: Path, config: Path) -> list[str]:
    """The command that runs ``nginx`` with ``config``, its prefix and error log in ``root``."""
    return [nginx, "-p", str(root), "-c", str(config), "-e", str(root / "error.log")]
