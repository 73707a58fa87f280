"""What the Slack bot needs beyond the domain API: who a Slack user is, outcome labels and the
vocabularies in words, the deadlines to remind about, the consultants' checks falling due, the chronology
notices to relay, check drafts and once-only claims."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response, status

from commissioning import partnerships, rules, store
from commissioning.consultant_views import CheckOut
from commissioning.models import CaseStatus, CommissionRole, CommissionStatus
from core import clock
from registry import consultants, vocabulary
from registry.identities import OWN_WORKSPACE
from service import chronology_notices as notices
from service import slack_partnerships, slack_state
from service.access import CaseReader, GrantsDep, PartnershipPerson
from service.api.cases import rulesets
from service.api.params import Ref
from service.api.schemas import CheckDue, Deadline, HeldRole, Me, OutcomeLabel, PartnershipChannels
from service.auth import BotUser, CurrentUser, IdentityProbe
from service.db import SessionDep, UnitOfWorkRoute
from service.models import PARTNERSHIP_ROLES, Role
from service.policy import PolicyDep
from service.settings import get_settings
from service.slack_state import (
    CLAIM_KEY,
    DRAFT_ID,
    ClaimCreate,
    ClaimPublic,
    ClaimUpdate,
    DraftPublic,
    DraftWrite,
)
from service.users import roles_of

router = APIRouter(prefix="/api/v1/slack", tags=["slack"], route_class=UnitOfWorkRoute)
# Checked before any lookup: PostgreSQL cannot compare text with a NUL in it, so a bad id must be a 422.
DraftId = Annotated[str, Path(pattern=DRAFT_ID, description="from POST /drafts")]
ClaimKey = Annotated[str, Path(pattern=CLAIM_KEY, description="the key claimed")]


@router.get("/me")
def me(_: IdentityProbe, user: CurrentUser, grants: GrantsDep, session: SessionDep) -> Me:
    """The user a request runs as: with ``X-Slack-User-Id``, the linked user, or 403 if there is none.
    Relayed from a Slack workspace, the roles are those held in the partnerships it serves.

    Asked on every App Home opening, so a 403 here is not audited as a refusal (nothing was attempted).
    """
    assert user.id is not None
    held = [(p, role) for p, role in roles_of(session, user.id) if role in grants.roles_in(p.id)]
    strongest = next((r for r in PARTNERSHIP_ROLES if any(role == r for _, role in held)), None)
    role = Role.admin if user.role == Role.list_admin else strongest or Role(user.role)
    return Me(
        id=user.id,
        role=role,
        regional=user.role,
        roles=[HeldRole(partnership=p.prefix, name=p.name, role=r) for p, r in held],
        slack_user_id=user.slack_user_id,
        slack_team_id=user.slack_team_id,
    )


@router.get("/outcomes")
def outcomes() -> list[OutcomeLabel]:
    """Every outcome id with the words to show for it, in the order a decision lists them. No sign-in."""
    return [OutcomeLabel(id=o.id, kind=o.kind, label=o.label) for o in rules.outcome_types().values()]


VOCABULARIES = {
    **vocabulary.VOCABULARIES,
    "commission_role": CommissionRole,
    "commission_status": CommissionStatus,
}


@router.get("/vocabulary")
def words() -> dict[str, dict[str, str]]:
    """Each vocabulary's values (a specialism, a review type, a role...) with the words to show for them,
    within a sentence ("infant injury and SUDI", "lead reviewer"). No sign-in."""
    return {
        name: {value.value: vocabulary.in_words(value.value) for value in values}
        for name, values in VOCABULARIES.items()
    }


DEADLINE_PAGE = 200


def _deadlines(
    view: store.CaseView, labels: dict[str, rules.OutcomeType], prefixes: dict[int, str] | None = None
) -> list[Deadline]:
    """The dated deadlines in force on one case (the board's decision once it has decided, else the
    recommendation), soonest first, each with the case's lead partnership (from ``prefixes``, by id)."""
    found = []
    partnership = (prefixes or {}).get(view.case.partnership_id)
    for due in view.governing(rulesets()).deadlines:  # counted from the recorded milestones
        kind = labels.get(due.type)
        label = kind.label if kind else due.type
        found.append(
            Deadline(
                ref=view.case.ref,
                stage=due.type,
                label=label,
                due=due.day,
                basis=due.basis,
                partnership=partnership,
            )
        )
    return found


@router.get("/deadlines")
def deadlines(session: SessionDep, _: BotUser) -> list[Deadline]:
    """Every dated deadline in force on every open case, soonest first within a case.

    For the bot's reminders, which go to a shared channel with the case reference and the date only;
    the bot, not a person, calls it.
    """
    labels = rules.outcome_types()
    prefixes = {p.partnership.id: p.partnership.prefix for p in partnerships.list_partnerships(session)}
    found: list[Deadline] = []
    offset = 0
    while True:
        views, total = store.list_cases(
            session=session, status=CaseStatus.open, limit=DEADLINE_PAGE, offset=offset
        )
        for view in views:
            found += _deadlines(view, labels, prefixes)
        offset += DEADLINE_PAGE
        if offset >= total:
            return found


