"""The service's identifiers and values as people read them, the same in every view."""

from datetime import date, datetime


def humanise(identifier: str) -> str:
    """A last resort for an identifier the service gave no words for: ``rapid_review`` -> ``Rapid review``.
    Views use the names the service gives (labels, titles, questions); this only keeps an unexpected
    value readable."""
    return identifier.replace("_", " ").capitalize()


def words(value: str) -> str:
    """A vocabulary value as words: ``domestic_abuse`` -> ``domestic abuse``."""
    return str(value).replace("_", " ")


def sentence(text: str) -> str:
    """``text`` with its first letter capitalised (and the rest as it was: "DBS" stays "DBS")."""
    return text[:1].upper() + text[1:]


WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day(value: date | str) -> str:
    """A date as every Slack view writes it, whatever the process's locale: ``Wed 11 Nov 2026``. Takes a
    date, or the service's ISO text of a date or a moment (``2026-11-11``, ``2026-11-11T09:30:00``)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value).date() if "T" in value else date.fromisoformat(value)
    return f"{WEEKDAYS[value.weekday()]} {value.day} {MONTHS[value.month - 1]} {value.year}"
