"""The sections of the terms of reference about people: why the review is held (a neutral summary of the
case), what each agency's report must address, the lead reviewer's experience and independence, the
review panel, how the child and family take part, and how what they share is kept confidential.

Pure, built from the case's features, its agencies' kinds and the commissioned reviewer's record, with
the words in ``clauses.json``. No name of a child or family member is ever read or written.
"""

from collections.abc import Mapping
from typing import Any

from commissioning.features import BY_NAME, as_id, phrase
from commissioning.terms_context import Context, capitalised, joined, load_clauses
from commissioning.terms_document import Block, Paragraph, Points, format_date, parse_date

_Built = tuple[tuple[Block, ...], tuple[str, ...]]
_LEAD_ROLES = ("lead_reviewer", "overview_author", "panel_chair")


def criminal_interest(features: Mapping[str, Any]) -> bool:
    """A criminal process is likely when abuse is known or suspected, or someone else harmed the child."""
    if features.get("abuse_or_neglect") in ("known", "suspected"):
        return True
    return any(p != "self" for p in features.get("perpetrators") or ())


def _themes(c: Context) -> list[str]:
    """The case's themes that are answered yes, as a summary names them."""
    words = c.clauses["summary"]["theme_words"]
    return [
        words.get(f.name) or phrase(f.name) for f in BY_NAME.values() if f.theme and c.feature_true(f.name)
    ]


def _race_concern(c: Context) -> bool:
    return c.feature_true("race_ethnicity_and_culture") or c.feature_true("racism_or_discrimination")


def needs_interpreter(features: Mapping[str, Any]) -> bool:
    """The family needs an interpreter: said so, or their languages are recorded."""
    return features.get("interpreter_needed") is True or bool(features.get("family_languages"))


# Why the review -----------------------------------------------------------------------------------


def _who(c: Context) -> str:
    text = c.clauses["summary"]
    age = c.case.features.get("subject_age_years")
    if not isinstance(age, int | float):
        return text["child"]
    return next((band["words"] for band in text["age_bands"] if age < band["under"]), text["child"])


def _what_happened(c: Context) -> str:
    """One sentence: when (month and year), who, what happened, where."""
    text = c.clauses["summary"]
    features = c.case.features
    happened = text["outcomes"].get(features.get("outcome"), text["outcome_unknown"])
    where = text["settings"].get(features.get("setting"))
    place = f" {where}" if where else ""
    incident = parse_date(features.get("incident_date"))
    when = f"In {incident:%B} {incident.year}, " if incident else ""
    return capitalised(f"{when}{_who(c)} {happened}{place}.")


def why(c: Context) -> _Built:
    """A short case summary in neutral words: age band, what happened, agencies involved, criteria met."""
    text = c.clauses["summary"]
    features = c.case.features
    sentences = [_what_happened(c)]
    kinds = [
        text["harm_kinds"][k] for k in features.get("serious_harm_kinds") or () if k in text["harm_kinds"]
    ]
    if kinds:
        sentences.append(text["harm_intro"].format(kinds=joined(kinds)))
    if features.get("suspected_suicide") is True:
        sentences.append(text["suicide"])
    elif features.get("death_unexpected") is True:
        sentences.append(text["unexpected"])
    if features.get("abuse_or_neglect") in text["abuse"]:
        sentences.append(text["abuse"][features["abuse_or_neglect"]])
    if c.feature_true("looked_after"):
        sentences.append(text["looked_after"])
    blocks: list[Block] = [Paragraph(" ".join(sentences))]
    kinds_involved = joined(text["kinds"].get(a.kind, text["kinds"]["other"]) for a in c.case.agencies)
    involved = (
        text["agencies"].format(agencies=capitalised(kinds_involved))
        if kinds_involved
        else text["no_agencies"]
    )
    themes = _themes(c)
    context = [involved, text["themes"].format(themes=joined(themes)) if themes else ""]
    if c.feature_true("racism_or_discrimination"):
        context.append(text["racism"])
    blocks.append(Paragraph(" ".join(part for part in context if part)))
    decided = c.board is not None and c.review_type is not None
    blocks.append(
        Paragraph((text["criteria"] if decided else text["criteria_undecided"]).format_map(c.words))
    )
    return tuple(blocks), ()


# What each agency's report must address ------------------------------------------------------------


def every_agency_question() -> str:
    """What every agency's report must address, whatever its kind (the terms list it before the agencies)."""
    return load_clauses()["agency_reports"]["every_agency"]["text"]


def agency_questions(kind: str, features: Mapping[str, Any]) -> tuple[str, ...]:
    """The questions an agency of ``kind`` must answer in a case with these features: those of its kind
    (an unknown kind is asked those of "other"), then those of each of the case's themes its kind has."""
    kinds = load_clauses()["agency_reports"]["kinds"]
    spec = kinds.get(kind, kinds["other"])
    questions = list(spec["questions"])
    for theme, extra in spec["by_theme"].items():
        if features.get(theme) is True or (theme == "interpreter_needed" and needs_interpreter(features)):
            questions += extra
    return tuple(questions)


def agency_reports(c: Context) -> _Built:
    text = c.clauses["agency_reports"]
    if not c.case.agencies:
        return (Paragraph(text["none"]),), ()
    intro = text["intro"].get(c.method or "", text["intro"]["systems"])
    blocks: list[Block] = [c.fill(intro), Points((c.fill(text["every_agency"]),))]
    for agency in c.case.agencies:
        questions = agency_questions(agency.kind, c.case.features)
        blocks += [Paragraph(f"{agency.name}:"), Points(tuple(Paragraph(q) for q in questions))]
    return tuple(blocks), ()


# The lead reviewer --------------------------------------------------------------------------------


