"""The ``scr`` command line, a module for each group of commands.

Heavy modules are imported inside each command, so ``scr check`` loads only the threshold engine
and starts in a fraction of a second.
"""

import typer

from service.cli import (
    admin,
    backups,
    cases,
    chronology,
    milestones,
    partnerships,
    recommendations,
    records,
    reports,
    server,
    slack,
    slack_workspaces,
)

HELP = "Commission safeguarding case reviews."
QUIET = frozenset({"check"})  # pure calculations that log nothing: they start without the logging set up

app = typer.Typer(help=HELP, no_args_is_help=True, add_completion=False)


@app.callback(help=HELP)
def observed(ctx: typer.Context) -> None:
    """Every command logs as the service does (``service.logs``) and reports its unexpected errors as it
    does (``service.error_reporting``), so a bot run from cron or over Socket Mode is seen like the rest."""
    if ctx.invoked_subcommand in QUIET:
        return
    from service import error_reporting, logs
    from service.settings import get_settings

    settings = get_settings()
    logs.configure(level=settings.log_level, fmt=settings.log_format)
    error_reporting.start(settings)


for command in (server.serve, cases.check, cases.shortlist, cases.terms, backups.backup, backups.restore):
    app.command()(command)
app.add_typer(server.db_app, name="db")
app.add_typer(admin.user_app, name="user")
app.add_typer(partnerships.partnership_app, name="partnership")
app.add_typer(admin.audit_app, name="audit")
app.add_typer(records.registry_app, name="registry")
app.add_typer(server.demo_app, name="demo")
app.add_typer(records.retention_app, name="retention")
app.add_typer(milestones.case_app, name="case")
app.add_typer(slack.bot_app, name="bot")
app.add_typer(slack_workspaces.slack_app, name="slack")
app.add_typer(chronology.chronology_app, name="chronology")
app.add_typer(reports.report_app, name="report")
app.add_typer(recommendations.recommendation_app, name="recommendation")
app.add_typer(recommendations.action_app, name="action")
