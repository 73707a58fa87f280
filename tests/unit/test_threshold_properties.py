"""Properties of the engine over generated cases: it never crashes, it is deterministic, a worse fact never
removes a mandatory outcome, answering its questions in turn settles the decision, and what it says to people
names no id."""

import json
import re
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from commissioning import features, rules, threshold
from commissioning.features import Feature, Kind
from core.errors import Invalid

TODAY = date(2026, 11, 26)
RULESETS = ["auto", *rules.available()]
# A notice needed only when there is no serious case review: a worse fact can make the review mandatory.
SUPERSEDED_BY = {"panel_no_scr_notice": "scr"}


def answer(feature: Feature) -> st.SearchStrategy[Any]:
    match feature.type:
        case Kind.date:
            return st.dates(date(2006, 4, 1), TODAY).map(date.isoformat)
        case Kind.choice:
            return st.sampled_from([*feature.values, "unknown"])
        case Kind.choices:
            return st.lists(st.sampled_from(feature.values), unique=True, max_size=3)
        case Kind.boolean:
            return st.booleans()
        case Kind.number:
            return st.integers(0, 100) | st.floats(0, 130)
        case Kind.text:
            return st.sampled_from(["hackney", "camden"])
        case Kind.text_list:
            return st.lists(st.sampled_from(["hackney-csc", "met-police", "homerton-nhs"]), max_size=3)


CASES = st.fixed_dictionaries(
    {"country": st.just("england")},
    optional={f.name: st.none() | answer(f) for f in features.CATALOGUE if f.name != "country"},
)
JSON = st.recursive(
    st.none() | st.booleans() | st.floats() | st.text(max_size=5), lambda inner: st.lists(inner, max_size=3)
)
JUNK = st.dictionaries(st.sampled_from([*features.BY_NAME, "outcom", ""]), JSON, max_size=6)


# An identifier in a text for people: a feature name, an outcome id, or a ruleset id (which starts a rule id).
IDENTIFIER = re.compile(r"\b[a-z]+_[a-z_]+\b|\bwt\d{4}\b")


def decide(raw: dict[str, Any], ruleset: str = "auto") -> threshold.Decision:
    return threshold.decide(features.validate(raw, today=TODAY), ruleset, TODAY)


def mandatory(decision: threshold.Decision) -> set[str]:
    return {o.type for o in decision.outcomes if o.requirement == rules.MANDATORY}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(CASES, JUNK, JSON), st.sampled_from(RULESETS))
def test_no_input_crashes_the_engine(raw: Any, ruleset: str) -> None:
    try:
        decision = decide(raw, ruleset)
    except Invalid as refused:
        assert refused.problems and all("msg" in p for p in refused.problems)
        return
    json.dumps(decision.to_json())
    assert decision.summary and decision.to_text()


@settings(max_examples=150, deadline=None)
@given(CASES, st.sampled_from(RULESETS))
def test_the_same_case_always_gets_the_same_decision(raw: dict[str, Any], ruleset: str) -> None:
    try:
        first = decide(raw, ruleset)
    except Invalid:
        return
    assert decide(dict(raw), ruleset).to_json() == first.to_json()


@pytest.mark.parametrize(
    ("feature", "milder", "graver"),
    [("outcome", "serious_harm", "death"), ("abuse_or_neglect", "suspected", "known")],
    ids=["a death instead of serious harm", "known instead of suspected abuse"],
)
@settings(max_examples=300, deadline=None)
@given(CASES, st.sampled_from(RULESETS))
def test_a_graver_fact_never_removes_a_mandatory_outcome(
    feature: str, milder: str, graver: str, raw: dict[str, Any], ruleset: str
) -> None:
    try:
        before = decide({**raw, feature: milder}, ruleset)
        after = decide({**raw, feature: graver}, ruleset)
    except Invalid:
        assume(False)
    kept = mandatory(after)
    for lost in mandatory(before) - kept:
        assert SUPERSEDED_BY.get(lost) in kept, f"{lost}: mandatory before, not after: {after.to_json()}"


def _answers(name: str, raw: dict[str, Any]) -> list[Any]:
    """Answers to try for a question, most neutral first (so they rarely contradict earlier answers)."""
    if features.BY_NAME[name].type is Kind.date:
        start = date.fromisoformat(raw.get("incident_date") or "2020-01-06")
        return [(start + timedelta(days=1)).isoformat(), start.isoformat()]
    probes = {p for r in rules.load_all() for p in r.probes.get(name, ())}
    return sorted((list(p) if isinstance(p, tuple) else p for p in probes), key=repr)


@settings(max_examples=100, deadline=None)
@given(CASES)
def test_answering_the_open_questions_in_turn_settles_the_decision(raw: dict[str, Any]) -> None:
    try:
        decision = decide(raw)
    except Invalid:
        return
    for _ in range(len(features.CATALOGUE) + 1):
        if not decision.open_questions:
            return
        name = decision.open_questions[0].feature
        for value in _answers(name, raw):
            try:
                decision = decide({**raw, name: value})
            except Invalid:
                continue
            raw = {**raw, name: value}
            break
        else:
            return  # every answer contradicts an earlier one: nothing more to learn from this case
    raise AssertionError(f"still open after answering every question: {decision.open_questions}")


@settings(max_examples=200, deadline=None)
@given(CASES, st.sampled_from(RULESETS))
def test_every_text_for_people_is_in_words(raw: dict[str, Any], ruleset: str) -> None:
    """The summary, each reason, each deadline's basis and why each question matters: no id in any of them
    (ids travel beside them, in ``type``, ``rule`` and ``feature``, for programs)."""
    try:
        decision = decide(raw, ruleset)
    except Invalid:
        return
    texts = [decision.summary, *(q.why for q in decision.open_questions)]
    for outcome in decision.outcomes:
        texts += [reason.text for reason in outcome.reasons]
        texts += [outcome.deadline.basis] if outcome.deadline else []
    found = [(text, IDENTIFIER.findall(text)) for text in texts if IDENTIFIER.search(text)]
    assert found == []
