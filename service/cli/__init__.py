"""The ``scr`` command line, a module for each group of commands.

Heavy modules are imported inside each command, so ``scr check`` loads only the threshold engine
and starts in a fraction of a second.
"""

import typer

from service.cli import admin, cases, partnerships, records, server, slack

app = typer.Typer(help="Commission safeguarding case reviews.", no_args_is_help=True, add_completion=False)
for command in (server.serve, cases.check, cases.shortlist, cases.terms):
    app.command()(command)
app.add_typer(server.db_app, name="db")
app.add_typer(admin.user_app, name="user")
app.add_typer(partnerships.partnership_app, name="partnership")
app.add_typer(admin.audit_app, name="audit")
app.add_typer(records.registry_app, name="registry")
app.add_typer(server.demo_app, name="demo")
app.add_typer(records.retention_app, name="retention")
app.add_typer(slack.bot_app, name="bot")
