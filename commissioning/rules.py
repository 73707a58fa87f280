"""Rulesets: each edition of the guidance is a JSON file in ``rulesets/`` (criteria citing their sources,
deadlines, and settings for facts not yet confirmed). This module checks a file against the feature
catalogue and compiles each criterion's condition into one Python expression, once, so the engine in
``threshold`` stays generic and fast and knows no edition.

Files are named ``<id>.v<version>.json`` and, once published, never change: a decision records the id and
version it used so it can be reproduced years later. Unconfirmed facts are settings (``params``); local
settings mark the version with a digest of their values, e.g. ``1+3f2a9c1e``, so a decision made under
them reproduces only with the same settings.

From version 2 a rule's sources may name a part of a document that has editions (``{"cite":
"working_together.serious_case_reviews"}``), resolved to the edition in force on the day the rule turns on
(``citations``); an outcome's clock may have variants (``clocks``); ``remarks`` add a reason to an outcome
without changing whether it applies (which area leads); ``asks`` and ``ask_only_when`` decide which
further questions are worth asking; ``defines`` lists the options of a feature an edition knows.
"""

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

from commissioning import citations, clocks
from commissioning.citations import Document, Source
from commissioning.clocks import DeadlineSpec, Relaxation
from commissioning.features import BY_NAME, Features, Kind, answer_words
from commissioning.params import Param, parse_param
from core.errors import Invalid, NotFound

RULESET_DIR = Path(__file__).with_name("rulesets")

MANDATORY, DISCRETIONARY = "mandatory", "discretionary"
# What an outcome could still be, as a bit set: a single bit means it is settled.
ABSENT, DISC, MAND = 1, 2, 4

MAYBE, YES = 1, 2  # three-valued truth (0 is no); MAYBE means "depends on something not known yet"
# An outcome's state from the truth of its mandatory (m) and discretionary (d) criteria, at [3 * m + d].
STATES = (ABSENT, ABSENT | DISC, DISC, ABSENT | MAND, ABSENT | DISC | MAND, DISC | MAND, MAND, MAND, MAND)
States = Mapping[str, int]
Test = Callable[[Features, States], int]

_OPS = {"in": Kind.choice, "is": Kind.boolean, "lt": Kind.number, "ge": Kind.number, "has_any": Kind.choices}
_DATE_OPS = ("before", "on_or_after")


class RulesetError(ValueError):
    """A ruleset file that does not fit the catalogue or the ruleset format (a bug in the data)."""


@dataclass(frozen=True)
class OutcomeType:
    id: str
    kind: str
    label: str


@dataclass(frozen=True)
class Criterion:
    rule: str
    outcome: str
    requirement: str
    text: str
    sources: tuple[Source, ...]
    on: str  # the date the rule turns on (``citations.TRIGGERS``): its sources are of the edition then
    test: Test
    expression: str  # the compiled condition, for reading when debugging a ruleset
    features: frozenset[str]
    outcome_refs: frozenset[str]
    date_params: tuple[tuple[str, str], ...]  # (feature, param) pairs compared in the condition
    unconfirmed: str
    enabled: bool
    deadline: tuple[DeadlineSpec, ...] | None
    overrides_deadline: bool


@dataclass(frozen=True)
class Remark:
    """A reason added to an outcome the rules reach, without changing whether it applies: who leads it."""

    rule: str
    outcome: str
    text: str
    sources: tuple[Source, ...]
    on: str
    test: Test


@dataclass(frozen=True)
class Ask:
    """A question worth asking once ``test`` holds, though no outcome turns on it (which area leads)."""

    feature: str
    why: str
    test: Test


