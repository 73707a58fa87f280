"""Running the service: its schema, the server, and the demo data it can start with."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from service.cli.common import fail, unit_of_work

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
demo_app = typer.Typer(help="Invented demo data.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration to the configured database."""
    from service.migrate import upgrade
    from service.settings import get_settings

    upgrade(get_settings().database_url)
    typer.echo("Database schema is up to date.")


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
    demo: Annotated[
        bool, typer.Option("--demo", help="Load the demo data first if the registry is empty; print tokens.")
    ] = False,
) -> None:
    """Migrate the database, then serve the API, admin pages and Slack endpoint.

    Forwarded headers (the client's address and scheme) are believed only from ``SCR_TRUSTED_PROXIES``.
    Uvicorn logs as the service does (``service.logs``); with several workers, their metrics are added
    up in ``PROMETHEUS_MULTIPROC_DIR`` (a temporary folder for the run unless set).
    """
    import os
    import secrets

    import uvicorn

    from service import logs
    from service.migrate import upgrade
    from service.settings import InsecureSecretKey, check_secret_key, get_settings

    try:
        check_secret_key(get_settings())
    except InsecureSecretKey as error:
        if not demo:
            raise fail(str(error)) from None
        # Set before the server starts, so every worker of this run shares it.
        os.environ["SCR_SECRET_KEY"] = secrets.token_urlsafe(48)
        get_settings.cache_clear()
        typer.echo("Demo: using a random secret key for this run; its sessions end when it stops.", err=True)
    settings = get_settings()
    upgrade(settings.database_url)
    if demo:
        _load_demo(skip_if_loaded=True)
    with _metrics_shared(workers):
        uvicorn.run(
            "service.app:served_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            proxy_headers=bool(settings.trusted_proxies),
            forwarded_allow_ips=settings.trusted_proxies,
            log_config=logs.uvicorn_config(level=settings.log_level, fmt=settings.log_format),
        )


MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"  # read by prometheus_client when each worker imports it


@contextmanager
def _metrics_shared(workers: int) -> Iterator[None]:
    """prometheus_client's multiprocess mode, so /metrics adds up every worker's figures whichever one
    answers: in ``PROMETHEUS_MULTIPROC_DIR`` if set, else (with more than one worker) in a temporary
    folder removed afterwards. A previous run's figures are cleared first, as prometheus_client asks."""
    import os
    import tempfile

    folder = os.environ.get(MULTIPROCESS_DIR)
    if folder:
        for stale in Path(folder).glob("*.db"):
            stale.unlink()
        yield
        return
    if workers <= 1:
        yield
        return
    with tempfile.TemporaryDirectory(prefix="scr-metrics-") as made:
        os.environ[MULTIPROCESS_DIR] = made
        try:
            yield
        finally:
            del os.environ[MULTIPROCESS_DIR]


@demo_app.command("load")
def demo_load() -> None:
    """Load the invented demo registry, three partnerships, their people and cases into an empty service;
    print the people's tokens."""
    from service.migrate import upgrade
    from service.settings import get_settings

    upgrade(get_settings().database_url)
    _load_demo(skip_if_loaded=False)


def _load_demo(*, skip_if_loaded: bool) -> None:
    from core.errors import Conflict
    from service import demo, demo_region

    with unit_of_work() as session:
        try:
            loaded = demo.load(session=session)
        except Conflict as error:
            if skip_if_loaded:
                typer.echo(f"Demo data not loaded: {error.message}", err=True)
                return
            raise fail(error.message, code=1) from None
    prefixes = ", ".join(prefix for _, prefix, _, _ in demo_region.PARTNERSHIPS)
    typer.echo(
        f"Demo data loaded: {len(demo.AGENCIES)} agencies, {len(demo.BACKGROUNDS)} consultants, "
        f"{len(demo_region.PARTNERSHIPS)} partnerships ({prefixes}), {len(loaded.refs)} cases "
        f"({', '.join(loaded.refs)}). Users and their API tokens, shown once:"
    )
    width = max(len(user.email) for user in loaded.users) + 2
    standing = max(len(user.standing) for user in loaded.users) + 2
    for user in loaded.users:
        typer.echo(f"  {user.email:<{width}}{user.standing:<{standing}}{user.token}")
    typer.echo("To sign in to the admin pages as one of them: scr user set-password EMAIL")
