"""A review's recommendations and the agencies' action plans: recording recommendations (typed in, or
read from a DOCX or CSV) with the writing checks' warnings, actions, evidence, status changes, closing,
the open recommendations across cases, what a person owns, and the overdue actions the bot chases.

Who may do what is ``service.recommendation_access``; what is stored, ``commissioning.recommendation_store``.
"""

from typing import Annotated

from fastapi import APIRouter, File, Form, Path, Query, Request, Response, UploadFile, status
from pydantic import HttpUrl, TypeAdapter, ValidationError

from commissioning import recommendation_files, recommendations
from commissioning import recommendation_store as store
from commissioning.models import Partnership
from commissioning.recommendations import Draft, Status
from core import clock
from core.errors import Invalid
from core.values import OptionalText
from registry.changes import problem
from service import overdue_actions
from service.access import GrantsDep, forbidden
from service.api.params import MAX_ID, Ref
from service.api.review_schemas import (
    ActionChangeIn,
    ActionIn,
    ActionOut,
    CloseIn,
    EmailedOut,
    EvidenceOut,
    OpenRecommendationOut,
    OverdueOut,
    OwnedOut,
    RecommendationCheckOut,
    RecommendationIn,
    RecommendationOut,
    RecommendationsImported,
    WarningOut,
)
from service.auth import BotUser, CurrentUser
from service.db import SessionDep, UnitOfWorkRoute
from service.models import Role
from service.policy import partnership_policy
from service.recommendation_access import action_reach, case_reach, recommendation_reach

router = APIRouter(prefix="/api/v1", tags=["recommendations and action plans"], route_class=UnitOfWorkRoute)
RecommendationId = Annotated[int, Path(ge=1, le=MAX_ID)]
ActionId = Annotated[int, Path(ge=1, le=MAX_ID)]
EvidenceId = Annotated[int, Path(ge=1, le=MAX_ID)]
MAX_EVIDENCE_BYTES = 10_000_000
_NOTE = TypeAdapter(OptionalText)
_LINK = TypeAdapter(HttpUrl)


def draft_of(body: RecommendationIn) -> Draft:
    """A recommendation as checked at the boundary (the API, the command line), for the store."""
    return Draft(
        text=body.text,
        scope=body.scope,
        agencies=tuple(body.agencies),
        owner=body.owner,
        priority=body.priority,
        due=body.due,
        finding=body.finding,
    )


def _limit(session: SessionDep, partnership_id: int) -> int:
    return partnership_policy(session.get(Partnership, partnership_id)).max_recommendations


def _out(view: store.RecommendationView) -> RecommendationOut:
    return RecommendationOut.model_validate(view.to_json())


@router.get("/recommendation-checks")
def recommendation_checks(_: CurrentUser) -> list[RecommendationCheckOut]:
    """The writing checks each recommendation meets, each citing the practice it follows and saying where
    it rests on local practice."""
    return [RecommendationCheckOut.model_validate(c) for c in recommendations.published_checks()]


@router.post("/cases/{ref}/recommendations", status_code=status.HTTP_201_CREATED)
def add_recommendation(
    request: Request, ref: Ref, body: RecommendationIn, session: SessionDep, grants: GrantsDep
) -> RecommendationOut:
    """Record one of the review's recommendations (its lead partnership's commissioners and admins). The
    writing checks warn (``warnings``, each ``{"check", "msg"}``); they never refuse."""
    reach = case_reach(request, session, grants, ref, record=True)
    [made] = store.add_recommendations(
        session,
        case=reach.case,
        drafts=[draft_of(body)],
        actor=grants.user.email,
        limit=_limit(session, reach.case.partnership_id),
        today=clock.today(),
    )
    return _out(made)


