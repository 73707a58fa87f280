"""Partnerships in the database: adding and changing one, the areas it covers, the lead and contributing
partnerships of a case, each partnership's local notes about consultants, and its policy settings.

Keyword-only after ``session``; each write records its audit event in the caller's unit of work. Areas
are kept as slugs (``city-of-london``), the form ``area_slug`` gives any way a person types one.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from commissioning import features, lead, rules
from commissioning.chronology.columns import STANDARD, Column, added_column, with_added
from commissioning.chronology.composite import Settings as MarkSettings
from commissioning.models import Case, CaseContributor, ConsultantLocalNote, Partnership, PartnershipArea
from commissioning.recommendations import DEFAULT_LIMIT
from core import audit
from core.errors import Conflict, Invalid, NotFound
from core.transaction import atomic
from matching.conflicts import Evidence, Finding
from matching.policy import IndependencePolicy, Severity, configured
from registry.models import Consultant

PREFIX = re.compile(r"^[A-Z]{2,6}$")
LOCAL_SETTINGS = (
    "independence_policy",
    "retention_years",
    "reminder_lead_days",
    "chronology_working_days",
    "chronology_columns",
    "chronology_marks",
    "max_recommendations",
)
SMALL_WORDS = {"and", "of", "on", "upon", "the", "in"}


def area_slug(area: str) -> str:
    """An area as partnerships list it: lower case, words joined by hyphens (``City of London`` ->
    ``city-of-london``)."""
    return re.sub(r"[^a-z0-9]+", "-", area.strip().lower()).strip("-")


def area_name(area: str) -> str:
    """An area slug as people write it: ``city-of-london`` -> ``City of London``."""
    words = area_slug(area).split("-")
    return " ".join(w if i and w in SMALL_WORDS else w.capitalize() for i, w in enumerate(words))


# Policy -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LocalPolicy:
    """The settings a partnership's cases are judged by: the service's, with the partnership's own values
    over them."""

    independence: IndependencePolicy
    retention_years: int
    reminder_lead_days: int
    chronology_working_days: int = (
        20  # an agency's chronology is due this many working days after the request
    )
    chronology_columns: tuple[Column, ...] = STANDARD  # the standard columns and the partnership's own
    chronology_marks: MarkSettings = field(default_factory=MarkSettings)  # gaps, clusters, final weeks
    max_recommendations: int = DEFAULT_LIMIT  # a review with more is warned that they dilute the learning


def policy_for(partnership: Partnership | None, *, service: LocalPolicy) -> LocalPolicy:
    """``service``'s settings with ``partnership``'s own values over them (all of ``service`` for None)."""
    own = {} if partnership is None else partnership.policy
    independence = service.independence
    if own.get("independence_policy"):
        base = {name: getattr(independence, name) for name in independence.__dataclass_fields__}
        independence = configured(IndependencePolicy, {**base, **own["independence_policy"]})
    return replace(
        service,
        independence=independence,
        retention_years=int(own.get("retention_years", service.retention_years)),
        reminder_lead_days=int(own.get("reminder_lead_days", service.reminder_lead_days)),
        chronology_working_days=int(own.get("chronology_working_days", service.chronology_working_days)),
        chronology_columns=added_columns(own.get("chronology_columns") or ()),
        chronology_marks=replace(service.chronology_marks, **own.get("chronology_marks", {})),
        max_recommendations=int(own.get("max_recommendations", service.max_recommendations)),
    )


def added_columns(specs: Iterable[Mapping[str, Any]]) -> tuple[Column, ...]:
    """The chronology columns: the standard ones and a partnership's own, each given as
    ``{"header": ..., "required": bool, "help": ...}``."""
    return with_added(
        added_column(spec["header"], required=bool(spec.get("required")), help=str(spec.get("help", "")))
        for spec in specs
    )


def checked_policy(policy: Any) -> dict[str, Any]:
    """A partnership's own settings, or ``Invalid`` naming what is wrong with them."""
    if not isinstance(policy, Mapping):
        raise Invalid("The policy must be an object.", [{"loc": ["policy"], "msg": "expected an object"}])
    problems = [
        {"loc": ["policy", str(name)], "msg": f"is not a local setting: use {', '.join(LOCAL_SETTINGS)}"}
        for name in policy
        if name not in LOCAL_SETTINGS
    ]
    for name, low, high in (
        ("retention_years", 1, 100),
        ("reminder_lead_days", 0, 30),
        ("chronology_working_days", 1, 120),
        ("max_recommendations", 1, 100),
    ):
        value = policy.get(name)
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high
        ):
            problems.append({"loc": ["policy", name], "msg": f"must be a whole number from {low} to {high}"})
    problems += _column_problems(policy.get("chronology_columns"))
    problems += _mark_problems(policy.get("chronology_marks"))
    local = policy.get("independence_policy")
    if local is not None and not isinstance(local, Mapping):
        problems.append({"loc": ["policy", "independence_policy"], "msg": "must be an object of settings"})
    elif local is not None:
        try:
            configured(IndependencePolicy, local)
        except ValueError as error:
            problems.append({"loc": ["policy", "independence_policy"], "msg": str(error)})
    if problems:
        raise Invalid("The partnership's policy settings are not valid.", problems)
    return {name: value for name, value in policy.items() if value is not None}


