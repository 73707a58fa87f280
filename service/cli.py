"""The ``scr`` command line.

Heavy modules are imported inside each command, so ``scr check`` loads only the threshold engine
and starts in a fraction of a second.
"""

from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:  # for annotations only: the commands import what they need when they run
    from bot.settings import BotSettings
    from service.settings import Settings

app = typer.Typer(help="Commission safeguarding case reviews.", no_args_is_help=True, add_completion=False)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
user_app = typer.Typer(help="Users and their API tokens.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit log.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(audit_app, name="audit")
registry_app = typer.Typer(help="The approved list of consultants.", no_args_is_help=True)
demo_app = typer.Typer(help="Invented demo data.", no_args_is_help=True)
app.add_typer(registry_app, name="registry")
app.add_typer(demo_app, name="demo")
retention_app = typer.Typer(help="The retention policy for closed cases.", no_args_is_help=True)
app.add_typer(retention_app, name="retention")

CLI_ACTOR = "cli"


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration to the configured database."""
    from service.migrate import upgrade
    from service.settings import get_settings

    upgrade(get_settings().database_url)
    typer.echo("Database schema is up to date.")


@app.command()
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
    """
    import os
    import secrets

    import uvicorn

    from service.migrate import upgrade
    from service.settings import InsecureSecretKey, check_secret_key, get_settings

    try:
        check_secret_key(get_settings())
    except InsecureSecretKey as error:
        if not demo:
            raise _fail(str(error)) from None
        # Set before the server starts, so every worker of this run shares it.
        os.environ["SCR_SECRET_KEY"] = secrets.token_urlsafe(48)
        get_settings.cache_clear()
        typer.echo("Demo: using a random secret key for this run; its sessions end when it stops.", err=True)
    settings = get_settings()
    upgrade(settings.database_url)
    if demo:
        _load_demo(skip_if_loaded=True)
    uvicorn.run(
        "service.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=settings.trusted_proxies,
    )


@app.command()
def check(
    case: Annotated[Path, typer.Argument(help="JSON file of case features; '-' reads standard input.")],
    ruleset: Annotated[str, typer.Option(help="'auto' (chosen by incident_date) or a ruleset id.")] = "auto",
    today: Annotated[
        str | None, typer.Option(help="Decide as of this date, YYYY-MM-DD; default today.")
    ] = None,
    output: Annotated[str, typer.Option("--format", help="text (for a person) or json.")] = "text",
    setting: Annotated[
        list[str] | None,
        typer.Option("--set", help="A local ruleset setting NAME=VALUE (VALUE as JSON); repeatable."),
    ] = None,
) -> None:
    """Which reviews and notifications a case needs: reasons with sources, deadlines, open questions.

    Exit 0 with a decision; exit 2 listing every problem with the input.
    """
    import json
    import sys
    from datetime import date

    from pydantic_core import PydanticCustomError

    from commissioning import features, rules, threshold
    from core.errors import Invalid
    from core.values import bounded

    problems: list[dict[str, object]] = []

    def problem(option: str, msg: str, valid: list[str] | None = None) -> None:
        problems.append({"feature": option, "msg": msg, "valid": valid})

    if output not in ("text", "json"):
        problem("--format", f"{output!r} is not a format", ["text", "json"])
    if ruleset != threshold.AUTO and ruleset not in rules.available():
        problem("--ruleset", f"{ruleset!r} is not a ruleset", [threshold.AUTO, *rules.available()])
    as_of = date.today()
    try:
        as_of = bounded(date.fromisoformat(today)) if today else as_of
    except PydanticCustomError as error:
        problem("--today", str(error))
    except ValueError:
        problem("--today", f"{today!r} is not a date in the form YYYY-MM-DD")
    local: dict[str, object] = {}
    for item in setting or []:
        name, sep, value = item.partition("=")
        if not sep:
            problem("--set", f"{item!r} is not NAME=VALUE")
            continue
        try:
            local[name] = json.loads(value)
        except json.JSONDecodeError:
            local[name] = value  # a bare word or a date: take it as a string
    try:
        raw = json.loads(sys.stdin.read() if str(case) == "-" else case.read_text(encoding="utf-8"))
    except OSError as error:
        raise _fail(f"{case}: cannot read the file ({error.strerror}).") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise _fail(f"{case}: not valid JSON ({error}).") from None
    rulesets: tuple[rules.Ruleset, ...] = ()
    valid: dict[str, object] = {}
    for step in ("settings", "features", "decision"):
        try:
            if step == "settings":
                rulesets = rules.load_all(local)
            elif step == "features":
                valid = features.validate(raw, today=as_of)
            elif not problems:
                decision = threshold.decide(valid, ruleset, as_of, rulesets=rulesets)
        except Invalid as error:
            problems += error.problems
    if problems:
        for item in problems:
            valid = [v if isinstance(v, str) else json.dumps(v) for v in item.get("valid") or ()]  # type: ignore[attr-defined]
            hint = f" (valid: {', '.join(valid)})" if valid else ""
            typer.echo(f"{item['feature'] or 'input'}: {item['msg']}{hint}", err=True)
        raise _fail(f"{len(problems)} problem(s); nothing was decided.")
    typer.echo(json.dumps(decision.to_json(), indent=2) if output == "json" else decision.to_text())


@user_app.command("add")
def user_add(
    email: str,
    role: Annotated[str, typer.Option(help="admin, commissioner, chair or bot.")],
    slack_user_id: Annotated[str | None, typer.Option(help="Slack user id (U...) to link.")] = None,
    name: Annotated[
        str | None, typer.Option(help='The name people see, e.g. "Jane Smith" (until set, the email).')
    ] = None,
) -> None:
    """Create a user and print their API token once."""
    from core.errors import DomainError
    from core.transaction import unit_of_work
    from service.db import get_engine
    from service.models import Role
    from service.users import add_user

    try:
        parsed_role = Role(role)
    except ValueError:
        raise _fail(f"Unknown role {role!r}: use one of {', '.join(r.value for r in Role)}.") from None
    with unit_of_work(get_engine()) as session:
        try:
            _, token = add_user(
                session,
                email=email,
                role=parsed_role,
                actor=CLI_ACTOR,
                slack_user_id=slack_user_id,
                display_name=name,
            )
        except DomainError as error:
            raise _fail(error.message) from None
    typer.echo(token)


@user_app.command("revoke")
def user_revoke(email: str) -> None:
    """Deactivate a user; their token stops working at once."""
    from core.errors import DomainError
    from core.transaction import unit_of_work
    from service.db import get_engine
    from service.users import revoke_user

    with unit_of_work(get_engine()) as session:
        try:
            revoke_user(session, email=email, actor=CLI_ACTOR)
        except DomainError as error:
            raise _fail(error.message) from None
    typer.echo(f"Revoked {email}.")


@user_app.command("set-password")
def user_set_password(email: str) -> None:
    """Set the password EMAIL signs in to the admin pages with: asked twice, or two lines on stdin."""
    import sys

    from core.errors import DomainError
    from core.transaction import unit_of_work
    from service.db import get_engine
    from service.passwords import set_password

    if sys.stdin.isatty():
        password = typer.prompt("New password", hide_input=True)
        again = typer.prompt("Repeat it", hide_input=True)
    else:
        password, again = (sys.stdin.readline().rstrip("\r\n") for _ in range(2))
    if password != again:
        raise _fail("The two passwords differ; nothing was changed.")
    with unit_of_work(get_engine()) as session:
        try:
            set_password(session, email=email, password=password, actor=CLI_ACTOR)
        except DomainError as error:
            raise _fail(error.message) from None
    typer.echo(f"Password set for {email}.")


@audit_app.command("verify")
def audit_verify(
    checkpoint: Annotated[
        Path | None,
        typer.Option(
            "--checkpoint",
            envvar="SCR_AUDIT_CHECKPOINT",
            dir_okay=False,
            help="A file outside the database that records the log's newest event at each run (one line "
            "each); a later run fails if that event has gone. Keep it where the database's users cannot "
            "write.",
        ),
    ] = None,
) -> None:
    """Check the audit log's hash chain; exit 1 naming the first edited, inserted or deleted event, or,
    with a checkpoint, events deleted from the end since the last run."""
    from core import audit
    from core.clock import utcnow
    from core.transaction import unit_of_work
    from service.db import get_engine

    try:
        previous = audit.read_checkpoint(checkpoint) if checkpoint else None
    except (OSError, ValueError) as error:
        raise _fail(f"The checkpoint file {checkpoint} could not be read: {error}.") from None
    with unit_of_work(get_engine()) as session:
        events = audit.history(session)
    broken = audit.verify(events)
    if broken:
        raise _fail(f"Audit log broken: {broken.problem}.", code=1)
    lost = audit.shortened(events, previous) if previous else None
    if lost:
        raise _fail(f"Audit log shortened: {lost}. The checkpoint file is {checkpoint}.", code=1)
    head = audit.Checkpoint.of(events, at=utcnow())
    newest = f"the newest is event {head.head_id}, hash {head.head_hash}" if events else "none yet"
    typer.echo(f"Audit log intact: {head.count} events; {newest}.")
    if checkpoint:
        try:
            audit.record_checkpoint(checkpoint, head)
        except OSError as error:
            raise _fail(f"The checkpoint could not be recorded in {checkpoint}: {error}.") from None
        typer.echo(f"Checkpoint recorded in {checkpoint}.")


@registry_app.command("import")
def registry_import(
    file: Annotated[
        Path, typer.Argument(help="CSV, UTF-8, one consultant per row.", exists=True, dir_okay=False)
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check every row and report; write nothing.")
    ] = False,
) -> None:
    """Create or update consultants from CSV, matched on email; every row is checked, then all or none."""
    from core.errors import Invalid
    from core.transaction import unit_of_work
    from registry import importer, sync
    from service.db import get_engine
    from service.settings import get_settings

    settings = get_settings()
    try:
        text = importer.decode(file.read_bytes())
        with unit_of_work(get_engine()) as session:
            report = sync.import_csv(
                session=session,
                text=text,
                actor=CLI_ACTOR,
                max_rows=settings.csv_max_rows,
                dry_run=dry_run,
                reapproval_years=settings.reapproval_years,
            )
    except Invalid as error:
        for problem in error.problems:
            parts = (f"row {problem['row']}" if problem["row"] else "", problem["column"] or "")
            where = ", ".join(part for part in parts if part)
            typer.echo(f"{where}: {problem['msg']}" if where else problem["msg"], err=True)
        raise _fail(error.message, code=1) from None
    if dry_run:
        typer.echo(
            f"Dry run: would create {report.created}, update {report.updated}; {report.unchanged} unchanged."
        )
    else:
        typer.echo(f"Created {report.created}, updated {report.updated}; {report.unchanged} unchanged.")


@registry_app.command("export")
def registry_export(
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write to FILE, not standard output.")
    ] = None,
) -> None:
    """Every consultant as CSV, in the columns ``scr registry import`` reads."""
    from core.transaction import unit_of_work
    from registry import sync
    from service.db import get_engine

    with unit_of_work(get_engine()) as session:
        text = sync.export_csv(session=session)
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8", newline="")
        typer.echo(f"Wrote {output}.", err=True)


