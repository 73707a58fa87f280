"""What a corrected file would change in an agency's accepted chronology, said before anything changes.

Rows are matched the way a text diff matches lines (``difflib.SequenceMatcher`` over each row's whole
content), so rows left alone are unchanged however the others moved. Where a stretch of rows was replaced,
an old and a new row at the same place are one row *changed* when they keep their date or most of their
event's words; otherwise the old row is *removed* and the new one *added*.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from commissioning.chronology.checks import Entry
from commissioning.chronology.marks import similarity, words

FIELDS = ("date", "time", "sequence", "source", "event", "role", "comment")


@dataclass(frozen=True)
class Change:
    """One row changed: the old row, the new row, and the columns whose values differ (by key)."""

    old: Entry
    new: Entry
    columns: tuple[str, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "row": self.new.row,
            "was_row": self.old.row,
            "columns": list(self.columns),
            "before": self.old.to_json(),
            "after": self.new.to_json(),
        }


@dataclass(frozen=True)
class Diff:
    added: tuple[Entry, ...]
    removed: tuple[Entry, ...]
    changed: tuple[Change, ...]
    unchanged: int

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def summary(self) -> str:
        """One sentence for the dry run, saying what confirming would do."""
        if self.empty:
            return "The new file changes nothing: every row is as before."
        return (
            f"Rows added: {len(self.added)}; removed: {len(self.removed)}; changed: {len(self.changed)}; "
            f"unchanged: {self.unchanged}."
        )

    def to_json(self) -> dict[str, object]:
        return {
            "added": [entry.to_json() | {"row": entry.row} for entry in self.added],
            "removed": [entry.to_json() | {"row": entry.row} for entry in self.removed],
            "changed": [change.to_json() for change in self.changed],
            "unchanged": self.unchanged,
            "summary": self.summary(),
        }


def content(entry: Entry) -> tuple[object, ...]:
    """Everything a row says, without where it was in the file."""
    return (*(_field(entry, name) for name in FIELDS), tuple(sorted(entry.extra.items())))


def diff(old: Sequence[Entry], new: Sequence[Entry]) -> Diff:
    """What replacing ``old`` (the rows accepted now) with ``new`` (the corrected file's) would change."""
    added: list[Entry] = []
    removed: list[Entry] = []
    changed: list[Change] = []
    unchanged = 0
    matcher = SequenceMatcher(None, [content(e) for e in old], [content(e) for e in new], autojunk=False)
    for tag, old_from, old_to, new_from, new_to in matcher.get_opcodes():
        if tag == "equal":
            unchanged += old_to - old_from
            continue
        olds, news = list(old[old_from:old_to]), list(new[new_from:new_to])
        for before, after in zip(olds, news, strict=False):
            if _same_row(before, after):
                changed.append(Change(before, after, _differences(before, after)))
            else:
                removed.append(before)
                added.append(after)
        paired = min(len(olds), len(news))
        removed.extend(olds[paired:])
        added.extend(news[paired:])
    return Diff(tuple(added), tuple(removed), tuple(changed), unchanged)


def _field(entry: Entry, name: str) -> object:
    return entry.when if name == "date" else getattr(entry, name)


def _same_row(before: Entry, after: Entry) -> bool:
    """Whether a new row is an old one corrected: the date kept, or at least half the event's words."""
    return before.when == after.when or similarity(words(before.event), words(after.event)) >= 0.5


def _differences(before: Entry, after: Entry) -> tuple[str, ...]:
    keys = sorted(set(before.extra) | set(after.extra))
    return tuple(name for name in FIELDS if _field(before, name) != _field(after, name)) + tuple(
        key for key in keys if before.extra.get(key, "") != after.extra.get(key, "")
    )
