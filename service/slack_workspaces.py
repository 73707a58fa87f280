"""The Slack workspaces the bot serves when workspaces add it themselves ("Add to Slack", the OAuth mode of
``service.slack_settings.slack_mode``), and what Bolt keeps about them in the service's database.

Bolt's installation store (each workspace's bot token) and OAuth state store (the one-time ``state`` of
an install in progress) are slack_sdk's SQLAlchemy stores on the service's engine. Their tables are made by
the migrations like every other table (0013, from the same definitions: ``SLACK_TABLES`` puts slack_sdk's
own table builders into the service's metadata, so the test that compares migrations with the models
covers them); the stores never create tables. slack_sdk's stores are synchronous, and the bot is Bolt's
``AsyncApp``: each call runs in a worker thread, so a slow database never stalls the event loop.

Each installation also records its workspace in ``slack_workspace`` (its name, when it was added) and in
the audit log, so admins can see which workspaces the service serves. Which partnerships each workspace
serves is mapped once partnerships exist.
"""

import asyncio
import html
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from slack_bolt.error import BoltError
from slack_bolt.oauth.async_callback_options import AsyncFailureArgs
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.sqlalchemy_utils import normalize_datetime_for_db
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine
from sqlmodel import Field, SQLModel

from core import audit
from core.clock import utcnow
from core.transaction import unit_of_work

log = logging.getLogger("service.slack")

BOTS_TABLE, INSTALLATIONS_TABLE, STATES_TABLE = "slack_bots", "slack_installations", "slack_oauth_states"
SLACK_TABLES = (
    SQLAlchemyInstallationStore.build_bots_table(SQLModel.metadata, BOTS_TABLE),
    SQLAlchemyInstallationStore.build_installations_table(SQLModel.metadata, INSTALLATIONS_TABLE),
    SQLAlchemyOAuthStateStore.build_oauth_states_table(SQLModel.metadata, STATES_TABLE),
)
INSTALL_PATH, REDIRECT_PATH = "/slack/install", "/slack/oauth_redirect"
STATE_SECONDS = 600  # an install must be finished within ten minutes of opening the install page
ORG_WIDE = "org_wide_install"  # the failure reason of an Enterprise Grid organisation-wide install


class SlackWorkspace(SQLModel, table=True):
    """A Slack workspace that added the app (OAuth mode), by its team id, as Slack named it."""

    __tablename__ = "slack_workspace"

    team_id: str = Field(primary_key=True, max_length=32)
    team_name: str = Field(max_length=200)
    installed_at: datetime = Field(default_factory=utcnow)  # when it first added the app
    updated_at: datetime = Field(default_factory=utcnow)  # when it last added it (a reinstall: new scopes)
    installed_by: str | None = Field(default=None, max_length=32)  # the member id who last added it


class InstallationStore(SQLAlchemyInstallationStore, AsyncInstallationStore):
    """slack_sdk's SQLAlchemy installation store on the service's engine, for Bolt's ``AsyncApp``; an
    installation saved also records its workspace (``slack_workspace``) and an audit event."""

    def __init__(self, *, client_id: str, engine: Engine) -> None:
        super().__init__(
            client_id=client_id,
            engine=engine,
            bots_table_name=BOTS_TABLE,
            installations_table_name=INSTALLATIONS_TABLE,
            logger=log,
        )

    def save(self, installation: Installation) -> None:
        """Keep the installation; refuse an organisation-wide one, whose member ids belong to no one
        workspace (the bot keys every person by workspace and member id)."""
        if installation.is_enterprise_install or not installation.team_id:
            raise BoltError(ORG_WIDE)
        super().save(installation)
        _record_workspace(self.engine, installation)

    async def async_save(self, installation: Installation) -> None:
        await asyncio.to_thread(self.save, installation)

    async def async_save_bot(self, bot: Bot) -> None:
        await asyncio.to_thread(self.save_bot, bot)

    async def async_find_bot(
        self, *, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None = False
    ) -> Bot | None:
        return await asyncio.to_thread(
            self.find_bot,
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=is_enterprise_install,
        )

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        return await asyncio.to_thread(
            self.find_installation,
            enterprise_id=enterprise_id,
            team_id=team_id,
            user_id=user_id,
            is_enterprise_install=is_enterprise_install,
        )

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await asyncio.to_thread(self.delete_bot, enterprise_id=enterprise_id, team_id=team_id)

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        await asyncio.to_thread(
            self.delete_installation, enterprise_id=enterprise_id, team_id=team_id, user_id=user_id
        )