def _column_problems(specs: Any) -> list[dict[str, Any]]:
    """What is wrong with a partnership's added chronology columns, if anything."""
    where = ["policy", "chronology_columns"]
    if specs is None:
        return []
    if not isinstance(specs, list) or not all(
        isinstance(spec, Mapping) and isinstance(spec.get("header"), str) for spec in specs
    ):
        return [{"loc": where, "msg": 'must be a list of columns, each {"header": "...", "required": false}'}]
    try:
        added_columns(specs)
    except Invalid as error:
        return [{"loc": where, "msg": error.message}]
    return []


def _mark_problems(marks: Any) -> list[dict[str, Any]]:
    """What is wrong with a partnership's settings for the composite chronology's marks, if anything."""
    where = ["policy", "chronology_marks"]
    if marks is None:
        return []
    known = set(MarkSettings.__dataclass_fields__)
    if not isinstance(marks, Mapping) or set(marks) - known:
        return [{"loc": where, "msg": f"must be an object of settings from {', '.join(sorted(known))}"}]
    if not all(isinstance(value, int | float) and not isinstance(value, bool) for value in marks.values()):
        return [{"loc": where, "msg": "each setting must be a number"}]
    try:
        MarkSettings(**marks)
    except Invalid as error:
        return [{"loc": where, "msg": error.message}]
    return []


# Partnerships -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartnershipView:
    partnership: Partnership
    areas: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        p = self.partnership
        return {
            "id": p.id,
            "name": p.name,
            "prefix": p.prefix,
            "areas": list(self.areas),
            "reminder_channel": p.reminder_channel,
            "admin_channel": p.admin_channel,
            "policy": p.policy,
        }


def _areas_of(session: Session, partnership_id: int | None) -> tuple[str, ...]:
    rows = session.exec(
        select(PartnershipArea.area).where(PartnershipArea.partnership_id == partnership_id)
    ).all()
    return tuple(sorted(rows))


def view(session: Session, partnership: Partnership) -> PartnershipView:
    return PartnershipView(partnership, _areas_of(session, partnership.id))


def by_prefix(session: Session, prefix: str) -> Partnership:
    found = session.exec(select(Partnership).where(Partnership.prefix == prefix.strip().upper())).first()
    if found is None:
        raise NotFound(f"No partnership with the prefix {prefix.strip().upper()[:10]}.")
    return found


def list_partnerships(session: Session) -> list[PartnershipView]:
    """Every partnership, by name."""
    every = session.exec(select(Partnership).order_by(col(Partnership.name))).all()
    areas = session.exec(select(PartnershipArea)).all()
    return [
        PartnershipView(p, tuple(sorted(a.area for a in areas if a.partnership_id == p.id))) for p in every
    ]


def _checked_areas(session: Session, areas: Iterable[str], *, partnership_id: int | None) -> list[str]:
    slugs = sorted({area_slug(area) for area in areas if area_slug(area)})
    held = session.exec(
        select(PartnershipArea, Partnership)
        .join(Partnership, col(Partnership.id) == PartnershipArea.partnership_id)
        .where(col(PartnershipArea.area).in_(slugs), PartnershipArea.partnership_id != partnership_id)
    ).all()
    if held:
        taken = "; ".join(f"{area_name(a.area)} is covered by {p.name}" for a, p in held)
        raise Conflict(
            f"An area belongs to one partnership: {taken}.",
            findings=[{"area": a.area, "partnership": p.prefix} for a, p in held],
        )
    return slugs


def _checked_prefix(prefix: str) -> str:
    prefix = prefix.strip().upper()
    if not PREFIX.match(prefix):
        raise Invalid(
            "A partnership's case-reference prefix is 2 to 6 capital letters, like CHS.",
            [{"loc": ["prefix"], "msg": "must be 2 to 6 letters A-Z"}],
        )
    return prefix


def _checked_name(name: str) -> str:
    name = " ".join(name.split())
    if not 1 <= len(name) <= 200:
        raise Invalid(
            "A partnership needs a name of 1 to 200 characters.", [{"loc": ["name"], "msg": "1 to 200"}]
        )
    return name