@registry_app.command("subject-access")
def registry_subject_access(
    consultant_id: Annotated[int, typer.Argument(help="The consultant's id.", min=1)],
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write to FILE, not standard output.")
    ] = None,
) -> None:
    """Everything held about one consultant, as JSON: their record, commissions, declarations and audit
    events (cases by reference only)."""
    from commissioning.consultant_views import subject_access as export
    from core.errors import DomainError
    from core.transaction import unit_of_work
    from service.db import get_engine

    with unit_of_work(get_engine()) as session:
        try:
            text = export(session=session, consultant_id=consultant_id).model_dump_json(indent=2) + "\n"
        except DomainError as error:
            raise _fail(error.message) from None
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"Wrote {output}.", err=True)


@retention_app.command("purge")
def retention_purge(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Report what would be removed; change nothing.")
    ] = False,
    today: Annotated[
        str | None,
        typer.Option(help="Purge as of this date, YYYY-MM-DD (later than today only with --dry-run)."),
    ] = None,
) -> None:
    """Remove the free text of cases closed more than SCR_RETENTION_YEARS ago; keep features and outcomes."""
    from datetime import date

    from pydantic_core import PydanticCustomError

    from commissioning import retention_store
    from core.errors import DomainError
    from core.transaction import unit_of_work
    from core.values import bounded
    from service.db import get_engine
    from service.settings import get_settings

    try:
        as_of = bounded(date.fromisoformat(today)) if today else date.today()
    except PydanticCustomError as error:
        raise _fail(f"--today: {error}.") from None
    except ValueError:
        raise _fail(f"--today: {today!r} is not a date in the form YYYY-MM-DD.") from None
    with unit_of_work(get_engine()) as session:
        try:
            report = retention_store.purge(
                session=session,
                as_of=as_of,
                today=date.today(),
                years=get_settings().retention_years,
                dry_run=dry_run,
                actor=CLI_ACTOR,
            )
        except DomainError as error:
            raise _fail(error.message) from None
    summary = report.to_json()
    verb = "Would remove" if dry_run else "Removed"
    for case in report.cases:
        counts = ", ".join(
            f"{count} {name.replace('_', ' ')}" for name, count in case.fields.items() if count
        )
        typer.echo(f"{case.ref} (closed {case.closed_on}): {verb.lower()} {counts}")
    before = f"closed before {summary['closed_before']} ({report.years} years before {as_of})"
    if not report.cases:
        typer.echo(f"Nothing to purge: no case {before} holds free text.")
    else:
        prefix = "Dry run: " if dry_run else ""
        typer.echo(f"{prefix}{verb} free text from {len(report.cases)} case(s) {before}.")


