"""Database functions for commissions: the case as the checks see it, commissioning a consultant, their
declaration and what follows. A case's shortlist and batch plans are ``commissioning.shortlists``.

Keyword-only, ``session`` first; ``actor`` is what the audit log records. A write changes its records
and their audit events together (``atomic``); the caller's unit of work commits. Commissioning a
consultant locks their row first, then re-runs the checks and counts their places under the lock, so
two commissioners can never both take the last place.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from commissioning import decisions, workflow
from commissioning.features import as_words
from commissioning.models import (
    Case,
    CaseDecision,
    CaseStatus,
    Commission,
    CommissionRole,
    CommissionStatus,
    Declaration,
    SignedStatement,
)
from commissioning.workflow import ACTIVE, Action
from commissioning.workload import workload
from core import audit, idempotency
from core.clock import utcnow
from core.errors import Conflict, Invalid, NotFound
from core.transaction import atomic
from matching import candidates, conflicts
from matching.candidates import Agencies
from matching.conflicts import Finding
from matching.policy import IndependencePolicy
from matching.profiles import CaseContext, ConsultantProfile
from registry.models import Consultant
from registry.vocabulary import Specialism

# The case themes that name a specialism: the two vocabularies share names, so fit is a direct match.
_SPECIALISM_THEMES = frozenset(specialism.value for specialism in Specialism)


# Cases as the checks see them ------------------------------------------------------------------


def _case(session: Session, ref: str) -> Case:
    case = session.exec(select(Case).where(Case.ref == ref)).first()
    if case is None:
        raise NotFound(f"No case with reference {ref!r}.")
    return case


def _due_date(session: Session, case_id: int) -> date | None:
    """When the review is due: the last review deadline in force (``decisions.governing``), if dated yet."""
    history = session.exec(
        select(CaseDecision.kind, CaseDecision.result)
        .where(CaseDecision.case_id == case_id)
        .order_by(col(CaseDecision.id))
    ).all()
    return decisions.governing(history).review_due


def _themes(features: dict[str, Any]) -> frozenset[str]:
    """The case's themes that name a specialism; racism or discrimination calls for the specialism in race,
    ethnicity and culture even when the theme itself was not ticked."""
    themes = {name for name in _SPECIALISM_THEMES if features.get(name) is True}
    if features.get("racism_or_discrimination") is True:
        themes.add(Specialism.race_ethnicity_and_culture.value)
    return frozenset(themes)


def case_context(
    *, session: Session, case: Case, partnerships: Callable[[str], str | None] | None = None
) -> CaseContext:
    """The facts of ``case`` that independence and fit depend on; ``partnerships`` names the partnership
    recorded for an area (``candidates.partnership_for`` unless given)."""
    assert case.id is not None
    return _context(session, case.ref, case.area, case.features, _due_date(session, case.id), partnerships)


def context_of(
    *, session: Session, ref: str, partnerships: Callable[[str], str | None] | None = None
) -> CaseContext:
    """The facts of the case with reference ``ref`` that independence and fit depend on: the case and its
    decisions read in one query."""
    rows = session.connection().execute(_CASE_AND_DECISIONS, {"ref": ref}).all()
    if not rows:
        raise NotFound(f"No case with reference {ref!r}.")
    (area, features, *_), history = rows[0], [(kind, result) for *_, kind, result in rows if kind is not None]
    return _context(session, ref, area, features, decisions.governing(history).review_due, partnerships)


# Built once: every shortlist reads it, and a statement built anew costs SQLAlchemy as much again.
_CASE_AND_DECISIONS = (
    select(Case.area, Case.features, CaseDecision.kind, CaseDecision.result)
    .outerjoin(CaseDecision, col(CaseDecision.case_id) == col(Case.id))
    .where(Case.ref == bindparam("ref"))
    .order_by(col(CaseDecision.id))
)


def _context(
    session: Session,
    ref: str,
    area: str,
    features: dict[str, Any],
    due_date: date | None,
    partnerships: Callable[[str], str | None] | None,
) -> CaseContext:
    if partnerships is None:
        partnership = candidates.partnership_for(session=session, area=area)
    else:
        partnership = partnerships(area)
    return CaseContext(
        ref=ref,
        area=area,
        agencies=tuple(features.get("agencies_involved") or ()),
        themes=_themes(features),
        languages=frozenset(as_words(item) for item in features.get("family_languages") or ()),
        interpreter_needed=features.get("interpreter_needed") is True
        or bool(features.get("family_languages")),
        due_date=due_date,
        commissioning_agency_id=partnership,
    )


def agencies_of(*, session: Session, contexts: list[CaseContext]) -> Agencies:
    """The agencies ``contexts`` name (involved, and each commissioning partnership), resolved at once."""
    return candidates.resolve_agencies(session=session, names=candidates.agency_names(contexts))


# Commissions -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommissionView:
    """A commission with what a reader needs beside it."""

    commission: Commission
    case_ref: str
    consultant_name: str
    declaration: Declaration | None  # the current one, if the consultant has declared
    allowed_actions: list[str]

    def to_json(self) -> dict[str, Any]:
        commission = self.commission
        return {
            "id": commission.id,
            "case_ref": self.case_ref,
            "consultant_id": commission.consultant_id,
            "consultant_name": self.consultant_name,
            "role": commission.role,
            "status": commission.status,
            "warnings": commission.warnings,
            "created_by": commission.created_by,
            "created_at": commission.created_at.isoformat(),
            "updated_at": commission.updated_at.isoformat(),
            "declaration": None
            if self.declaration is None
            else {
                "agencies": self.declaration.agencies,
                "no_conflict": self.declaration.no_conflict,
                "statement": self.declaration.statement,
                "declared_by": self.declaration.declared_by,
                "declared_at": self.declaration.declared_at.isoformat(),
                "recorded_by": self.declaration.recorded_by,
                "signed_on": _iso(self.declaration.signed_on),
                "signed_reference": self.declaration.signed_reference,
            },
            "allowed_actions": self.allowed_actions,
        }


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _view(session: Session, commission: Commission) -> CommissionView:
    case = session.get(Case, commission.case_id)
    consultant = session.get(Consultant, commission.consultant_id)
    assert case is not None and consultant is not None
    declaration = session.exec(
        select(Declaration)
        .where(Declaration.commission_id == commission.id, col(Declaration.void).is_(False))
        .order_by(col(Declaration.id).desc())
    ).first()
    status = CommissionStatus(commission.status)
    return CommissionView(
        commission, case.ref, consultant.name, declaration, workflow.allowed_actions(status)
    )


def held_by(*, session: Session, consultant_id: int) -> list[CommissionView]:
    """The consultant's commissions that hold a place (proposed, declared, confirmed on an open case)."""
    rows = session.exec(
        select(Commission)
        .join(Case, col(Case.id) == col(Commission.case_id))
        .where(Commission.consultant_id == consultant_id)
        .where(col(Commission.status).in_([status.value for status in ACTIVE]))
        .where(col(Case.status) == CaseStatus.open.value)
        .order_by(col(Commission.id))
    )
    return [_view(session, commission) for commission in rows]