@router.post("/cases/{ref}/recommendations/import")
def import_recommendations(
    request: Request,
    ref: Ref,
    session: SessionDep,
    grants: GrantsDep,
    file: Annotated[UploadFile, File(description="a DOCX with a numbered list, or a CSV with a row each")],
    dry_run: Annotated[bool, Query(description="read and check, record nothing (the default)")] = True,
) -> RecommendationsImported:
    """The review's recommendations from its report: a DOCX's numbered list (the finding before each
    read too) or a CSV. Every row is read first: a bad one gets 422 naming its row and column, and
    nothing is recorded. Without ``dry_run=false`` it only shows what it read, with the warnings."""
    reach = case_reach(request, session, grants, ref, record=True)
    drafts = recommendation_files.read_file(file.filename or "", file.file.read())
    limit = _limit(session, reach.case.partnership_id)
    if dry_run:
        known = store.count(session, case=reach.case)
        checked = [recommendations.check(d, count=known + n, limit=limit) for n, d in enumerate(drafts, 1)]
        return RecommendationsImported(
            dry_run=True,
            recommendations=[RecommendationIn.model_validate(d.__dict__) for d in drafts],
            warnings=[[WarningOut.model_validate(w.to_json()) for w in found] for found in checked],
        )
    made = store.add_recommendations(
        session, case=reach.case, drafts=drafts, actor=grants.user.email, limit=limit, today=clock.today()
    )
    outs = [_out(view) for view in made]
    return RecommendationsImported(
        dry_run=False, recommendations=list(outs), warnings=[out.warnings for out in outs]
    )


@router.get("/cases/{ref}/recommendations")
def list_recommendations(
    request: Request, ref: Ref, session: SessionDep, grants: GrantsDep
) -> list[RecommendationOut]:
    """The case's recommendations by number, each with its actions; an agency contact sees those asking
    their agency to act, with their agency's actions."""
    reach = case_reach(request, session, grants, ref, record=False)
    found = store.list_recommendations(
        session, case=reach.case, today=clock.today(), agency_id=reach.agency_id
    )
    return [_out(view) for view in found]


@router.get("/recommendations")
def open_recommendations(
    session: SessionDep,
    grants: GrantsDep,
    agency: Annotated[str | None, Query(max_length=64, pattern=r"^[a-z0-9-]+$")] = None,
    status_: Annotated[Status | None, Query(alias="status")] = None,
) -> list[OpenRecommendationOut]:
    """Every open recommendation of the caller's partnerships' cases (an agency contact: those asking their
    agency to act), oldest first, with its age in days; ``agency`` and ``status`` narrow them."""
    if grants.regional == Role.agency_contact:
        scope, agency = None, grants.user.agency_id or ""
    elif grants.holds():
        scope = grants.partnerships()
    else:
        raise forbidden("Open recommendations are for the people of partnerships and agencies' contacts.")
    rows = store.open_recommendations(
        session, partnership_ids=scope, today=clock.today(), agency_id=agency, status=status_
    )
    return [
        OpenRecommendationOut(
            recommendation=_out(row.view), age_days=row.age_days, partnership=row.partnership
        )
        for row in rows
    ]


@router.get("/recommendations/{recommendation_id}")
def get_recommendation(
    request: Request, recommendation_id: RecommendationId, session: SessionDep, grants: GrantsDep
) -> RecommendationOut:
    recommendation, reach = recommendation_reach(request, session, grants, recommendation_id, "read")
    return _out(store.view(session, recommendation, today=clock.today(), agency_id=reach.agency_id))


@router.post("/recommendations/{recommendation_id}/actions", status_code=status.HTTP_201_CREATED)
def add_action(
    request: Request,
    recommendation_id: RecommendationId,
    body: ActionIn,
    session: SessionDep,
    grants: GrantsDep,
) -> ActionOut:
    """An action on the recommendation's plan, with its owner (an email) and due date: the partnership's
    commissioners and admins add any; an agency's contact adds their own agency's."""
    recommendation, reach = recommendation_reach(request, session, grants, recommendation_id, "plan")
    agency = reach.agency_id if reach.agency_id is not None else body.agency
    made = store.add_action(
        session,
        recommendation=recommendation,
        agency_id=agency,
        text=body.text,
        owner=str(body.owner),
        due=body.due,
        actor=grants.user.email,
        today=clock.today(),
    )
    return ActionOut.model_validate(made.to_json())


@router.post("/recommendations/{recommendation_id}/close")
def close_recommendation(
    request: Request,
    recommendation_id: RecommendationId,
    body: CloseIn,
    session: SessionDep,
    grants: GrantsDep,
) -> RecommendationOut:
    """Close the recommendation (the lead partnership's chair or admins) once every action on it is
    completed; 409 saying what is outstanding otherwise."""
    recommendation, _ = recommendation_reach(request, session, grants, recommendation_id, "close")
    closed = store.close_recommendation(
        session, recommendation=recommendation, note=body.note, actor=grants.user.email, today=clock.today()
    )
    return _out(closed)


