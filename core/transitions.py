"""Statuses that move only by named actions (a commission's, a consultant's), as data: each action's
transition, and the refusal of an action the status does not allow."""

from dataclasses import dataclass
from typing import Generic, TypeVar

from core.errors import NotAllowed

S = TypeVar("S")


@dataclass(frozen=True)
class Transition(Generic[S]):
    """An action moves a record from any of ``sources`` to ``target``."""

    sources: frozenset[S]
    target: S

    def target_from(self, status: S, *, refused: str, allowed: list[str]) -> S:
        """``target``, when ``status`` is one of the sources; else ``NotAllowed`` saying ``refused`` and
        naming the ``allowed`` actions instead."""
        if status not in self.sources:
            raise NotAllowed(f"{refused}; allowed: {', '.join(allowed) or 'nothing'}.", allowed=allowed)
        return self.target