@dataclass(frozen=True)
class Ruleset:
    id: str
    version: str
    title: str
    nhs_regime: str
    starts: Param
    params: Mapping[str, Param]
    order: tuple[str, ...]  # outcomes with criteria, each after the outcomes its criteria refer to
    criteria: Mapping[str, tuple[Criterion, ...]]  # enabled criteria by outcome, mandatory first
    state_of: Mapping[str, Test]  # outcome -> its state (a bit set) from all its criteria at once
    disabled: tuple[Criterion, ...]
    deadlines: Mapping[str, DeadlineSpec]  # each outcome's first clock (``clocks`` has every variant)
    dependents: Mapping[str, tuple[str, ...]]  # feature -> outcomes to re-evaluate when it changes
    probes: Mapping[str, tuple[Any, ...]]  # feature -> values that cover every branch of the conditions
    document: Mapping[str, Any]
    fingerprint: str
    clocks: Mapping[str, tuple[DeadlineSpec, ...]] = field(default_factory=dict)
    documents: Mapping[str, Document] = field(default_factory=dict)
    relaxations: Mapping[str, Relaxation] = field(default_factory=dict)
    remarks: Mapping[str, tuple[Remark, ...]] = field(default_factory=dict)  # by outcome
    asks: tuple[Ask, ...] = ()
    ask_only_when: Mapping[str, Test] = field(default_factory=dict)  # feature -> when it may be asked
    defines: Mapping[str, frozenset[str]] = field(default_factory=dict)  # feature -> options it knows
    values: Mapping[str, Any] = field(default_factory=dict)  # each setting's value, as clocks read them

    def check_defined(self, features: Features) -> None:
        """Refuse options this edition does not know (a kind of harm it does not name), naming them."""
        problems = [
            {
                "feature": name,
                "msg": f"{self.title} does not name '{answer_words(name, unknown)}'; "
                "choose from the options that edition uses",
                "valid": [v for v in BY_NAME[name].values if v in known],
            }
            for name, known in self.defines.items()
            if (unknown := [v for v in features.get(name, ()) if v not in known])
        ]
        if problems:
            raise Invalid("The case uses options this edition of the guidance does not have.", problems)

    def to_json(self) -> dict[str, Any]:
        """The published form (``GET /api/v1/rulesets``)."""
        return {**self.document, "version": self.version, "fingerprint": self.fingerprint}


@cache
def outcome_types() -> dict[str, OutcomeType]:
    """Every outcome id, in the order a decision lists them."""
    data = json.loads((RULESET_DIR / "outcomes.json").read_text())
    return {o["id"]: OutcomeType(o["id"], o["kind"], o["label"]) for o in data["outcomes"]}


@cache
def _read(name: str) -> dict[str, Any]:
    return json.loads((RULESET_DIR / f"{name}.json").read_text())


@cache
def available() -> dict[str, list[str]]:
    """Ruleset ids and their published versions, oldest first."""
    found: dict[str, list[str]] = {}
    for path in sorted(RULESET_DIR.glob("*.v*.json")):
        rid, _, version = path.stem.rpartition(".v")
        if "uses" in _read(path.stem):  # the shared rules ('common') are not a ruleset of their own
            found.setdefault(rid, []).append(version)
    return {rid: sorted(versions, key=int) for rid, versions in found.items()}


def title(rid: str) -> str:
    """The title of edition ``rid`` as people name it (its latest version's): "Working Together 2023"."""
    return str(_read(f"{rid}.v{available()[rid][-1]}")["title"]) if rid in available() else ""


