"""Telling people about chronology requests: the request, a reminder before it is due and one notice
once it is late, by email to the agency's contacts; and the commissioners, once every agency's
chronology is accepted.

Agency contacts work in Outlook and Teams, so email is how they hear (``service.mail``; the words are
``commissioning.chronology.requests``'s: case reference, agency, due date and the upload page, nothing
about the family). The request email carries no letter: the contact reads and downloads it on the upload
page after signing in, so nothing about the review rests in a mailbox.

Slack is the bot's, never the service's: the service does not call Slack. ``slack_notices`` lists what
the people linked in Slack are to be told of what was sent here (the same four facts), and the bot's
job (``bot.features.chronology.job``) claims each one and sends it to their direct messages, once.

Each reminder and late notice is sent once however many replicas run the daily pass: the request's
``reminded_on`` / ``late_notice_on`` is set by an update that matches only while it is empty, in the
caller's unit of work, so a second pass waits for the first one's commit (PostgreSQL's row lock) and
then finds it taken. Only counts and statuses go into the audit log, never an address.
"""

import functools
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, Literal

from sqlalchemy import update
from sqlmodel import Session, col, select

from commissioning import chronology_store
from commissioning.chronology.requests import (
    REMINDER_WORKING_DAYS,
    EmailText,
    RequestFacts,
    late_email,
    reminder_email,
    reminder_on,
    request_email,
)
from commissioning.models import Case, CaseStatus, ChronologyRequest, ChronologyVersion
from core import audit, clock
from service import mail
from service.chronologies import request_facts
from service.models import PartnershipRole, Role, User
from service.settings import get_settings

log = logging.getLogger("service.chronology_notices")

Notice = Literal["request", "reminder", "late"]
SCHEDULER = "the daily chronology reminders"  # the actor of a pass nobody asked for by name
RELAY_DAYS = 7  # what the bot has not sent to Slack within a week (it was down) is left: the email went
LATE_NOTICE_DAYS = 7  # a late notice the pass missed (the service was down) is not sent weeks later
UPLOAD_PAGE = "admin/chronologies"  # the pages' upload page for an agency's request, under the address
CASE_PAGE = "admin/cases"


def upload_url(base_url: str, ref: str, agency_id: str) -> str:
    """The page where an agency's contact signs in, reads the request's letter, downloads the template and
    uploads the chronology."""
    return f"{base_url.rstrip('/')}/{UPLOAD_PAGE}/{ref}/{agency_id}"


def public_base(request_base: str | None = None) -> str:
    """The address links in emails and messages start from: ``SCR_PUBLIC_URL`` when set (behind a proxy the
    address a request came in on may be an internal one), else the request's, else none."""
    return get_settings().public_url or request_base or ""


def case_url(base_url: str, ref: str) -> str:
    return f"{base_url.rstrip('/')}/{CASE_PAGE}/{ref}"


@dataclass(frozen=True)
class Sent:
    """One notice to one agency: emails sent and failed (``off``: the service sends no email), the
    failures' sentences for the person who asked, and how many contacts are linked in Slack."""

    ref: str
    agency: str
    notice: Notice
    emailed: int
    failed: int
    off: bool
    in_slack: int
    problems: tuple[str, ...] = ()

    @property
    def email(self) -> str:
        """``sent``, ``failed`` (at least one did not go), ``off`` or ``none`` (the agency has no contact)."""
        if self.off:
            return "off"
        if self.failed:
            return "failed"
        return "sent" if self.emailed else "none"

    def to_json(self) -> dict[str, Any]:
        return {
            "agency": self.agency,
            "notice": self.notice,
            "emailed": self.emailed,
            "email": self.email,
            "slack": self.in_slack,
            "problems": list(self.problems),
        }


def contacts(session: Session, agency_id: str) -> list[User]:
    """The agency's active contacts, by email."""
    return list(
        session.exec(
            select(User)
            .where(
                User.role == Role.agency_contact,
                User.agency_id == agency_id,
                col(User.active).is_(True),
            )
            .order_by(col(User.email))
        )
    )


def commissioners(session: Session, partnership_id: int) -> list[User]:
    """The partnership's active commissioners, by email."""
    return list(
        session.exec(
            select(User)
            .join(PartnershipRole, col(PartnershipRole.user_id) == User.id)
            .where(
                PartnershipRole.partnership_id == partnership_id,
                PartnershipRole.role == Role.commissioner,
                col(User.active).is_(True),
            )
            .order_by(col(User.email))
        )
    )


