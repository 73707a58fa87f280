"""The scale tests use the Slack Web API stand-in the Slack tests keep in ``tests/slack``."""

import sys
from pathlib import Path

SLACK_TESTS = str(Path(__file__).resolve().parents[1] / "slack")
if SLACK_TESTS not in sys.path:
    sys.path.append(SLACK_TESTS)
