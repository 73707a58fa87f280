"""A reminder's Open button: the deadline's details, privately, to whoever may read the case.

The bot asks the service as the person who pressed it, so the service decides who sees a case's
deadlines (anyone else is told privately why not, and the refusal is audited there).
"""

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot import clock
from bot.deps import Deps
from bot.features.reminders import views
from bot.listening import on_press
from bot.payloads import carried, user_id


def register(app: AsyncApp, deps: Deps) -> None:
    service = deps.service

    @on_press(app, views.OPEN)
    async def opened(body: dict[str, Any], action: dict[str, Any], respond: AsyncRespond) -> None:
        reminded = carried(action)
        deadlines = await service.case_deadlines(as_user=user_id(body), ref=reminded["ref"])
        text, blocks = views.details(
            ref=reminded["ref"], due=reminded["due"], deadlines=deadlines, today=clock.today()
        )
        await respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)