class _Compiler:
    """Turns one ruleset's condition data into tests, recording what each criterion depends on.

    A condition becomes one Python expression over three-valued truth (no, maybe, yes as 0, 1, 2: 'and'
    is the least, stopping at the first 0; 'or' the greatest, stopping at the first 2; 'not' is 2 - x).
    One expression per criterion runs several times faster than a tree of small functions, and the engine
    runs these hundreds of times per decision. Only names and values checked against the catalogue go
    into the source; sets and dates are passed as constants.
    """

    def __init__(self, rid: str, params: Mapping[str, Param], definitions: Mapping[str, Any]) -> None:
        self.rid, self.params, self.definitions = rid, params, definitions
        self.constants: dict[str, Any] = {}
        self.thresholds: dict[str, set[Any]] = {}  # number and date features: the values compared with
        self.sets: dict[str, list[frozenset[str]]] = {}  # choice features: the option sets tested
        self.temporaries = 0

    def fail(self, message: str) -> RulesetError:
        return RulesetError(f"{self.rid}: {message}")

    def test(self, node: Any, used: dict[str, set[Any]]) -> tuple[Test, str]:
        source = self.source(node, used)
        return self.function(source), source

    def function(self, source: str) -> Test:
        return eval(f"lambda f, s: {source}", {**self.constants, "STATES": STATES})

    def state(self, criteria: Iterable[Criterion]) -> Test:
        """An outcome's state in one call (the engine's innermost loop), not one call a criterion."""
        either = {MANDATORY: [], DISCRETIONARY: []}  # type: dict[str, list[str]]
        for criterion in criteria:
            either[criterion.requirement].append(criterion.expression)
        m, d = (self.either(parts, stop=2, keep="max") if parts else "0" for parts in either.values())
        return self.function(f"(4 if (m := {m}) == 2 else STATES[3 * m + {d}])")

    def either(self, parts: list[str], *, stop: int, keep: str) -> str:
        """Kleene 'and' (stop at 0, keep the least) or 'or' (stop at 2, keep the greatest), short-circuit."""
        if len(parts) == 1:
            return parts[0]
        names = [f"t{self.temporaries + n}" for n in range(len(parts))]
        self.temporaries += len(parts)
        tests = " else ".join(
            f"{stop} if ({name} := {part}) == {stop}" for name, part in zip(names, parts, strict=True)
        )
        return f"({tests} else {keep}({', '.join(names)}))"

    def constant(self, value: Any) -> str:
        name = f"k{len(self.constants)}"
        self.constants[name] = value
        return name

    def source(self, node: Any, used: dict[str, set[Any]]) -> str:
        if not isinstance(node, dict):
            raise self.fail(f"a condition must be an object, got {node!r}")
        if "ref" in node:
            if node["ref"] not in self.definitions:
                raise self.fail(f"unknown definition {node['ref']!r}")
            return self.source(self.definitions[node["ref"]], used)
        if "all" in node or "any" in node:
            parts = [self.source(part, used) for part in node.get("all", node.get("any"))]
            return (
                self.either(parts, stop=0, keep="min")
                if "all" in node
                else self.either(parts, stop=2, keep="max")
            )
        if "not" in node:
            return f"(2 - {self.source(node['not'], used)})"
        if "outcome" in node:
            outcome = node["outcome"]
            if outcome not in outcome_types():
                raise self.fail(f"unknown outcome {outcome!r}")
            used["outcomes"].add(outcome)
            if node.get("requirement") == MANDATORY:
                return f"(2 if (st := s.get({outcome!r}, 1)) == 4 else 1 if st & 4 else 0)"
            return f"(0 if (st := s.get({outcome!r}, 1)) == 1 else 1 if st & 1 else 2)"
        return self.feature_source(node, used)

    def feature_source(self, node: dict[str, Any], used: dict[str, set[Any]]) -> str:
        name = node.get("feature")
        feature = BY_NAME.get(name)  # type: ignore[arg-type]
        ops = [key for key in node if key != "feature"]
        if feature is None or len(ops) != 1:
            raise self.fail(f"a condition needs one known feature and one operator: {node!r}")
        op, operand = ops[0], node[ops[0]]
        used["features"].add(name)
        if feature.type is Kind.date and op in _DATE_OPS:
            if not (isinstance(operand, dict) and operand.get("param") in self.params):
                raise self.fail(f"{name}: compare dates with a setting, {{'param': NAME}}; got {operand!r}")
            param = self.params[operand["param"]]
            used["date_params"].add((name, param.name))
            if param.value is None:  # a date that has not come: nothing is on or after it, all is before it
                return "2" if op == "before" else "0"
            self.thresholds.setdefault(name, set()).add(param.value)
            check = f"v {'<' if op == 'before' else '>='} {self.constant(param.value)}"
        elif _OPS.get(op) is not feature.type:
            raise self.fail(f"{op!r} does not fit {name} ({feature.type.value})")
        elif op in ("in", "has_any"):
            if not set(operand) <= set(feature.values):
                raise self.fail(f"{name}: {sorted(set(operand) - set(feature.values))} are not options")
            options = frozenset(operand)
            self.sets.setdefault(name, []).append(options)
            check = (
                f"v in {self.constant(options)}"
                if op == "in"
                else f"not {self.constant(options)}.isdisjoint(v)"
            )
        elif op == "is":
            if not isinstance(operand, bool):
                raise self.fail(f"{name}: 'is' takes true or false")
            check = f"v is {operand}"
        else:
            if not isinstance(operand, int | float) or isinstance(operand, bool):
                raise self.fail(f"{name}: {op!r} takes a number")
            self.thresholds.setdefault(name, set()).add(operand)
            check = f"v {'<' if op == 'lt' else '>='} {operand!r}"
        return f"(1 if (v := f.get({name!r})) is None else 2 * ({check}))"


