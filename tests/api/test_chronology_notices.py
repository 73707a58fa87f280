"""Chronology notices by email, to the mail server stand-in: the request reaches each of the agency's active
contacts with the case reference, agency, due date and upload page only (no letter attached, nothing of
the family); the reminder and the late notice go once however many passes run, in however many sessions;
and the lists of what the people linked in Slack are to be told."""

import json
from collections.abc import Iterator
from datetime import date, timedelta
from email.message import EmailMessage

import pytest
from factories import add_person, case, hackney, with_terms
from mail_standin import MailStandIn
from sqlmodel import Session, select

from commissioning import chronology_store
from commissioning.chronology.dates import long_date
from commissioning.chronology.requests import reminder_on
from commissioning.models import Case, ChronologyRequest
from core import clock
from core.audit import AuditEvent
from service import chronologies, daily_jobs
from service import chronology_notices as notices
from service.models import Role

ISSUED = date(2026, 12, 1)  # a Tuesday; 20 working days on, over Christmas: Thursday 31 December
DUE = date(2026, 12, 31)
BASE = "https://reviews.example.org"
SENDER = "Hackney Safeguarding Children Partnership <reviews@hackney-scp.example>"
# What the case holds about the family, and its period: none of it goes in an email.
FAMILY = ("domestic abuse", "substance", "Somali", "2025", "November", "incident")


def _as_read(message: EmailMessage) -> str:
    """An email as a person reads it: its headers and its text. Not its Message-ID, whose random digits
    once held "2025"."""
    headers = [f"{name}: {value}" for name, value in message.items() if name != "Message-ID"]
    return "\n".join([*headers, message.get_content()])


GOOD = (
    "Date,Time,Source of information,Event,Practitioner role\n"
    "03/02/2026,09:30,GP notes,Mother brought Child A to the surgery with a bruise,GP\n"
)


@pytest.fixture(scope="module")
def server() -> Iterator[MailStandIn]:
    with MailStandIn() as standin:
        yield standin


@pytest.fixture
def mailbox(server: MailStandIn, environment) -> MailStandIn:  # type: ignore[no-untyped-def]
    """The stand-in, emptied, as the service's mail server."""
    server.clear()
    environment(SCR_SMTP_HOST=server.host, SCR_SMTP_PORT=str(server.port), SCR_MAIL_FROM=SENDER)
    return server


@pytest.fixture
def asked(session: Session) -> Case:
    """A Hackney case with terms of reference, its agencies' contacts (the police's two, one linked in
    Slack, and one who left), a linked commissioner, and every agency asked on ``ISSUED``."""
    hackney(session)
    case_id = case(
        session,
        "HAC-2026-0101",
        incident_date="2026-11-02",
        domestic_abuse=True,
        parental_substance_misuse=True,
        family_languages=["somali"],
    )
    with_terms(session, case_id)
    contact = {"role": Role.agency_contact, "actor": "test"}
    add_person(session, email="sam@police.example", display_name="Sam Okafor", agency="met-police", **contact)
    add_person(session, email="jo@police.example", agency="met-police", slack_user_id="U0JO", **contact)
    gone, _ = add_person(session, email="gone@police.example", agency="met-police", **contact)
    gone.active = False
    add_person(session, email="ana@hackney.example", agency="hackney-csc", slack_user_id="U0ANA", **contact)
    add_person(session, email="c@board.example.org", role=Role.commissioner, actor="t", slack_user_id="U0COM")
    add_person(session, email="chair@board.example.org", role=Role.chair, actor="t", slack_user_id="U0CHAIR")
    session.commit()
    found = session.get_one(Case, case_id)
    chronologies.issue(session, case=found, actor="c@board.example.org", today=ISSUED)
    session.commit()
    return found


def _request(session: Session, agency_id: str) -> ChronologyRequest:
    return session.exec(select(ChronologyRequest).where(ChronologyRequest.agency_id == agency_id)).one()


