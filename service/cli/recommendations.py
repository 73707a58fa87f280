"""A review's recommendations and the agencies' action plans from the command line: ``scr recommendation
add|import|list`` and ``scr action add|status|remind``. The command line acts as the operator of the
whole service (its audit events name ``cli``)."""

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from service.cli.common import CLI_ACTOR, fail, unit_of_work

recommendation_app = typer.Typer(help="A review's recommendations.", no_args_is_help=True)
action_app = typer.Typer(help="The agencies' action plans for recommendations.", no_args_is_help=True)


def _day(text: str | None) -> date | None:
    from commissioning.recommendation_files import parse_day

    try:
        return parse_day(text) if text else None
    except ValueError as error:
        raise fail(str(error)) from None


def _case(session, ref: str):  # type: ignore[no-untyped-def]
    from sqlmodel import select

    from commissioning.models import Case

    case = session.exec(select(Case).where(Case.ref == ref)).first()
    if case is None:
        raise fail(f"No case {ref}.")
    return case


def _limit(session, case) -> int:  # type: ignore[no-untyped-def]
    from commissioning.models import Partnership
    from service.policy import partnership_policy

    return partnership_policy(session.get(Partnership, case.partnership_id)).max_recommendations


def _print(views) -> None:  # type: ignore[no-untyped-def]
    for view in views:
        found = view.to_json()
        typer.echo(f"{found['number']}. [{found['status_words']}] {found['text']}  (id {found['id']})")
        for warning in found["warnings"]:
            typer.echo(f"   warning: {warning['msg']}")
        for action in found["actions"]:
            typer.echo(
                f"   - action {action['id']} [{action['status_words']}] due {action['due']}, "
                f"{action['owner']}: {action['text']}"
            )


def _problems(error) -> None:  # type: ignore[no-untyped-def]
    for problem in error.problems:
        where = ", ".join(
            str(p) for p in (problem.get("row") and f"row {problem['row']}", problem.get("column")) if p
        )
        typer.echo(f"{where}: {problem['msg']}" if where else problem["msg"], err=True)


@recommendation_app.command("add")
def recommendation_add(
    ref: Annotated[str, typer.Argument(help="The case's reference.")],
    text: Annotated[str, typer.Argument(help="The recommendation as the review words it.")],
    scope: Annotated[str | None, typer.Option(help="single_agency or multi_agency.")] = None,
    agency: Annotated[
        list[str] | None, typer.Option(help="An agency asked to act (repeat for each).")
    ] = None,
    owner: Annotated[str | None, typer.Option(help="The person or role accountable.")] = None,
    priority: Annotated[str | None, typer.Option(help="high, medium or low.")] = None,
    due: Annotated[str | None, typer.Option(help="The date it should be in place by.")] = None,
    finding: Annotated[str | None, typer.Option(help="The finding it answers.")] = None,
) -> None:
    """Record one recommendation against case REF; the writing checks' warnings are printed."""
    from pydantic import ValidationError

    from commissioning import recommendation_store as store
    from core import clock
    from service.api.recommendations import draft_of
    from service.api.review_schemas import RecommendationIn

    try:
        draft = draft_of(
            RecommendationIn.model_validate(
                {
                    "text": text,
                    "scope": scope,
                    "agencies": agency or [],
                    "owner": owner,
                    "priority": priority,
                    "due": _day(due),
                    "finding": finding,
                }
            )
        )
    except ValidationError as error:
        raise fail(f"Not recorded: {error.errors()[0]['loc'][0]} {error.errors()[0]['msg']}") from None
    with unit_of_work() as session:
        case = _case(session, ref)
        made = store.add_recommendations(
            session,
            case=case,
            drafts=[draft],
            actor=CLI_ACTOR,
            limit=_limit(session, case),
            today=clock.today(),
        )
        _print(made)