def _commission(session: Session, commission_id: int, *, for_update: bool = False) -> Commission:
    query = select(Commission).where(Commission.id == commission_id)
    if for_update:
        query = query.with_for_update()
    commission = session.exec(query).first()
    if commission is None:
        raise NotFound(f"No commission with id {commission_id}.")
    return commission


def get_commission(*, session: Session, commission_id: int) -> CommissionView:
    return _view(session, _commission(session, commission_id))


def list_commissions(*, session: Session, ref: str) -> list[CommissionView]:
    """The case's commissions, oldest first."""
    case = _case(session, ref)
    rows = session.exec(select(Commission).where(Commission.case_id == case.id).order_by(col(Commission.id)))
    return [_view(session, commission) for commission in rows]


def _lock_consultant(session: Session, consultant_id: int) -> Consultant:
    """Hold the consultant's row until commit, so their places are counted by one writer at a time.

    PostgreSQL: SELECT ... FOR UPDATE. SQLite has no row locks; writing the row takes the database's
    write lock (concurrent writers wait on the busy timeout), which serialises the same way.
    """
    if session.get_bind().dialect.name == "sqlite":
        session.exec(  # type: ignore[call-overload]
            update(Consultant)
            .where(col(Consultant.id) == consultant_id)
            .values(updated_at=Consultant.updated_at)
        )
    consultant = session.exec(
        select(Consultant).where(Consultant.id == consultant_id).with_for_update()
    ).first()
    if consultant is None:
        raise NotFound(f"No consultant with id {consultant_id}.")
    return consultant


