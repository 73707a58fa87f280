"""Time as the tables store it, and the day the service counts from.

Instants are stored in UTC. A day, though, is the day the board's people are living in: "today" is the
date in England (Europe/London), whatever zone the server runs in. A server on UTC would otherwise be a
day behind between midnight and 1 am all summer, and a check done "today" would be dated yesterday.
"""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LOCAL_ZONE = ZoneInfo("Europe/London")


def utcnow() -> datetime:
    """Timezone-aware UTC: SQLModel stores aware datetimes and returns them in UTC."""
    return datetime.now(UTC)


def local_day(instant: datetime) -> date:
    """The date in England at ``instant`` (an aware datetime)."""
    return instant.astimezone(LOCAL_ZONE).date()


def today() -> date:
    """The service's date, the one its routes decide as of: a date entered after it is in the future."""
    return local_day(utcnow())
