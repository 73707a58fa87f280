"""Which Slack workspace the bot is acting in, and how it reaches a person or channel in another.

A Slack member id belongs to a workspace: the same id in another workspace is another person. So every
call the bot relays to the service names both the member and the workspace the request came from
(``X-Slack-User-Id`` and ``X-Slack-Team-Id``). The middleware ``in_workspace`` notes the request's
workspace in a context variable before any listener runs (the listeners' tasks copy it), and
``ServiceClient`` sends it with every call, so no listener can forget it.

When workspaces add the app themselves (OAuth mode), each has its own bot token, and a request's client
holds its workspace's. A consultant linked in another workspace, or the admins' channel in the
deployment's own, is reached with that workspace's token, read from the installation store when the
call is made (``InstalledWebClient``). With one workspace (a bot token), every client is the one client.
"""

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.slack_calls import CheckedWebClient, refusal

NOT_INSTALLED = "not_installed"  # how the log names a call to a workspace whose installation is gone

current_team: ContextVar[str | None] = ContextVar("slack_team", default=None)


async def in_workspace(context: AsyncBoltContext, next: Callable[[], Awaitable[Any]]) -> Any:
    """Middleware: note the workspace the request came from, for ``ServiceClient`` to name."""
    current_team.set(context.team_id)
    return await next()


class InstalledWebClient(CheckedWebClient):
    """A checked client for one workspace that added the app: its bot token is read from the
    installation store at each call, so a reinstall (a new token) takes effect at once."""

    def __init__(self, *, installations: AsyncInstallationStore, team_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.installations = installations
        self.team_id = team_id

    async def api_call(self, api_method: str, **kwargs: Any) -> AsyncSlackResponse:  # type: ignore[override]
        bot = await self.installations.async_find_bot(enterprise_id=None, team_id=self.team_id)
        if bot is None or not bot.bot_token:
            raise refusal(
                api_method, NOT_INSTALLED, reasons=[f"no installation for workspace {self.team_id}"]
            )
        self.token = bot.bot_token
        return await super().api_call(api_method, **kwargs)


@dataclass(frozen=True)
class Posting:
    """How a posting job reaches Slack: ``own``, the deployment's own workspace's client, and
    ``elsewhere(team)``, another workspace's (None with one workspace: ``own`` reaches every channel)."""

    own: AsyncWebClient
    elsewhere: Callable[[str], AsyncWebClient] | None = None

    def to(self, team: str | None) -> AsyncWebClient:
        """The client for a channel or person in workspace ``team`` (None: the own workspace)."""
        return self.elsewhere(team) if team and self.elsewhere is not None else self.own


class Workspaces:
    """The Web API client that reaches a workspace the bot serves.

    ``own_team`` is the deployment's own workspace (SCR_SLACK_TEAM_ID); ``installations`` is None with
    one workspace (a bot token), else the store of each workspace's installation.
    """

    def __init__(
        self, *, base: CheckedWebClient, own_team: str, installations: AsyncInstallationStore | None
    ) -> None:
        self.base = base
        self.own_team = own_team
        self.installations = installations

    def reach(self, team_id: str | None, *, here: AsyncWebClient) -> AsyncWebClient:
        """The client for workspace ``team_id`` (None: the deployment's own): ``here``, the request's
        own client, when that is where the request came from or there is only one workspace."""
        team = team_id or self.own_team
        if self.installations is None or not team or team == current_team.get():
            return here
        return self._installed(team)

    def own(self) -> AsyncWebClient:
        """The client for the deployment's own workspace, for the jobs that post to its channels."""
        if self.installations is None:
            return self.base
        return self._installed(self.own_team)

    def elsewhere(self, team_id: str) -> AsyncWebClient:
        """The client for workspace ``team_id``, for the jobs that post to a partnership's channels in a
        workspace of its own (with one workspace, the one client)."""
        if self.installations is None:
            return self.base
        return self._installed(team_id)

    def posting(self) -> Posting:
        """The clients the posting jobs use: the own workspace's, and each other workspace's."""
        return Posting(self.own(), self.elsewhere)

    def _installed(self, team_id: str) -> InstalledWebClient:
        assert self.installations is not None
        base = self.base
        return InstalledWebClient(
            installations=self.installations,
            team_id=team_id,
            base_url=base.base_url,
            timeout=base.timeout,
            retry_handlers=base.retry_handlers,
            logger=base.logger,
        )