def _order(rid: str, criteria: Iterable[Criterion]) -> tuple[str, ...]:
    """Outcomes in an order where every outcome comes after those its criteria refer to."""
    needs: dict[str, set[str]] = {}
    for criterion in criteria:
        needs.setdefault(criterion.outcome, set()).update(criterion.outcome_refs)
    order: list[str] = []
    visiting: set[str] = set()

    def visit(outcome: str) -> None:
        if outcome in order or outcome not in needs:
            return
        if outcome in visiting:
            raise RulesetError(f"{rid}: outcomes refer to each other in a cycle through {outcome!r}")
        visiting.add(outcome)
        for other in sorted(needs[outcome]):
            visit(other)
        order.append(outcome)

    for outcome in outcome_types():
        visit(outcome)
    return tuple(order)


def _probes(name: str, thresholds: set[Any], sets: list[frozenset[str]]) -> tuple[Any, ...]:
    """Values of a feature that together take every branch of the conditions that read it: for options,
    one per pattern of membership in the sets tested; for numbers and dates, one per interval."""
    feature = BY_NAME[name]
    if feature.type is Kind.boolean:
        return (True, False)
    if feature.type in (Kind.choice, Kind.choices):
        patterns = {tuple(value in tested for tested in sets): value for value in reversed(feature.values)}
        if feature.type is Kind.choice:
            return tuple(sorted(patterns.values(), key=feature.values.index))
        patterns.pop((False,) * len(sets), None)  # an option no condition mentions is like an empty list
        return ((), *((value,) for value in sorted(patterns.values(), key=feature.values.index)))
    ordered = sorted(thresholds)
    if not ordered:  # only compared with dates that have not come: the answer cannot change
        return ()
    below = ordered[0] - timedelta(days=1) if feature.type is Kind.date else ordered[0] - 1
    return (below, *ordered)


