"""The approved list's values and the service's dates as people read them, in every view of the
consultant, ``/scr me``, the shortlist, the declaration and the digest.

The words of a vocabulary's values come from the service (``ServiceClient.vocabulary``), the one source
of them: "lcspr" reads "local child safeguarding practice review", "infant_injury_and_sudi" reads
"infant injury and SUDI". Dates read as ``bot.views.wording.day`` writes them: ``Wed 11 Nov 2026``.
"""

import re
from collections.abc import Iterable, Mapping
from datetime import date

from bot.views.blocks import escape
from bot.views.wording import day, words

Vocabulary = Mapping[str, Mapping[str, str]]  # vocabulary ("review_type") -> value -> words
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October")
MONTHS += ("November", "December")
DOCUMENT_DATE = re.compile(rf"\b(\d{{1,2}}) ({'|'.join(MONTHS)}) (\d{{4}})\b")


def term(vocabulary: Vocabulary, kind: str, value: object) -> str:
    """One value of the vocabulary ``kind`` in words (its own words, underscores spaced, if unknown)."""
    return vocabulary.get(kind, {}).get(str(value)) or words(str(value))


def terms(
    vocabulary: Vocabulary, kind: str, values: Iterable[object], *, empty: str = "none recorded"
) -> str:
    """Values of the vocabulary ``kind`` in words, listed (mrkdwn-escaped), or ``empty``."""
    return escape(", ".join(term(vocabulary, kind, value) for value in values)) or empty


def on(value: object, *, empty: str = "none recorded") -> str:
    """A date the service sent (ISO, or the date of an ISO date-time) as ``Wed 11 Nov 2026``."""
    if not value:
        return empty
    return day(date.fromisoformat(str(value)[:10]))


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``3 reviews``, ``1 review``: a number always with its word."""
    return f"{count} {noun if count == 1 else nouns or noun + 's'}"


def dated(text: str) -> str:
    """Text written for a document ("from 3 December 2025") with its dates as Slack writes them
    ("from Wed 3 Dec 2025"): the terms of reference say what is still to be confirmed in their own words."""

    def slack_day(found: re.Match[str]) -> str:
        try:
            return day(date(int(found[3]), MONTHS.index(found[2]) + 1, int(found[1])))
        except ValueError:  # not a date after all ("31 February 2026")
            return found[0]

    return DOCUMENT_DATE.sub(slack_day, text)
