"""Terms of reference: one content object, assembled from a case, its decision and its commission.

Pure: plain data in, a frozen `Terms` out (``commissioning.terms_document``). The wording lives in
`clauses.json` (versioned data, each clause naming its sources); this module and its two companions
(``terms_people`` for the sections about the child, family, agencies and reviewer, ``terms_timescales``
for the timetable) only choose clauses and fill them in, so the renderers never decide content and every
format says the same thing. Nothing here reads a child's name or date of birth: the inputs carry none,
and only the named features are ever read.
"""

from collections.abc import Callable, Mapping
from datetime import date
from types import MappingProxyType
from typing import Any

from commissioning.arrangements import arrangement_on
from commissioning.calendar import add_months
from commissioning.features import in_words
from commissioning.rules import Ruleset
from commissioning.rules import load as load_ruleset
from commissioning.terms_context import (
    CLAUSES_VERSION,
    Agency,
    BoardDecision,
    CaseFacts,
    CommissionFacts,
    Context,
    Inputs,
    area_name,
    load_clauses,
    without_notes,
)
from commissioning.terms_document import Block, Paragraph, Points, Section, Terms, format_date, parse_date
from commissioning.terms_people import (
    agency_reports,
    confidentiality,
    criminal_interest,
    independence,
    involvement,
    panel,
    why,
)
from commissioning.terms_timescales import timescales
from core.errors import NotFound

__all__ = [
    "CLAUSES_VERSION",
    "TITLES",
    "Agency",
    "BoardDecision",
    "CaseFacts",
    "CommissionFacts",
    "Inputs",
    "assemble",
    "load_clauses",
    "proposed_period",
]

TITLES: dict[str, str] = {
    "purpose": "Purpose",
    "why": "Why this review is being held",
    "decision": "Criteria met, decision and legal basis",
    "scope": "Scope",
    "enquiry": "Key lines of enquiry",
    "agencies": "What each agency's report must address",
    "method": "Method",
    "independence": "The lead reviewer: experience and independence",
    "panel": "The review panel",
    "governance": "Governance and sign-off",
    "involvement": "Involvement of the child, family and practitioners",
    "confidentiality": "Confidentiality and information sharing",
    "parallel": "Parallel processes",
    "media": "Media and communications",
    "timescales": "Timescales",
    "publication": "Publication",
    "siblings": "Immediate safety of siblings and other children",
}

_Built = tuple[tuple[Block, ...], tuple[str, ...]]


def assemble(
    *,
    case: CaseFacts,
    decision: Mapping[str, Any],
    board: BoardDecision | None,
    commission: CommissionFacts | None,
    today: date,
    ruleset: Ruleset | None = None,
    partnership_starts: Mapping[str, date] = MappingProxyType({}),
) -> Terms:
    """The terms of reference for a case as of `today`, with every gap listed rather than left blank.

    ``ruleset`` is the ruleset the decision applied, as the caller loads it (with any local settings);
    without it the decision's ruleset is loaded with its default settings. ``partnership_starts`` gives
    the day areas moved to the safeguarding partners (``commissioning.arrangements``), so the board's
    decision is credited to whoever decided in the case's area that day.
    """
    clauses = load_clauses()
    ruleset_ref = decision.get("ruleset") or {}
    area = case.features.get("area")
    arrangement = (
        None
        if board is None
        else arrangement_on(board.decided_on, area if isinstance(area, str) else None, partnership_starts)
    )
    context = Context(
        case=case,
        decision=decision,
        board=board,
        commission=commission,
        review_type=_review_type(decision, board, clauses),
        ruleset_id=ruleset_ref.get("id", ""),
        ruleset=ruleset or _default_ruleset(ruleset_ref),
        today=today,
        clauses=clauses,
        arrangement=arrangement,
    )
    builders: dict[str, Callable[[Context], _Built]] = {
        "purpose": _purpose,
        "why": why,
        "decision": _decision,
        "scope": _scope,
        "enquiry": _enquiry,
        "agencies": agency_reports,
        "method": _method,
        "independence": independence,
        "panel": panel,
        "governance": _governance,
        "involvement": involvement,
        "confidentiality": confidentiality,
        "parallel": _parallel,
        "media": _media,
        "timescales": timescales,
        "publication": _publication,
        "siblings": _siblings,
    }
    sections = []
    for key, build in builders.items():
        blocks, to_confirm = build(context)
        sections.append(Section(key=key, title=TITLES[key], blocks=blocks, to_confirm=to_confirm))
    review_name = context.review_name if context.review_type else None
    return Terms(
        case_ref=case.ref,
        title=f"Terms of reference: {review_name or 'case review'}",
        review_type=context.review_type,
        review_name=review_name,
        area=context.area,
        issued_on=today,
        clauses_version=CLAUSES_VERSION,
        ruleset=f"{ruleset_ref['id']} v{ruleset_ref.get('version', '?')}" if ruleset_ref.get("id") else None,
        sections=tuple(sections),
        guidance=_capitalised_title(context.edition["guidance"]),
    )


