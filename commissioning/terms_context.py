"""What the terms of reference are assembled from, and the guidance they are read under.

Pure. The inputs (a case's facts, its decisions, its commission) carry no personal details. ``Context``
works out once what every section shares: the regime (serious case reviews by a Local Safeguarding
Children Board, or child safeguarding practice reviews by the safeguarding partners), the edition of
the guidance in force on the day a clause turns on, and the sources a clause may cite. A clause names
its sources by id in ``clauses.json``; a document shows only those that are law, statutory guidance or
official national guidance, of the regime the clause is about, covering England, and in force that day.
"""

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from commissioning.arrangements import Arrangement
from commissioning.rules import Ruleset
from commissioning.terms_document import Paragraph, parse_date

CLAUSES_PATH = Path(__file__).with_name("clauses.json")
SHOWN_KINDS = frozenset({"law", "statutory_guidance", "official"})
CHILD_REGIMES = frozenset({"scr", "cspr"})  # the regimes whose documents may also cite any child law


@lru_cache
def load_clauses() -> dict[str, Any]:
    """The clause library; read once per process."""
    return json.loads(CLAUSES_PATH.read_text(encoding="utf-8"))


CLAUSES_VERSION: str = load_clauses()["version"]


@dataclass(frozen=True)
class Source:
    """One source a clause may rest on, with what decides whether a document may cite it."""

    id: str
    cite: str
    kind: str  # law, statutory_guidance, official, or secondary (kept for audit, never shown)
    regimes: frozenset[str]
    jurisdiction: str
    start: date | None
    end: date | None

    def in_force(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)

    def citable(self, regime: str, day: date, covering: frozenset[str]) -> bool:
        """Whether a clause about ``regime``, turning on ``day``, may show this source to its reader."""
        regimes = {regime, "children"} if regime in CHILD_REGIMES else {regime}
        return (
            self.kind in SHOWN_KINDS
            and self.jurisdiction in covering
            and bool(self.regimes & regimes)
            and self.in_force(day)
        )


@lru_cache
def sources() -> dict[str, Source]:
    """Every source in the clause library, by id."""
    return {
        key: Source(
            key,
            spec["cite"],
            spec["kind"],
            frozenset(spec["regimes"]),
            spec["jurisdiction"],
            parse_date(spec["from"]),
            parse_date(spec["until"]),
        )
        for key, spec in load_clauses()["sources"].items()
    }


def expand(ids: Iterable[str]) -> list[Source]:
    """The sources ``ids`` name, a ``#group`` standing for each of its members."""
    table, groups = sources(), load_clauses()["groups"]
    names = [member for key in ids for member in (groups[key[1:]] if key.startswith("#") else [key])]
    return [table[name] for name in names]


def cite(ids: Iterable[str], regime: str, day: date) -> str:
    """What a reader sees of ``ids`` for a clause about ``regime`` on ``day``: the citable ones, once each."""
    covering = frozenset(load_clauses()["jurisdictions_covering_england"])
    shown = (source.cite for source in expand(ids) if source.citable(regime, day, covering))
    return "; ".join(dict.fromkeys(shown))


# Inputs -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Agency:
    id: str
    name: str
    kind: str = "other"  # the registry's kind of agency: childrens_social_care, police, school ...


@dataclass(frozen=True)
class CaseFacts:
    """What the terms need from a case: its reference and features, never personal details."""

    ref: str
    features: Mapping[str, Any]
    agencies: tuple[Agency, ...] = ()
    other_areas: tuple[str, ...] = ()
    period_from: date | None = None
    period_to: date | None = None


@dataclass(frozen=True)
class BoardDecision:
    """The board's recorded decision: the name of the chair who recorded it (None when no name is known),
    the day it was made, and (optionally) which review and method."""

    decided_by: str | None
    decided_on: date
    review_type: str | None = None
    method: str | None = None
    superseded_on: date | None = None  # the case changed later and the engine now recommends otherwise


@dataclass(frozen=True)
class CommissionFacts:
    """The reviewer commissioned for the case: their record, what the commissioner weighed, and their
    declaration (if any). Backgrounds, accreditations, specialisms and review types are registry ids."""

    consultant_name: str
    role: str
    commissioned_on: date | None = None
    warnings: tuple[str, ...] = ()  # each a sentence the commissioner read before commissioning
    declared_on: date | None = None
    declaration: str | None = None
    signed_on: date | None = None  # the board recorded it from the consultant's statement signed that day
    backgrounds: tuple[str, ...] = ()
    accreditations: tuple[str, ...] = ()
    reviews: tuple[tuple[str, int], ...] = ()  # (review type, how many they led or wrote)
    specialisms: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()


@dataclass(frozen=True)
class Inputs:
    """What a case's terms are assembled from: its facts, the decision they follow, the board's decision
    and the current commission, as ``commissioning.terms_store`` reads them from the database."""

    case: CaseFacts
    decision: Mapping[str, Any]
    board: BoardDecision | None
    commission: CommissionFacts | None


# The guidance a case is read under ----------------------------------------------------------------