def _send(
    session: Session,
    *,
    case: Case,
    facts: RequestFacts,
    agency_id: str,
    notice: Notice,
    text_for: Callable[[RequestFacts], EmailText],
    actor: str,
) -> Sent:
    """Email ``text_for(facts)`` (``facts`` addressed to each) to every contact of the agency, and audit
    what became of it."""
    people = contacts(session, agency_id)
    results = [
        mail.send(
            person.email, text_for(replace(facts, contact=person.display_name)), name=person.display_name
        )
        for person in people
    ]
    sent = Sent(
        ref=case.ref,
        agency=facts.agency,
        notice=notice,
        emailed=sum(result.sent for result in results),
        failed=sum(result.status == "failed" for result in results),
        off=bool(results) and all(result.status == "off" for result in results),
        in_slack=sum(person.slack_user_id is not None for person in people),
        problems=tuple(result.message for result in results if result.status == "failed"),
    )
    audit.record(
        session,
        "chronology.notice",
        case.ref,
        actor=actor,
        entity_type="case",
        after={
            "agency": agency_id,
            "notice": notice,
            "contacts": len(people),
            "emailed": sent.emailed,
            "failed": sent.failed,
            "email": sent.email,
            "slack": sent.in_slack,
        },
    )
    return sent


def _views(session: Session, case: Case, today: date) -> list[chronology_store.RequestView]:
    return chronology_store.request_views(session, case=case, today=today)


def requested(
    session: Session,
    *,
    case: Case,
    requests: Sequence[ChronologyRequest],
    base_url: str,
    actor: str = SCHEDULER,
) -> list[Sent]:
    """Email each new request to its agency's contacts (without the letter: it is on the upload page),
    after ``chronologies.issue`` made them; the linked ones hear in Slack too (``slack_notices``). Without
    ``base_url`` nothing is sent: the links would lead nowhere (the reminders still go once it is set)."""
    if not base_url:
        log.warning("chronology.requests.unannounced reason=no_public_url")
        return []
    wanted = {request.id for request in requests}
    found = []
    for view in _views(session, case, clock.today()):
        if view.request.id not in wanted:
            continue
        facts = _facts(session, case, view, base_url)
        found.append(
            _send(
                session,
                case=case,
                facts=facts,
                agency_id=view.request.agency_id,
                notice="request",
                text_for=request_email,
                actor=actor,
            )
        )
    return found


def _facts(session: Session, case: Case, view: chronology_store.RequestView, base_url: str) -> RequestFacts:
    url = upload_url(base_url, case.ref, view.request.agency_id)
    return request_facts(session, case=case, view=view, upload_url=url)


def _claim(session: Session, request_id: int, column: Any, today: date) -> bool:
    """Mark ``column`` of the request as sent today unless it already was; whether this call marked it."""
    made = session.execute(
        update(ChronologyRequest)
        .where(col(ChronologyRequest.id) == request_id, col(column).is_(None))
        .values({column: today})
    )
    return bool(made.rowcount)  # type: ignore[attr-defined]


def _open_cases_asking(session: Session) -> list[Case]:
    """The open cases with at least one chronology request."""
    asking = select(ChronologyRequest.case_id).distinct()
    return list(
        session.exec(
            select(Case)
            .where(Case.status == CaseStatus.open, col(Case.id).in_(asking))
            .order_by(col(Case.ref))
        )
    )


def _notice_due(
    view: chronology_store.RequestView, facts: RequestFacts, today: date, working_days: int
) -> Notice | None:
    """What the request is due today, unless it was sent: the late notice from the first day late (for
    ``LATE_NOTICE_DAYS``), the reminder from its day until the due date; nothing once accepted."""
    request, state = view.request, view.standing.state
    if state == "accepted":
        return None
    if state == "late":
        missed = request.late_notice_on is None and (today - request.due_on).days <= LATE_NOTICE_DAYS
        return "late" if missed else None
    starts = reminder_on(facts, working_days)
    return "reminder" if request.reminded_on is None and starts is not None and today >= starts else None


