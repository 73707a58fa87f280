"""What the weekly digest's buttons do (the digest itself is posted by ``job``).

Suspend and Mark renewed open the modals of ``record_changes``, which handles their submissions and notes
the change under the digest message; Remind asks the service to record the reminder (admins only; the
consultant must have a Slack id) and DMs the consultant, once per item per week.
"""

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot import clock, dm
from bot.deps import Deps
from bot.features.digest import views as digest_view
from bot.features.digest.job import week_of
from bot.features.record_changes import views as changes
from bot.listening import on_press
from bot.modals import note, opens
from bot.payloads import carried, message_of, user_id
from bot.slack_calls import if_refused
from bot.views.blocks import escape


def _suspension(item: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    return changes.status_modal(
        consultant=item["consultant"], action="suspend", name=item["name"], where=message_of(body)
    )


def _renewal(item: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """The modal of "Mark renewed": the new date of the check, or for a re-approval, the reason."""
    if item["check"] == "reapproval":
        return changes.status_modal(
            consultant=item["consultant"], action="approve", name=item["name"], where=message_of(body)
        )
    return changes.check_modal(**item, today=clock.today(), where=message_of(body))


def register(app: AsyncApp, deps: Deps) -> None:
    service = deps.service
    opens(app, digest_view.SUSPEND, _suspension)
    opens(app, digest_view.RENEW, _renewal)

    @on_press(app, digest_view.REMIND)
    async def remind(
        body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        item, user, where = carried(action), user_id(body), message_of(body)
        key = f"remind:{week_of(clock.today())}:{item['consultant']}:{item['check']}"
        if not await service.claim(key=key, kind="check_reminder", detail={"by": user}):
            await respond(
                text=f"{item['name']} has already been reminded about this check this week.",
                response_type="ephemeral",
                replace_original=False,
            )
            return
        try:
            reminder = await service.remind_consultant(
                as_user=user, consultant_id=item["consultant"], check=item["check"]
            )
            with if_refused(
                done="The reminder is recorded",
                step=f"send it to {reminder['name']}",
                advice="Try again, or remind them another way.",
            ):
                await dm.send(
                    deps.workspaces.reach(reminder.get("slack_team_id"), here=client),
                    user=reminder["slack_user_id"],
                    text=digest_view.reminder_text(reminder),
                )
        except Exception:
            await service.release_claim(key=key)
            raise
        with if_refused(done=f"{reminder['name']} is reminded", step="note it under the digest"):
            await note(
                client, where, user=user, what=f"reminded {escape(reminder['name'])} by direct message."
            )