@demo_app.command("load")
def demo_load() -> None:
    """Load the invented demo registry and one user per role into an empty service; print their tokens."""
    from service.migrate import upgrade
    from service.settings import get_settings

    upgrade(get_settings().database_url)
    _load_demo(skip_if_loaded=False)


def _load_demo(*, skip_if_loaded: bool) -> None:
    from core.errors import Conflict
    from core.transaction import unit_of_work
    from service import demo
    from service.db import get_engine

    with unit_of_work(get_engine()) as session:
        try:
            tokens = demo.load(session=session)
        except Conflict as error:
            if skip_if_loaded:
                typer.echo(f"Demo data not loaded: {error.message}", err=True)
                return
            raise _fail(error.message, code=1) from None
    typer.echo(
        f"Demo data loaded: {len(demo.AGENCIES)} agencies, {len(demo.BACKGROUNDS)} consultants. "
        "API tokens, shown once:"
    )
    for role, token in tokens.items():
        typer.echo(f"  {role.value:<13}{token}")


@app.command()
def shortlist(
    case_ref: str,
    limit: Annotated[int, typer.Option(help="How many candidates to list.", min=1, max=200)] = 10,
) -> None:
    """Rank the consultants who may review CASE_REF, with reasons, and list those excluded and why."""
    from datetime import date

    from commissioning.shortlists import shortlist_for
    from core.errors import DomainError
    from core.transaction import unit_of_work
    from service.db import get_engine
    from service.policy import independence_policy, ranking_policy

    with unit_of_work(get_engine()) as session:
        try:
            result = shortlist_for(
                session=session,
                ref=case_ref,
                policy=independence_policy(),
                ranking=ranking_policy(),
                today=date.today(),
                limit=limit,
            )
        except DomainError as error:
            raise _fail(error.message) from None
    typer.echo(f"Shortlist for {case_ref}: {result.summary.message}")
    for place, candidate in enumerate(result.shortlist.candidates, start=1):
        person = candidate.consultant
        typer.echo(f"{place}. {person.name} (consultant {person.id}): score {candidate.score:g}")
        for part in candidate.breakdown:
            typer.echo(f"     {part.points:+g} {part.component}: {part.why}")
        for warning in candidate.warnings:
            typer.echo(f"     warning: {warning.reason}")
    if result.shortlist.excluded:
        typer.echo("Excluded:")
    for excluded in result.shortlist.excluded:
        typer.echo(f"- {excluded.consultant.name} (consultant {excluded.consultant.id})")
        for finding in excluded.findings:
            typer.echo(f"     {finding.severity.value}: {finding.reason}")
    if result.unknown_agencies:
        unknown = ", ".join(result.unknown_agencies)
        typer.echo(f"Not on the registry, so ties with them go unchecked: {unknown}")


