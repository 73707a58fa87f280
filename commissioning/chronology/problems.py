"""A problem with an uploaded chronology: where it is, as the file shows it, and what to do about it."""

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """``row`` counts as the file shows it (a spreadsheet's row number, a Word table's row); ``column`` is
    the heading the file gives it. An error stops the file being accepted; a warning can be accepted."""

    row: int | None
    column: str | None
    msg: str
    severity: Severity = "error"

    def to_json(self) -> dict[str, object]:
        return {"row": self.row, "column": self.column, "msg": self.msg, "severity": self.severity}


def quoted(text: str) -> str:
    """Text as the file writes it, in quotes inside a sentence."""
    return f"'{text}'"