def remind(
    session: Session,
    *,
    today: date,
    base_url: str,
    actor: str = SCHEDULER,
    working_days: int = REMINDER_WORKING_DAYS,
) -> list[Sent]:
    """The day's pass: a reminder from ``working_days`` working days before the due date (until it is
    due) and one notice on the first day late (or the first pass after it, within ``LATE_NOTICE_DAYS``),
    each sent once, to every open case's agencies whose chronology is not accepted. Without ``base_url``
    (no public address is set) nothing is sent or marked: the emails' links would lead nowhere."""
    if not base_url:
        log.warning("chronology.reminders.waiting reason=no_public_url")
        return []
    found = []
    for case in _open_cases_asking(session):
        for view in _views(session, case, today):
            request = view.request
            facts = _facts(session, case, view, base_url)
            notice = _notice_due(view, facts, today, working_days)
            if notice is None or request.id is None:
                continue
            column = ChronologyRequest.late_notice_on if notice == "late" else ChronologyRequest.reminded_on
            if not _claim(session, request.id, column, today):
                continue
            text_for = functools.partial(late_email if notice == "late" else reminder_email, today=today)
            found.append(
                _send(
                    session,
                    case=case,
                    facts=facts,
                    agency_id=request.agency_id,
                    notice=notice,
                    text_for=text_for,
                    actor=actor,
                )
            )
    session.expire_all()  # the claims were written past the session's objects
    return found


def everything_in(session: Session, *, case: Case, actor: str = SCHEDULER) -> int:
    """Note that every agency's chronology for ``case`` is accepted; the lead partnership's commissioners
    linked in Slack are told there (``slack_notices``). How many will be told."""
    linked = sum(person.slack_user_id is not None for person in commissioners(session, case.partnership_id))
    audit.record(
        session,
        "chronology.everything_in",
        case.ref,
        actor=actor,
        entity_type="case",
        after={"commissioners_in_slack": linked},
    )
    return linked


# What the bot tells people in Slack --------------------------------------------------------------------

SlackKind = Literal["request", "reminder", "late", "everything_in"]


@dataclass(frozen=True)
class SlackNotice:
    """One direct message for the bot to send once (``key`` is its claim): the case reference, the agency
    and its due date (none for ``everything_in``) and the page's address. Nothing else."""

    key: str
    kind: SlackKind
    slack_user_id: str
    slack_team_id: str | None
    ref: str
    agency: str | None
    due_on: date | None
    link: str

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "kind": self.kind,
            "slack_user_id": self.slack_user_id,
            "slack_team_id": self.slack_team_id,
            "ref": self.ref,
            "agency": self.agency,
            "due_on": None if self.due_on is None else self.due_on.isoformat(),
            "link": self.link,
        }


def _linked(people: Iterable[User]) -> list[User]:
    return [person for person in people if person.slack_user_id is not None]


def _last_accepted(session: Session, request_ids: list[int]) -> date | None:
    """The day the last of the current accepted files came."""
    times = session.exec(
        select(ChronologyVersion.uploaded_at).where(
            col(ChronologyVersion.request_id).in_(request_ids), col(ChronologyVersion.current).is_(True)
        )
    ).all()
    return clock.local_day(max(times)) if times else None


def slack_notices(session: Session, *, today: date, base_url: str) -> list[SlackNotice]:
    """What the people linked in Slack are to be told, of what was sent within the last ``RELAY_DAYS``:
    each request, reminder and late notice to the agency's contacts, and to the lead partnership's
    commissioners that every agency's chronology is in. The bot sends each once (by its key)."""
    since = today - timedelta(days=RELAY_DAYS)
    found: list[SlackNotice] = []
    for case in _open_cases_asking(session):
        views = _views(session, case, today)
        for view in views:
            request = view.request
            sent: list[tuple[Notice, date | None]] = [
                ("request", request.issued_on),
                ("reminder", request.reminded_on),
                ("late", request.late_notice_on),
            ]
            due = [kind for kind, on in sent if on is not None and on >= since]
            if not due or view.standing.state == "accepted":
                continue
            link = upload_url(base_url, case.ref, request.agency_id)
            for person in _linked(contacts(session, request.agency_id)):
                found += [
                    SlackNotice(
                        key=f"chronology:{kind}:{request.id}:{person.id}",
                        kind=kind,
                        slack_user_id=person.slack_user_id or "",
                        slack_team_id=person.slack_team_id,
                        ref=case.ref,
                        agency=view.agency,
                        due_on=request.due_on,
                        link=link,
                    )
                    for kind in due
                ]
        if not views or any(view.standing.state != "accepted" for view in views):
            continue
        last = _last_accepted(session, [view.request.id for view in views if view.request.id is not None])
        if last is None or last < since:
            continue
        found += [
            SlackNotice(
                key=f"chronology:everything_in:{case.ref}:{len(views)}:{person.id}",
                kind="everything_in",
                slack_user_id=person.slack_user_id or "",
                slack_team_id=person.slack_team_id,
                ref=case.ref,
                agency=None,
                due_on=None,
                link=case_url(base_url, case.ref),
            )
            for person in _linked(commissioners(session, case.partnership_id))
        ]
    return found
