"""Time as the tables store it."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Timezone-aware UTC: SQLModel stores aware datetimes and returns them in UTC."""
    return datetime.now(UTC)
