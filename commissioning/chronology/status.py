"""Where an agency's chronology stands, as the commissioner and the agency see it: requested (due in so
many days), received with problems (the last file failed its checks), accepted, or late (so many days)."""

from dataclasses import dataclass
from datetime import date
from typing import Literal

from commissioning.chronology.documents import count

State = Literal["requested", "problems", "accepted", "late"]
WORDS: dict[State, str] = {
    "requested": "requested",
    "problems": "received with problems",
    "accepted": "accepted",
    "late": "late",
}


@dataclass(frozen=True)
class Standing:
    state: State
    days: int  # to the due date (requested, problems) or past it (late); 0 once accepted

    def words(self) -> str:
        """ "requested, due in 3 days", "late by 2 days", "received with problems, due today", "accepted"."""
        if self.state == "accepted":
            return WORDS["accepted"]
        if self.state == "late":
            return f"late by {count(self.days, 'day')}"
        due = "due today" if self.days == 0 else f"due in {count(self.days, 'day')}"
        return f"{WORDS[self.state]}, {due}"

    def to_json(self) -> dict[str, object]:
        return {"state": self.state, "days": self.days, "words": self.words()}


def standing(*, due_on: date, accepted: bool, problems: bool, today: date) -> Standing:
    """An accepted chronology is accepted however late it came; otherwise one past its due day is late,
    whatever files failed before."""
    if accepted:
        return Standing("accepted", 0)
    if today > due_on:
        return Standing("late", (today - due_on).days)
    return Standing("problems" if problems else "requested", (due_on - today).days)