@router.get("/partnerships")
def partnership_channels(session: SessionDep, _: BotUser) -> list[PartnershipChannels]:
    """Where each partnership's deadline reminders go and how early: its reminder channel (none: the
    service's, SCR_SLACK_REMINDER_CHANNEL), the workspace that channel is in, and its own reminder lead
    days (none: the service's, SCR_SLACK_REMINDER_LEAD_DAYS). For the bot's reminder job."""
    every = partnerships.list_partnerships(session)
    teams = slack_partnerships.channel_teams(session, [v.partnership.id for v in every if v.partnership.id])
    return [
        PartnershipChannels(
            prefix=p.prefix,
            name=p.name,
            reminder_channel=p.reminder_channel or None,
            reminder_lead_days=(p.policy or {}).get("reminder_lead_days"),
            slack_team_id=None if teams.get(p.id or 0, OWN_WORKSPACE) == OWN_WORKSPACE else teams[p.id or 0],
        )
        for p in (view.partnership for view in every)
    ]


@router.get("/deadlines/{ref}")
def case_deadlines(ref: Ref, session: SessionDep, _: CaseReader) -> list[Deadline]:
    """The deadlines in force on case ``ref``, for a person who opened its reminder: what the shared
    channel leaves out (the kind of review, its basis) goes only to someone who may read the case."""
    return _deadlines(store.get_case(session=session, ref=ref), rules.outcome_types())


@router.get("/checks-due")
def checks_due(
    session: SessionDep,
    _: BotUser,
    policy: PolicyDep,
    within_days: Annotated[int, Query(ge=0, le=366)] = 30,
) -> list[CheckDue]:
    """Each check of an approved consultant lapsed, missing or falling due within ``within_days``: what
    the admin dashboard shows, one item per check, for the bot's weekly digest to the admins' channel."""
    found = consultants.checks_falling_due(
        session=session,
        today=clock.today(),
        within_days=within_days,
        dbs_recheck_years=policy.dbs_recheck_years,
    )
    return [
        CheckDue(
            consultant_id=consultant.id,
            name=consultant.name,
            slack_user_id=consultant.slack_user_id,
            slack_team_id=consultant.slack_team_id,
            **CheckOut.of(check).model_dump(),
        )
        for consultant, check in found
    ]


@router.post("/drafts", status_code=status.HTTP_201_CREATED)
def create_draft(body: DraftWrite, session: SessionDep, user: PartnershipPerson) -> DraftPublic:
    """Start a threshold check in progress for the calling user."""
    assert user.id is not None
    return slack_state.create_draft(session, user_id=user.id, state=body.state)


@router.get("/drafts/{draft_id}")
def get_draft(draft_id: DraftId, session: SessionDep, user: PartnershipPerson) -> DraftPublic:
    assert user.id is not None
    return slack_state.get_draft(session, draft_id=draft_id, user_id=user.id)


@router.put("/drafts/{draft_id}")
def replace_draft(
    draft_id: DraftId, body: DraftWrite, session: SessionDep, user: PartnershipPerson
) -> DraftPublic:
    assert user.id is not None
    return slack_state.replace_draft(session, draft_id=draft_id, user_id=user.id, state=body.state)


@router.post(
    "/claims",
    status_code=status.HTTP_201_CREATED,
    responses={200: {"model": ClaimPublic, "description": "already claimed: do not act again"}},
)
def claim(body: ClaimCreate, session: SessionDep, _: BotUser, response: Response) -> ClaimPublic:
    """Claim a once-only action: 201 when this call made the claim, 200 when it had been made before."""
    made = slack_state.claim(session, key=body.key, kind=body.kind, detail=body.detail)
    if not made.claimed:
        response.status_code = status.HTTP_200_OK
    return made


@router.get("/claims/{key}")
def get_claim(key: ClaimKey, session: SessionDep, _: BotUser) -> ClaimPublic:
    """A claim made before and what it recorded, e.g. the agencies a consultant was asked to declare about."""
    return slack_state.get_claim(session, key=key)


@router.patch("/claims/{key}")
def record_outcome(key: ClaimKey, body: ClaimUpdate, session: SessionDep, _: BotUser) -> ClaimPublic:
    """Record what the claimed action did, e.g. the channel and timestamp of a posted reminder."""
    return slack_state.record_outcome(session, key=key, detail=body.detail)


@router.delete("/claims/{key}", status_code=status.HTTP_204_NO_CONTENT)
def release(key: ClaimKey, session: SessionDep, _: BotUser) -> None:
    """Withdraw a claim whose action failed, so it is tried again."""
    slack_state.release(session, key=key)


@router.post("/chronology-notices")
def chronology_notices(session: SessionDep, bot: BotUser) -> list[dict[str, Any]]:
    """The day's chronology reminders and late notices, emailed to the agencies' contacts (each once,
    however often it runs), then what the people linked in Slack are to be told of what was sent: each
    with the key to claim before sending it, the case reference, the agency, its due date and the page's
    address. Nothing is sent, or listed, until SCR_PUBLIC_URL gives the links their address."""
    base_url = get_settings().public_url
    today = clock.today()
    notices.remind(session, today=today, base_url=base_url, actor=bot.email)
    if not base_url:
        return []
    return [notice.to_json() for notice in notices.slack_notices(session, today=today, base_url=base_url)]
