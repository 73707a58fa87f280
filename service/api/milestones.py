"""The review's milestones (``commissioning.milestones``): record one, and read the case's timeline with
each milestone's deadline and whether it was late."""

from fastapi import APIRouter, Response, status
from sqlmodel import Session

from commissioning import milestone_store, store
from core.clock import today
from service.access import CaseEditor, CaseReader
from service.api.cases import rulesets
from service.api.params import Ref
from service.api.review_schemas import MilestoneIn, MilestoneOut
from service.db import SessionDep, UnitOfWorkRoute

router = APIRouter(prefix="/api/v1", tags=["threshold and cases"], route_class=UnitOfWorkRoute)


def read_case(session: Session, ref: str) -> tuple[store.CaseView, milestone_store.Reading]:
    """Case ``ref`` and its milestones read as of today under this service's rulesets: one reading for
    the API, the admin pages and the command line."""
    view = store.get_case(session=session, ref=ref)
    reading = milestone_store.read(
        history=view.decisions,
        case_features=view.case.features,
        recorded=view.milestones,
        rulesets=rulesets(),
        today=today(),
    )
    return view, reading


def timeline(session: SessionDep, ref: str) -> list[MilestoneOut]:
    """The case's milestones in order, recorded or still to come, as of today."""
    _, reading = read_case(session, ref)
    return [MilestoneOut.model_validate(entry) for entry in reading.to_json()]


@router.post("/cases/{ref}/milestones", status_code=status.HTTP_201_CREATED)
def record_milestone(
    ref: Ref, body: MilestoneIn, session: SessionDep, actor: CaseEditor, response: Response
) -> list[MilestoneOut]:
    """Record the day a milestone of the review happened (again: the new record replaces the old, and
    the audit log keeps both). 422 names every problem: a day after today, before the incident, or out of
    order with the milestones recorded; a decision not to publish without its reason. Answers the
    timeline. Deadlines that count from the milestone (the authority learning of it, the Panel's
    notification, the decision) count from the recorded day from then on."""
    milestone_store.record(
        session=session,
        ref=ref,
        kind=body.kind,
        on=body.on,
        note=body.note,
        actor=actor.email,
        today=today(),
        rulesets=rulesets(),
    )
    return timeline(session, ref)


@router.get("/cases/{ref}/milestones")
def case_milestones(ref: Ref, session: SessionDep, _: CaseReader) -> list[MilestoneOut]:
    """The case's timeline: every milestone in the order of a review, with its day, note and who recorded
    it, the deadline it meets (from the rules' clocks, counted from the milestones recorded) and whether it
    was late; of publication and a decision not to publish, the one recorded."""
    return timeline(session, ref)