def compile_ruleset(
    doc: Mapping[str, Any], common: Mapping[str, Any], overrides: Mapping[str, Any]
) -> Ruleset:
    """Check a ruleset document (with the common rules it uses) and compile it."""
    rid = doc["id"]
    raw_params = {**common["params"], **doc["params"]}
    params = {name: parse_param(name, spec, overrides) for name, spec in raw_params.items()}
    clash = set(common["definitions"]) & set(doc["definitions"])
    if clash:
        raise RulesetError(f"{rid}: definitions {sorted(clash)} are also in {doc['uses']}")
    definitions = {**common["definitions"], **doc["definitions"]}
    compiler = _Compiler(rid, params, definitions)
    values = {name: param.value for name, param in params.items()}
    missing = sorted(
        edition["in_force"]["param"]
        for spec in common.get("editions", {}).values()
        for edition in spec["editions"]
        if isinstance(edition["in_force"], dict) and edition["in_force"]["param"] not in values
    )
    if missing:
        raise compiler.fail(f"editions use unknown settings {missing}")
    documents = citations.parse_documents(common.get("editions", {}), values)
    relaxations = clocks.parse_relaxations(common.get("relaxations", {}), values, documents, compiler.fail)

    def clock(spec: Any) -> tuple[DeadlineSpec, ...] | None:
        return clocks.parse_clock(spec, values, BY_NAME, documents, relaxations, compiler.fail)

    all_clocks = {
        outcome: clock(spec) for outcome, spec in {**common["deadlines"], **doc["deadlines"]}.items()
    }
    criteria: list[Criterion] = []
    for spec in [*common["criteria"], *doc["criteria"]]:
        if spec["outcome"] not in outcome_types() or spec["requirement"] not in (MANDATORY, DISCRETIONARY):
            raise compiler.fail(f"{spec['id']}: unknown outcome or requirement")
        if spec.get("on", "incident") not in citations.TRIGGERS:
            raise compiler.fail(f"{spec['id']}: 'on' must be one of {list(citations.TRIGGERS)}")
        switch = spec.get("enabled_by")
        if switch is not None and not isinstance(params.get(switch, Param("", None, True, "")).value, bool):
            raise compiler.fail(f"{spec['id']}: enabled_by needs a true/false setting, not {switch!r}")
        used: dict[str, set[Any]] = {"features": set(), "outcomes": set(), "date_params": set()}
        test, expression = compiler.test(spec["when"], used)
        criteria.append(
            Criterion(
                f"{rid}.{spec['id']}",
                spec["outcome"],
                spec["requirement"],
                spec["text"],
                citations.parse_sources(spec["source"], documents, compiler.fail),
                spec.get("on", "incident"),
                test,
                expression,
                frozenset(used["features"]),
                frozenset(used["outcomes"]),
                tuple(sorted(used["date_params"])),
                spec.get("unconfirmed", ""),
                switch is None or params[switch].value,
                clock(spec.get("deadline")),
                "deadline" in spec,
            )
        )
    enabled = [c for c in criteria if c.enabled]
    order = _order(rid, enabled)
    by_outcome = {
        outcome: tuple(
            sorted((c for c in enabled if c.outcome == outcome), key=lambda c: c.requirement != MANDATORY)
        )
        for outcome in order
    }
    direct: dict[str, set[str]] = {}
    for criterion in enabled:
        for name in criterion.features:
            direct.setdefault(name, set()).add(criterion.outcome)
    dependents = {}
    for name, outcomes in direct.items():
        reached = set(outcomes)
        for outcome in order:  # dependants come later in the order, so one pass closes the set
            if any(ref in reached for c in by_outcome[outcome] for ref in c.outcome_refs):
                reached.add(outcome)
        dependents[name] = tuple(o for o in order if o in reached)
    starts = params[doc["governs_from"]]
    local = {name: overrides[name] for name in sorted(raw_params) if name in overrides}
    version = doc["version"] + (f"+{_digest(local)}" if local else "")
    document = {
        "id": rid,
        "local_settings": local,
        "title": doc["title"],
        "about": doc["about"],
        "governs_from": starts.to_json(),
        "nhs_regime": doc["nhs_regime"],
        "uses": doc["uses"],
        "params": [p.to_json() for p in params.values()],
        "definitions": {**common["definitions"], **doc["definitions"]},
        "deadlines": {**common["deadlines"], **doc["deadlines"]},
        "criteria": [
            {**spec, "id": c.rule, "enabled": c.enabled}
            for spec, c in zip([*common["criteria"], *doc["criteria"]], criteria, strict=True)
        ],
        **{key: common[key] for key in ("editions", "relaxations", "ask_only_when") if key in common},
        **{key: doc[key] for key in ("defines", "asks", "remarks") if key in doc},
    }
    canonical = json.dumps({"ruleset": doc, "common": common}, sort_keys=True, separators=(",", ":"))
    return Ruleset(
        rid,
        version,
        doc["title"],
        doc["nhs_regime"],
        starts,
        params,
        order,
        by_outcome,
        {outcome: compiler.state(by_outcome[outcome]) for outcome in order},
        tuple(c for c in criteria if not c.enabled),
        {outcome: variants[0] for outcome, variants in all_clocks.items() if variants},
        dependents,
        {
            name: _probes(name, compiler.thresholds.get(name, set()), compiler.sets.get(name, []))
            for name in direct
        },
        document,
        hashlib.sha256(canonical.encode()).hexdigest(),
        {outcome: variants for outcome, variants in all_clocks.items() if variants},
        documents,
        relaxations,
        **_asides(rid, doc, common, params, definitions, documents),
        values=values,
    )


