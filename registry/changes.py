"""What every change to the approved list shares: the audit event it records and the checks on a PATCH.

The registry's database modules (``agencies``, ``consultants``, ``records``, ``sync``) keep the same
conventions, since the API, the admin pages, the CLI, the demo loader and the conflict checks all call
them:

- arguments are keyword-only, ``session`` first; ``actor`` is the name the audit log records (a user's
  email, ``cli`` or ``demo``);
- reads return Public models: plain data, safe to use after the session closes;
- a write checks its input before touching the database and records one audit event per changed
  record (before and after, as JSON). Its changes stand or fall together (``core.transaction.atomic``),
  so nothing is half-written and no audit event outlives a failed change; the caller's unit of work
  commits them, so several writes (an import, the demo loader) can share one transaction;
- nothing reads settings: callers pass the policy numbers (``dbs_recheck_years``, ``reapproval_years``,
  ``max_rows``).

Bad input raises ``Invalid`` (422) naming each field, a clash ``Conflict`` (409), a refused status
change ``NotAllowed`` (409, with the allowed actions), a missing record ``NotFound`` (404).
"""

from typing import Any

from sqlalchemy import Table
from sqlmodel import Session

from core import audit
from core.errors import Invalid


def audit_change(
    session: Session,
    action: str,
    entity_id: Any,
    *,
    actor: str,
    entity: str | None = None,
    before: audit.Change = None,
    after: audit.Change = None,
) -> None:
    """Audit a change (``core.audit.record``). Review comments (about a case) are logged as fingerprints:
    the retention purge removes them."""
    audit.record(
        session,
        action,
        entity_id,
        actor=actor,
        entity_type=entity,
        before=before,
        after=after,
        free_text=("comment",),
    )


def problem(field: str, message: str) -> dict[str, Any]:
    return {"loc": ["body", field], "msg": message}


def refuse_nulls(table: Table, changes: dict[str, Any]) -> None:
    """A PATCH may clear optional fields only; naming each required field sent as null."""
    problems = [
        problem(name, "may not be null: leave it out to keep the current value")
        for name, value in changes.items()
        if value is None and name in table.c and not table.c[name].nullable
    ]
    if problems:
        raise Invalid("Some required fields were sent empty.", problems=problems)
