"""Which area leads a case, and which other areas take part: the rule of the edition in force. Pure.

Serious case reviews (the LSCB editions before Working Together 2018): the board where the child normally
lived leads; for a looked-after child, the board of the responsible authority's area, when it is given;
the boards of other areas involved take part (London Child Protection Procedures 2007 s19.1.6-19.1.8).

Child safeguarding practice reviews (Working Together 2018 and 2023): the local authority where the
incident happened notifies the Panel and leads the rapid review, working with the safeguarding partners
of the area where the child lives (Children Act 2004 s16C(1)(a); the Panel's frequently asked questions).
A child who normally lives in England and is harmed outside England: the area where they normally live
(s16C(1)(b)).

A case's ``area`` is the child's home area; ``incident_area`` is where it happened, when that is
elsewhere; ``responsible_area`` is the area of the authority responsible for a looked-after child.
"""

from dataclasses import dataclass

from commissioning.features import Features

SCR_OUTCOME = "scr"  # an edition whose criteria decide on a serious case review is of the SCR era


@dataclass(frozen=True)
class Lead:
    """The area whose partnership leads, the other areas involved (in the order named), and why."""

    area: str
    others: tuple[str, ...]
    reason: str


def scr_era(outcomes: frozenset[str] | set[str]) -> bool:
    """Whether an edition deciding these outcomes is of the serious case review era."""
    return SCR_OUTCOME in outcomes


def _distinct(lead: str, *areas: str | None) -> tuple[str, ...]:
    found: list[str] = []
    for area in areas:
        if area and area.casefold() != lead.casefold() and area.casefold() not in map(str.casefold, found):
            found.append(area)
    return tuple(found)


def lead_area(features: Features, *, scr: bool) -> Lead:
    """The lead area of a case with a home ``area`` under the rule of its era (``scr``: an edition before
    Working Together 2018), with the other areas named in the case."""
    home: str = features["area"]
    incident = features.get("incident_area")
    responsible = features.get("responsible_area")
    if scr:
        if features.get("looked_after") is True and responsible:
            return Lead(
                responsible,
                _distinct(responsible, home, incident),
                "the child was looked after: the board of the responsible authority's area leads",
            )
        return Lead(
            home, _distinct(home, incident, responsible), "the board where the child normally lived leads"
        )
    if features.get("country", "england") != "england":
        return Lead(
            home,
            _distinct(home, incident, responsible),
            "the child was harmed outside England: the area where the child normally lives leads",
        )
    if incident and incident.casefold() != home.casefold():
        return Lead(
            incident,
            _distinct(incident, home, responsible),
            "the area where it happened leads, working with the area where the child lives",
        )
    return Lead(
        home, _distinct(home, responsible), "it happened in the area where the child lives, which leads"
    )