def _capitalised_title(guidance: str) -> str:
    return guidance[:1].upper() + guidance[1:]


def _default_ruleset(ruleset_ref: Mapping[str, Any]) -> Ruleset | None:
    """The decision's ruleset at its base version and default settings, if it exists."""
    if not ruleset_ref.get("id"):
        return None
    base = str(ruleset_ref.get("version") or "").partition("+")[0] or None
    try:
        return load_ruleset(ruleset_ref["id"], base)
    except NotFound:
        return None


def _review_type(decision: Mapping[str, Any], board: BoardDecision | None, clauses: Mapping) -> str | None:
    """The board's choice if it made one, else the first review in the decision that terms can cover."""
    if board is not None and board.review_type in clauses["review_types"]:
        return board.review_type
    present = {o.get("type") for o in decision.get("outcomes", [])}
    return next((t for t in clauses["review_preference"] if t in present), None)


def _purpose(c: Context) -> _Built:
    return tuple(c.fill(clause) for clause in c.clauses["purpose"]), ()


def _decision(c: Context) -> _Built:
    text = c.clauses["decision"]
    blocks: list[Block] = []
    to_confirm: list[str] = []
    if c.board is not None:
        decided_on = format_date(c.board.decided_on)
        clause = text["decided"] if c.review_type else text["decided_no_review"]
        decider = c.decider
        day = c.board.decided_on
        stated = c.fill(clause, day=day, for_area=f" for {c.area}" if c.area else "", decided_on=decided_on)
        said = stated.text
        if c.board.decided_by:
            chair = {"chair": c.board.decided_by, "chair_role": decider["chair_role"]}
            said += " " + text["recorded_by"].format_map(chair)
        else:
            to_confirm.append(text["unnamed_chair"])
        cited = [stated.source, c.cite(decider["sources"], regime=decider["regime"], day=day)]
        blocks.append(Paragraph(said, "; ".join(dict.fromkeys(x for x in cited if x))))
        if c.board.superseded_on is not None:
            changed_on = format_date(c.board.superseded_on)
            to_confirm.append(text["superseded"].format(decided_on=decided_on, changed_on=changed_on))
    else:
        to_confirm.append("who decided to hold the review, and when (no board decision is recorded)")
    if (c.decision.get("ruleset") or {}).get("id"):
        guidance = c.edition_on(c.criteria_day)["guidance"]
        blocks.append(c.fill(text["criteria_guidance"], day=c.criteria_day, criteria_guidance=guidance))
    else:
        to_confirm.append("the guidance whose criteria the threshold decision applied")
    if c.review_type is None:
        to_confirm.append("the review type: the decision names no review these terms can cover")
        return tuple(blocks), tuple(to_confirm)
    kind = c.clauses["review_types"][c.review_type]
    blocks.append(Paragraph(f"Review type: {kind['name']}."))
    outcome = c.outcome(c.review_type)
    if outcome is None:
        to_confirm.append(f"the criteria met: the threshold decision does not recommend a {kind['name']}")
    else:
        blocks += _criteria(c, outcome, to_confirm)
    basis = kind["basis"].get(c.regime) or next(iter(kind["basis"].values()))
    filled = c.fill(basis, day=c.criteria_day, guidance=c.edition_on(c.criteria_day)["guidance"])
    blocks.append(Paragraph(text["legal_basis"].format(basis=filled.text), filled.source))
    return tuple(blocks), tuple(to_confirm)


def _criteria(c: Context, outcome: Mapping[str, Any], to_confirm: list[str]) -> list[Block]:
    """What the guidance makes of the review, and the criteria the decision found met, in plain words."""
    text = c.clauses["decision"]
    blocks: list[Block] = []
    requirement = outcome.get("requirement")
    if requirement == "discretionary" and c.board is not None:
        requirement = "discretionary_held"
    if requirement in text["requirement"]:
        blocks.append(Paragraph(text["requirement"][requirement].format_map(c.words)))
    cleaned = [
        without_notes(in_words(r.get("text", ""))) for r in outcome.get("reasons", []) if r.get("text")
    ]
    if not cleaned:
        to_confirm.append("the criteria met: the decision records no reasons")
        return blocks
    blocks += [Paragraph(text["criteria_intro"]), Points(tuple(Paragraph(reason) for reason, _ in cleaned))]
    if any(unsure for _, unsure in cleaned):
        blocks.append(Paragraph(text["criteria_to_confirm"].format(criteria_day=format_date(c.criteria_day))))
    return blocks