def _counted(words: Mapping[str, list[str]], reviews: tuple[tuple[str, int], ...]) -> str:
    parts = [
        f"{count} {words[kind][0] if count == 1 else words[kind][1]}"
        for kind, count in reviews
        if kind in words and count > 0
    ]
    return joined(parts)


def _experience(c: Context) -> list[Block]:
    """The reviewer's background, accreditations, reviews led and fit to this case, in sentences."""
    commission = c.commission
    assert commission is not None
    text = c.clauses["reviewer"]
    words = text["words"]
    sentences: list[str] = []

    def say(key: str, **values: str) -> None:
        form = "they" if sentences else "named"
        sentences.append(text[key][form].format(name=commission.consultant_name, **values))

    backgrounds = [words["backgrounds"][b] for b in commission.backgrounds if b in words["backgrounds"]]
    if backgrounds:
        say("background", backgrounds=joined(backgrounds))
    known = words["accreditations"]
    accreditations = [known[a] for a in commission.accreditations if a in known]
    if accreditations:
        say("accreditations", accreditations=joined(accreditations))
    reviews = _counted(words["review_types"], commission.reviews)
    if reviews:
        say("reviews", reviews=reviews)
    if not sentences:
        return []
    themes = {f.name for f in BY_NAME.values() if f.theme and c.feature_true(f.name)}
    if c.feature_true("racism_or_discrimination"):
        themes.add("race_ethnicity_and_culture")
    relevant = [
        phrase(s) if s in BY_NAME else words["specialisms"].get(s, s)
        for s in commission.specialisms
        if s in themes
    ]
    if relevant:
        sentences.append(text["specialisms"].format(specialisms=joined(relevant)))
    needed = {item.casefold() for item in c.case.features.get("family_languages") or ()}
    spoken = [language for language in commission.languages if as_id(language) in needed]
    if spoken:
        sentences.append(text["languages"].format(languages=joined(spoken)))
    return [Paragraph(" ".join(sentences))]


def independence(c: Context) -> _Built:
    text = c.clauses["reviewer"]
    blocks: list[Block] = [c.fill(text["principle"])]
    commission = c.commission
    if commission is None:
        return tuple(blocks), (text["to_confirm"],)
    to_confirm: list[str] = []
    on = f" on {format_date(commission.commissioned_on)}" if commission.commissioned_on else ""
    role = text["words"]["roles"].get(commission.role, commission.role.replace("_", " "))
    blocks.append(
        c.fill(text["commissioned"], consultant=commission.consultant_name, role=role, commissioned_on=on)
    )
    experience = _experience(c)
    if experience:
        blocks += experience
    else:
        to_confirm.append(text["no_experience"])
    blocks.append(c.fill(text["checked"], name=commission.consultant_name))
    if commission.warnings:
        blocks += [
            Paragraph(text["warnings_intro"]),
            Points(tuple(Paragraph(w) for w in commission.warnings)),
        ]
    # Recorded by the board from a statement signed on paper, or made by the reviewer in the service.
    declared_on = commission.signed_on or commission.declared_on
    if declared_on and commission.declaration:
        clause = text["recorded" if commission.signed_on else "declared"]
        blocks.append(
            c.fill(
                clause,
                consultant=commission.consultant_name,
                date=format_date(declared_on),
                declaration=commission.declaration,
            )
        )
    else:
        to_confirm.append(text["declaration_to_confirm"].format(consultant=commission.consultant_name))
    return tuple(blocks), tuple(to_confirm)


# The review panel ---------------------------------------------------------------------------------


def panel(c: Context) -> _Built:
    text = c.clauses["panel"]
    if not c.case.agencies:
        blocks: list[Block] = [Paragraph(text["none"])]
    else:
        roles = text["roles"]
        members = tuple(
            Paragraph(capitalised(roles.get(a.kind, roles["other"]).format(agency=a.name)))
            for a in c.case.agencies
        )
        blocks = [c.fill(text["intro"]), Points(members)]
        if any(a.kind in ("nhs_trust", "icb", "gp_practice") for a in c.case.agencies):
            blocks.append(c.fill(text["health_advice"]))
    experts = [capitalised(advice) for theme, advice in text["experts"].items() if c.feature_true(theme)]
    if experts:
        blocks += [Paragraph(text["experts_intro"]), Points(tuple(Paragraph(e) for e in experts))]
    return tuple(blocks), ()


# The child, the family and the practitioners -------------------------------------------------------


def involvement(c: Context) -> _Built:
    text = c.clauses["involvement"]
    features = c.case.features
    age = features.get("subject_age_years")
    if isinstance(age, int | float) and age < 2:
        child = text["child"]["infant"]
    elif features.get("outcome") == "death":
        child = text["child"]["died"]
    elif features.get("outcome") is None:
        child = text["child"]["unknown"]
    else:
        child = text["child"]["living"]
    blocks: list[Block] = [c.fill(child), c.fill(text["siblings"]), c.fill(text["family"])]
    to_confirm: list[str] = []
    if c.feature_true("looked_after"):
        blocks.append(c.fill(text["looked_after"]))
    if needs_interpreter(c.case.features):
        blocks.append(c.fill(text["interpreters"]))
        if not features.get("family_languages"):
            to_confirm.append(text["languages_to_confirm"])
    if c.feature_true("disability"):
        blocks.append(c.fill(text["disability"]))
    if _race_concern(c):
        blocks.append(c.fill(text["race"]))
    if criminal_interest(features):
        blocks.append(c.fill(text["criminal"]))
    blocks.append(c.fill(text["practitioners"]))
    return tuple(blocks), tuple(to_confirm)


def confidentiality(c: Context) -> _Built:
    return tuple(c.fill(clause) for clause in c.clauses["confidentiality"] if c.applies(clause)), ()
