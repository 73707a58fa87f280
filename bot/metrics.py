"""What the bot counts for the service's ``GET /metrics``: reminders and digest items posted, and the
calls Slack refused or never answered.

In HTTP mode the bot runs in the service's processes, so these are exposed with the service's own
metrics. A Socket Mode bot (``scr bot --socket``) is a process of its own and exposes none of them: its
log lines say the same.
"""

from prometheus_client import Counter

REMINDERS_SENT = Counter("scr_slack_reminders_sent", "Deadline reminders posted (one a deadline).")
DIGEST_ITEMS_SENT = Counter("scr_slack_digest_items_sent", "Weekly expiry digest items posted.")
SLACK_ERRORS = Counter(
    "scr_slack_errors",
    "Calls to Slack that failed, by method and Slack's error ('unreachable': no answer).",
    ["method", "error"],
)
