"""Ruleset files: published versions never change, settings apply, and bad data fails at load."""

import copy
import json
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from commissioning import decisions, rules
from core.errors import Invalid, NotFound

FINGERPRINTS = json.loads((Path(__file__).parent / "data" / "ruleset_fingerprints.json").read_text())


def test_published_ruleset_versions_never_change() -> None:
    """A stored decision names a ruleset version; that version must reproduce it. Change = new version."""
    published = {
        rid: {v: rules.load(rid, v).fingerprint for v in versions}
        for rid, versions in rules.available().items()
    }
    assert published == FINGERPRINTS


def test_rulesets_load_oldest_first_with_their_start_dates_and_sources() -> None:
    loaded = rules.load_all()
    assert [(r.id, r.starts.value) for r in loaded] == [
        ("wt2006", date(2006, 4, 1)),
        ("wt2010", date(2010, 4, 1)),
        ("wt2015", date(2013, 4, 15)),
        ("wt2023", date(2018, 6, 29)),
    ]
    assert all(c.sources for r in loaded for cs in r.criteria.values() for c in cs)
    assert all(p.source for r in loaded for p in r.params.values())
    assert all(p.note for r in loaded for p in r.params.values() if not p.confirmed)


def test_the_published_form_names_version_fingerprint_settings_and_criteria() -> None:
    published = rules.load("wt2023").to_json()
    assert published["id"] == "wt2023" and published["version"] == "2"
    assert published["governs_from"]["value"] == "2018-06-29"
    psirf = next(p for p in published["params"] if p["name"] == "psirf_from")
    assert psirf == {
        "name": "psirf_from",
        "value": "2023-09-01",
        "confirmed": False,
        "source": psirf["source"],
        "note": psirf["note"],
    }
    by_id = {c["id"]: c for c in published["criteria"]}
    assert by_id["wt2023.notify.death"]["source"] == [
        "Children Act 2004 s16C(1)",
        {"cite": "working_together.notifications"},
    ]
    assert by_id["wt2023.notify.death"]["enabled"] is True
    json.dumps(published)


def test_a_compiled_condition_can_be_read() -> None:
    notify = rules.load("wt2023").criteria["notify_panel"][0]
    assert "f.get('abuse_or_neglect')" in notify.expression


