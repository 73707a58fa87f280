"""What the Slack settings mean together: which way the bot serves Slack, and which workspace is the
deployment's own.

One workspace: the bot token (SCR_SLACK_BOT_TOKEN) and the signing secret, in HTTP mode (inside
``scr serve``) or Socket Mode (``scr bot --socket``). Several: every workspace adds the app itself
("Add to Slack", Slack's OAuth install flow) with a client id and secret, and each workspace's bot token
is kept in the database; that needs HTTP mode, since Slack sends the browser back to this service's
public HTTPS address. Bolt ignores a fixed token once it has an installation store, so the two never mix:
the service chooses at start-up and refuses settings that would mix them.
"""

from enum import StrEnum

from registry.identities import OWN_WORKSPACE
from service.settings import Settings, get_settings


class SlackSettingsError(RuntimeError):
    """The Slack settings make no sense together; the message says what to change."""


class SlackMode(StrEnum):
    off = "off"
    single = "single"  # one workspace, its bot token in SCR_SLACK_BOT_TOKEN
    oauth = "oauth"  # workspaces add the app themselves; their tokens are kept in the database


def slack_mode(settings: Settings) -> SlackMode:
    """How the bot serves Slack, from the settings; SlackSettingsError for a mix that makes no sense."""
    oauth = {
        "SCR_SLACK_CLIENT_ID": settings.slack_client_id,
        "SCR_SLACK_CLIENT_SECRET": settings.slack_client_secret,
    }
    given = [name for name, value in oauth.items() if value]
    if not given:
        return (
            SlackMode.single if settings.slack_bot_token and settings.slack_signing_secret else SlackMode.off
        )
    problem = _oauth_problem(settings, given=given, oauth=list(oauth))
    if problem:
        raise SlackSettingsError(problem)
    return SlackMode.oauth


def _oauth_problem(settings: Settings, *, given: list[str], oauth: list[str]) -> str:
    """What is wrong with settings that ask for the install flow, in words; "" if nothing."""
    if len(given) == 1:
        missing = next(name for name in oauth if name not in given)
        return f"{given[0]} is set but {missing} is not: set both to let workspaces add the app."
    if settings.slack_bot_token:
        return (
            "SCR_SLACK_BOT_TOKEN is set with SCR_SLACK_CLIENT_ID: with a client id each workspace's bot "
            "token comes from its installation, and a fixed one would be ignored. Unset "
            "SCR_SLACK_BOT_TOKEN (every workspace, your own too, adds the app at /slack/install), or unset "
            "the client id and secret to serve one workspace."
        )
    if settings.slack_app_token:
        return (
            "SCR_SLACK_APP_TOKEN (Socket Mode) is set with SCR_SLACK_CLIENT_ID: adding the app to a "
            "workspace needs Slack to reach this service at a public HTTPS address, so Socket Mode serves "
            "one workspace. Unset one of them."
        )
    if not settings.slack_signing_secret:
        return (
            "SCR_SLACK_CLIENT_ID is set but SCR_SLACK_SIGNING_SECRET is not: Slack's requests could not be "
            "checked."
        )
    if not settings.slack_team_id:
        return (
            "SCR_SLACK_CLIENT_ID is set but SCR_SLACK_TEAM_ID is not: name your own workspace (its team "
            "id, T...), where people linked without naming a workspace are, and where the reminder and "
            "admins' channels are."
        )
    if settings.slack_redirect_uri and not settings.slack_redirect_uri.startswith("https://"):
        return "SCR_SLACK_REDIRECT_URI must be an https:// address: Slack sends browsers back only to HTTPS."
    return ""


def slack_team_key(team_id: str | None, settings: Settings | None = None) -> str:
    """How a Slack account's workspace ``team_id`` is stored (``SlackIdentity.team_id``): the deployment's
    own workspace as ``OWN_WORKSPACE``, another as its team id.

    The own workspace is the one named by SCR_SLACK_TEAM_ID; in a single-workspace deployment without
    that setting, every workspace is (the bot serves one). None or "" (a link made without naming one)
    is the own workspace too. One form per workspace, so the database's unique key sees a clash.
    """
    settings = settings or get_settings()
    own = settings.slack_team_id
    if not team_id or team_id in (OWN_WORKSPACE, own):
        return OWN_WORKSPACE
    if not own and not (settings.slack_client_id and settings.slack_client_secret):
        return OWN_WORKSPACE
    return team_id[:32]