def _profile(
    session: Session,
    context: CaseContext,
    agencies: Agencies,
    consultant_id: int,
    *,
    policy: IndependencePolicy,
    today: date,
    excluding: int | None = None,
) -> ConsultantProfile:
    (profile,) = candidates.load_profiles(
        session=session,
        contexts=[context],
        agencies=agencies,
        policy=policy,
        today=today,
        workload=workload(since=today, excluding=excluding),
        available_only=False,
        consultant_ids=[consultant_id],
    )
    return profile


def _blocking(findings: list[Finding], consultant: Consultant, ref: str) -> None:
    blocks = [finding for finding in findings if finding.blocks]
    if blocks:
        raise Conflict(
            f"{consultant.name} cannot be commissioned for {ref}: {blocks[0].reason}",
            findings=[finding.to_json() for finding in findings],
        )


@dataclass(frozen=True)
class Created:
    view: CommissionView
    created: bool  # False when an Idempotency-Key replayed an earlier request


def commission(
    *,
    session: Session,
    ref: str,
    consultant_id: int,
    role: CommissionRole,
    actor: str,
    policy: IndependencePolicy,
    today: date,
    idempotency_key: str | None = None,
) -> Created:
    """Commission a consultant for a case, or Conflict with the findings that stop it.

    Under the consultant's lock: replay an earlier request with the same ``idempotency_key``, refuse a
    second active commission of the same consultant on the case, re-run every check (capacity
    included) and record the commission with its warnings.
    """
    try:
        with atomic(session=session):
            case = _case(session, ref)
            if case.status != CaseStatus.open:
                raise Conflict(f"Case {ref} is closed; reopen it before commissioning anyone.")
            consultant = _lock_consultant(session, consultant_id)
            if idempotency_key is not None:
                earlier = _replay(session, idempotency_key, case, consultant_id, role)
                if earlier is not None:
                    return Created(earlier, created=False)
            held = session.exec(
                select(Commission).where(
                    Commission.case_id == case.id,
                    Commission.consultant_id == consultant_id,
                    col(Commission.status).in_([status.value for status in ACTIVE]),
                )
            ).first()
            if held is not None:
                raise Conflict(
                    f"{consultant.name} already holds commission {held.id} on {ref} as {held.role} "
                    f"({held.status}).",
                    findings=[{"rule": "commission.duplicate", "commission_id": held.id}],
                )
            context = case_context(session=session, case=case)
            agencies = agencies_of(session=session, contexts=[context])
            findings = conflicts.check(
                _profile(session, context, agencies, consultant_id, policy=policy, today=today),
                context,
                policy,
                today,
                agencies=agencies.directory,
            )
            _blocking(findings, consultant, ref)
            assert case.id is not None
            record = Commission(
                case_id=case.id,
                consultant_id=consultant_id,
                role=role,
                warnings=[finding.to_json() for finding in findings],
                idempotency_key=idempotency_key,
                created_by=actor,
            )
            session.add(record)
            session.flush()
            view = _view(session, record)
            audit.record(session, "commission.propose", str(record.id), actor=actor, after=view.to_json())
            return Created(view, created=True)
    except IntegrityError:
        # The same Idempotency-Key arrived twice at once for different consultants: the unique key
        # let one through; answer the other from what was stored.
        if idempotency_key is None:
            raise
        earlier = _replay(session, idempotency_key, _case(session, ref), consultant_id, role)
        if earlier is None:
            raise
        return Created(earlier, created=False)


