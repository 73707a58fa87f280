"""A date as people read it, the same in every sentence the service writes (a finding's reason, a refusal)
and in every Slack view the bot builds: ``Wed 11 Nov 2026``, whatever the process's locale."""

from datetime import date
from functools import lru_cache

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@lru_cache(maxsize=4096)  # a shortlist writes the same few hundred days into thousands of findings
def day(value: date) -> str:
    """``date(2026, 11, 11)`` -> ``Wed 11 Nov 2026``."""
    return f"{WEEKDAYS[value.weekday()]} {value.day} {MONTHS[value.month - 1]} {value.year}"
