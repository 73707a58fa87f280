"""The Slack bot as a process of its own, and its posting jobs run once (from cron)."""

from typing import TYPE_CHECKING, Annotated

import typer

from service.cli.common import fail

if TYPE_CHECKING:  # for annotations only: the commands import what they need when they run
    from bot.schedule import Posting
    from bot.settings import BotSettings
    from service.settings import Settings

bot_app = typer.Typer(
    help="The Slack bot as a process of its own (Socket Mode), its deadline reminders and expiry digest.",
    invoke_without_command=True,
)


def _bot_settings():  # type: ignore[no-untyped-def]
    """The bot's settings from the service's, refusing to start without what a bot process needs (the
    bot token's workspace, or with a client id the workspaces that added the app)."""
    from service.settings import bot_settings, get_settings
    from service.slack_settings import SlackMode, SlackSettingsError, slack_mode

    settings = get_settings()
    try:
        oauth = slack_mode(settings) == SlackMode.oauth
    except SlackSettingsError as error:
        raise fail(str(error)) from None
    needed = {
        "SCR_SLACK_BOT_TOKEN": oauth or settings.slack_bot_token,
        "SCR_BOT_API_TOKEN": settings.bot_api_token,
    }
    missing = [name for name, value in needed.items() if not value]
    if missing:
        raise fail(
            f"Set {' and '.join(missing)} first (the bot API token is made by "
            "'scr user add bot@YOUR-DOMAIN --role bot')."
        )
    return settings, bot_settings(settings)


@bot_app.callback()
def bot(
    ctx: typer.Context,
    socket: Annotated[bool, typer.Option("--socket", help="Connect to Slack over Socket Mode.")] = False,
) -> None:
    """Run the bot over Socket Mode (HTTP mode needs no process of its own: it runs in 'scr serve')."""
    if ctx.invoked_subcommand is not None:
        return
    if not socket:
        raise fail(
            "HTTP mode runs inside 'scr serve' at /slack/events. Use 'scr bot --socket' for Socket Mode, "
            "or 'scr bot remind' to post due reminders once."
        )
    import asyncio

    from bot.standalone import serve_socket_mode

    settings, bot_settings = _bot_settings()
    if settings.slack_client_id:
        raise fail(
            "Socket Mode serves one workspace, with SCR_SLACK_BOT_TOKEN: workspaces add the app through "
            "'scr serve' (HTTP mode, at a public HTTPS address). Unset SCR_SLACK_CLIENT_ID and "
            "SCR_SLACK_CLIENT_SECRET to run Socket Mode."
        )
    if not settings.slack_app_token:
        raise fail("Socket Mode needs an app-level token (xapp-...): set SCR_SLACK_APP_TOKEN.")
    asyncio.run(
        serve_socket_mode(
            settings=bot_settings,
            app_token=settings.slack_app_token,
            service_url=settings.service_url,
            api_token=settings.bot_api_token,
            reminder_interval=settings.slack_reminder_interval_seconds,
        )
    )


def _posting(settings: "Settings", bot_settings: "BotSettings") -> "Posting | None":
    """With a client id, the clients for the own workspace and each other workspace that added the app,
    their tokens read from the installations in the database (this command runs beside the service);
    None: the bot token's one workspace."""
    from bot.app import serving
    from service.db import get_engine
    from service.slack_settings import SlackMode, slack_mode
    from service.slack_workspaces import InstallationStore

    if slack_mode(settings) != SlackMode.oauth:
        return None
    store = InstallationStore(client_id=settings.slack_client_id, engine=get_engine())
    if store.find_bot(enterprise_id=None, team_id=settings.slack_team_id) is None:
        raise fail(
            f"Your own workspace ({settings.slack_team_id}, SCR_SLACK_TEAM_ID) has not added the app yet, so "
            "there is no bot token to post with: open /slack/install on the service and add it.",
            code=1,
        )
    workspaces = serving(bot_settings, store)
    return workspaces.posting()


def _post_once(
    job: str,
    settings: "Settings",
    bot_settings: "BotSettings",
    *,
    what: str,
    later: str,
) -> list[str]:
    """Run the bot's posting job ``job`` (a name in ``bot.schedule.jobs``) once, as cron does: what it
    posted, or exit 1 saying who refused (``what`` Slack refused; ``later``, what becomes of what was
    not posted)."""
    import asyncio

    from slack_sdk.errors import SlackApiError

    from bot.service_client import ServiceError
    from bot.standalone import run_once

    try:
        return asyncio.run(
            run_once(
                job,
                settings=bot_settings,
                service_url=settings.service_url,
                api_token=settings.bot_api_token,
                slack=_posting(settings, bot_settings),
            )
        )
    except SlackApiError as error:
        problem = error.response.get("error")
        reference = getattr(error, "reference", "")  # the bot's log line about it (``bot.slack_calls``)
        told = f" Reference: {reference}." if reference else ""
        raise fail(f"Slack refused {what} ({problem}); {later}.{told}", code=1) from None
    except ServiceError as error:
        raise fail(f"The service refused: {error.message}", code=1) from None


@bot_app.command("remind")
def bot_remind() -> None:
    """Post the deadline reminders due today, each once, to its partnership's reminder channel or else
    SCR_SLACK_REMINDER_CHANNEL (safe to run from cron)."""
    settings, bot_settings = _bot_settings()
    sent = _post_once(
        "reminders", settings, bot_settings, what="a reminder", later="it will be posted on the next run"
    )
    typer.echo(f"Posted {len(sent)} reminder(s).")


@bot_app.command("chronologies")
def bot_chronologies() -> None:
    """Email the chronology reminders and late notices due today, each once, and send each person linked
    in Slack what was sent to them, once, in their direct messages (safe to run from cron)."""
    settings, bot_settings = _bot_settings()
    later = "it will be sent on the next run"
    sent = _post_once("chronologies", settings, bot_settings, what="a direct message", later=later)
    typer.echo(f"Sent {len(sent)} direct message(s).")


@bot_app.command("overdue")
def bot_overdue() -> None:
    """Remind the owners of overdue actions, each once: by DM when they are linked in Slack, else by email;
    each partnership's reminder channel gets the counts only (safe to run from cron)."""
    settings, bot_settings = _bot_settings()
    later = "it will be sent on the next run"
    sent = _post_once("overdue_actions", settings, bot_settings, what="a reminder", later=later)
    typer.echo(f"Sent {len(sent)} overdue action reminder(s).")


@bot_app.command("digest")
def bot_digest() -> None:
    """Post this week's expiry digest to the admins' channel, each item once a week (safe from cron), from
    the digest's hour (SCR_SLACK_DIGEST_HOUR, 08:00 UK time unless set)."""
    from bot.schedule import digest_open

    settings, bot_settings = _bot_settings()
    if not bot_settings.admin_channel:
        raise fail("Set SCR_SLACK_ADMIN_CHANNEL to the id of the admins' channel the digest goes to.")
    later = "what was not posted will be on the next run"
    sent = _post_once("digest", settings, bot_settings, what="the digest", later=later)
    typer.echo(f"Posted {len(sent)} digest item(s).")
    if not sent and not digest_open(bot_settings.digest_hour):
        typer.echo(
            f"The digest is posted from {bot_settings.digest_hour:02d}:00 (UK time, SCR_SLACK_DIGEST_HOUR); "
            "run this again from then."
        )
