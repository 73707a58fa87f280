"""An accepted row as the database keeps it, and back: every field of ``checks.Entry`` as plain JSON, so
a stored chronology merges exactly as the checked file did, without reading the file again."""

from collections.abc import Mapping
from datetime import date, time
from typing import Any, cast

from commissioning.chronology.checks import Entry
from commissioning.chronology.dates import ChronoDate, Precision


def to_record(entry: Entry) -> dict[str, Any]:
    when = entry.when
    return {
        "row": entry.row,
        "place": entry.place,
        "start": when.start.isoformat(),
        "end": when.end.isoformat(),
        "precision": when.precision,
        "end_precision": when.end_precision,
        "doubted": when.doubted,
        "is_range": when.is_range,
        "time": entry.time.isoformat(timespec="minutes") if entry.time else None,
        "sequence": entry.sequence,
        "source": entry.source,
        "event": entry.event,
        "role": entry.role,
        "comment": entry.comment,
        "extra": dict(entry.extra),
    }


def from_record(record: Mapping[str, Any]) -> Entry:
    when = ChronoDate(
        date.fromisoformat(record["start"]),
        date.fromisoformat(record["end"]),
        cast(Precision, record["precision"]),
        cast(Precision, record["end_precision"]),
        doubted=record["doubted"],
        is_range=record["is_range"],
    )
    return Entry(
        row=record["row"],
        place=record["place"],
        when=when,
        time=time.fromisoformat(record["time"]) if record["time"] else None,
        sequence=record["sequence"],
        source=record["source"],
        event=record["event"],
        role=record["role"],
        comment=record["comment"],
        extra=dict(record["extra"]),
    )
