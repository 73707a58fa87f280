"""What every feature's ``register(app, deps)`` receives, so each listener reaches the same few things."""

from dataclasses import dataclass

from bot.service_client import ServiceClient
from bot.settings import BotSettings
from bot.workspaces import Workspaces


@dataclass(frozen=True)
class Deps:
    """The service's API (as the bot), the bot's settings (the admins' channel, for one) and the Slack
    workspaces it serves (to reach a person or channel in another than the request's)."""

    service: ServiceClient
    settings: BotSettings
    workspaces: Workspaces
