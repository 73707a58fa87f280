"""A case's anonymisation glossary: the names in its chronologies and the codes that stand for them
("Jane Smith" -> "Mother", "Dr Patel" -> "GP1"). The composite is shown coded unless someone entitled to
the personal view asks for it; the personal view is the text as written."""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from core.errors import Invalid

View = Literal["coded", "personal"]


@dataclass(frozen=True)
class Glossary:
    """``terms`` maps each name as written (any spelling of a person is its own entry) to its code."""

    terms: dict[str, str]
    _codes: dict[str, str] = field(init=False, repr=False, compare=False)
    _pattern: re.Pattern[str] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        codes = {_fold(name): code for name, code in self.terms.items()}
        # Longest names first, so "Jane Smith" is coded whole before "Jane" could be; whole words only,
        # so "Al" does not code "Alan"; any run of spaces inside a name matches.
        names = sorted(self.terms, key=len, reverse=True)
        alternatives = "|".join(r"\s+".join(map(re.escape, name.split())) for name in names)
        pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE) if names else None
        object.__setattr__(self, "_codes", codes)
        object.__setattr__(self, "_pattern", pattern)

    def coded(self, text: str) -> str:
        """``text`` with every name in the glossary replaced by its code, whatever its case."""
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda found: self._codes[_fold(found.group(0))], text)

    def render(self, text: str, view: View = "coded") -> str:
        """``text`` as the view shows it: coded, or personal (as written)."""
        return self.coded(text) if view == "coded" else text


def glossary(pairs: Iterable[tuple[str, str]]) -> Glossary:
    """A glossary from (name, code) pairs, refused with every problem listed when a name is too short to
    code safely, a code is missing, or one name is given two codes."""
    terms: dict[str, str] = {}
    problems: list[str] = []
    for name, code in pairs:
        name, code = " ".join(name.split()), " ".join(code.split())
        if len(name.replace(" ", "")) < 2:
            problems.append(f"the name '{name}' is too short to find safely: give at least two letters")
        elif not code:
            problems.append(f"'{name}' has no code")
        else:
            earlier = next((known for known in terms if _fold(known) == _fold(name)), None)
            if earlier is not None and terms[earlier] != code:
                problems.append(f"'{name}' is given two codes, '{terms[earlier]}' and '{code}'")
            terms.setdefault(earlier or name, code)
    if problems:
        raise Invalid("The glossary cannot be used: " + "; ".join(problems) + ".")
    return Glossary(terms)


def _fold(name: str) -> str:
    return " ".join(name.split()).casefold()