def _asides(
    rid: str,
    doc: Mapping[str, Any],
    common: Mapping[str, Any],
    params: Mapping[str, Param],
    definitions: Mapping[str, Any],
    documents: Mapping[str, Document],
) -> dict[str, Any]:
    """What a ruleset says beside its criteria: remarks, questions to ask and not to ask, options it knows.

    Compiled apart from the criteria, so their conditions never change which values the engine probes.
    """
    aside = _Compiler(rid, params, definitions)

    def test(when: Any) -> Test:
        return aside.test(when, {"features": set(), "outcomes": set(), "date_params": set()})[0]

    remarks: dict[str, list[Remark]] = {}
    for spec in doc.get("remarks", []):
        if spec["outcome"] not in outcome_types() or spec["on"] not in citations.TRIGGERS:
            raise aside.fail(f"{spec['id']}: unknown outcome or 'on'")
        remark = Remark(
            f"{rid}.{spec['id']}",
            spec["outcome"],
            spec["text"],
            citations.parse_sources(spec["source"], documents, aside.fail),
            spec["on"],
            test(spec["when"]),
        )
        remarks.setdefault(remark.outcome, []).append(remark)
    named = [spec["feature"] for spec in doc.get("asks", [])] + list(common.get("ask_only_when", {}))
    defines = doc.get("defines", {})
    for name in [*named, *defines]:
        if name not in BY_NAME:
            raise aside.fail(f"asks about or defines an unknown feature {name!r}")
    for name, options in defines.items():
        if not set(options) <= set(BY_NAME[name].values):
            raise aside.fail(f"{name}: {sorted(set(options) - set(BY_NAME[name].values))} are not options")
    return {
        "remarks": {outcome: tuple(found) for outcome, found in remarks.items()},
        "asks": tuple(Ask(spec["feature"], spec["why"], test(spec["when"])) for spec in doc.get("asks", [])),
        "ask_only_when": {name: test(when) for name, when in common.get("ask_only_when", {}).items()},
        "defines": {name: frozenset(options) for name, options in defines.items()},
    }


def _digest(settings: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:8]


@cache
def _load(rid: str, base: str, overrides: tuple[tuple[str, Any], ...]) -> Ruleset:
    doc = _read(f"{rid}.v{base}")
    return compile_ruleset(doc, _read(doc["uses"]), dict(overrides))


def load(rid: str, version: str | None = None, overrides: Mapping[str, Any] | None = None) -> Ruleset:
    """One ruleset: the latest version or exactly ``version``, with the local settings that apply to it.

    A version made under local settings (``1+digest``) loads only with the same settings.
    """
    versions = available().get(rid)
    if not versions:
        raise NotFound(f"No ruleset {rid!r}; available: {', '.join(available())}.")
    base = (version or versions[-1]).partition("+")[0]
    if base not in versions:
        raise NotFound(f"No version {base!r} of ruleset {rid!r}; available: {', '.join(versions)}.")
    doc = _read(f"{rid}.v{base}")
    names = {**_read(doc["uses"])["params"], **doc["params"]}
    ruleset = _load(rid, base, tuple(sorted((k, v) for k, v in (overrides or {}).items() if k in names)))
    if version is not None and ruleset.version != version:
        raise NotFound(
            f"Ruleset {rid!r} version {version!r} was made under other local settings than the current ones "
            f"({ruleset.version!r}); its settings are in the audit log."
        )
    return ruleset


def load_all(overrides: Mapping[str, Any] | None = None) -> tuple[Ruleset, ...]:
    """The latest version of every ruleset, oldest edition first, with local settings applied.

    A setting applies to every ruleset that has it; a name no ruleset has is an error, so a typo in
    configuration cannot silently leave a default in place. Values are JSON scalars (dates as strings).
    """
    return _load_all(tuple(sorted((overrides or {}).items())))


@cache
def _load_all(overrides: tuple[tuple[str, Any], ...]) -> tuple[Ruleset, ...]:
    rulesets = [load(rid, overrides=dict(overrides)) for rid in available()]
    unknown = sorted({name for name, _ in overrides} - {name for r in rulesets for name in r.params})
    if unknown:
        raise Invalid(
            "Unknown ruleset settings.", [{"feature": None, "msg": f"no setting {n!r}"} for n in unknown]
        )
    return tuple(sorted(rulesets, key=lambda r: r.starts.value))