def add_partnership(
    session: Session,
    *,
    name: str,
    prefix: str,
    areas: Sequence[str],
    actor: str,
    reminder_channel: str | None = None,
    admin_channel: str | None = None,
    policy: Mapping[str, Any] | None = None,
) -> PartnershipView:
    """Add a partnership covering ``areas``; Conflict if its name or prefix is taken or an area is
    another partnership's."""
    name, prefix = _checked_name(name), _checked_prefix(prefix)
    own = checked_policy(policy or {})
    with atomic(session=session):
        clash = session.exec(
            select(Partnership).where((Partnership.name == name) | (Partnership.prefix == prefix))
        ).first()
        if clash is not None:
            taken = "name" if clash.name == name else "prefix"
            raise Conflict(f"The partnership {clash.name} already has that {taken}.", [{"field": taken}])
        slugs = _checked_areas(session, areas, partnership_id=None)
        partnership = Partnership(
            name=name,
            prefix=prefix,
            reminder_channel=reminder_channel or None,
            admin_channel=admin_channel or None,
            policy=own,
        )
        session.add(partnership)
        session.flush()
        for slug in slugs:
            session.add(PartnershipArea(area=slug, partnership_id=partnership.id))  # type: ignore[arg-type]
        session.flush()
        added = view(session, partnership)
        audit.record(session, "partnership.add", prefix, actor=actor, after=added.to_json())
    return added


def change_partnership(
    session: Session, *, prefix: str, changes: Mapping[str, Any], actor: str
) -> PartnershipView:
    """Change a partnership's name, channels, policy or areas (``areas``, when sent, replaces them). Its
    prefix stays: its cases' references carry it."""
    partnership = by_prefix(session, prefix)
    before = view(session, partnership).to_json()
    with atomic(session=session):
        if "name" in changes and changes["name"] is not None:
            partnership.name = _checked_name(changes["name"])
        for channel in ("reminder_channel", "admin_channel"):
            if channel in changes:
                setattr(partnership, channel, changes[channel] or None)
        if "policy" in changes and changes["policy"] is not None:
            partnership.policy = checked_policy(changes["policy"])
        if "areas" in changes and changes["areas"] is not None:
            slugs = _checked_areas(session, changes["areas"], partnership_id=partnership.id)
            for row in session.exec(
                select(PartnershipArea).where(PartnershipArea.partnership_id == partnership.id)
            ):
                session.delete(row)
            session.flush()
            for slug in slugs:
                session.add(PartnershipArea(area=slug, partnership_id=partnership.id))  # type: ignore[arg-type]
        session.add(partnership)
        session.flush()
        after = view(session, partnership)
        if after.to_json() != before:
            audit.record(
                session,
                "partnership.update",
                partnership.prefix,
                actor=actor,
                before=before,
                after=after.to_json(),
            )
    return after


def covering(session: Session, area: str) -> Partnership | None:
    """The partnership covering ``area`` (as typed), if one does."""
    return session.exec(
        select(Partnership)
        .join(PartnershipArea, col(PartnershipArea.partnership_id) == Partnership.id)
        .where(PartnershipArea.area == area_slug(area))
    ).first()


# A case's partnerships --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CasePartnerships:
    """The partnership that leads a case and those that contribute because the case names their area."""

    lead: Partnership
    contributing: tuple[Partnership, ...]
    reason: str


def for_case(session: Session, valid: features.Features, ruleset: rules.Ruleset) -> CasePartnerships:
    """The partnerships of a case with features ``valid`` decided under ``ruleset``: the lead by the rule
    of its era (``commissioning.lead``), or ``Invalid`` when no partnership covers the lead area."""
    chosen = lead.lead_area(valid, scr=lead.scr_era(set(ruleset.criteria)))
    partnership = covering(session, chosen.area)
    if partnership is None:
        raise Invalid(
            f"No partnership covers {area_name(chosen.area)} yet: a list admin adds it with "
            "'scr partnership add'.",
            [
                {
                    "feature": "area",
                    "msg": f"{chosen.area} is not an area of any partnership ({chosen.reason})",
                }
            ],
        )
    others: list[Partnership] = []
    for area in chosen.others:
        other = covering(session, area)
        if other is not None and other.id != partnership.id and other not in others:
            others.append(other)
    return CasePartnerships(partnership, tuple(others), chosen.reason)


def contributing(session: Session, case_id: int) -> list[Partnership]:
    return list(
        session.exec(
            select(Partnership)
            .join(CaseContributor, col(CaseContributor.partnership_id) == Partnership.id)
            .where(CaseContributor.case_id == case_id)
            .order_by(col(Partnership.name))
        ).all()
    )


