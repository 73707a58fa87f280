"""The briefing as one HTML page (jinja2, ``templates/briefing/briefing.html.j2``): the charts embedded
as images whose alternative text is their text alternative, each group's figures as a table, and how the
figures are counted. One file, nothing fetched, so it can be saved and emailed as it is."""

import base64
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from commissioning.briefing import charts, tables
from commissioning.briefing.report import Briefing

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "briefing"


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def context(briefing: Briefing, drawn: Mapping[str, bytes]) -> dict[str, object]:
    """What the template reads: the briefing, its charts (base64), their text alternatives and rows."""
    return {
        "briefing": briefing,
        "charts": {key: base64.b64encode(png).decode() for key, png in drawn.items()},
        "alternatives": {part.group.id: tables.text_alternative(part) for part in briefing.shown},
        "rows": {part.group.id: [tables.row(f) for f in part.figures] for part in briefing.shown},
        "late": {part.group.id: tables.late_words(part) for part in briefing.shown},
        "headings": tables.HEADINGS,
        "method": tables.METHOD,
    }


def briefing_html(briefing: Briefing) -> str:
    return _environment().get_template("briefing.html.j2").render(context(briefing, charts.charts(briefing)))
