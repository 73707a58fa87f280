"""Every source a clause cites belongs to the review's own regime and jurisdiction, and to the edition in
force on the day the clause turns on; secondary sources stay in the clause library for audit and never
reach a reader. Checked on the library's data, and over terms generated for one case per edition.
"""

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from terms_cases import CASES, EditionCase

from commissioning.terms import load_clauses
from commissioning.terms_context import SHOWN_KINDS, sources
from commissioning.terms_document import Paragraph, Points, Terms, Timetable

LIBRARY = load_clauses()
KINDS = {"law", "statutory_guidance", "official", "secondary"}
REGIMES = {
    "scr",
    "cspr",
    "children",
    "cdr",
    "dhr",
    "sar",
    "nhs",
    "mental_health_homicide",
    "mappa",
    "coroner",
}
JURISDICTIONS = {"england", "england_and_wales", "great_britain", "united_kingdom", "wales", "scotland"}
COVERING_ENGLAND = set(LIBRARY["jurisdictions_covering_england"])
# Sections that may cite the process they describe beside the review: another review, the coroner.
PARALLEL_SECTIONS = {"parallel", "timescales"}


def named_sources(node: Any) -> Iterator[str]:
    """Every source id a clause anywhere in the library names."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "sources" and isinstance(value, list):
                yield from value
            elif key not in ("sources", "groups"):
                yield from named_sources(value)
    elif isinstance(node, list):
        for item in node:
            yield from named_sources(item)


def test_every_source_is_tagged_with_its_kind_regimes_jurisdiction_and_dates() -> None:
    for key, spec in LIBRARY["sources"].items():
        assert spec["kind"] in KINDS, key
        assert spec["regimes"] and set(spec["regimes"]) <= REGIMES, key
        assert spec["jurisdiction"] in JURISDICTIONS, key
        if spec["from"] and spec["until"]:
            assert date.fromisoformat(spec["from"]) <= date.fromisoformat(spec["until"]), key
    cites = [spec["cite"] for spec in LIBRARY["sources"].values()]
    assert len(cites) == len(set(cites)), "a cite must name one source"


def test_every_clause_names_sources_the_library_has() -> None:
    table, groups = LIBRARY["sources"], LIBRARY["groups"]
    assert all(member in table for members in groups.values() for member in members)
    named = list(named_sources({k: v for k, v in LIBRARY.items() if k != "sources"}))
    assert named
    for key in named:
        assert (key[1:] in groups) if key.startswith("#") else (key in table), key


def test_no_source_outside_england_or_of_an_adult_process_is_cited_by_a_childrens_clause() -> None:
    """The library keeps no Welsh or Scottish source, and nothing about the review itself rests on an adult
    or offender process: those appear only beside the process they belong to."""
    table = sources()
    assert all(s.jurisdiction in COVERING_ENGLAND for s in table.values())
    own = {"scr", "cspr", "children"}
    for section in (
        "purpose",
        "decision",
        "scope",
        "methods",
        "reviewer",
        "panel",
        "governance",
        "publication",
    ):
        for key in named_sources(LIBRARY[section]):
            members = LIBRARY["groups"][key[1:]] if key.startswith("#") else [key]
            for member in members:
                spec = table[member]
                assert spec.kind not in SHOWN_KINDS or spec.regimes & own, (section, member)


def cited(terms: Terms) -> Iterator[tuple[str, str]]:
    """(section key, one cite) for everything a reader of ``terms`` sees cited."""
    for section in terms.sections:
        for block in section.blocks:
            if isinstance(block, Paragraph):
                found = [block.source]
            elif isinstance(block, Points):
                found = [item.source for item in block.items]
            else:
                assert isinstance(block, Timetable)
                found = [row.source for row in block.rows]
            for source in found:
                yield from ((section.key, part) for part in source.split("; ") if part)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_cite_in_the_terms_is_of_the_reviews_regime_jurisdiction_and_edition(case: EditionCase) -> None:
    terms = case.terms()
    by_cite = {s.cite: s for s in sources().values()}
    days = (date.fromisoformat(case.features["incident_date"]), case.decided_on)
    seen = 0
    for section, cite in cited(terms):
        source = by_cite[cite]  # nothing is cited that the library does not hold
        allowed = {case.regime, "children"} | (case.parallel if section in PARALLEL_SECTIONS else set())
        assert source.kind in SHOWN_KINDS, (section, cite)
        assert source.jurisdiction in COVERING_ENGLAND, (section, cite)
        assert source.regimes & allowed, (section, cite)
        assert any(source.in_force(day) for day in days), (section, cite)
        seen += 1
    assert seen > 10