@dataclass(frozen=True)
class Context(Inputs):
    """The inputs, and everything the section builders share, worked out once."""

    review_type: str | None
    ruleset_id: str
    ruleset: Ruleset | None
    today: date
    clauses: Mapping[str, Any]
    arrangement: Arrangement | None = None  # who decided in the area on the day of the board's decision

    def feature_true(self, name: str) -> bool:
        return self.case.features.get(name) is True

    def outcome(self, outcome_type: str) -> Mapping[str, Any] | None:
        return next((o for o in self.decision.get("outcomes", []) if o.get("type") == outcome_type), None)

    @cached_property
    def conduct_day(self) -> date:
        """The day the review is set up under: the board's decision, else the earliest date the case knows."""
        if self.board is not None:
            return self.board.decided_on
        features = self.case.features
        return (
            parse_date(features.get("notified_date"))
            or parse_date(features.get("incident_date"))
            or self.today
        )

    @cached_property
    def criteria_day(self) -> date:
        """The day the threshold criteria turn on: the incident, else the day the review is set up."""
        return parse_date(self.case.features.get("incident_date")) or self.conduct_day

    @cached_property
    def regime(self) -> str:
        """``scr`` or ``cspr``: from the review type, else the decision's ruleset, else the date."""
        by_review = self.clauses["regime_of_review"].get(self.review_type or "")
        by_ruleset = self.clauses["regime_of_ruleset"].get(self.ruleset_id)
        cspr_from = date.fromisoformat(self.clauses["cspr_from"])
        return by_review or by_ruleset or ("cspr" if self.criteria_day >= cspr_from else "scr")

    def edition_on(self, day: date) -> Mapping[str, str]:
        """The edition of the regime's guidance in force on ``day`` (its first, for a day before any)."""
        editions = self.clauses["regimes"][self.regime]["editions"]
        started = [e for e in editions if date.fromisoformat(e["from"]) <= day]
        return started[-1] if started else editions[0]

    @cached_property
    def edition(self) -> Mapping[str, str]:
        return self.edition_on(self.conduct_day)

    @cached_property
    def method(self) -> str | None:
        """The board's chosen method if it named one the library knows, else the review type's default."""
        methods = self.clauses["methods"]
        if self.board is not None and self.board.method in methods["options"]:
            return self.board.method
        if self.review_type is None:
            return None
        default = methods["default_by_review"][self.review_type]
        return default if isinstance(default, str) else default[self.edition["id"]]

    @property
    def review_name(self) -> str:
        if self.review_type is None:
            return "review"
        return self.clauses["review_types"][self.review_type]["name"]

    @property
    def area(self) -> str | None:
        area = self.case.features.get("area")
        return area_name(area) if isinstance(area, str) and area.strip() else None

    @cached_property
    def languages(self) -> str:
        """The family's languages in a sentence ("Somali and Tigrinya"), or words saying they are unknown."""
        named = [words_of(item) for item in self.case.features.get("family_languages") or ()]
        return joined(named) or self.clauses["lines_of_enquiry"]["languages_unknown"]

    @cached_property
    def decider(self) -> Mapping[str, Any]:
        """Who decides: the LSCB or the safeguarding partners in force in the area on the day of the board's
        decision, else those of the regime."""
        by_regime = Arrangement.lscb if self.regime == "scr" else Arrangement.partners
        return self.clauses["decision"]["deciders"][self.arrangement or by_regime]

    @cached_property
    def words(self) -> dict[str, str]:
        """Placeholders the clause texts may use."""
        regime = self.decider
        departments = [
            d for d in self.clauses["departments"] if date.fromisoformat(d["from"]) <= self.conduct_day
        ]
        return {
            "board": regime["board"],
            "board_cap": capitalised(regime["board"]),
            "decider": regime["decider"],
            "decider_cap": capitalised(regime["decider"]),
            "guidance": self.edition["guidance"],
            "area": self.area or "the lead area",
            "review_name": self.review_name,
            "department": (departments or self.clauses["departments"])[-1]["name"],
            "languages": self.languages,
        }

    def applies(self, clause: Mapping[str, Any]) -> bool:
        """Whether a clause belongs in this case's terms: some hold only in one regime (that of whoever
        decided, so an LSCB is never given the safeguarding partners' powers), or from a date."""
        if clause.get("only") not in (None, self.decider["regime"]):
            return False
        start = parse_date(clause.get("from"))
        return start is None or start <= self.conduct_day

    def cite(self, ids: Iterable[str], *, regime: str | None = None, day: date | None = None) -> str:
        return cite(ids, regime or self.regime, day or self.conduct_day)

    def fill(self, clause: Mapping[str, Any], *, day: date | None = None, **extra: str) -> Paragraph:
        """A clause with its placeholders filled, citing what it may cite on ``day`` (the set-up day)."""
        text = clause["text"].format_map({**self.words, **extra})
        regime = clause.get("regime") or self.regime
        return Paragraph(text, self.cite(clause.get("sources", ()), regime=regime, day=day))


# Small pure pieces --------------------------------------------------------------------------------


def area_name(area: str) -> str:
    """The area as people write it: a stored slug such as "tower-hamlets" reads "Tower Hamlets"."""
    return area.replace("-", " ").replace("_", " ").title() if area.islower() else area


def words_of(item: str) -> str:
    """A language kept as an id ("british-sign-language") as people write it."""
    return " ".join(word.capitalize() for word in item.split("-"))


def joined(items: Iterable[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    items = list(dict.fromkeys(items))
    return " and ".join(items) if len(items) < 3 else f"{', '.join(items[:-1])} and {items[-1]}"


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


_UNSURE = re.compile(r"\s*\((?:UNCONFIRMED|for the board to confirm):")  # older decisions said UNCONFIRMED


def without_notes(text: str) -> tuple[str, bool]:
    """``text`` without the threshold decision's notes on unconfirmed facts, and whether it had any.

    A stored reason may end "(for the board to confirm: ...)" ("(UNCONFIRMED: ...)" in decisions stored
    before that wording), with brackets inside the note; the note is for the chair
    at the time of the check, not for the terms, which ask the board to confirm in words instead.
    """
    found = False
    while match := _UNSURE.search(text):
        depth, end = 0, len(text)
        for index in range(text.index("(", match.start()), len(text)):
            depth += {"(": 1, ")": -1}.get(text[index], 0)
            if depth == 0:
                end = index + 1
                break
        text, found = text[: match.start()] + text[end:], True
    return text, found