def _replay(
    session: Session, key: str, case: Case, consultant_id: int, role: CommissionRole
) -> CommissionView | None:
    """The commission an earlier request with ``key`` made; Conflict if that request asked something else."""
    earlier = idempotency.replayed(
        session,
        Commission,
        key,
        same=lambda made: (made.case_id, made.consultant_id, made.role) == (case.id, consultant_id, role),
        refusal="This Idempotency-Key was already used for a different commission; send a new key.",
        finding=lambda made: {"rule": "commission.idempotency_key_reused", "commission_id": made.id},
    )
    return None if earlier is None else _view(session, earlier)


def _transition(
    session: Session,
    commission: Commission,
    action: Action,
    *,
    actor: str,
    details: dict[str, Any] | None = None,
    before: dict[str, Any] | None = None,
) -> None:
    """Move the commission on and audit it; ``before`` when the caller changed related records first."""
    before = before or _view(session, commission).to_json()
    commission.status = workflow.advance(CommissionStatus(commission.status), action)
    commission.updated_at = utcnow()
    session.add(commission)
    session.flush()
    after = {**_view(session, commission).to_json(), **(details or {})}
    audit.record(
        session,
        f"commission.{action.value}",
        str(commission.id),
        actor=actor,
        before=before,
        after=after,
        free_text=("statement",),  # the declaration's words: the retention purge removes them
    )


def relayed(bot: str, slack_user_id: str) -> str:
    """Who answered, as the record names a consultant the bot relayed: the bot, for their Slack id."""
    return f"{bot} for Slack user {slack_user_id}"


def the_consultants_own(declaration: Declaration) -> bool:
    """Whether the consultant made ``declaration``: relayed from their own Slack account, or recorded by
    the board from their signed statement. Before only they could declare, a board user could enter a
    declaration for them; that one is not theirs."""
    return declaration.recorded_by is not None or " for Slack user " in declaration.declared_by


def declare(
    *,
    session: Session,
    commission_id: int,
    agencies: list[str],
    no_conflict: bool,
    statement: str | None,
    actor: str,
    signed: SignedStatement | None = None,
) -> CommissionView:
    """The consultant's declaration: no conflict with each agency in the case, or a conflict described.

    The declaration must name every agency the case involves now (by id, name or alias), so it is
    always about the current list. The consultant makes it themselves (``actor`` is how it reached the
    service); or, with ``signed``, an admin (``actor``) records the statement the consultant signed, which
    is then the consultant's declaration recorded by the board, never the admin's.
    """
    with atomic(session=session):
        commission = _commission(session, commission_id, for_update=True)
        workflow.advance(CommissionStatus(commission.status), Action.declare)
        case = session.get(Case, commission.case_id)
        assert case is not None
        involved = list(case.features.get("agencies_involved") or ())
        resolved = candidates.resolve_agencies(session=session, names=[*involved, *agencies])
        wanted = {resolved.directory.resolve(name): name for name in involved}
        named = {resolved.directory.resolve(name): name for name in agencies}
        problems = [
            {
                "loc": ["body", "agencies"],
                "msg": f"{wanted[agency]!r} is involved in the case but not declared",
            }
            for agency in wanted.keys() - named.keys()
        ] + [
            {"loc": ["body", "agencies"], "msg": f"{named[agency]!r} is not involved in the case"}
            for agency in named.keys() - wanted.keys()
        ]
        if not no_conflict and not (statement or "").strip():
            problems.append({"loc": ["body", "statement"], "msg": "describe the conflict being declared"})
        if problems:
            raise Invalid("The declaration does not match the case.", problems=problems)
        before = _view(session, commission).to_json()
        consultant = session.get(Consultant, commission.consultant_id)
        assert consultant is not None
        session.add(
            Declaration(
                commission_id=commission_id,
                agencies=involved,
                no_conflict=no_conflict,
                statement=statement,
                declared_by=actor if signed is None else consultant.email,
                recorded_by=None if signed is None else actor,
                signed_on=None if signed is None else signed.signed_on,
                signed_reference=None if signed is None else signed.reference,
            )
        )
        session.flush()
        _transition(session, commission, Action.declare, actor=actor, before=before)
        return _view(session, commission)