@router.post("/actions/{action_id}/status")
def change_action(
    request: Request, action_id: ActionId, body: ActionChangeIn, session: SessionDep, grants: GrantsDep
) -> ActionOut:
    """Start an action, submit its evidence (``links`` are added as evidence first; files through
    ``/evidence``), or, for the partnership, mark it completed or send the evidence back. 409 names the
    changes its status allows."""
    action, _, reach = action_reach(request, session, grants, action_id, change=True)
    for link in body.links:
        store.add_evidence(session, action=action, actor=grants.user.email, link=str(link), note=None)
    changed = store.change_action(
        session,
        action=action,
        change=body.change,
        agency=reach.agency_id is not None,
        actor=grants.user.email,
        today=clock.today(),
        note=body.note,
    )
    return ActionOut.model_validate(changed.to_json())


@router.post("/actions/{action_id}/evidence", status_code=status.HTTP_201_CREATED)
def add_evidence(
    request: Request,
    action_id: ActionId,
    session: SessionDep,
    grants: GrantsDep,
    file: Annotated[UploadFile | None, File(description="a file of evidence (at most 10 MB)")] = None,
    link: Annotated[str | None, Form(max_length=2000, description="or a link to it")] = None,
    note: Annotated[str | None, Form(max_length=4000)] = None,
) -> EvidenceOut:
    """Evidence of the action: a file or a link, with a note. Submitting it is a status change."""
    action, _, _ = action_reach(request, session, grants, action_id, change=True)
    try:
        checked_note = _NOTE.validate_python(note or None)
        checked_link = str(_LINK.validate_python(link)) if link else None
    except ValidationError as error:
        raise Invalid(
            "The link or the note is not valid.", [problem("link", str(error.errors()[0]["msg"]))]
        ) from None
    content = file.file.read(MAX_EVIDENCE_BYTES + 1) if file is not None else None
    if content is not None and len(content) > MAX_EVIDENCE_BYTES:
        raise Invalid("The file is too large.", [problem("file", "at most 10 MB: give a link instead")])
    made = store.add_evidence(
        session,
        action=action,
        actor=grants.user.email,
        filename=(file.filename or "evidence")[:255] if file is not None else None,
        content=content,
        media_type=(file.content_type or "application/octet-stream")[:100] if file is not None else None,
        link=checked_link,
        note=checked_note,
    )
    return EvidenceOut.model_validate(made.to_json())


@router.get("/actions/{action_id}/evidence/{evidence_id}")
def evidence_file(
    request: Request, action_id: ActionId, evidence_id: EvidenceId, session: SessionDep, grants: GrantsDep
) -> Response:
    """A file of evidence, as it was uploaded (evidence that is a link answers 422: follow the link)."""
    action, _, _ = action_reach(request, session, grants, action_id, change=False)
    found = store.get_evidence(session, action=action, evidence_id=evidence_id)
    if found.content is None:
        raise Invalid("That evidence is a link, not a file.", [problem("evidence_id", "follow its link")])
    name = (found.filename or "evidence").replace('"', "")
    return Response(
        found.content,
        media_type="application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/actions/mine")
def my_actions(session: SessionDep, user: CurrentUser) -> list[OwnedOut]:
    """The actions the caller owns that are not yet completed, soonest due first (the App Home lists them)."""
    return [
        OwnedOut(
            case_ref=o.case_ref, recommendation=o.number, action=ActionOut.model_validate(o.action.to_json())
        )
        for o in store.owned_actions(session, owner=user.email, today=clock.today())
    ]


@router.get("/slack/overdue-actions")
def overdue(session: SessionDep, _: BotUser) -> list[OverdueOut]:
    """Every overdue action, with its owner's Slack member id when linked: the bot DMs those and asks the
    service to email the others."""
    return [OverdueOut.model_validate(item) for item in overdue_actions.listed(session, today=clock.today())]


@router.post("/slack/overdue-actions/{action_id}/email")
def email_overdue(action_id: ActionId, session: SessionDep, _: BotUser) -> EmailedOut:
    """Email the owner of an overdue action its reminder, once (claimed): a second call sends nothing."""
    return EmailedOut.model_validate(overdue_actions.email(session, action_id=action_id, today=clock.today()))
