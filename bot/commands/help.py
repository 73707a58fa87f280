"""``/scr help`` (and ``/scr`` alone): the list of commands, answered in the acknowledgement itself."""

from bot.invocation import Invocation
from bot.views import help as help_view


async def run(call: Invocation) -> None:
    await call.ack(**help_view.reply())
