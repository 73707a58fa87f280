"""Closing a case whose review is done, and reopening it, each with the reason given.

A closed case takes no new commissions, its reviewers' places are free again, and its retention period
starts (``retention``); reopening it stops that clock. Each change keeps its reason in the case's status
history (``CaseStatusChange``, whose reasons the retention purge removes) and one audit event, which
keeps the reason as a fingerprint. Keyword-only, ``session`` first; the caller's unit of work commits.
"""

from datetime import date

from sqlmodel import Session, col, select

from commissioning import store
from commissioning.cases import case_by_ref
from commissioning.models import Case, CaseStatus, CaseStatusChange
from core import audit
from core.clock import utcnow
from core.errors import Conflict, Invalid
from core.transaction import atomic


def _change(
    session: Session,
    case: Case,
    *,
    status: CaseStatus,
    closed_on: date | None,
    reason: str | None,
    actor: str,
) -> None:
    before = {"status": CaseStatus(case.status).value}
    case.status, case.closed_on, case.updated_at = status, closed_on, utcnow()
    session.add(case)
    session.add(CaseStatusChange(case_id=case.id, status=status, reason=reason, changed_by=actor))  # type: ignore[arg-type]
    session.flush()
    verb = "close" if status == CaseStatus.closed else "reopen"
    after = {"status": status.value, "closed_on": closed_on, **({"reason": reason} if reason else {})}
    audit.record(
        session, f"case.{verb}", case.ref, actor=actor, before=before, after=after, free_text=("reason",)
    )


def close_case(
    *, session: Session, ref: str, actor: str, today: date, reason: str | None = None
) -> store.CaseView:
    """Close a case whose review is done, for ``reason`` (the pages and Slack ask for one). Closing a
    closed case is a conflict."""
    with atomic(session=session):
        case = case_by_ref(session, ref, lock=True)
        if case.status == CaseStatus.closed:
            raise Conflict(f"Case {ref} was already closed on {case.closed_on}.")
        _change(session, case, status=CaseStatus.closed, closed_on=today, reason=_said(reason), actor=actor)
    return store.get_case(session=session, ref=ref)


def reopen_case(*, session: Session, ref: str, actor: str, reason: str) -> store.CaseView:
    """Open a closed case again, for ``reason`` (needed): its retention period stops. Reopening an open
    case is a conflict."""
    said = _said(reason)
    if said is None:
        raise Invalid(
            "Reopening a case needs a reason.",
            [{"loc": ["body", "reason"], "msg": "is required: say why the case is opened again"}],
        )
    with atomic(session=session):
        case = case_by_ref(session, ref, lock=True)
        if case.status != CaseStatus.closed:
            raise Conflict(f"Case {ref} is open: only a closed case can be reopened.")
        _change(session, case, status=CaseStatus.open, closed_on=None, reason=said, actor=actor)
    return store.get_case(session=session, ref=ref)


def history(*, session: Session, case_id: int) -> list[CaseStatusChange]:
    """The case's closings and reopenings, oldest first."""
    return list(
        session.exec(
            select(CaseStatusChange)
            .where(CaseStatusChange.case_id == case_id)
            .order_by(col(CaseStatusChange.id))
        ).all()
    )


def _said(reason: str | None) -> str | None:
    return (reason or "").strip() or None
