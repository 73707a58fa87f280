"""The records held: the approved list in and out as CSV, a consultant's subject access export, and the
retention purge of closed cases."""

from pathlib import Path
from typing import Annotated

import typer

from service.cli.common import CLI_ACTOR, fail, unit_of_work

registry_app = typer.Typer(help="The approved list of consultants.", no_args_is_help=True)
retention_app = typer.Typer(help="The retention policy for closed cases.", no_args_is_help=True)


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
    from core import transaction
    from core.errors import Invalid
    from registry import importer, sync
    from service.db import get_engine
    from service.settings import get_settings

    settings = get_settings()
    try:
        text = importer.decode(file.read_bytes())
        with transaction.unit_of_work(get_engine()) as session:  # an Invalid lists every bad row, below
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
        raise fail(error.message, code=1) from None
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
    from registry import sync

    with unit_of_work() as session:
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

    with unit_of_work() as session:
        text = export(session=session, consultant_id=consultant_id).model_dump_json(indent=2) + "\n"
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
    from core import clock
    from core.values import bounded
    from service.policy import retention_years_by_partnership
    from service.settings import get_settings

    try:
        as_of = bounded(date.fromisoformat(today)) if today else clock.today()
    except PydanticCustomError as error:
        raise fail(f"--today: {error}.") from None
    except ValueError:
        raise fail(f"--today: {today!r} is not a date in the form YYYY-MM-DD.") from None
    with unit_of_work() as session:
        report = retention_store.purge(
            session=session,
            as_of=as_of,
            today=clock.today(),
            years=get_settings().retention_years,
            dry_run=dry_run,
            actor=CLI_ACTOR,
            years_by_partnership=retention_years_by_partnership(session),
        )
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