@recommendation_app.command("import")
def recommendation_import(
    ref: Annotated[str, typer.Argument(help="The case's reference.")],
    file: Annotated[
        Path, typer.Argument(help="A DOCX with a numbered list, or a CSV.", exists=True, dir_okay=False)
    ],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Read and check; record nothing.")] = False,
) -> None:
    """Record the recommendations in FILE against case REF: every row read first, then all or none."""
    from commissioning import recommendation_files, recommendations
    from commissioning import recommendation_store as store
    from core import clock
    from core.errors import Invalid

    try:
        drafts = recommendation_files.read_file(file.name, file.read_bytes())
    except Invalid as error:
        _problems(error)
        raise fail(error.message, code=1) from None
    with unit_of_work() as session:
        case = _case(session, ref)
        limit = _limit(session, case)
        if dry_run:
            known = store.count(session, case=case)
            for n, draft in enumerate(drafts, 1):
                typer.echo(f"{known + n}. {draft.text}")
                for warning in recommendations.check(draft, count=known + n, limit=limit):
                    typer.echo(f"   warning: {warning.msg}")
            typer.echo(f"Dry run: would record {len(drafts)}.")
            return
        made = store.add_recommendations(
            session, case=case, drafts=drafts, actor=CLI_ACTOR, limit=limit, today=clock.today()
        )
        _print(made)
        typer.echo(f"Recorded {len(made)}.")


@recommendation_app.command("list")
def recommendation_list(ref: Annotated[str, typer.Argument(help="The case's reference.")]) -> None:
    """Case REF's recommendations with their actions."""
    from commissioning import recommendation_store as store
    from core import clock

    with unit_of_work() as session:
        _print(store.list_recommendations(session, case=_case(session, ref), today=clock.today()))


@action_app.command("add")
def action_add(
    recommendation_id: Annotated[
        int, typer.Argument(help="The recommendation's id (scr recommendation list).", min=1)
    ],
    text: Annotated[str, typer.Argument(help="What the agency will do.")],
    owner: Annotated[str, typer.Option(help="The owner's email: reminded when it is late.")],
    due: Annotated[str, typer.Option(help="The date it is due.")],
    agency: Annotated[str | None, typer.Option(help="The agency whose plan it is.")] = None,
) -> None:
    """Add an action to a recommendation's plan."""
    from commissioning import recommendation_store as store
    from core import clock

    day = _day(due)
    assert day is not None
    with unit_of_work() as session:
        recommendation, _ = store.get_recommendation(session, recommendation_id=recommendation_id)
        made = store.add_action(
            session,
            recommendation=recommendation,
            agency_id=agency,
            text=text,
            owner=owner,
            due=day,
            actor=CLI_ACTOR,
            today=clock.today(),
        )
        typer.echo(f"Action {made.action.id} added, due {made.action.due_on.isoformat()}.")


@action_app.command("status")
def action_status(
    action_id: Annotated[int, typer.Argument(help="The action's id.", min=1)],
    change: Annotated[str, typer.Argument(help="start, submit_evidence, complete or send_back.")],
    link: Annotated[list[str] | None, typer.Option(help="A link added as evidence first (repeat).")] = None,
    note: Annotated[str | None, typer.Option(help="A note for the record.")] = None,
) -> None:
    """Change an action's status, as the partnership."""
    from commissioning import recommendation_store as store
    from commissioning.recommendations import STATUS_WORDS, Change
    from core import clock

    if change not in set(Change):
        raise fail(f"{change!r} is not a change: use {', '.join(Change)}.")
    with unit_of_work() as session:
        action, _, _ = store.get_action(session, action_id=action_id)
        for each in link or []:
            store.add_evidence(session, action=action, actor=CLI_ACTOR, link=each)
        made = store.change_action(
            session,
            action=action,
            change=Change(change),
            agency=False,
            actor=CLI_ACTOR,
            today=clock.today(),
            note=note,
        )
        typer.echo(f"Action {action_id} is now {STATUS_WORDS[made.status]}.")


@action_app.command("remind")
def action_remind() -> None:
    """Email the owners of overdue actions who are not linked in Slack, once each (the bot's loop does
    this too, and DMs the linked ones): for a deployment without the bot, run it daily from cron."""
    from core import clock
    from service import overdue_actions

    with unit_of_work() as session:
        done = overdue_actions.email_unlinked(session, today=clock.today())
    for item in done:
        typer.echo(f"action {item['action_id']}: {item['message']}")
    typer.echo(f"{sum(item['status'] == 'sent' for item in done)} reminder(s) sent.")
