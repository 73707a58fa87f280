"""What the Slack bot must remember between requests, kept here because the bot never opens the database.

Two small tables:

- ``slack_claim``: "this happened once" keys. The bot claims ``event:<event_id>`` before acting on an
  Events API delivery (Slack retries deliveries) and ``reminder:<ref>:<stage>`` before posting a deadline
  reminder. A claim that its action then failed to complete is released, so the next attempt runs. A
  claim's detail keeps what the action needs later: a declaration request keeps the agencies the
  consultant was asked about, so its buttons carry the claim's key rather than a list that can grow.
- ``slack_draft``: a threshold check in progress (the answers so far), owned by one user, so the answer
  message's buttons carry a draft id rather than case facts.
"""

import json
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, delete

from core.clock import utcnow
from core.errors import Invalid, NotFound
from core.transaction import atomic
from core.values import StorableJson

CLAIM_KEY = r"^[A-Za-z0-9][A-Za-z0-9:._-]{0,199}$"
CLAIM_KIND = r"^[a-z_]+$"
DRAFT_ID = r"^[A-Za-z0-9_-]{1,32}$"  # secrets.token_urlsafe(12)
DRAFT_MAX_CHARS = 20_000
DRAFT_LIFETIME = timedelta(days=7)
# Claims of these kinds only need remembering while a repeat can still arrive: Slack redelivers an
# event within the hour. Others (reminders, decisions) are kept as the record of what was done.
FORGET_AFTER = {"event": timedelta(days=1)}


class SlackClaim(SQLModel, table=True):
    __tablename__ = "slack_claim"

    key: str = Field(primary_key=True, max_length=200)
    kind: str = Field(max_length=32, index=True)
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    claimed_at: datetime = Field(default_factory=utcnow)


class ClaimCreate(SQLModel):
    # SQLModel's ``regex=`` is not enforced under Pydantic 2: the pattern goes in ``schema_extra``.
    key: str = Field(
        schema_extra={"pattern": CLAIM_KEY},
        description="what happens once, e.g. 'event:Ev123' or 'reminder:REF:stage'",
    )
    kind: str = Field(min_length=1, max_length=32, schema_extra={"pattern": CLAIM_KIND})
    detail: StorableJson = Field(default_factory=dict)


class ClaimUpdate(SQLModel):
    detail: StorableJson


class ClaimPublic(SQLModel):
    key: str
    kind: str
    detail: dict[str, Any]
    claimed_at: datetime
    claimed: bool = Field(description="true when this call made the claim, false when it was already made")


class SlackDraft(SQLModel, table=True):
    __tablename__ = "slack_draft"

    id: str = Field(primary_key=True, max_length=32)
    user_id: int = Field(foreign_key="app_user.id", index=True, ondelete="CASCADE")
    state: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow)


class DraftWrite(SQLModel):
    state: StorableJson


class DraftPublic(SQLModel):
    id: str
    state: dict[str, Any]
    updated_at: datetime


def _public_claim(claim: SlackClaim, *, claimed: bool) -> ClaimPublic:
    return ClaimPublic(
        key=claim.key, kind=claim.kind, detail=claim.detail, claimed_at=claim.claimed_at, claimed=claimed
    )


def claim(session: Session, *, key: str, kind: str, detail: dict[str, Any]) -> ClaimPublic:
    """Make the claim ``key``, or report that it was already made; safe when two callers race."""
    if kind in FORGET_AFTER:
        stale = utcnow() - FORGET_AFTER[kind]
        session.exec(delete(SlackClaim).where(SlackClaim.kind == kind, col(SlackClaim.claimed_at) < stale))  # type: ignore[call-overload]
    existing = session.get(SlackClaim, key)
    if existing is not None:
        return _public_claim(existing, claimed=False)
    made = SlackClaim(key=key, kind=kind, detail=detail)
    try:
        with atomic(session=session):
            session.add(made)
    except IntegrityError:  # another caller made it first (on PostgreSQL, this insert waited for theirs)
        winner = session.get(SlackClaim, key)
        assert winner is not None
        return _public_claim(winner, claimed=False)
    return _public_claim(made, claimed=True)


def get_claim(session: Session, *, key: str) -> ClaimPublic:
    """A claim as it was made, with what its action recorded (a declaration request: what was asked)."""
    made = session.get(SlackClaim, key)
    if made is None:
        raise NotFound(f"No claim {key}.")
    return _public_claim(made, claimed=False)


def record_outcome(session: Session, *, key: str, detail: dict[str, Any]) -> ClaimPublic:
    """Add what the claimed action did (for a reminder: the channel and message) to the claim."""
    made = session.get(SlackClaim, key)
    if made is None:
        raise NotFound(f"No claim {key}.")
    made.detail = {**made.detail, **detail}
    session.add(made)
    session.flush()
    return _public_claim(made, claimed=False)


def release(session: Session, *, key: str) -> None:
    """Withdraw a claim whose action failed, so the next attempt runs."""
    made = session.get(SlackClaim, key)
    if made is None:
        raise NotFound(f"No claim {key}.")
    session.delete(made)
    session.flush()


def _check_size(state: dict[str, Any]) -> None:
    size = len(json.dumps(state, default=str))
    if size > DRAFT_MAX_CHARS:
        raise Invalid(
            "The draft is too large.",
            [{"loc": ["body", "state"], "msg": f"{size} characters; at most {DRAFT_MAX_CHARS}"}],
        )


def create_draft(session: Session, *, user_id: int, state: dict[str, Any]) -> DraftPublic:
    """Start a draft for ``user_id``; drafts older than a week are removed on the way."""
    _check_size(state)
    session.exec(delete(SlackDraft).where(col(SlackDraft.created_at) < utcnow() - DRAFT_LIFETIME))  # type: ignore[call-overload]
    draft = SlackDraft(id=secrets.token_urlsafe(12), user_id=user_id, state=state)
    session.add(draft)
    session.flush()
    return DraftPublic(id=draft.id, state=draft.state, updated_at=draft.updated_at)


def _owned(session: Session, *, draft_id: str, user_id: int) -> SlackDraft:
    draft = session.get(SlackDraft, draft_id)
    if draft is None or draft.user_id != user_id:
        raise NotFound("That check has expired or belongs to someone else: run /scr check again.")
    return draft


def get_draft(session: Session, *, draft_id: str, user_id: int) -> DraftPublic:
    draft = _owned(session, draft_id=draft_id, user_id=user_id)
    return DraftPublic(id=draft.id, state=draft.state, updated_at=draft.updated_at)


def replace_draft(session: Session, *, draft_id: str, user_id: int, state: dict[str, Any]) -> DraftPublic:
    _check_size(state)
    draft = _owned(session, draft_id=draft_id, user_id=user_id)
    draft.state = state
    draft.updated_at = utcnow()
    session.add(draft)
    session.flush()
    return DraftPublic(id=draft.id, state=draft.state, updated_at=draft.updated_at)