def _events(session: Session, action: str) -> list[AuditEvent]:
    return list(session.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def _upload(session: Session, found: Case, agency_id: str) -> None:
    chronology_store.upload(
        session=session,
        case=found,
        request=_request(session, agency_id),
        filename="chronology.csv",
        data=GOOD.encode(),
        actor="contact",
    )
    session.commit()


def test_the_request_email_carries_the_reference_agency_due_date_and_page_to_each_active_contact(
    session: Session, asked: Case, mailbox: MailStandIn
) -> None:
    police = _request(session, "met-police")
    [sent] = notices.requested(
        session, case=asked, requests=[police], base_url=BASE, actor="c@board.example.org"
    )
    session.commit()

    page = f"{BASE}/admin/chronologies/HAC-2026-0101/met-police"
    assert sent.to_json() == {
        "agency": "Metropolitan Police Service",
        "notice": "request",
        "emailed": 2,
        "email": "sent",
        "slack": 1,
        "problems": [],
    }
    assert sorted(r.rcpt_tos for r in mailbox.received) == [("jo@police.example",), ("sam@police.example",)]
    sam = next(r.message for r in mailbox.received if r.rcpt_tos == ("sam@police.example",))
    assert str(sam["To"]) == "Sam Okafor <sam@police.example>"
    assert str(sam["Subject"]).strip() == (
        f"Chronology request, case HAC-2026-0101: Metropolitan Police Service, due {long_date(DUE)}"
    )
    assert list(sam.iter_attachments()) == []  # the letter is read on the upload page, after signing in
    body = sam.get_content()
    assert body.startswith("Dear Sam Okafor,") and "attached" not in body
    assert f"Upload page: {page}" in body and "Case reference: HAC-2026-0101" in body
    assert "Due by: Thursday 31 December 2026" in body
    everything = "\n".join(_as_read(r.message) for r in mailbox.received)
    assert not [word for word in FAMILY if word.lower() in everything.lower()]

    [event] = _events(session, "chronology.notice")
    assert event.actor == "c@board.example.org" and event.entity_id == "HAC-2026-0101"
    assert event.after == {
        "agency": "met-police",
        "notice": "request",
        "contacts": 2,
        "emailed": 2,
        "failed": 0,
        "email": "sent",
        "slack": 1,
    }
    assert "@" not in json.dumps(event.after)


def test_a_refused_address_is_said_in_words_and_counted_without_it(
    session: Session, asked: Case, mailbox: MailStandIn
) -> None:
    add_person(session, email="x@refused.example", role=Role.agency_contact, actor="t", agency="homerton")
    session.commit()
    [sent] = notices.requested(session, case=asked, requests=[_request(session, "homerton")], base_url=BASE)
    assert (sent.email, sent.emailed, sent.failed) == ("failed", 0, 1)
    assert "refused the address x@refused.example" in sent.problems[0]
    assert "@" not in json.dumps(_events(session, "chronology.notice")[0].after)


def test_without_a_mail_server_the_notice_is_recorded_as_not_emailed(session: Session, asked: Case) -> None:
    [sent] = notices.requested(session, case=asked, requests=[_request(session, "met-police")], base_url=BASE)
    assert sent.email == "off" and sent.emailed == 0
    assert _events(session, "chronology.notice")[0].after["email"] == "off"


def test_the_reminder_and_the_late_notice_go_once_however_many_passes_and_sessions(
    session: Session, engine, asked: Case, mailbox: MailStandIn
) -> None:
    _upload(session, asked, "hackney-csc")  # accepted: never reminded
    police = _request(session, "met-police")
    view = next(
        v for v in chronology_store.request_views(session, case=asked, today=ISSUED) if v.request is police
    )
    day = reminder_on(chronologies.request_facts(session, case=asked, view=view, upload_url=BASE))
    assert day == date(2026, 12, 22)  # five working days before the 31st: Christmas and Boxing Day are off

    assert notices.remind(session, today=day - timedelta(days=1), base_url=BASE) == []
    reminded = notices.remind(session, today=day, base_url=BASE)
    session.commit()
    assert sorted((s.agency, s.notice, s.emailed) for s in reminded) == [
        ("Homerton Healthcare NHS Trust", "reminder", 0),  # no contact: nobody to email
        ("Metropolitan Police Service", "reminder", 2),
    ]
    for later in (day, day + timedelta(days=1), DUE):  # the same day again, in another session, and after
        with Session(engine) as other:
            assert notices.remind(other, today=later, base_url=BASE) == []
            other.commit()

    late = notices.remind(session, today=DUE + timedelta(days=1), base_url=BASE)
    session.commit()
    assert [(s.agency, s.notice) for s in late] == [
        ("Homerton Healthcare NHS Trust", "late"),
        ("Metropolitan Police Service", "late"),
    ]
    with Session(engine) as other:
        assert notices.remind(other, today=DUE + timedelta(days=2), base_url=BASE) == []

    subjects = sorted(str(r.message["Subject"]).strip() for r in mailbox.received)
    assert subjects == [
        "Overdue: chronology for case HAC-2026-0101 was due 31 December 2026",
        "Overdue: chronology for case HAC-2026-0101 was due 31 December 2026",
        "Reminder: chronology for case HAC-2026-0101 due in 9 days (31 December 2026)",
        "Reminder: chronology for case HAC-2026-0101 due in 9 days (31 December 2026)",
    ]
    session.expire_all()
    police = _request(session, "met-police")
    assert (police.reminded_on, police.late_notice_on) == (day, DUE + timedelta(days=1))
    assert _request(session, "hackney-csc").reminded_on is None
    notes = [(e.after["agency"], e.after["notice"]) for e in _events(session, "chronology.notice")]
    assert sorted(notes) == sorted(
        [("homerton", "reminder"), ("met-police", "reminder"), ("homerton", "late"), ("met-police", "late")]
    )


def test_a_late_notice_the_passes_missed_for_a_week_is_not_sent_and_nothing_goes_without_an_address(
    session: Session, asked: Case, mailbox: MailStandIn
) -> None:
    assert notices.remind(session, today=DUE + timedelta(days=1), base_url="") == []
    assert _request(session, "met-police").late_notice_on is None
    assert notices.remind(session, today=DUE + timedelta(days=8), base_url=BASE) == []
    assert mailbox.received == []


def test_slack_hears_of_what_was_sent_to_the_linked_only_and_commissioners_when_everything_is_in(
    session: Session, asked: Case
) -> None:
    listed = notices.slack_notices(session, today=ISSUED, base_url=BASE)
    assert sorted((n.slack_user_id, n.kind, n.agency) for n in listed) == [
        ("U0ANA", "request", "Hackney Children's Social Care"),
        ("U0JO", "request", "Metropolitan Police Service"),
    ]
    assert listed[0].to_json()["link"].startswith(f"{BASE}/admin/chronologies/HAC-2026-0101/")
    assert notices.slack_notices(session, today=ISSUED + timedelta(days=8), base_url=BASE) == []  # a week on

    notices.remind(session, today=DUE + timedelta(days=1), base_url=BASE)
    kinds = {
        (n.slack_user_id, n.kind)
        for n in notices.slack_notices(session, today=DUE + timedelta(days=1), base_url=BASE)
    }
    assert kinds == {("U0ANA", "late"), ("U0JO", "late")}

    for agency_id in ("hackney-csc", "met-police", "homerton"):
        _upload(session, asked, agency_id)
    today = clock.today()  # the files were accepted now
    [told] = notices.slack_notices(session, today=today, base_url=BASE)
    assert told.to_json() == {
        "key": f"chronology:everything_in:HAC-2026-0101:3:{told.key.rsplit(':', 1)[1]}",
        "kind": "everything_in",
        "slack_user_id": "U0COM",
        "slack_team_id": None,
        "ref": "HAC-2026-0101",
        "agency": None,
        "due_on": None,
        "link": f"{BASE}/admin/cases/HAC-2026-0101",
    }
    assert notices.everything_in(session, case=asked, actor="contact") == 1
    [event] = _events(session, "chronology.everything_in")
    assert event.after == {"commissioners_in_slack": 1}


def test_issuing_through_the_api_emails_the_new_requests_once(
    session: Session,
    mailbox: MailStandIn,
    client,
    commissioner,
    environment,  # type: ignore[no-untyped-def]
) -> None:
    hackney(session)
    case_id = case(session, "HAC-2026-0102", agencies=("met-police",), incident_date="2026-11-02")
    with_terms(session, case_id)
    add_person(session, email="sam@police.example", role=Role.agency_contact, agency="met-police", actor="t")
    session.commit()
    environment(SCR_PUBLIC_URL=BASE)
    url = "/api/v1/cases/HAC-2026-0102/chronology/requests"
    assert client.post(url, headers=commissioner.headers).status_code == 201
    [sent] = mailbox.received
    assert f"{BASE}/admin/chronologies/HAC-2026-0102/met-police" in sent.message.get_content()
    assert client.post(url, headers=commissioner.headers).json()["requests"] == []  # asked once, told once
    assert len(mailbox.received) == 1


def test_the_services_own_loop_sends_the_reminders_once_and_none_without_an_address(
    session: Session,
    engine,
    asked: Case,
    mailbox: MailStandIn,
    environment,  # type: ignore[no-untyped-def]
) -> None:
    reminding = date(2026, 12, 22)
    assert (
        daily_jobs.remind_agencies(engine, today=reminding) == 0
    )  # no public address: nothing, nothing marked
    environment(SCR_PUBLIC_URL=BASE)
    assert daily_jobs.remind_agencies(engine, today=reminding) == 3  # each agency's request
    assert daily_jobs.remind_agencies(engine, today=reminding) == 0  # another look, or another replica
    assert sorted(r.rcpt_tos for r in mailbox.received) == [
        ("ana@hackney.example",),
        ("jo@police.example",),
        ("sam@police.example",),
    ]