def test_a_local_setting_gives_a_version_that_loads_only_with_the_same_setting() -> None:
    local = rules.load("wt2023", overrides={"psirf_from": "2023-10-01"})
    assert local.version.startswith("2+") and local.params["psirf_from"].value == date(2023, 10, 1)
    assert local.params["psirf_from"].note == "set locally (default 2023-09-01)"
    assert rules.load("wt2023", local.version, {"psirf_from": "2023-10-01"}) is local
    with pytest.raises(NotFound, match="other local settings"):
        rules.load("wt2023", local.version)
    assert rules.load("wt2015", overrides={"rapid_review_working_days": 20}).version == "2"


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"psirf": "2023-10-01"}, "no setting 'psirf'"),
        ({"psirf_from": 5}, "psirf_from: 5 is not like '2023-09-01'"),
        ({"panel_notice_working_days": "five"}, "panel_notice_working_days: 'five' is not like 5"),
    ],
)
def test_a_misspelt_or_mistyped_setting_is_refused(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(Invalid) as refused:
        rules.load_all(settings)
    assert refused.value.problems[0]["msg"] == message


def test_an_unknown_ruleset_or_version_is_not_found() -> None:
    with pytest.raises(NotFound, match="No ruleset 'wt1999'"):
        rules.load("wt1999")
    with pytest.raises(NotFound, match="No version '9' of ruleset 'wt2023'"):
        rules.load("wt2023", "9")


def test_probes_cover_each_pattern_of_the_conditions_once() -> None:
    wt2023 = rules.load("wt2023")
    assert wt2023.probes["subject_age_years"] == (15, 16, 18)
    assert wt2023.probes["setting"] == ("community", "police_custody", "nhs_care")
    assert wt2023.probes["perpetrators"] == ((), ("mother",), ("professional_carer",), ("other_child",))
    assert wt2023.probes["looked_after"] == (True, False)
    assert wt2023.probes["incident_date"][0] == date(2011, 4, 12)


# --- bad ruleset data fails loudly at load ---------------------------------------------------------------


def _compile(change: Callable[[dict[str, Any], dict[str, Any]], None]) -> rules.Ruleset:
    doc = copy.deepcopy(rules._read("wt2023.v2"))
    common = copy.deepcopy(rules._read("common.v2"))
    change(doc, common)
    return rules.compile_ruleset(doc, common, {})


def _criterion(doc: dict[str, Any], when: Any, **extra: Any) -> None:
    criterion = {
        "id": "x",
        "outcome": "scr",
        "requirement": "mandatory",
        "when": when,
        "text": "t",
        "source": "s",
    }
    doc["criteria"].append({**criterion, **extra})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d, c: _criterion(d, ["child"]), "a condition must be an object"),
        (lambda d, c: _criterion(d, {"ref": "toddler"}), "unknown definition 'toddler'"),
        (lambda d, c: _criterion(d, {"outcome": "inquiry"}), "unknown outcome 'inquiry'"),
        (lambda d, c: _criterion(d, {"feature": "age", "lt": 18}), "one known feature and one operator"),
        (lambda d, c: _criterion(d, {"feature": "looked_after", "is": True, "in": [1]}), "one operator"),
        (lambda d, c: _criterion(d, {"feature": "looked_after", "lt": 1}), "'lt' does not fit looked_after"),
        (lambda d, c: _criterion(d, {"feature": "outcome", "in": ["dead"]}), "['dead'] are not options"),
        (lambda d, c: _criterion(d, {"feature": "looked_after", "is": "yes"}), "'is' takes true or false"),
        (lambda d, c: _criterion(d, {"feature": "subject_age_years", "ge": "18"}), "'ge' takes a number"),
        (
            lambda d, c: _criterion(d, {"feature": "incident_date", "before": "2020-01-01"}),
            "compare dates with a setting",
        ),
        (lambda d, c: d["definitions"].update(child={}), "definitions ['child'] are also in common.v2"),
        (
            lambda d, c: _criterion(d, {"ref": "child"}, requirement="must"),
            "x: unknown outcome or requirement",
        ),
        (
            lambda d, c: _criterion(d, {"ref": "child"}, outcome="inquiry"),
            "x: unknown outcome or requirement",
        ),
        (
            lambda d, c: _criterion(d, {"ref": "child"}, enabled_by="psirf_from"),
            "enabled_by needs a true/false setting, not 'psirf_from'",
        ),
        (
            lambda d, c: _criterion(d, {"ref": "child"}, enabled_by="missing"),
            "enabled_by needs a true/false setting, not 'missing'",
        ),
        (
            lambda d, c: d["deadlines"].update(
                scr={"count": {"param": "missing"}, "unit": "days", "basis": "b"}
            ),
            "deadline uses unknown setting 'missing'",
        ),
        (
            lambda d, c: d["deadlines"].update(
                scr={"count": 1, "unit": "days", "from": "reported", "basis": "b"}
            ),
            "deadline starts from unknown feature 'reported'",
        ),
        (
            lambda d, c: d["deadlines"].update(scr={"count": 1, "unit": "fortnights", "basis": "b"}),
            "deadline unit must be one of",
        ),
        (
            lambda d, c: _criterion(d, {"outcome": "scr"}),
            "outcomes refer to each other in a cycle through 'scr'",
        ),
        (lambda d, c: _criterion(d, {"ref": "child"}, on="whenever"), "x: 'on' must be one of"),
        (
            lambda d, c: _criterion(d, {"ref": "child"}, source=[{"cite": "working_together.nothing"}]),
            "no edition of 'working_together' has a part 'nothing'",
        ),
        (lambda d, c: _criterion(d, {"ref": "child"}, source=[]), "sources must be a text or a list"),
        (lambda d, c: _criterion(d, {"ref": "child"}, source=[5]), "a source is a text or"),
        (
            lambda d, c: d["deadlines"].update(scr={"relaxed_by": "flu", "basis": "b"}),
            "deadline names an unknown relaxation 'flu'",
        ),
        (
            lambda d, c: d["deadlines"].update(scr={"applies_from": "missing", "basis": "b"}),
            "deadline uses unknown setting 'missing'",
        ),
        (
            lambda d, c: d["deadlines"].update(scr={"otherwise_from": "reported", "basis": "b"}),
            "deadline starts from unknown feature 'reported'",
        ),
        (
            lambda d, c: c["relaxations"]["covid"].update(until="nope"),
            "relaxation 'covid' uses unknown settings",
        ),
        (
            lambda d, c: c["editions"]["working_together"]["editions"][0].update(in_force={"param": "nope"}),
            "editions use unknown settings ['nope']",
        ),
        (
            lambda d, c: d["remarks"].append({**d["remarks"][0], "outcome": "inquiry"}),
            "lead.outside_england: unknown outcome or 'on'",
        ),
        (
            lambda d, c: d["asks"].append({**d["asks"][0], "feature": "colour"}),
            "asks about or defines an unknown feature 'colour'",
        ),
        (
            lambda d, c: d["defines"].update(serious_harm_kinds=["bruise"]),
            "serious_harm_kinds: ['bruise'] are not options",
        ),
    ],
)
def test_bad_ruleset_data_fails_at_load_naming_the_problem(
    change: Callable[[dict[str, Any], dict[str, Any]], None], message: str
) -> None:
    with pytest.raises(rules.RulesetError, match="^wt2023: .*" + re.escape(message)):
        _compile(change)


def test_a_feature_compared_only_with_a_date_that_has_not_come_has_no_probes() -> None:
    def only_dardr(doc: dict[str, Any], common: dict[str, Any]) -> None:
        common["criteria"] = [c for c in common["criteria"] if c["id"] == "dhr.domestic_abuse_related_death"]
        doc["criteria"] = []
        doc["deadlines"] = {}
        common["deadlines"] = {}

    ruleset = _compile(only_dardr)
    assert ruleset.probes["incident_date"] == ()


def test_an_edition_is_named_by_its_title_for_answers_stored_without_one() -> None:
    assert rules.title("wt2006") == "Working Together 2006 (serious case reviews, LSCB Regulations 2006)"
    assert rules.title("wt1999") == ""  # no such edition: nothing to name, and never its id
    stored = {"ruleset": {"id": "wt2015", "version": "1", "chosen_by": "incident_date"}, "outcomes": []}
    read = decisions.StoredDecision.from_json({**stored, "open_questions": [], "summary": ""})
    assert read.ruleset.title == rules.load("wt2015").title  # type: ignore[union-attr]
