"""The bot's settings, in a module of their own so that features and jobs read them without the app."""

from dataclasses import dataclass

from pydantic import SecretStr


@dataclass(frozen=True)
class BotSettings:
    """What the bot needs to know; the service (or ``scr bot``) fills it from its own settings."""

    bot_token: SecretStr
    signing_secret: SecretStr
    api_url: str = "https://slack.com/api/"
    reminder_channel: str = ""
    reminder_lead_days: int = 2
    admin_channel: str = ""  # where declarations await an admin's confirmation (and admin notices go)
    team_id: str = ""  # the deployment's own workspace, where those channels are (SCR_SLACK_TEAM_ID)
    digest_hour: int = 8  # the weekly digest is posted from this hour in England, never earlier in the day


# What the bot asks of a workspace that adds it ("Add to Slack"): the bot scopes of bot/manifest.yml.
BOT_SCOPES = ("commands", "chat:write", "im:write", "im:history", "files:write")
