"""Reference figures to compare with, kept as data (``references.json``): for each briefing key, the
percentage a source printed, the area it describes, the source and the year. A set applies to the
partnerships it names, or to all with ``"*"``; a partnership's own set replaces the shared one figure by
figure. A briefing across partnerships shows the shared set."""

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from commissioning.briefing.figures import Reference

PATH = Path(__file__).with_name("references.json")
EVERY = "*"


@cache
def _sets() -> tuple[dict[str, Any], ...]:
    return tuple(json.loads(PATH.read_text(encoding="utf-8"))["sets"])


def for_partnership(
    prefix: str | None, sets: tuple[Mapping[str, Any], ...] | None = None
) -> dict[str, Reference]:
    """The reference figures of partnership ``prefix`` (None: across partnerships), by briefing key."""
    chosen: dict[str, Reference] = {}
    ordered = sorted(sets if sets is not None else _sets(), key=lambda s: EVERY not in s["partnerships"])
    for found in ordered:
        if EVERY in found["partnerships"] or (prefix is not None and prefix in found["partnerships"]):
            for item in found["figures"]:
                chosen[item["key"]] = Reference(
                    float(item["percent"]), item["area"], item["source"], int(item["year"])
                )
    return chosen
