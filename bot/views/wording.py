"""The service's identifiers and values as people read them, the same in every view."""

from datetime import date


def humanise(identifier: str) -> str:
    """``known_to_childrens_social_care`` -> ``Known to childrens social care``."""
    return identifier.replace("_", " ").capitalize()


def words(value: str) -> str:
    """A vocabulary value as words: ``domestic_abuse`` -> ``domestic abuse``."""
    return str(value).replace("_", " ")


def sentence(text: str) -> str:
    """``text`` with its first letter capitalised (and the rest as it was: "DBS" stays "DBS")."""
    return text[:1].upper() + text[1:]


WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day(value: date) -> str:
    """A date as every Slack view writes it, whatever the process's locale: ``Wed 11 Nov 2026``."""
    return f"{WEEKDAYS[value.weekday()]} {value.day} {MONTHS[value.month - 1]} {value.year}"
