"""The threshold engine: which reviews and notifications a case needs, why, by when, and which unknown
facts are worth asking about next. Pure and generic: it reads a compiled ruleset and knows no edition.

Unknown facts make conditions unknown (three-valued logic), so the engine can tell what is settled from
what still depends on an answer, and rank the questions that settle the most.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from commissioning import calendar, clocks, rules
from commissioning.citations import DECISION, Source, render
from commissioning.features import BY_NAME, ORDER, Features, answer_words, inline, phrase, written
from commissioning.rules import (
    ABSENT,
    DISCRETIONARY,
    MAND,
    MANDATORY,
    YES,
    Criterion,
    DeadlineSpec,
    Ruleset,
)
from core.errors import Invalid

AUTO = "auto"
CHOSEN_BY_REQUEST, CHOSEN_BY_INCIDENT, CHOSEN_BY_TODAY = "request", "incident_date", "today"


@dataclass(frozen=True)
class Reason:
    rule: str
    text: str
    source: str

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "text": self.text, "source": self.source}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Reason":
        return cls(data["rule"], data["text"], data["source"])


@dataclass(frozen=True)
class Deadline:
    date: date | None  # None when the clock starts at a later event or its start date is not known
    basis: str

    def to_json(self) -> dict[str, Any]:
        return {"date": self.date.isoformat() if self.date else None, "basis": self.basis}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Deadline":
        return cls(date.fromisoformat(data["date"]) if data["date"] else None, data["basis"])


@dataclass(frozen=True)
class Outcome:
    type: str
    kind: str
    requirement: str
    reasons: tuple[Reason, ...]
    deadline: Deadline | None

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "kind": self.kind,
            "requirement": self.requirement,
            "reasons": [reason.to_json() for reason in self.reasons],
            "deadline": self.deadline.to_json() if self.deadline else None,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Outcome":
        return cls(
            data["type"],
            data["kind"],
            data["requirement"],
            tuple(Reason.from_json(reason) for reason in data["reasons"]),
            Deadline.from_json(data["deadline"]) if data["deadline"] else None,
        )


@dataclass(frozen=True)
class OpenQuestion:
    feature: str
    why: str

    def to_json(self) -> dict[str, Any]:
        return {"feature": self.feature, "why": self.why}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "OpenQuestion":
        return cls(data["feature"], data["why"])


@dataclass(frozen=True)
class Decision:
    ruleset_id: str
    ruleset_version: str
    ruleset_title: str
    chosen_by: str
    outcomes: tuple[Outcome, ...]
    open_questions: tuple[OpenQuestion, ...]
    summary: str
    unconfirmed: tuple[str, ...]  # every unconfirmed fact the answer rests on (also said in its text)

    def to_json(self) -> dict[str, Any]:
        """The decision shape of the project's domain notes (decisions.md), with the edition's title beside
        its id: ids are for programs, and every text in it is for people."""
        return {
            "ruleset": {
                "id": self.ruleset_id,
                "version": self.ruleset_version,
                "chosen_by": self.chosen_by,
                "title": self.ruleset_title,
            },
            "outcomes": [outcome.to_json() for outcome in self.outcomes],
            "open_questions": [question.to_json() for question in self.open_questions],
            "summary": self.summary,
        }

    def to_text(self) -> str:
        """The decision for a person at a terminal: outcomes, reasons with sources, deadlines, questions."""
        lines = [
            f"{self.ruleset_title} [{self.ruleset_id} v{self.ruleset_version}, chosen by {self.chosen_by}]",
            "",
            self.summary,
        ]
        for requirement, heading in (
            (MANDATORY, "Mandatory"),
            (DISCRETIONARY, "To consider (discretionary)"),
        ):
            chosen = [o for o in self.outcomes if o.requirement == requirement]
            if chosen:
                lines += ["", f"{heading}:"]
            for outcome in chosen:
                lines.append(f"  * {outcome.type}: {rules.outcome_types()[outcome.type].label}")
                if outcome.deadline:
                    when = written(outcome.deadline.date) if outcome.deadline.date else "date to follow"
                    lines.append(f"      deadline: {when} ({outcome.deadline.basis})")
                lines += [f"      because: {r.text} [{r.source}; rule {r.rule}]" for r in outcome.reasons]
        if self.open_questions:
            lines += ["", "Open questions, in the order to ask them:"]
            lines += [
                f"  {n}. {q.feature}: {BY_NAME[q.feature].question} {q.why}"
                for n, q in enumerate(self.open_questions, 1)
            ]
        return "\n".join(lines)


def _settled(state: int) -> bool:
    return not state & (state - 1)


def evaluate(
    ruleset: Ruleset,
    features: Features,
    base: Mapping[str, int] | None = None,
    only: Sequence[str] | None = None,
) -> dict[str, int]:
    """The state of every outcome (or re-evaluate ``only`` some, on top of ``base``)."""
    states = dict(base or {})
    for outcome in ruleset.order if only is None else only:
        states[outcome] = ruleset.state_of[outcome](features, states)
    return states


def select(
    features: Features, ruleset: str | Ruleset, today: date, rulesets: Sequence[Ruleset]
) -> tuple[Ruleset, str]:
    """The ruleset to apply and how it was chosen: by request, by incident_date, or by today when unknown."""
    if isinstance(ruleset, Ruleset):
        return ruleset, CHOSEN_BY_REQUEST
    if ruleset != AUTO:
        for candidate in rulesets:
            if candidate.id == ruleset:
                return candidate, CHOSEN_BY_REQUEST
        valid = [AUTO, *(r.id for r in rulesets)]
        raise Invalid(
            f"Unknown ruleset {ruleset!r}.",
            [{"feature": "ruleset", "msg": f"{ruleset!r} is not one of {', '.join(valid)}", "valid": valid}],
        )
    incident = features.get("incident_date")
    day, chosen_by = (incident, CHOSEN_BY_INCIDENT) if incident else (today, CHOSEN_BY_TODAY)
    governing = [r for r in rulesets if r.starts.value <= day]
    if not governing:
        first = rulesets[0]
        raise Invalid(
            "No ruleset covers the incident date.",
            [
                {
                    "feature": "incident_date",
                    "msg": f"{written(day)} is before {written(first.starts.value)}, when the earliest "
                    f"edition covered took effect: {first.title}",
                }
            ],
        )
    return governing[-1], chosen_by


def _join(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


CONFIRM = "for the board to confirm"  # marks what rests on a fact the guidance does not settle


class _Flags:
    """Unconfirmed facts an answer rests on, in the order met, each once; and the relaxations (such as
    COVID-19's) that cover its deadlines, said once in the summary."""

    def __init__(self) -> None:
        self.inline: dict[str, None] = {}
        self.summary_only: dict[str, None] = {}
        self.relaxed: dict[str, None] = {}

    def mark(self, text: str, notes: Sequence[str]) -> str:
        self.inline.update(dict.fromkeys(notes))
        return text + "".join(f" ({CONFIRM}: {note})" for note in notes)


def _criterion_notes(ruleset: Ruleset, criterion: Criterion, features: Features) -> list[str]:
    notes = [criterion.unconfirmed] if criterion.unconfirmed else []
    for feature, name in criterion.date_params:
        param = ruleset.params[name]
        if param.value is not None and param.unsure_at(features.get(feature)):
            notes.append(param.note)
    return notes


def _cited(ruleset: Ruleset, sources: Sequence[Source], on: str, dates: clocks.Dates) -> str:
    """Sources as cited on the day the rule turns on: each guidance by the edition in force then."""
    return render(sources, ruleset.documents, dates.day(on))


def _deadline(
    ruleset: Ruleset,
    variants: Sequence[DeadlineSpec] | None,
    flags: _Flags,
    dates: clocks.Dates,
) -> tuple[Deadline | None, str | None]:
    """The deadline and, when its start date is not known yet, the feature that would give it."""
    if not variants:
        return None, None
    spec = clocks.choose(variants, dates.known, dates.today, ruleset.values)
    start, provisional = clocks.start_of(spec, dates.known)
    cited = _cited(ruleset, spec.sources, spec.trigger, dates)
    param = ruleset.params[spec.count_param] if spec.count_param else None
    count = param.value if param else spec.count
    if count is None:
        return Deadline(None, f"{spec.basis} ({cited})" if cited else spec.basis), None
    words = spec.fallback_basis if provisional or (start is None and spec.fallback) else spec.basis
    basis = f"{spec.words or calendar.describe(count, spec.unit)} {words}"  # type: ignore[arg-type]
    basis += f" ({cited})" if cited else ""
    due = None if start is None else calendar.due(start, count, spec.unit)  # type: ignore[arg-type]
    basis += _relaxed(ruleset, spec, start, due, dates, flags)
    if param is not None and not param.confirmed:
        basis = flags.mark(basis, [param.note])
    if spec.start is None or (start is None and spec.start == DECISION):
        return Deadline(None, basis), None
    if start is None:
        waiting_for = spec.fallback or spec.start  # the date that would give it a date soonest
        named = phrase(waiting_for)
        basis += f" ({'that day' if named in basis else named} is not given yet)"
        return Deadline(None, basis), waiting_for
    return Deadline(due, basis), spec.start if provisional else None


def _relaxed(
    ruleset: Ruleset,
    spec: DeadlineSpec,
    start: date | None,
    due: date | None,
    dates: clocks.Dates,
    flags: _Flags,
) -> str:
    """What a relaxation covering this clock adds to its basis (nothing when none covers it)."""
    relaxation = ruleset.relaxations.get(spec.relaxed_by or "")
    begins = start or dates.day(spec.trigger)
    if relaxation is None or not relaxation.covers(begins, due or begins, ruleset.values):
        return ""
    said = {"starts": written(ruleset.params[relaxation.starts].value)}
    flags.relaxed[relaxation.summary.format_map(said)] = None
    unsure = [ruleset.params[name] for name in (relaxation.starts, relaxation.ends)]
    text = f"{relaxation.text.format_map(said)} ({render(relaxation.sources, ruleset.documents, begins)})"
    return ". " + flags.mark(text, [p.note for p in unsure if p.unsure_at(begins)])


def _firing(
    ruleset: Ruleset, outcome: str, requirement: str, features: Features, states: Mapping[str, int]
) -> list[Criterion]:
    """The criteria that bring in ``outcome`` at ``requirement`` on these facts."""
    return [
        c
        for c in ruleset.criteria.get(outcome, ())
        if c.requirement == requirement and c.test(features, states) == YES
    ]


def _spec(ruleset: Ruleset, outcome: str, firing: Sequence[Criterion]) -> Sequence[DeadlineSpec] | None:
    """A firing criterion's own clock when it has one, else the outcome's usual clock in this ruleset."""
    return next((c.deadline for c in firing if c.overrides_deadline), ruleset.clocks.get(outcome))


def deadline_for(
    ruleset: Ruleset,
    outcome: str,
    requirement: str,
    features: Features,
    *,
    today: date,
    decided_on: date | None = None,
) -> Deadline | None:
    """The deadline the rules give ``outcome`` at ``requirement`` on these facts: the one ``decide`` gives
    it when it reaches that outcome itself. A board that chooses its own outcomes gets the same clocks."""
    firing = _firing(ruleset, outcome, requirement, features, evaluate(ruleset, features))
    dates = clocks.Dates.of(features, today, decided_on)
    return _deadline(ruleset, _spec(ruleset, outcome, firing), _Flags(), dates)[0]


def _outcome(
    ruleset: Ruleset,
    outcome: str,
    states: Mapping[str, int],
    features: Features,
    flags: _Flags,
    missing: dict[str, list[str]],
    dates: clocks.Dates,
) -> Outcome:
    requirement = MANDATORY if states[outcome] == MAND else DISCRETIONARY
    firing = _firing(ruleset, outcome, requirement, features, states)
    reasons = tuple(
        Reason(
            c.rule,
            flags.mark(c.text, _criterion_notes(ruleset, c, features)),
            _cited(ruleset, c.sources, c.on, dates),
        )
        for c in firing
    ) + tuple(
        Reason(r.rule, r.text, _cited(ruleset, r.sources, r.on, dates))
        for r in ruleset.remarks.get(outcome, ())
        if r.test(features, states) == YES
    )
    deadline, waiting_for = _deadline(ruleset, _spec(ruleset, outcome, firing), flags, dates)
    if waiting_for:
        missing.setdefault(waiting_for, []).append(outcome)
    return Outcome(outcome, rules.outcome_types()[outcome].kind, requirement, reasons, deadline)


def _open_questions(
    ruleset: Ruleset,
    features: Features,
    states: Mapping[str, int],
    chosen_by: str,
    missing: Mapping[str, list[str]],
) -> list[OpenQuestion]:
    """Unknown features that can change an outcome, the ones expected to settle most outcomes first."""
    questions = []
    if chosen_by == CHOSEN_BY_TODAY:
        questions.append(
            OpenQuestion(
                "incident_date",
                "That decides which edition of the guidance applies; until then, "
                f"{ruleset.title} is assumed.",
            )
        )
    unsettled = {outcome for outcome, state in states.items() if not _settled(state)}
    trial, after = dict(features), dict(states)  # probed in place, and put back, to avoid copies
    state_of, probes_of = ruleset.state_of, ruleset.probes
    ranked = []
    for name, outcomes in ruleset.dependents.items():
        if name in features or unsettled.isdisjoint(outcomes) or (name == "incident_date" and questions):
            continue
        if name in ruleset.ask_only_when and ruleset.ask_only_when[name](features, states) != YES:
            continue  # no fact points there: a question that cannot apply to this case is not asked
        # Knowing more never unsettles a settled outcome (three-valued logic is monotone), so only the
        # unsettled outcomes that read this feature, directly or through another outcome, can change.
        targets = [o for o in outcomes if o in unsettled]
        affected: set[str] = set()
        settled = 0
        probes = probes_of[name]
        for value in probes:
            trial[name] = value
            for outcome in targets:
                after[outcome] = state = state_of[outcome](trial, after)
                if state != states[outcome]:
                    affected.add(outcome)
                    settled += not state & (state - 1)
        trial.pop(name, None)
        for outcome in targets:
            after[outcome] = states[outcome]
        if affected:
            ranked.append((-settled / len(probes), -len(affected), ORDER[name], name, affected))
    order = list(rules.outcome_types())
    for *_, name, affected in sorted(ranked):
        named = _named(sorted(affected, key=order.index))
        these = "this applies" if len(affected) == 1 else "these apply"
        questions.append(OpenQuestion(name, f"That decides whether {these}: {named}."))
    asked = {q.feature for q in questions}
    for ask in ruleset.asks:
        if ask.feature not in features and ask.feature not in asked and ask.test(features, states) == YES:
            questions.append(OpenQuestion(ask.feature, f"That {ask.why}."))
            asked.add(ask.feature)
    for name, outcomes in missing.items():
        if name not in asked:
            deadlines = "The deadline for" if len(outcomes) == 1 else "The deadlines for"
            counts = "counts" if len(outcomes) == 1 else "count"
            questions.append(OpenQuestion(name, f"{deadlines} {_named(outcomes)} {counts} from it."))
    return questions


def _named(outcomes: Sequence[str]) -> str:
    """Outcomes by name, as a sentence lists them: "notify Ofsted and rapid review"."""
    return _join([inline(rules.outcome_types()[outcome].label) for outcome in outcomes])


def _blockers(ruleset: Ruleset, features: Features, states: Mapping[str, int]) -> list[str]:
    """Known facts that, if different, would bring in an outcome: why nothing applies."""
    found = []
    for name, outcomes in ruleset.dependents.items():
        value = features.get(name)
        if value is None:
            continue
        enabled = 0
        for probe in ruleset.probes[name]:
            if probe != value:
                after = evaluate(ruleset, {**features, name: probe}, states, outcomes)
                enabled = max(enabled, sum(after[o] != ABSENT for o in outcomes))
        if enabled:
            said = answer_words(name, value)
            said = said if isinstance(value, bool) else f"'{said}'"
            found.append((-enabled, ORDER[name], f"the answer to '{BY_NAME[name].question}' is {said}"))
    return [text for *_, text in sorted(found)[:3]]


def _label(outcome: Outcome, today: date) -> str:
    label = inline(rules.outcome_types()[outcome.type].label)
    if outcome.deadline and outcome.deadline.date:
        when = "was due" if outcome.deadline.date < today else "by"
        return f"{label} ({when} {written(outcome.deadline.date)})"
    return label


def _summary(
    ruleset: Ruleset,
    outcomes: Sequence[Outcome],
    questions: Sequence[OpenQuestion],
    blockers: Sequence[str],
    notes: Sequence[str],
    flags: _Flags,
    today: date,
) -> str:
    required = [_label(o, today) for o in outcomes if o.requirement == MANDATORY]
    consider = [_label(o, today) for o in outcomes if o.requirement == DISCRETIONARY]
    sentences = []
    if required:
        sentences.append(f"Under {ruleset.title}, this case needs: {'; '.join(required)}.")
    if consider:
        sentences.append(
            f"{'Also to' if required else f'Under {ruleset.title}, to'} consider: {'; '.join(consider)}."
        )
    if not outcomes:
        sentences.append(
            f"Nothing applies yet under {ruleset.title} on the facts known so far."
            if questions
            else f"No review or notification applies under {ruleset.title} on these facts"
            + (f", chiefly because {_join(blockers)}." if blockers else ": none of its criteria is met.")
            + " The partners may still choose a learning review or audit; check again if the facts change."
        )
    if questions:
        first = questions[0]
        count = f"{len(questions)} open question{'s' if len(questions) > 1 else ''}"
        sentences.append(f"{count} could change this. First: {inline(BY_NAME[first.feature].question)}")
        sentences.append(first.why)
    sentences += notes
    sentences += flags.relaxed
    if flags.summary_only:
        sentences.append(f"{CONFIRM.capitalize()}: " + "; ".join(flags.summary_only) + ".")
    if flags.inline:
        sentences.append(
            f'Points marked "{CONFIRM}" rest on facts the published guidance does not settle: the board '
            "confirms them."
        )
    return " ".join(sentences)


def _notes(
    ruleset: Ruleset,
    chosen_by: str,
    rulesets: Sequence[Ruleset],
    features: Features,
    states: Mapping[str, int],
    outcomes: Sequence[Outcome],
    today: date,
    flags: _Flags,
) -> list[str]:
    """Sentences about how the answer was reached: the edition chosen, its dates, deadlines passed."""
    notes = []
    incident = features.get("incident_date")
    later = [r for r in rulesets if r.starts.value > ruleset.starts.value]
    end = later[0].starts if later else None
    if chosen_by == CHOSEN_BY_TODAY:
        notes.append(
            f"{BY_NAME['incident_date'].label} is not given, so today's edition was assumed: {ruleset.title}."
        )
    elif (
        incident
        and chosen_by == CHOSEN_BY_REQUEST
        and not (ruleset.starts.value <= incident and (end is None or incident < end.value))
    ):
        notes.append(
            f"Note: {ruleset.title} governs incidents from {written(ruleset.starts.value)}"
            + (f" to before {written(end.value)}" if end else "")
            + f"; the incident, on {written(incident)}, is outside that period, so this is a what-if answer."
        )
    elif chosen_by == CHOSEN_BY_INCIDENT:
        flags.summary_only.update(
            dict.fromkeys(p.note for p in (ruleset.starts, end) if p and p.unsure_at(incident))
        )
    for criterion in ruleset.disabled:
        if criterion.test(features, states) == YES:
            flags.summary_only[
                f"a rule is switched off ({criterion.unconfirmed}); if it applied, "
                f"{inline(rules.outcome_types()[criterion.outcome].label)} would be {criterion.requirement}"
            ] = None
    passed = [o for o in outcomes if o.deadline and o.deadline.date and o.deadline.date < today]
    if passed:
        notes.append(f"The deadline has passed for {_join([_label(o, today) for o in passed])}.")
    return notes


def decide(
    features: Features,
    ruleset: str | Ruleset,
    today: date,
    *,
    rulesets: Sequence[Ruleset] | None = None,
    decided_on: date | None = None,
) -> Decision:
    """Decide which reviews and notifications ``features`` call for under ``ruleset`` ('auto', an id, or a
    Ruleset), as of ``today``. ``features`` must come from ``features.validate``. ``decided_on`` is the day
    the board decided, when it has: the clocks that run from its decision then get their dates."""
    rulesets = rulesets or rules.load_all()
    chosen, chosen_by = select(features, ruleset, today, rulesets)
    chosen.check_defined(features)
    states = evaluate(chosen, features)
    flags = _Flags()
    missing: dict[str, list[str]] = {}
    dates = clocks.Dates.of(features, today, decided_on)
    outcomes = tuple(
        _outcome(chosen, outcome, states, features, flags, missing, dates)
        for outcome in rules.outcome_types()
        if outcome in states and not states[outcome] & ABSENT
    )
    questions = _open_questions(chosen, features, states, chosen_by, missing)
    blockers = [] if outcomes or questions else _blockers(chosen, features, states)
    notes = _notes(chosen, chosen_by, rulesets, features, states, outcomes, today, flags)
    return Decision(
        chosen.id,
        chosen.version,
        chosen.title,
        chosen_by,
        outcomes,
        tuple(questions),
        _summary(chosen, outcomes, questions, blockers, notes, flags, today),
        tuple({**flags.inline, **flags.summary_only}),
    )
