"""Overdue actions chased once each: to their owner by Slack DM when they are a user linked in Slack (the
bot sends those), else by email (sent here). Each reminder is claimed first as
``overdue:<action>:<due date>`` in the same once-only claims the bot's reminders and digest use, so
however many replicas or schedulers run it, an owner hears of an action once (and again only if its due
date moves and passes). A reminder that could not be sent releases its claim for the next run.
"""

import logging
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from commissioning import recommendation_store
from commissioning.models import Partnership
from commissioning.recommendation_store import Overdue
from commissioning.recommendations import overdue_email, overdue_words
from core.errors import NotFound
from service import mail, slack_state
from service.models import User

log = logging.getLogger("service.overdue_actions")
KIND = "overdue_action"


def _linked(session: Session, owners: set[str]) -> dict[str, User]:
    """The active users among ``owners`` (emails) who are linked in Slack, by email."""
    if not owners:
        return {}
    users = session.exec(select(User).where(col(User.email).in_(owners), col(User.active).is_(True))).all()
    return {user.email.lower(): user for user in users if user.slack_user_id}


def listed(session: Session, *, today: date) -> list[dict[str, Any]]:
    """Every overdue action, with its owner's Slack member id when they are linked (the bot DMs those)."""
    found = recommendation_store.overdue_actions(session, today=today)
    linked = _linked(session, {item.owner for item in found})
    return [
        {
            **item.to_json(),
            "owner_slack_user_id": user.slack_user_id if user else None,
            "owner_slack_team_id": user.slack_team_id if user else None,
            "words": overdue_words(
                case_ref=item.case_ref, number=item.number, agency=item.agency, due=item.due, days=item.days
            ),
        }
        for item in found
        for user in [linked.get(item.owner)]
    ]


def _overdue(session: Session, action_id: int, today: date) -> Overdue:
    for item in recommendation_store.overdue_actions(session, today=today):
        if item.action_id == action_id:
            return item
    raise NotFound(f"Action {action_id} is not overdue.")


def email(session: Session, *, action_id: int, today: date) -> dict[str, Any]:
    """Email the owner of overdue action ``action_id``, once: ``claimed`` False when it went before."""
    item = _overdue(session, action_id, today)
    made = slack_state.claim(
        session, key=item.key, kind=KIND, detail={"by": "email", "due": item.due.isoformat()}
    )
    if not made.claimed:
        return {"claimed": False, "status": "already", "message": "Its owner was reminded before."}
    partnership = session.exec(select(Partnership.name).where(Partnership.prefix == item.partnership)).one()
    text = overdue_email(
        case_ref=item.case_ref,
        number=item.number,
        agency=item.agency,
        due=item.due,
        days=item.days,
        partnership=partnership,
    )
    delivery = mail.send(item.owner, text)
    if not delivery.sent:
        slack_state.release(session, key=item.key)
        return {"claimed": True, "status": delivery.status, "message": delivery.message}
    slack_state.record_outcome(
        session, key=item.key, detail={"by": "email", "message_id": delivery.message_id}
    )
    log.info("overdue_action.emailed action=%s", action_id)
    return {"claimed": True, "status": "sent", "message": delivery.message}


def email_unlinked(session: Session, *, today: date) -> list[dict[str, Any]]:
    """Email the owners of every overdue action who are not linked in Slack (the command line's run, for a
    deployment without the bot's loop): what became of each."""
    return [
        {"action_id": item["action_id"], **email(session, action_id=item["action_id"], today=today)}
        for item in listed(session, today=today)
        if item["owner_slack_user_id"] is None
    ]
