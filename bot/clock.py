"""The bot's day and hour: England's (Europe/London), whatever zone the server runs in.

The bot imports nothing of the service, so it keeps its own clock; the service's (``core.clock``) counts
the same day. Jobs and listeners read it through this module, so a test can stop it at any instant.
"""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LOCAL_ZONE = ZoneInfo("Europe/London")


def now() -> datetime:
    """The time in England now, timezone-aware."""
    return datetime.now(UTC).astimezone(LOCAL_ZONE)


def local_day(instant: datetime) -> date:
    """The date in England at ``instant`` (an aware datetime)."""
    return instant.astimezone(LOCAL_ZONE).date()


def today() -> date:
    """The date in England now: the day deadlines, reminders and the digest count from."""
    return local_day(now())
