"""``scr case``: a stored case's milestones, recorded and read as its timeline."""

from typing import Annotated

import typer

from service.cli.common import CLI_ACTOR, fail, unit_of_work

case_app = typer.Typer(help="A stored case: the review's milestones.", no_args_is_help=True)


@case_app.command("milestone")
def record_milestone(
    ref: Annotated[str, typer.Argument(help="The case reference, e.g. HAC-2026-0007.")],
    kind: Annotated[
        str, typer.Argument(help="la_notified, panel_notified, ... (see 'scr case milestones').")
    ],
    on: Annotated[str, typer.Argument(help="The day it happened, YYYY-MM-DD.")],
    note: Annotated[str | None, typer.Option(help="A note; for not_published, the reason.")] = None,
) -> None:
    """Record the day a milestone of REF's review happened (again: it replaces the day recorded)."""
    from datetime import date

    from pydantic_core import PydanticCustomError

    from commissioning import milestone_store, rules
    from core import clock
    from core.values import bounded
    from service.settings import get_settings

    try:
        day = bounded(date.fromisoformat(on))
    except PydanticCustomError as error:
        raise fail(f"DATE: {error}.") from None
    except ValueError:
        raise fail(f"DATE: {on!r} is not a date in the form YYYY-MM-DD.") from None
    with unit_of_work() as session:
        milestone_store.record(
            session=session,
            ref=ref,
            kind=kind,
            on=day,
            note=note,
            actor=CLI_ACTOR,
            today=clock.today(),
            rulesets=rules.load_all(get_settings().rule_settings),
        )
    typer.echo(f"Recorded for {ref}.", err=True)
    show(ref)


@case_app.command("milestones")
def show(ref: Annotated[str, typer.Argument(help="The case reference, e.g. HAC-2026-0007.")]) -> None:
    """REF's timeline: each milestone in order with its day and who recorded it, its deadline, and
    whether it was late; the id to record each with is in brackets."""
    from core.wording import day
    from service.api.milestones import read_case

    with unit_of_work() as session:
        _, reading = read_case(session, ref)
    for entry in reading.timeline:
        made = entry.recorded
        when = f"{day(made.on)} (recorded by {made.recorded_by})" if made else "not recorded"
        standing = f"; {entry.standing}" if entry.due else ""
        typer.echo(f"{entry.words} [{entry.kind}]: {when}{standing}")
        if made and made.note:
            typer.echo(f"    {made.note}")
