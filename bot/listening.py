"""How a feature registers a listener for a button press or a modal submission, reported (``reported``).

A button press is acknowledged before its listener runs: Slack wants the acknowledgement within three
seconds and no button here answers anything in it, so the listener names only what it reads.
"""

import re
from collections.abc import Callable

from slack_bolt.async_app import AsyncApp

from bot.reporting import Listener, reported


def on_press(app: AsyncApp, action_id: str | re.Pattern[str]) -> Callable[[Listener], Listener]:
    """Register the decorated listener for the button (or select) ``action_id``, acknowledged first."""

    def register(listener: Listener) -> Listener:
        app.action(action_id)(reported(listener, acknowledge=True))
        return listener

    return register


def on_submit(app: AsyncApp, callback_id: str) -> Callable[[Listener], Listener]:
    """Register the decorated listener for the submission of the modal ``callback_id``; it acknowledges
    itself, since a refusal is answered in the acknowledgement (errors under the inputs)."""

    def register(listener: Listener) -> Listener:
        app.view(callback_id)(reported(listener))
        return listener

    return register
