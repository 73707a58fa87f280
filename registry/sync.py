"""The approved list as CSV: export, and an import that creates or updates consultants, all or nothing.

The layout is ``registry.importer``'s; this module compares the rows with what is stored and writes
the difference, one audit event per consultant changed. Conventions as in ``registry.changes``.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from core import clock
from core.clock import utcnow
from core.errors import Clash, Invalid
from core.transaction import atomic
from registry import importer, lifecycle, slack_ids
from registry.agencies import agency_directory
from registry.changes import audit_change
from registry.consultants import DEFAULT_REAPPROVAL_YEARS
from registry.identities import OWN_WORKSPACE
from registry.importer import AccreditationItem, EngagementItem, ImportReport, Problem, RowOutcome
from registry.lifecycle import Approval
from registry.models import Consultant, ConsultantAccreditation, Engagement
from registry.vocabulary import ConsultantStatus

IMPORT_STATUS_REASON = "Status set by CSV import."


def _records(
    session: Session, consultants: Sequence[Consultant], *, everyone: bool
) -> dict[int, dict[str, Any]]:
    """Consultants as the CSV holds them, keyed by id; three queries however many there are."""
    ids = [c.id for c in consultants if c.id is not None]
    engagements: dict[int, list[EngagementItem]] = defaultdict(list)
    accreditations: dict[int, list[AccreditationItem]] = defaultdict(list)
    engagement_query = select(Engagement)
    accreditation_query = select(ConsultantAccreditation)
    if not everyone:
        engagement_query = engagement_query.where(col(Engagement.consultant_id).in_(ids))
        accreditation_query = accreditation_query.where(col(ConsultantAccreditation.consultant_id).in_(ids))
    for engagement in session.exec(engagement_query):
        engagements[engagement.consultant_id].append(_engagement_item(engagement))
    for accreditation in session.exec(accreditation_query):
        accreditations[accreditation.consultant_id].append(_accreditation_item(accreditation))
    return {
        c.id: _as_record(c, engagements[c.id], accreditations[c.id]) for c in consultants if c.id is not None
    }


def _engagement_item(e: Engagement) -> EngagementItem:
    return EngagementItem(e.agency_id, str(e.kind), e.role_title, e.start_date, e.end_date, e.confirmed)


def _accreditation_item(a: ConsultantAccreditation) -> AccreditationItem:
    return AccreditationItem(str(a.name), a.awarded_on, a.expires_on)


def _as_record(
    c: Consultant, engagements: list[EngagementItem], accreditations: list[AccreditationItem]
) -> dict[str, Any]:
    record: dict[str, Any] = {column: getattr(c, column) for column in importer.CONSULTANT_COLUMNS}
    record["status"] = ConsultantStatus(c.status)
    for column in importer.LIST_COLUMNS:
        record[column] = list(record[column])
    record["engagements"] = importer.sorted_engagements(engagements)
    record["accreditations"] = importer.sorted_accreditations(accreditations)
    return record


def export_csv(*, session: Session) -> str:
    """Every consultant as CSV (``registry.importer``), by email; ``import_csv`` reads it back unchanged."""
    consultants = list(session.exec(select(Consultant).order_by(col(Consultant.email))))
    records = _records(session, consultants, everyone=True)
    return importer.to_csv(records[c.id] for c in consultants if c.id is not None)


def _invalid(problems: list[Problem]) -> Invalid:
    rows = sorted({p.row for p in problems if p.row is not None})
    where = f" on {len(rows)} rows" if rows else ""
    return Invalid(
        f"The file has {len(problems)} problems{where}; nothing was imported.",
        problems=[problem.to_json() for problem in problems],
    )


def import_csv(
    *,
    session: Session,
    text: str,
    actor: str,
    max_rows: int,
    dry_run: bool = False,
    today: date | None = None,
    reapproval_years: int = DEFAULT_REAPPROVAL_YEARS,
) -> ImportReport:
    """Create or update consultants from CSV, matched on email, all or nothing.

    Every row is checked before anything is written; Invalid lists each problem with its row and
    column. A row that matches what is stored changes nothing and records no audit event, so
    re-importing a file (or an export) is a no-op. A status column may move an existing consultant
    only along an allowed action (``registry.lifecycle``). With ``dry_run`` nothing is written and
    the report says what would happen.
    """
    parsed = importer.parse(text, agencies=agency_directory(session=session), max_rows=max_rows)
    if parsed.problems:
        raise _invalid(parsed.problems)
    emails = [row.email for row in parsed.rows]
    existing = {c.email: c for c in session.exec(select(Consultant).where(col(Consultant.email).in_(emails)))}
    records = _records(session, list(existing.values()), everyone=False)
    problems: list[Problem] = []
    outcomes: list[RowOutcome] = []
    for row in parsed.rows:
        current = existing.get(row.email)
        if current is None:
            outcomes.append(RowOutcome(row=row.number, email=row.email, action="create"))
            continue
        changed = importer.changes(row.values, records[current.id or 0])
        if "status" in changed:
            status, target = ConsultantStatus(current.status), row.values["status"]
            if lifecycle.action_between(status, target) is None:
                allowed = ", ".join(lifecycle.allowed_actions(status))
                problems.append(
                    Problem(
                        row.number,
                        "status",
                        f"a consultant who is {status} cannot become {target}; allowed: {allowed}.",
                    )
                )
        outcomes.append(
            RowOutcome(
                row=row.number, email=row.email, action="update" if changed else "unchanged", changed=changed
            )
        )
    clashes = _slack_id_problems(session, parsed.rows, existing)
    if problems:
        raise _invalid(problems + clashes)
    if clashes:
        rows = "1 row gives" if len(clashes) == 1 else f"{len(clashes)} rows give"
        raise Clash(
            f"{rows} a Slack member id that belongs to someone else; nothing was imported.",
            problems=[problem.to_json() for problem in clashes],
        )
    if not dry_run:
        with atomic(session=session):
            today = today or clock.today()
            for row, outcome in zip(parsed.rows, outcomes, strict=True):
                current = existing.get(row.email)
                if current is None:
                    _import_create(
                        session, row.values, actor=actor, today=today, reapproval_years=reapproval_years
                    )
                elif outcome.changed:
                    _import_update(
                        session,
                        current,
                        row.values,
                        before=records[current.id or 0],
                        actor=actor,
                        today=today,
                        reapproval_years=reapproval_years,
                    )
    counts = {
        action: sum(o.action == action for o in outcomes) for action in ("create", "update", "unchanged")
    }
    return ImportReport(
        dry_run=dry_run,
        created=counts["create"],
        updated=counts["update"],
        unchanged=counts["unchanged"],
        rows=outcomes,
    )


def _slack_id_problems(
    session: Session, rows: Sequence[importer.Row], existing: dict[str, Consultant]
) -> list[Problem]:
    """Rows giving a consultant a Slack member id that another record holds, or that an earlier row
    gives someone else: checked before writing, so the dry run refuses what the import would. A row's id
    is in the workspace of the consultant's present one (the deployment's own for someone new), as the
    import sets it."""
    wanted: dict[str, list[str]] = defaultdict(list)  # workspace -> the member ids rows give in it
    for row in rows:
        if row.values.get("slack_user_id"):
            wanted[_team_of(existing.get(row.email))].append(row.values["slack_user_id"])
    held = {team: slack_ids.holders(session, ids, team_id=team) for team, ids in wanted.items()}
    first_row: dict[tuple[str, str], int] = {}
    problems = []
    for row in rows:
        slack_user_id = row.values.get("slack_user_id")
        if not slack_user_id:
            continue
        current = existing.get(row.email)
        account = (_team_of(current), slack_user_id)
        holder = held[account[0]].get(slack_user_id)
        if holder is not None and not holder.is_record(consultant_id=current.id if current else None):
            message = slack_ids.taken_message(slack_user_id, holder)
        elif account in first_row:
            message = (
                f"{slack_user_id} is also on row {first_row[account]}: one Slack account is linked "
                "to one person."
            )
        else:
            first_row[account] = row.number
            continue
        problems.append(Problem(row.number, "slack_user_id", message))
    return problems


def _team_of(consultant: Consultant | None) -> str:
    return OWN_WORKSPACE if consultant is None else consultant.slack_team_key


_DIRECT = frozenset(importer.CONSULTANT_FIELDS | {"status_reason", "approved_on", "reapproval_due"})


def _import_create(
    session: Session, values: dict[str, Any], *, actor: str, today: date, reapproval_years: int
) -> None:
    consultant = Consultant.model_validate(
        {k: v for k, v in values.items() if k in importer.CONSULTANT_FIELDS}
    )
    consultant.status = values.get("status", ConsultantStatus.applied)
    consultant.status_reason = values.get("status_reason")
    consultant.approved_on = values.get("approved_on")
    consultant.reapproval_due = values.get("reapproval_due")
    consultant.slack_user_id = values.get("slack_user_id")
    if consultant.status == ConsultantStatus.approved and consultant.approved_on is None:
        consultant.approved_on = today
    if consultant.approved_on is not None and consultant.reapproval_due is None:
        consultant.reapproval_due = lifecycle.add_years(consultant.approved_on, reapproval_years)
    session.add(consultant)
    slack_ids.flush_claiming(session, values.get("slack_user_id"))
    assert consultant.id is not None
    _sync_children(session, consultant.id, values)
    after = _records(session, [consultant], everyone=False)[consultant.id]
    audit_change(session, "consultant.import", consultant.id, actor=actor, after=_audit_record(after))


def _import_update(
    session: Session,
    consultant: Consultant,
    values: dict[str, Any],
    *,
    before: dict[str, Any],
    actor: str,
    today: date,
    reapproval_years: int,
) -> None:
    assert consultant.id is not None
    if "status" in values and values["status"] != consultant.status:
        status = ConsultantStatus(consultant.status)
        action = lifecycle.action_between(status, values["status"])
        assert action is not None  # checked before writing
        approval = lifecycle.approval_after(
            action,
            status=status,
            current=Approval(consultant.approved_on, consultant.reapproval_due),
            today=today,
            reapproval_years=reapproval_years,
        )
        consultant.status = values["status"]
        consultant.approved_on, consultant.reapproval_due = approval.approved_on, approval.reapproval_due
        consultant.status_reason = IMPORT_STATUS_REASON
    for name, value in values.items():
        if name in _DIRECT:
            setattr(consultant, name, value)
    consultant.updated_at = utcnow()
    session.add(consultant)
    slack_ids.flush_claiming(session, values.get("slack_user_id"))
    _sync_children(session, consultant.id, values)
    after = _records(session, [consultant], everyone=False)[consultant.id]
    audit_change(
        session,
        "consultant.import",
        consultant.id,
        actor=actor,
        before=_audit_record(before),
        after=_audit_record(after),
    )


def _sync_children(session: Session, consultant_id: int, values: dict[str, Any]) -> None:
    """Make a consultant's engagements and accreditations the row's, keeping matching rows and their ids."""
    if "engagements" in values:
        current = list(session.exec(select(Engagement).where(Engagement.consultant_id == consultant_id)))
        missing, extra = _matching(
            current,
            values["engagements"],
            _engagement_item,
        )
        session.add_all(Engagement(consultant_id=consultant_id, **asdict(item)) for item in missing)
        for engagement in extra:
            session.delete(engagement)
    if "accreditations" in values:
        current_accreditations = list(
            session.exec(
                select(ConsultantAccreditation).where(ConsultantAccreditation.consultant_id == consultant_id)
            )
        )
        missing, extra = _matching(
            current_accreditations,
            values["accreditations"],
            _accreditation_item,
        )
        session.add_all(
            ConsultantAccreditation(consultant_id=consultant_id, **asdict(item)) for item in missing
        )
        for row in extra:
            session.delete(row)
    session.flush()


def _matching(current: list[Any], wanted: Iterable[Any], as_item: Any) -> tuple[list[Any], list[Any]]:
    """Which wanted items have no stored row yet, and which stored rows are no longer wanted."""
    unmatched: dict[Any, list[Any]] = defaultdict(list)
    for row in current:
        unmatched[as_item(row)].append(row)
    missing = []
    for item in wanted:
        if unmatched.get(item):
            unmatched[item].pop()
        else:
            missing.append(item)
    return missing, [row for rows in unmatched.values() for row in rows]


def _audit_record(record: dict[str, Any]) -> dict[str, Any]:
    """A CSV record as JSON for the audit log: engagements and accreditations as their CSV cells."""
    return {
        **record,
        "engagements": [importer.cell("engagements", [item]) for item in record["engagements"]],
        "accreditations": [importer.cell("accreditations", [item]) for item in record["accreditations"]],
    }
