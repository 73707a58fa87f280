"""Rulesets: each edition of the guidance is a JSON file in ``rulesets/`` (criteria citing their sources,
deadlines, and settings for facts not yet confirmed). This module checks a file against the feature
catalogue and compiles each criterion's condition into one Python expression, once, so the engine in
``threshold`` stays generic and fast and knows no edition.

Files are named ``<id>.v<version>.json`` and, once published, never change: a decision records the id and
version it used so it can be reproduced years later. Unconfirmed facts are settings (``params``); local
settings mark the version with a digest of their values, e.g. ``1+3f2a9c1e``, so a decision made under
them reproduces only with the same settings.
"""

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from commissioning.calendar import UNITS
from commissioning.features import BY_NAME, Features, Kind, in_words
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

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
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
class Param:
    """A fact the rules rely on, with its source; unconfirmed ones are flagged wherever they matter."""

    name: str
    value: Any
    confirmed: bool
    source: str
    note: str = ""
    range: tuple[date, date] | None = None  # for an unconfirmed date: the span it could really be

    def unsure_at(self, day: date | None) -> bool:
        """Whether relying on this value for ``day`` rests on an unconfirmed fact."""
        if self.confirmed:
            return False
        return self.range is None or day is None or self.range[0] <= day <= self.range[1]

    def to_json(self) -> dict[str, Any]:
        value = self.value.isoformat() if isinstance(self.value, date) else self.value
        return {
            "name": self.name,
            "value": value,
            "confirmed": self.confirmed,
            "source": self.source,
            "note": self.note,
        }


@dataclass(frozen=True)
class DeadlineSpec:
    basis: str  # in words: what the clock counts to, and from when
    count: int | None = None
    count_param: str | None = None
    unit: str | None = None
    start: str | None = None  # the feature the clock starts from; None when it starts at a later event
    words: str | None = None  # replaces "<count> <unit>", e.g. "immediately"


@dataclass(frozen=True)
class Criterion:
    rule: str
    outcome: str
    requirement: str
    text: str
    source: str
    test: Test
    expression: str  # the compiled condition, for reading when debugging a ruleset
    features: frozenset[str]
    outcome_refs: frozenset[str]
    date_params: tuple[tuple[str, str], ...]  # (feature, param) pairs compared in the condition
    unconfirmed: str
    enabled: bool
    deadline: DeadlineSpec | None
    overrides_deadline: bool


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
    deadlines: Mapping[str, DeadlineSpec]
    dependents: Mapping[str, tuple[str, ...]]  # feature -> outcomes to re-evaluate when it changes
    probes: Mapping[str, tuple[Any, ...]]  # feature -> values that cover every branch of the conditions
    document: Mapping[str, Any]
    fingerprint: str

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


def _parse_value(value: Any) -> Any:
    return date.fromisoformat(value) if isinstance(value, str) and _ISO_DATE.fullmatch(value) else value


def _check_override(param: Param, value: Any) -> Any:
    """The override in the setting's own type: a date (or null for 'never'), a number or true/false."""
    parsed = _parse_value(value)
    if isinstance(param.value, date) or param.value is None:
        fits = parsed is None or isinstance(parsed, date)
    else:
        fits = type(parsed) is type(param.value)
    if not fits:
        raise Invalid(
            f"Setting {param.name!r} has the wrong type.",
            [{"feature": None, "msg": f"{param.name}: {value!r} is not like {param.to_json()['value']!r}"}],
        )
    return parsed


def _param(name: str, spec: Mapping[str, Any], overrides: Mapping[str, Any]) -> Param:
    value = _parse_value(spec["value"])
    span = spec.get("range")
    param = Param(
        name,
        value,
        spec["confirmed"],
        spec["source"],
        spec.get("note", ""),
        (date.fromisoformat(span[0]), date.fromisoformat(span[1])) if span else None,
    )
    if (
        name in overrides
    ):  # a local setting is the board's own fact: no longer flagged, but shown in the version
        default = param.to_json()["value"]
        param = Param(
            name,
            _check_override(param, overrides[name]),
            True,
            param.source,
            f"set locally (default {default})",
        )
    return param


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


def _deadline(
    spec: Mapping[str, Any] | None, params: Mapping[str, Param], fail: Callable[[str], Exception]
) -> DeadlineSpec | None:
    if spec is None:
        return None
    count = spec.get("count")
    count_param = count["param"] if isinstance(count, dict) else None
    if count_param is not None and count_param not in params:
        raise fail(f"deadline uses unknown setting {count_param!r}")
    start = spec.get("from")
    if start is not None and BY_NAME.get(start, None) is None:
        raise fail(f"deadline starts from unknown feature {start!r}")
    if count is not None and spec.get("unit") not in UNITS:
        raise fail(f"deadline unit must be one of {UNITS}")
    return DeadlineSpec(
        in_words(spec["basis"]),  # the file names the feature the clock starts from; a person reads words
        None if count_param else count,
        count_param,
        spec.get("unit"),
        start,
        spec.get("words"),
    )


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
    params = {name: _param(name, spec, overrides) for name, spec in raw_params.items()}
    clash = set(common["definitions"]) & set(doc["definitions"])
    if clash:
        raise RulesetError(f"{rid}: definitions {sorted(clash)} are also in {doc['uses']}")
    compiler = _Compiler(rid, params, {**common["definitions"], **doc["definitions"]})
    deadlines = {
        outcome: _deadline(spec, params, compiler.fail)
        for outcome, spec in {**common["deadlines"], **doc["deadlines"]}.items()
    }
    criteria: list[Criterion] = []
    for spec in [*common["criteria"], *doc["criteria"]]:
        if spec["outcome"] not in outcome_types() or spec["requirement"] not in (MANDATORY, DISCRETIONARY):
            raise compiler.fail(f"{spec['id']}: unknown outcome or requirement")
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
                spec["source"],
                test,
                expression,
                frozenset(used["features"]),
                frozenset(used["outcomes"]),
                tuple(sorted(used["date_params"])),
                spec.get("unconfirmed", ""),
                switch is None or params[switch].value,
                _deadline(spec.get("deadline"), params, compiler.fail),
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
        deadlines,
        dependents,
        {
            name: _probes(name, compiler.thresholds.get(name, set()), compiler.sets.get(name, []))
            for name in direct
        },
        document,
        hashlib.sha256(canonical.encode()).hexdigest(),
    )


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