@app.command()
def terms(
    case_ref: str,
    fmt: Annotated[str, typer.Option("--format", "-f", help="md, html, docx or pdf.")] = "md",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write to FILE (default: CASE_REF-terms-vN.FORMAT).")
    ] = None,
    version: Annotated[
        int | None, typer.Option(help="Write this stored version instead of generating.", min=1)
    ] = None,
) -> None:
    """Generate CASE_REF's terms of reference (a new version only if they changed) and write one format."""
    from datetime import date

    from commissioning import terms_store
    from commissioning.render import Format
    from core.errors import DomainError
    from core.transaction import unit_of_work
    from service.db import get_engine
    from service.people import naming
    from service.settings import get_settings

    if fmt not in set(Format):
        raise _fail(f"--format: {fmt!r} is not one of {', '.join(Format)}.")
    with unit_of_work(get_engine()) as session:
        try:
            if version is None:
                result = terms_store.generate(
                    session=session,
                    ref=case_ref,
                    actor=CLI_ACTOR,
                    today=date.today(),
                    rule_settings=get_settings().rule_settings,
                    named=naming(session),
                )
                record = result.version
            else:
                record = terms_store.get_version(session=session, ref=case_ref, version=version)
        except DomainError as error:
            raise _fail(error.message) from None
    if version is None:
        state = "stored as a new version" if result.created else "unchanged since that version"
        typer.echo(f"Terms of reference for {case_ref}: version {record.version}, {state}.", err=True)
        for item in result.missing:
            typer.echo(f"  To be confirmed ({item.title}): {item.what}", err=True)
    document = terms_store.document(ref=case_ref, record=record, fmt=Format(fmt))
    target = output or Path(document.filename)
    target.write_bytes(document.body)
    typer.echo(f"Wrote {target}.", err=True)


