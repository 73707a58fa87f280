"""Agencies' chronologies from the terminal: the blank template, requests to a case's agencies, adding an
agency's file (checked whole first) and the merged chronology in any format.

The terminal is the operator's: it acts on any case, as the audit log records (``CLI_ACTOR``).
"""

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from service.cli.common import CLI_ACTOR, fail, unit_of_work

chronology_app = typer.Typer(
    help="Agencies' chronologies: the template, requests, adding a file, the merged chronology.",
    no_args_is_help=True,
)

OutOption = Annotated[Path | None, typer.Option("--out", "-o", help="Write to FILE (default: its own name).")]


def _written(target: Path, content: bytes) -> None:
    target.write_bytes(content)
    typer.echo(f"Wrote {target}.", err=True)


def _day(option: str, text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise fail(f"{option}: {text!r} is not a date in the form YYYY-MM-DD.") from None


@chronology_app.command("template")
def template(
    fmt: Annotated[str, typer.Option("--format", "-f", help="docx or xlsx.")] = "docx",
    case_ref: Annotated[
        str | None, typer.Option("--case", help="With this case's partnership's columns and period.")
    ] = None,
    out: OutOption = None,
) -> None:
    """Write the blank chronology an agency fills in: one Word table, or one worksheet."""
    from commissioning.store import get_case
    from core import clock
    from service import chronologies

    if fmt not in ("docx", "xlsx"):
        raise fail(f"--format: {fmt!r} is not one of docx, xlsx.")
    with unit_of_work() as session:
        case = get_case(session=session, ref=case_ref).case if case_ref is not None else None
        made = chronologies.template(session, fmt=fmt, today=clock.today(), case=case)
    _written(out or Path(made.filename), made.content)


@chronology_app.command("request")
def request(
    case_ref: str,
    start: Annotated[str | None, typer.Option("--from", help="The period's first day, YYYY-MM-DD.")] = None,
    end: Annotated[str | None, typer.Option("--to", help="The period's last day, YYYY-MM-DD.")] = None,
    agency: Annotated[
        list[str] | None,
        typer.Option("--agency", help="Ask only this agency (id, name or alias); repeatable."),
    ] = None,
) -> None:
    """Ask CASE_REF's agencies for their chronologies (the period the terms propose, unless given)."""
    from commissioning import chronology_store
    from commissioning.chronology.dates import Period
    from commissioning.store import get_case
    from core import clock
    from registry.agencies import resolve_agency
    from service import chronologies, chronology_notices

    first, last = _day("--from", start), _day("--to", end)
    if (first is None) != (last is None):
        raise fail("Give the period with both --from and --to, or neither.")
    with unit_of_work() as session:
        case = get_case(session=session, ref=case_ref).case
        ids = None
        if agency:
            found = {name: resolve_agency(session=session, name=name) for name in agency}
            unknown = [name for name, known in found.items() if known is None]
            if unknown:
                raise fail("No agency on the register is called " + ", ".join(map(repr, unknown)) + ".")
            ids = [known.id for known in found.values() if known is not None]
        made, already = chronologies.issue(
            session,
            case=case,
            actor=CLI_ACTOR,
            today=clock.today(),
            period=Period(first, last) if first and last else None,
            agencies=ids,
        )
        chronology_notices.requested(
            session, case=case, requests=made, base_url=chronology_notices.public_base(), actor=CLI_ACTOR
        )
        views = {
            view.request.id: view
            for view in chronology_store.request_views(session, case=case, today=clock.today())
        }
        for label, requests in (("Asked", made), ("Already asked", already)):
            for asked in requests:
                view = views[asked.id]
                typer.echo(
                    f"{label}: {view.agency}, due {asked.due_on.isoformat()} ({view.standing.words()})."
                )


@chronology_app.command("add")
def add(
    case_ref: str,
    agency: str,
    file: Annotated[Path, typer.Argument(help="The agency's chronology: DOCX, XLSX or CSV.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check the file and store nothing.")] = False,
    confirm: Annotated[
        bool, typer.Option("--confirm", help="Replace the agency's accepted chronology with this one.")
    ] = False,
) -> None:
    """Check AGENCY's chronology FILE for CASE_REF row by row and store it when nothing is wrong.

    Exit 1 listing every problem by row and column when the file cannot be accepted.
    """
    from commissioning import chronology_store
    from commissioning.store import get_case
    from service import chronologies, chronology_notices

    try:
        data = file.read_bytes()
    except OSError as error:
        raise fail(f"{file}: cannot read the file ({error.strerror}).") from None
    with unit_of_work() as session:
        case = get_case(session=session, ref=case_ref).case
        outcome = chronology_store.upload(
            session=session,
            case=case,
            request=chronology_store.request_for(session, case=case, agency=agency),
            filename=file.name,
            data=data,
            actor=CLI_ACTOR,
            columns=chronologies.columns_for(session, case),
            dry_run=dry_run,
            confirm=confirm,
        )
        if outcome.everything_in:
            chronology_notices.everything_in(session, case=case, actor=CLI_ACTOR)
    for problem in outcome.problems if outcome.result == "rejected" else outcome.warnings:
        where = ", ".join(
            part
            for part in (
                f"row {problem.row}" if problem.row is not None else "",
                problem.column or "",
            )
            if part
        )
        typer.echo(f"{problem.severity}: {where + ': ' if where else ''}{problem.msg}", err=True)
    if outcome.result == "rejected":
        raise fail(f"{file.name}: nothing was stored; correct the file and add it again.", code=1)
    if outcome.diff is not None and outcome.result != "accepted":
        typer.echo(outcome.diff.summary())
    typer.echo(
        {
            "checked": f"{outcome.rows} rows can be accepted; nothing was stored (a dry run).",
            "changes": "Nothing was stored: add it again with --confirm to replace the accepted chronology.",
            "accepted": f"Accepted {outcome.rows} rows as version {outcome.version}.",
        }[outcome.result]
    )


@chronology_app.command("export")
def export(
    case_ref: str,
    fmt: Annotated[str, typer.Option("--format", "-f", help="docx, xlsx, pdf, png or svg.")],
    view: Annotated[str, typer.Option(help="coded (names replaced by codes) or personal.")] = "coded",
    out: OutOption = None,
) -> None:
    """Write CASE_REF's merged chronology (or, as png or svg, its timeline chart); the opening is audited."""
    from typing import cast

    from commissioning.chronology.glossary import View
    from commissioning.store import get_case
    from core import clock
    from service import chronologies
    from service.chronology_access import ChronologyAccess, opened

    if fmt not in chronologies.MEDIA:
        raise fail(f"--format: {fmt!r} is not one of {', '.join(chronologies.MEDIA)}.")
    if view not in ("coded", "personal"):
        raise fail(f"--view: {view!r} is not one of coded, personal.")
    with unit_of_work() as session:
        case = get_case(session=session, ref=case_ref).case
        rendered = chronologies.render(
            session,
            case=case,
            fmt=cast(chronologies.Format, fmt),
            view=cast(View, view),
            today=clock.today(),
        )
        what = fmt if fmt in ("docx", "xlsx", "pdf") else f"timeline.{fmt}"
        opened(
            session,
            ChronologyAccess(case, None, rows=True, manage=True),
            actor=CLI_ACTOR,
            what=what,
            view=view,
        )
    _written(out or Path(rendered.filename), rendered.content)
