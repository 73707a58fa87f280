"""The briefing's own facts never change a threshold answer: every example decides the same with and
without them, and no ruleset reads them."""

import itertools
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from commissioning import features, rules, threshold

TODAY = date(2026, 11, 26)
EXAMPLES = json.loads((Path(__file__).parent / "data" / "examples.json").read_text())
RULESETS = Path(features.__file__).with_name("rulesets")
# Facts the briefing counts and no rule reads: the family's ethnic group, and the themes of the study the
# thresholds leave to the reviewers.
BRIEFING_ONLY = (
    "ethnic_group",
    "recent_immigration",
    "interpreter_needed",
    "temporary_accommodation",
    "high_mobility",
    "race_ethnicity_and_culture",
    "parental_substance_misuse",
    "fabricated_or_induced_illness",
)
ETHNIC_GROUPS = features.BY_NAME["ethnic_group"].values


def answer(decision: threshold.Decision) -> dict[str, Any]:
    """The whole answer: outcomes, reasons, deadlines, the questions still open and the summary."""
    return decision.to_json()


def test_no_ruleset_reads_a_fact_only_the_briefing_counts() -> None:
    for path in RULESETS.glob("*.json"):
        text = path.read_text()
        assert not [name for name in BRIEFING_ONLY if name in text], path.name


@pytest.mark.parametrize("example", [e for e in EXAMPLES if not e.get("error")], ids=lambda e: e["id"])
def test_each_example_decides_the_same_with_and_without_the_briefings_facts(example: dict[str, Any]) -> None:
    loaded = rules.load_all({})
    without = threshold.decide(features.validate(example["features"]), "auto", TODAY, rulesets=loaded)
    for group, yes in itertools.product(ETHNIC_GROUPS[::6], (True, False)):
        added = {name: yes for name in BRIEFING_ONLY[1:]} | {"ethnic_group": group}
        with_them = threshold.decide(
            features.validate({**example["features"], **added}), "auto", TODAY, rulesets=loaded
        )
        assert answer(with_them) == answer(without)
