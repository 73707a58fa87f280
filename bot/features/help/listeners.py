"""``/scr help`` (and ``/scr`` alone): the list of commands, answered in the acknowledgement itself."""

from slack_bolt.async_app import AsyncApp

from bot.deps import Deps
from bot.features.help import views as help_view
from bot.subcommands import Invocation, subcommand


async def run(call: Invocation) -> None:
    await call.ack(**help_view.reply())


def register(app: AsyncApp, deps: Deps) -> None:
    subcommand(app, deps, "help", "", run=run)