bot_app = typer.Typer(
    help="The Slack bot as a process of its own (Socket Mode), its deadline reminders and expiry digest.",
    invoke_without_command=True,
)
app.add_typer(bot_app, name="bot")


def _bot_settings():  # type: ignore[no-untyped-def]
    """The bot's settings from the service's, refusing to start without what a bot process needs."""
    from service.settings import bot_settings, get_settings

    settings = get_settings()
    needed = {"SCR_SLACK_BOT_TOKEN": settings.slack_bot_token, "SCR_BOT_API_TOKEN": settings.bot_api_token}
    missing = [name for name, value in needed.items() if not value]
    if missing:
        raise _fail(
            f"Set {' and '.join(missing)} first (the bot API token is made by "
            "'scr user add bot@YOUR-DOMAIN --role bot')."
        )
    return settings, bot_settings(settings)


@bot_app.callback()
def bot(
    ctx: typer.Context,
    socket: Annotated[bool, typer.Option("--socket", help="Connect to Slack over Socket Mode.")] = False,
) -> None:
    """Run the bot over Socket Mode (HTTP mode needs no process of its own: it runs in 'scr serve')."""
    if ctx.invoked_subcommand is not None:
        return
    if not socket:
        raise _fail(
            "HTTP mode runs inside 'scr serve' at /slack/events. Use 'scr bot --socket' for Socket Mode, "
            "or 'scr bot remind' to post due reminders once."
        )
    import asyncio
    import logging

    from bot.standalone import serve_socket_mode

    settings, bot_settings = _bot_settings()
    if not settings.slack_app_token:
        raise _fail("Socket Mode needs an app-level token (xapp-...): set SCR_SLACK_APP_TOKEN.")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    asyncio.run(
        serve_socket_mode(
            settings=bot_settings,
            app_token=settings.slack_app_token,
            service_url=settings.service_url,
            api_token=settings.bot_api_token,
            reminder_interval=settings.slack_reminder_interval_seconds,
        )
    )


def _post_once(
    job: Callable[..., Coroutine[Any, Any, list[str]]],
    settings: "Settings",
    bot_settings: "BotSettings",
    *,
    what: str,
    later: str,
) -> list[str]:
    """Run one of the bot's posting jobs once, as cron does: what it posted, or exit 1 saying who refused
    (``what`` Slack refused; ``later``, what becomes of what was not posted)."""
    import asyncio
    from datetime import date

    from slack_sdk.errors import SlackApiError

    from bot.service_client import ServiceError

    try:
        return asyncio.run(
            job(
                settings=bot_settings,
                service_url=settings.service_url,
                api_token=settings.bot_api_token,
                today=date.today(),
            )
        )
    except SlackApiError as error:
        problem = error.response.get("error")
        reference = getattr(error, "reference", "")  # the bot's log line about it (``bot.slack_calls``)
        told = f" Reference: {reference}." if reference else ""
        raise _fail(f"Slack refused {what} ({problem}); {later}.{told}", code=1) from None
    except ServiceError as error:
        raise _fail(f"The service refused: {error.message}", code=1) from None


@bot_app.command("remind")
def bot_remind() -> None:
    """Post the deadline reminders due today to the reminder channel, each once (safe to run from cron)."""
    from bot.standalone import remind_once

    settings, bot_settings = _bot_settings()
    if not bot_settings.reminder_channel:
        raise _fail("Set SCR_SLACK_REMINDER_CHANNEL to the channel id reminders go to.")
    sent = _post_once(
        remind_once, settings, bot_settings, what="a reminder", later="it will be posted on the next run"
    )
    typer.echo(f"Posted {len(sent)} reminder(s).")


@bot_app.command("digest")
def bot_digest() -> None:
    """Post this week's expiry digest to the admins' channel, each item once a week (safe from cron)."""
    from bot.standalone import digest_once

    settings, bot_settings = _bot_settings()
    if not bot_settings.admin_channel:
        raise _fail("Set SCR_SLACK_ADMIN_CHANNEL to the id of the admins' channel the digest goes to.")
    later = "what was not posted will be on the next run"
    sent = _post_once(digest_once, settings, bot_settings, what="the digest", later=later)
    typer.echo(f"Posted {len(sent)} digest item(s).")