def proposed_period(incident: date) -> tuple[date, date]:
    """The period under review the terms propose when the case sets none: the clause library's
    ``default_period_months`` before the incident, to the incident (both days included)."""
    return add_months(incident, -load_clauses()["scope"]["default_period_months"]), incident


def _scope(c: Context) -> _Built:
    text = c.clauses["scope"]
    blocks: list[Block] = []
    to_confirm: list[str] = []
    if c.case.period_from and c.case.period_to:
        blocks.append(
            c.fill(
                text["period"],
                period_from=format_date(c.case.period_from),
                period_to=format_date(c.case.period_to),
            )
        )
    else:
        incident = parse_date(c.case.features.get("incident_date"))
        proposal = ""
        if incident is not None:
            start, end = proposed_period(incident)
            note = text["default_period_note"].format(months=text["default_period_months"])
            proposal = f" (proposed: {format_date(start)} to {format_date(end)}, {note})"
        to_confirm.append(f"the period under review{proposal}")
    if c.case.agencies:
        blocks += [c.fill(text["agencies"]), Points(tuple(Paragraph(a.name) for a in c.case.agencies))]
    else:
        to_confirm.append("the agencies in scope: the case lists no agencies involved")
    if c.area:
        blocks.append(c.fill(text["lead_area"][c.regime]))
    else:
        to_confirm.append("the lead area: the case records no area")
    if c.case.other_areas:
        blocks.append(c.fill(text["other_areas"], areas=", ".join(area_name(a) for a in c.case.other_areas)))
    else:
        blocks.append(c.fill(text["no_other_areas"]))
    return tuple(blocks), tuple(to_confirm)


def _enquiry(c: Context) -> _Built:
    text = c.clauses["lines_of_enquiry"]
    lines = [c.fill(x) for x in text["core"]]
    for feature, questions in text["by_feature"].items():
        if c.feature_true(feature) or (
            feature == "interpreter_needed" and c.case.features.get("family_languages")
        ):
            lines += [c.fill(q) for q in questions]
    setting_group = text["by_setting"].get(c.case.features.get("setting"))
    if setting_group:
        lines += [c.fill(q) for q in text["settings"][setting_group]]
    return (Paragraph(text["intro"]), Points(tuple(lines), numbered=True)), ()


def _method(c: Context) -> _Built:
    methods = c.clauses["methods"]
    chosen = c.method
    if chosen is None:
        return (c.fill(methods["proportionate"]),), ("the method: it follows from the review type",)
    return (c.fill(methods["options"][chosen]), c.fill(methods["proportionate"])), ()


def _governance(c: Context) -> _Built:
    return tuple(c.fill(clause) for clause in c.clauses["governance"]), ()


def _parallel(c: Context) -> _Built:
    text = c.clauses["parallel"]
    items: list[Paragraph] = []
    if criminal_interest(c.case.features):
        items.append(c.fill(text["criminal"]))
    if c.case.features.get("outcome") == "death":
        items.append(c.fill(text["coroner"]))
    for outcome_type, spec in text["outcomes"].items():
        outcome = c.outcome(outcome_type)
        if outcome is None or outcome.get("requirement") not in ("mandatory", "discretionary"):
            continue
        cited = c.cite(spec["sources"], regime=spec["regime"])
        basis = f" ({cited})" if cited else ""
        line = text["review"][outcome["requirement"]].format(name=spec["name"], basis=basis)
        items.append(Paragraph(line, cited))
    items.append(c.fill(text["other"]))
    return (c.fill(text["intro"]), Points(tuple(items))), ()


def _media(c: Context) -> _Built:
    blocks = [c.fill(clause) for clause in c.clauses["media"]]
    for name, clause in c.clauses["media_by_feature"].items():
        if c.feature_true(name) and c.applies(clause):
            blocks.append(c.fill(clause))
    return tuple(blocks), ()


def _publication(c: Context) -> _Built:
    text = c.clauses["publication"]
    if c.review_type == "scr":
        full = c.conduct_day >= date.fromisoformat(text["scr_full_from"])
        specific = text["scr_full"] if full else text["scr_summary_only"]
    else:
        specific = text.get(c.review_type or "", [])
    blocks = [c.fill(x) for x in [*specific, *text["all"]] if c.applies(x)]
    return tuple(blocks), () if specific else (text["to_confirm"],)


def _siblings(c: Context) -> _Built:
    return tuple(c.fill(clause) for clause in c.clauses["siblings"]), ()