def confirm(
    *,
    session: Session,
    commission_id: int,
    actor: str,
    policy: IndependencePolicy,
    today: date,
    reason: str | None = None,
) -> CommissionView:
    """Confirm a declared commission after re-running the independence checks.

    A declared conflict can be confirmed only with a ``reason``, which the audit log keeps.
    """
    with atomic(session=session):
        commission = _commission(session, commission_id, for_update=True)
        workflow.advance(CommissionStatus(commission.status), Action.confirm)
        view = _view(session, commission)
        if view.declaration is not None and not view.declaration.no_conflict and not (reason or "").strip():
            raise Invalid(
                "The consultant declared a conflict: give a reason for confirming them anyway.",
                problems=[{"loc": ["body", "reason"], "msg": "required when a conflict was declared"}],
            )
        case = session.get(Case, commission.case_id)
        assert case is not None and commission.id is not None
        context = case_context(session=session, case=case)
        agencies = agencies_of(session=session, contexts=[context])
        profile = _profile(
            session,
            context,
            agencies,
            commission.consultant_id,
            policy=policy,
            today=today,
            excluding=commission.id,
        )
        findings = conflicts.check(profile, context, policy, today, agencies=agencies.directory)
        consultant = session.get(Consultant, commission.consultant_id)
        assert consultant is not None
        _blocking(findings, consultant, case.ref)
        commission.warnings = [finding.to_json() for finding in findings]
        _transition(session, commission, Action.confirm, actor=actor, details={"reason": reason})
        return _view(session, commission)


def end(*, session: Session, commission_id: int, action: Action, reason: str, actor: str) -> CommissionView:
    """Decline (the consultant turns it down) or withdraw (the commissioner takes it back), with a reason."""
    with atomic(session=session):
        commission = _commission(session, commission_id, for_update=True)
        _transition(session, commission, action, actor=actor, details={"reason": reason})
        return _view(session, commission)


def agencies_changed(*, session: Session, case_id: int, actor: str) -> list[int]:
    """Void the declarations of a case whose agencies changed, and ask again.

    Call it in the same transaction as the change (it does not commit). Each declared or confirmed
    commission goes back to ``proposed``; the ids returned are those commissions, whose consultants
    must declare again.
    """
    asked: list[int] = []
    commissions = session.exec(
        select(Commission)
        .where(Commission.case_id == case_id)
        .where(
            col(Commission.status).in_([CommissionStatus.declared.value, CommissionStatus.confirmed.value])
        )
        .order_by(col(Commission.id))
        .with_for_update()
    )
    for commission in commissions:
        before = _view(session, commission).to_json()
        session.exec(  # type: ignore[call-overload]
            update(Declaration)
            .where(col(Declaration.commission_id) == commission.id, col(Declaration.void).is_(False))
            .values(void=True)
        )
        _transition(
            session,
            commission,
            Action.redeclare,
            actor=actor,
            details={"why": "the case's agencies changed"},
            before=before,
        )
        assert commission.id is not None
        asked.append(commission.id)
    return asked