class StateStore(SQLAlchemyOAuthStateStore, AsyncOAuthStateStore):
    """slack_sdk's SQLAlchemy OAuth state store on the service's engine, for Bolt's ``AsyncApp``: each
    ``state`` is issued with the install page and consumed once by the redirect back from Slack.

    Anyone can open the install page, and slack_sdk deletes a state only when it is consumed: the states
    of installs never finished are deleted once expired, as each new one is issued, so the table holds
    at most ten minutes' worth."""

    def __init__(self, *, engine: Engine) -> None:
        super().__init__(expiration_seconds=STATE_SECONDS, engine=engine, logger=log, table_name=STATES_TABLE)

    def issue(self, *args: Any, **kwargs: Any) -> str:
        expired = self.oauth_states.c.expire_at <= normalize_datetime_for_db(datetime.now(tz=UTC))
        with self.engine.begin() as connection:
            connection.execute(self.oauth_states.delete().where(expired))
        return super().issue(*args, **kwargs)

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        return await asyncio.to_thread(self.issue)

    async def async_consume(self, state: str) -> bool:
        return await asyncio.to_thread(self.consume, state)


def _record_workspace(engine: Engine, installation: Installation) -> None:
    """Note the workspace that added the app (or added it again), and audit it."""
    team_id = str(installation.team_id)
    name = installation.team_name or team_id
    with unit_of_work(engine) as session:
        workspace = session.get(SlackWorkspace, team_id)
        action = "slack_workspace.install" if workspace is None else "slack_workspace.reinstall"
        if workspace is None:
            workspace = SlackWorkspace(team_id=team_id, team_name=name)
        workspace.team_name, workspace.updated_at = name, utcnow()
        workspace.installed_by = (installation.user_id or "")[:32] or None
        session.add(workspace)
        audit.record(
            session,
            action,
            team_id,
            actor=f"Slack user {installation.user_id} of {name}",
            after={
                "team_name": name,
                "scopes": installation.bot_scopes,
                "installed_by": installation.user_id,
            },
        )
    log.info("slack.workspace.%s team=%s", action.partition(".")[2], team_id)


# What a person reads in their browser while adding the app ----------------------------------------------

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>
<body><h1>{title}</h1>{body}</body></html>"""

FAILED = {
    "access_denied": "You chose not to add the app, so nothing was changed.",
    "invalid_browser": "This page was opened in another browser than the one that started adding the app, "
    "or after too long.",
    "invalid_state": "This link has been used already, or it is more than ten minutes old.",
    ORG_WIDE: "The app can be added to one workspace at a time, not to a whole Enterprise Grid "
    "organisation. Add it from each workspace that needs it.",
}


class InstallFlow(AsyncOAuthFlow):
    """Bolt's OAuth flow with this service's own install page (Bolt's fetches an image from Slack's site
    and names no service)."""

    async def build_install_page_html(self, url: str, request: AsyncBoltRequest) -> str:
        body = (
            "<p>Add the case review service to your Slack workspace, so that chairs, commissioners and "
            "admins can use <code>/scr</code> there.</p>"
            f'<p><a href="{html.escape(url)}">Add to Slack</a></p>'
            "<p>Your workspace's people are not linked to the service until an admin links them.</p>"
        )
        return PAGE.format(title="Add the case review service to Slack", body=body)


def _failure(settings: AsyncOAuthSettings) -> Callable[[AsyncFailureArgs], Awaitable[BoltResponse]]:
    async def failure(args: AsyncFailureArgs) -> BoltResponse:
        """A page in plain words; the state cookie is cleared, so the next attempt starts afresh."""
        reason = args.error.args[0] if isinstance(args.error, BoltError) and args.error.args else args.reason
        log.warning("slack.install.failed reason=%s", reason)
        said = FAILED.get(str(reason), "Slack did not confirm adding the app, so nothing was changed.")
        status = 400 if reason == ORG_WIDE else args.suggested_status_code  # refused, not failed
        body = (
            f"<p>{html.escape(said)}</p>"
            f'<p><a href="{INSTALL_PATH}">Start again</a>, or ask the service\'s operator if it keeps '
            "happening.</p>"
        )
        return BoltResponse(
            status=status,
            body=PAGE.format(title="The app was not added", body=body),
            headers={
                "Content-Type": "text/html; charset=utf-8",
                "Set-Cookie": settings.state_utils.build_set_cookie_for_deletion(),
            },
        )

    return failure


def install_flow(
    *, client_id: str, client_secret: str, redirect_uri: str, api_url: str, scopes: list[str], engine: Engine
) -> InstallFlow:
    """The OAuth install flow ("Add to Slack") at ``INSTALL_PATH`` and ``REDIRECT_PATH``, keeping
    installations and states in the service's database (``engine``). Slack's authorisation page is at the
    same site as its Web API (``api_url``: slack.com's, or a stand-in's)."""
    settings = AsyncOAuthSettings(
        client_id=client_id,
        client_secret=client_secret,
        scopes=scopes,
        redirect_uri=redirect_uri or None,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        authorization_url=api_url.rstrip("/").removesuffix("/api") + "/oauth/v2/authorize",
        installation_store=InstallationStore(client_id=client_id, engine=engine),
        state_store=StateStore(engine=engine),
        state_expiration_seconds=STATE_SECONDS,
        logger=log,
    )
    flow = InstallFlow(settings=settings, logger=log)
    flow.failure_handler = _failure(settings)  # Bolt's page names its reason codes; this one says why
    return flow
