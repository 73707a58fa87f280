"""The scale tests use the Slack Web API stand-in the Slack tests keep in ``tests/slack``, and run nginx as
the load test does (``bench._nginx``, from the repository's root)."""

import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
for folder in (str(TESTS / "slack"), str(TESTS.parent)):
    if folder not in sys.path:
        sys.path.append(folder)
