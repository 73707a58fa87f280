"""A case found by its reference, for the stores that read or change it (``store``, ``closing``,
``milestone_store``), so each says the same when there is none."""

from sqlmodel import Session, select

from commissioning.models import Case
from core.errors import NotFound


def case_by_ref(session: Session, ref: str, *, lock: bool = False) -> Case:
    """The case ``ref``, locked for update with ``lock`` so changes to it take turns; NotFound if none."""
    query = select(Case).where(Case.ref == ref)
    case = session.exec(query.with_for_update() if lock else query).first()
    if case is None:
        raise NotFound(f"No case {ref}.")
    return case
