"""``python -m service.cli``: the same as ``scr``."""

from service.cli import app

app()
