"""``scr report thematic``: the thematic briefing of a period, for one partnership or across them all.

The command line acts as the operator of the whole service, so it may write any partnership's briefing,
internal or publishable.
"""

from datetime import datetime
from pathlib import Path
from typing import Annotated, cast

import typer

from service.cli.common import fail, unit_of_work

report_app = typer.Typer(help="Reports across the cases.", no_args_is_help=True)
FORMATS = ("html", "pdf", "docx", "csv", "json")


def _day(value: str, option: str) -> datetime:
    try:
        return datetime.strptime(value, "%Y-%m-%d")
    except ValueError:
        raise fail(f"{option}: {value!r} is not a date in the form YYYY-MM-DD.") from None


@report_app.command("thematic")
def thematic(
    start: Annotated[str, typer.Option("--from", help="Cases from this day (YYYY-MM-DD), included.")],
    end: Annotated[str, typer.Option("--to", help="Cases up to this day (YYYY-MM-DD), included.")],
    partnership: Annotated[
        str | None, typer.Option(help="The partnership's prefix (CHS); left out, across partnerships.")
    ] = None,
    publishable: Annotated[
        bool, typer.Option("--publishable", help="Suppress small numbers and name no case.")
    ] = False,
    fmt: Annotated[str, typer.Option("--format", "-f", help="html, pdf, docx, csv or json.")] = "html",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write to FILE (default: a name saying what it is).")
    ] = None,
) -> None:
    """Write the thematic briefing: the cases' profile, themes and comparisons, with charts."""
    from commissioning import briefing_store, partnerships, rules
    from commissioning.briefing.documents import Format, document
    from commissioning.briefing.facts import Period
    from core import clock
    from service.settings import get_settings

    if fmt not in FORMATS:
        raise fail(f"--format: {fmt!r} is not one of {', '.join(FORMATS)}.")
    period = Period(_day(start, "--from").date(), _day(end, "--to").date())
    if period.end < period.start:
        raise fail(f"--to: {end} is before --from {start}: give a period that ends on or after it starts.")
    with unit_of_work() as session:
        chosen = partnerships.by_prefix(session, partnership.upper()) if partnership else None
        found = briefing_store.thematic_briefing(
            session,
            period=period,
            partnership=chosen,
            publishable=publishable,
            rulesets=rules.load_all(get_settings().rule_settings),
            today=clock.today(),
        )
        made = document(found, cast(Format, fmt), prefix=chosen.prefix if chosen else None)
    target = output or Path(made.filename)
    target.write_bytes(made.content)
    typer.echo(f"{found.title()}, {found.cases} cases: wrote {target}.", err=True)
