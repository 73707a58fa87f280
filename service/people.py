"""People by name wherever a person reads about them: a board user by their display name, a consultant by
theirs, never by an email or a Slack member id when a name is known.

Records and the audit log keep who acted as they were written (an email; the bot's email for a Slack user
it relayed), so nothing stored changes when someone is named later. The names are looked up when a page,
a Slack message or a document is made, for all the people on it at once.
"""

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from sqlmodel import Session, col, select

from registry.identities import SlackIdentity
from registry.models import Consultant
from service.models import User

# How stored actors name a Slack user: "bot@x for Slack user U0123" (the bot relaying someone it does not
# act as) and "chair@x (Slack U0123)" (a linked user acting in Slack, as a refusal records them).
_RELAYED = re.compile(r"^(?P<email>\S+) for Slack user (?P<slack>[UW][A-Z0-9]+)$")
_IN_SLACK = re.compile(r"^(?P<email>\S+) \(Slack (?P<slack>[UW][A-Z0-9]+)\)$")
_ACTORS = {"cli": "Command line"}  # actors that are not people, in words
SOMEONE_IN_SLACK = "someone in Slack not linked to anyone here"


@dataclass(frozen=True)
class Names:
    """The names of the people some records mention; call it with a stored actor or email."""

    by_email: Mapping[str, str]
    by_slack: Mapping[str, str]

    def __call__(self, actor: str) -> str:
        relayed = _RELAYED.match(actor)
        if relayed:
            return f"{self.by_slack.get(relayed['slack'], SOMEONE_IN_SLACK)} (in Slack)"
        in_slack = _IN_SLACK.match(actor)
        if in_slack:
            return f"{self.by_email.get(in_slack['email'].lower(), in_slack['email'])} (in Slack)"
        return self.by_email.get(actor.lower(), _ACTORS.get(actor, actor))


def names(session: Session, actors: Iterable[str]) -> Names:
    """The names of everyone ``actors`` mention, in at most three queries: a user's display name (or
    their email, until they have one), else a consultant's name."""
    emails: set[str] = set()
    slack_ids: set[str] = set()
    for actor in actors:
        found = _RELAYED.match(actor) or _IN_SLACK.match(actor)
        emails.add((found["email"] if found else actor).lower())
        if found:
            slack_ids.add(found["slack"])
    by_email: dict[str, str] = {}
    if emails:
        consultants = select(Consultant.email, Consultant.name).where(col(Consultant.email).in_(emails))
        by_email |= {email.lower(): name for email, name in session.exec(consultants)}
        users = session.exec(select(User).where(col(User.email).in_(emails)))
        by_email |= {user.email: user.shown_name for user in users}
    by_slack: dict[str, str] = {}
    if slack_ids:
        held = session.exec(
            select(SlackIdentity.slack_user_id, User, Consultant.name)
            .outerjoin(User, col(User.id) == SlackIdentity.user_id)
            .outerjoin(Consultant, col(Consultant.id) == SlackIdentity.consultant_id)
            .where(col(SlackIdentity.slack_user_id).in_(slack_ids))
        )
        by_slack = {slack: user.shown_name if user else str(name) for slack, user, name in held}
    return Names(by_email, by_slack)


def naming(session: Session) -> Callable[[str], str]:
    """Names looked up one at a time, for code that meets the people it mentions as it goes (the terms
    of reference name whoever recorded the board's decision)."""
    return lambda actor: names(session, [actor])(actor)
