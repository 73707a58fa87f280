"""``/scr report [FROM TO] [PARTNERSHIP]``: the thematic briefing as a PDF in the asker's direct messages.

The service decides whose briefing the asker may read (their partnership's; an analyst's, across
partnerships). Slack gets the publishable version only, as a file in the DM, never in a channel: it
names no case and hides small numbers, so nothing about a family (such as its ethnic group) can be
picked out of it. The upload uses the files upload v2 flow, as ``/scr terms`` does.
"""

from slack_bolt.async_app import AsyncApp

from bot import clock, dm
from bot.deps import Deps
from bot.features.report import views
from bot.slack_calls import if_refused
from bot.subcommands import Invocation, subcommand


async def run(call: Invocation) -> None:
    wanted = views.asked(call.args, clock.local_day(clock.now()))
    if isinstance(wanted, str):
        await call.ack(text=wanted, response_type="ephemeral")
        return
    await call.ack(text=views.working(wanted), response_type="ephemeral")
    content, filename = await call.service.thematic_briefing(
        as_user=call.user, start=wanted.start, end=wanted.end, partnership=wanted.partnership
    )
    with if_refused(
        done="The briefing is ready",
        step="send you the file",
        advice="You can download it from the reports page on the case review service's website.",
    ):
        channel = await dm.channel(call.slack, user=call.user)
        await call.slack.files_upload_v2(
            channel=channel,
            file_uploads=[{"file": content, "filename": filename, "title": filename}],
            initial_comment=views.comment(wanted),
        )


def register(app: AsyncApp, deps: Deps) -> None:
    subcommand(app, deps, "report", run=run)
