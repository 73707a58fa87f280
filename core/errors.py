"""Domain errors. The domain raises these; ``service.app`` maps them to HTTP once."""

from collections.abc import Sequence
from typing import Any


class DomainError(Exception):
    """Base for errors a person can act on."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """The named record does not exist (404)."""


class Conflict(DomainError):
    """The change clashes with what is stored or with the rules (409); ``findings`` say why."""

    def __init__(self, message: str, findings: Sequence[Any] = ()) -> None:
        super().__init__(message)
        self.findings = list(findings)


class NotAllowed(DomainError):
    """A state transition that is not allowed from the current state (409); lists the allowed ones."""

    def __init__(self, message: str, allowed: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.allowed = list(allowed)


class Invalid(DomainError):
    """Input that fails validation (422); ``problems`` lists every problem at once."""

    def __init__(self, message: str, problems: Sequence[dict[str, Any]] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


class Clash(Conflict, Invalid):
    """Input that clashes with records already stored (409), listed as problems like any input's (an
    import names each row and column), so whatever shows an input's problems shows these too."""

    def __init__(self, message: str, problems: Sequence[dict[str, Any]]) -> None:
        Conflict.__init__(self, message, findings=problems)
        self.problems = list(problems)
