"""Time as the tables store it, and the day the service counts from."""

from datetime import UTC, date, datetime


def utcnow() -> datetime:
    """Timezone-aware UTC: SQLModel stores aware datetimes and returns them in UTC."""
    return datetime.now(UTC)


def today() -> date:
    """The service's date, the one its routes decide as of: a date entered after it is in the future."""
    return date.today()
