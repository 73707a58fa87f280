"""What a case needs: the threshold check of a case file, and a stored case's shortlist and terms of
reference."""

from pathlib import Path
from typing import Annotated

import typer

from service.cli.common import CLI_ACTOR, fail, unit_of_work


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
    from core import clock
    from core.errors import Invalid
    from core.values import bounded

    problems: list[dict[str, object]] = []

    def problem(option: str, msg: str, valid: list[str] | None = None) -> None:
        problems.append({"feature": option, "msg": msg, "valid": valid})

    if output not in ("text", "json"):
        problem("--format", f"{output!r} is not a format", ["text", "json"])
    if ruleset != threshold.AUTO and ruleset not in rules.available():
        problem("--ruleset", f"{ruleset!r} is not a ruleset", [threshold.AUTO, *rules.available()])
    as_of = clock.today()
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
        raise fail(f"{case}: cannot read the file ({error.strerror}).") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise fail(f"{case}: not valid JSON ({error}).") from None
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
        raise fail(f"{len(problems)} problem(s); nothing was decided.")
    typer.echo(json.dumps(decision.to_json(), indent=2) if output == "json" else decision.to_text())


def shortlist(
    case_ref: str,
    limit: Annotated[int, typer.Option(help="How many candidates to list.", min=1, max=200)] = 10,
) -> None:
    """Rank the consultants who may review CASE_REF, with reasons, and list those excluded and why."""
    from commissioning.shortlists import shortlist_for
    from core import clock
    from service.policy import case_policy, ranking_policy

    with unit_of_work() as session:
        result = shortlist_for(
            session=session,
            ref=case_ref,
            policy=case_policy(session, ref=case_ref),
            ranking=ranking_policy(),
            today=clock.today(),
            limit=limit,
        )
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
    from commissioning import terms_store
    from commissioning.render import Format
    from core import clock
    from service.people import naming
    from service.settings import get_settings

    if fmt not in set(Format):
        raise fail(f"--format: {fmt!r} is not one of {', '.join(Format)}.")
    with unit_of_work() as session:
        if version is None:
            result = terms_store.generate(
                session=session,
                ref=case_ref,
                actor=CLI_ACTOR,
                today=clock.today(),
                rule_settings=get_settings().rule_settings,
                named=naming(session),
                partnership_starts=get_settings().partnership_start_dates,
            )
            record = result.version
        else:
            record = terms_store.get_version(session=session, ref=case_ref, version=version)
    if version is None:
        state = "stored as a new version" if result.created else "unchanged since that version"
        typer.echo(f"Terms of reference for {case_ref}: version {record.version}, {state}.", err=True)
        for item in result.missing:
            typer.echo(f"  To be confirmed ({item.title}): {item.what}", err=True)
    document = terms_store.document(ref=case_ref, record=record, fmt=Format(fmt))
    target = output or Path(document.filename)
    target.write_bytes(document.body)
    typer.echo(f"Wrote {target}.", err=True)
