"""What every feature's ``register(app, deps)`` receives, so each listener reaches the same few things."""

from dataclasses import dataclass

from bot.service_client import ServiceClient
from bot.settings import BotSettings


@dataclass(frozen=True)
class Deps:
    """The service's API (as the bot) and the bot's settings (the admins' channel, for one)."""

    service: ServiceClient
    settings: BotSettings
