"""The columns of a chronology: the standard seven, and any a partnership adds.

Each column knows the headings people give it, so a file whose headings were reworded by hand
("Date of event", "Source", "Comments") is still read: first by the exact wording, then by a close
match (``difflib``), never by position alone.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from core.errors import Invalid

CLOSE_ENOUGH = 0.85  # a heading this similar to a known one (difflib ratio) is read as that column


@dataclass(frozen=True)
class Column:
    """One column: ``key`` is how the service names it, ``header`` how the template heads it."""

    key: str
    header: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    help: str = ""
    width_cm: float = 3.0

    def names(self) -> tuple[str, ...]:
        """Every heading read as this column, folded."""
        return tuple(fold(name) for name in (self.header, *self.aliases))


DATE = Column(
    "date",
    "Date",
    required=True,
    aliases=("Date of event", "Event date", "Dates", "Date(s)", "When"),
    help="The day, as 22/05/2016. If you are not sure of the day write ?22/05/2016, or May 2016 if only "
    "the month is known. For something over several days write 22/05/2016 - 24/05/2016.",
    width_cm=2.6,
)
TIME = Column(
    "time",
    "Time",
    aliases=("Time of event", "Time (if known)"),
    help="Optional: the time, as 14:30.",
    width_cm=1.6,
)
SEQUENCE = Column(
    "sequence",
    "Sequence",
    aliases=("Seq", "Seq no", "Sequence number", "Sequence no", "No", "Number", "#", "Order"),
    help="Number the events of one day 1, 2, 3 in the order they happened.",
    width_cm=1.6,
)
SOURCE = Column(
    "source",
    "Source of information",
    required=True,
    aliases=(
        "Source",
        "Source of info",
        "Information source",
        "Source of the information",
        "Source document",
        "Record",
        "Records",
    ),
    help="The record the entry comes from, for example GP notes, case file or call log. Every row needs one.",
    width_cm=3.0,
)
EVENT = Column(
    "event",
    "Event",
    required=True,
    aliases=(
        "Events",
        "Event details",
        "Details of event",
        "Event description",
        "Description of event",
        "Description",
        "Details",
        "What happened",
    ),
    help="What happened, who was there and what was decided.",
    width_cm=8.0,
)
ROLE = Column(
    "role",
    "Practitioner role",
    aliases=(
        "Practitioner",
        "Role",
        "Role of practitioner",
        "Practitioner's role",
        "Practitioner(s)",
        "Professional",
        "Worker",
        "Staff role",
    ),
    help="The role of the person involved, not their name, for example Health visitor.",
    width_cm=3.0,
)
COMMENT = Column(
    "comment",
    "Significance or comment",
    aliases=(
        "Significance",
        "Comment",
        "Comments",
        "Significance/comment",
        "Significance and comment",
        "Significance / comments",
        "Agency comment",
        "Analysis",
    ),
    help="Why the event matters, or anything the review should know about it.",
    width_cm=5.0,
)
STANDARD: tuple[Column, ...] = (DATE, TIME, SEQUENCE, SOURCE, EVENT, ROLE, COMMENT)

_NOT_WORDS = re.compile(r"[^a-z0-9#]+")
_NOTES = re.compile(r"\((?:optional|mandatory|required|if known)\)|\*")


def fold(heading: str) -> str:
    """A heading as compared: lower case, notes like "(optional)" and "*" dropped, punctuation as spaces."""
    return _NOT_WORDS.sub(" ", _NOTES.sub(" ", heading.lower())).strip()


def added_column(header: str, *, required: bool = False, help: str = "") -> Column:
    """A column a partnership adds, keyed by its heading ("Ethnicity recorded" -> ``ethnicity_recorded``)."""
    key = fold(header).replace(" ", "_")
    if not key:
        raise Invalid(f"A column needs a heading with letters or numbers in it, not {header!r}.")
    return Column(key, header.strip(), required=required, help=help)


def with_added(added: Iterable[Column] = ()) -> tuple[Column, ...]:
    """The standard columns and then ``added``; an added column may not be read as another."""
    columns = list(STANDARD)
    for column in added:
        clash = next((other for other in columns if set(column.names()) & set(other.names())), None)
        if clash is not None:
            raise Invalid(
                f"The column {column.header!r} would be read as the {clash.header!r} column: "
                "give it a different heading."
            )
        columns.append(column)
    return tuple(columns)


def match(heading: str, columns: Sequence[Column]) -> Column | None:
    """The column a heading names: its own wording or an alias, else the closest wording if close enough."""
    folded = fold(heading)
    if not folded:
        return None
    for column in columns:
        if folded in column.names():
            return column
    best, score = None, CLOSE_ENOUGH
    for column in columns:
        for name in column.names():
            ratio = SequenceMatcher(None, folded, name).ratio()
            if ratio >= score:
                best, score = column, ratio
    return best