def partnership_ids_of(session: Session, case: Case) -> frozenset[int]:
    """The lead and contributing partnerships of ``case``, by id."""
    rows = session.exec(_CONTRIBUTORS, params={"case_id": case.id}).all()
    return frozenset({case.partnership_id, *rows})


# Read for every case a request opens (and the notes for every shortlist): built once, as a statement
# built anew costs SQLAlchemy about as much again as running it.
_CONTRIBUTORS = select(CaseContributor.partnership_id).where(CaseContributor.case_id == bindparam("case_id"))


def add_contributor(session: Session, *, case: Case, partnership: Partnership, actor: str) -> None:
    """Have ``partnership`` contribute to ``case`` (read access); nothing when it already does or leads."""
    if partnership.id == case.partnership_id or partnership.id in partnership_ids_of(session, case):
        return
    audit.added(
        session,
        CaseContributor(case_id=case.id, partnership_id=partnership.id),  # type: ignore[arg-type]
        "case.contributor_add",
        case.ref,
        actor=actor,
        after={"partnership": partnership.prefix},
    )


def remove_contributor(session: Session, *, case: Case, partnership: Partnership, actor: str) -> None:
    row = session.get(CaseContributor, (case.id, partnership.id))
    if row is None:
        raise NotFound(f"{partnership.name} does not contribute to case {case.ref}.")
    session.delete(row)
    session.flush()
    audit.record(
        session, "case.contributor_remove", case.ref, actor=actor, before={"partnership": partnership.prefix}
    )


# Local notes about consultants ------------------------------------------------------------------------


def add_note(
    session: Session, *, partnership: Partnership, consultant_id: int, reason: str, actor: str
) -> ConsultantLocalNote:
    """Record ``partnership``'s local reason not to use a consultant: its commissioners see it as a
    warning on the shortlist. The consultant stays on the shared list."""
    reason = " ".join(reason.split())
    if not 3 <= len(reason) <= 1000:
        raise Invalid(
            "Say why, in 3 to 1000 characters.", [{"loc": ["body", "reason"], "msg": "3 to 1000 characters"}]
        )
    if session.get(Consultant, consultant_id) is None:
        raise NotFound(f"No consultant with id {consultant_id}.")
    note = ConsultantLocalNote(
        partnership_id=partnership.id,  # type: ignore[arg-type]
        consultant_id=consultant_id,
        reason=reason,
        recorded_by=actor,
    )
    audit.added(
        session,
        note,
        "partnership.note_add",
        actor=actor,
        after={"partnership": partnership.prefix, "consultant_id": consultant_id, "reason": reason},
        free_text=("reason",),
    )
    return note


def notes(session: Session, *, partnership_id: int) -> list[ConsultantLocalNote]:
    """A partnership's notes, oldest first."""
    return list(session.exec(_NOTES, params={"partnership_id": partnership_id}).all())


_NOTES = (
    select(ConsultantLocalNote)
    .where(ConsultantLocalNote.partnership_id == bindparam("partnership_id"))
    .order_by(col(ConsultantLocalNote.id))
)


def note_finding(note: ConsultantLocalNote, partnership: Partnership) -> Finding:
    """A local note as the shortlist shows it to the partnership's commissioners: a warning, never a bar."""
    return Finding(
        rule="partnership.local_note",
        severity=Severity.warn,
        reason=f"{partnership.name} noted a local reason not to use them: {note.reason}",
        evidence=Evidence(
            "local_note",
            note.id or 0,
            {"recorded_by": note.recorded_by, "recorded_on": note.recorded_at.date()},
        ),
    )


def notes_by_consultant(
    session: Session, *, partnership: Partnership, consultant_ids: Iterable[int]
) -> dict[int, list[Finding]]:
    """``partnership``'s notes about these consultants, as warnings, by consultant id.

    A partnership keeps a few notes and a shortlist names hundreds of consultants: its notes are read
    whole and picked here, not asked for by a list of hundreds of ids (that query cost a shortlist more
    than ranking it)."""
    wanted = set(consultant_ids)
    found: dict[int, list[Finding]] = {}
    for note in notes(session, partnership_id=partnership.id or 0):
        if note.consultant_id in wanted:
            found.setdefault(note.consultant_id, []).append(note_finding(note, partnership))
    return found


def delete_note(session: Session, *, partnership: Partnership, note_id: int, actor: str) -> None:
    note = session.get(ConsultantLocalNote, note_id)
    if note is None or note.partnership_id != partnership.id:
        raise NotFound(f"{partnership.name} has no note {note_id}.")
    session.delete(note)
    session.flush()
    audit.record(
        session,
        "partnership.note_delete",
        note_id,
        actor=actor,
        before={"partnership": partnership.prefix, "consultant_id": note.consultant_id},
    )
