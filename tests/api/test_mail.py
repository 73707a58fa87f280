"""Email to agency contacts, sent to a local mail server stand-in: the request with its letter attached,
the reminder and the late notice arrive with the right headers and nothing about the family; every way a
mail server refuses is answered as a failure in words, logged, and never raised."""

import logging
import smtplib
import socket
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from mail_standin import MailStandIn
from pydantic import ValidationError

from commissioning.chronology import letters, requests
from commissioning.chronology.requests import EmailText, RequestFacts
from service import mail
from service.settings import Settings

SENDER = "Hackney Safeguarding Children Partnership <reviews@hackney-scp.example>"
CONTACT = "sam.okafor@police.example"
FEATURES = {"domestic_abuse": True, "parental_substance_misuse": True, "family_languages": ["somali"]}
REQUEST = RequestFacts(
    case_ref="HAC-2026-0001",
    partnership="Hackney Safeguarding Children Partnership",
    agency="County Police",
    agency_kind="police",
    period=requests.default_period(date(2026, 3, 4), date(2026, 12, 14)),
    questions=requests.request_questions("police", FEATURES),
    issued_on=date(2026, 12, 14),
    due_on=requests.due_on(date(2026, 12, 14)),
    upload_url="https://reviews.example.org/pages/requests/17",
    contact="Sam Okafor",
)


# What the request knows of the case beyond its reference: its themes and its period.
def subject(message: Any) -> str:
    """The subject as a mail client shows it: a subject that fits a line of its own is folded onto one
    ("Subject:" CRLF SP ...), and Python's parser, unlike a mail client, keeps that line's leading space."""
    return str(message["Subject"]).strip()


FAMILY = ("domestic abuse", "substance", "Somali", "March 2025", "March 2026", "4 March")


@pytest.fixture(scope="module")
def server() -> Iterator[MailStandIn]:
    with MailStandIn() as standin:
        yield standin


@pytest.fixture
def standin(server: MailStandIn) -> MailStandIn:
    server.clear()
    return server


def settings_for(standin: MailStandIn, **more: Any) -> Settings:
    return Settings(_env_file=None, smtp_host=standin.host, smtp_port=standin.port, mail_from=SENDER, **more)


def test_the_request_arrives_with_its_letter_and_nothing_about_the_family(standin: MailStandIn) -> None:
    pdf = letters.letter_pdf(REQUEST)
    delivery = mail.send(
        CONTACT,
        requests.request_email(REQUEST),
        name=REQUEST.contact,
        attachments=(mail.Attachment(letters.filename(REQUEST, "pdf"), pdf),),
        reply_to="reviews-team@hackney-scp.example",
        settings=settings_for(standin),
    )
    assert delivery.sent and delivery.message == f"The email was sent to {CONTACT}."
    [received] = standin.received
    assert received.mail_from == "reviews@hackney-scp.example"
    assert received.rcpt_tos == (CONTACT,)
    message = received.message
    assert message["From"] == SENDER
    assert message["To"] == f"Sam Okafor <{CONTACT}>"
    assert message["Reply-To"] == "reviews-team@hackney-scp.example"
    assert subject(message) == "Chronology request, case HAC-2026-0001: County Police, due 14 January 2027"
    assert message["Message-ID"] == delivery.message_id and delivery.message_id.endswith(
        "@hackney-scp.example>"
    )
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Date"].datetime.tzinfo is not None
    body = message.get_body(("plain",)).get_content().replace("\r\n", "\n")  # as sent: CRLF
    assert body == requests.request_email(REQUEST).body
    [attached] = list(message.iter_attachments())
    assert attached.get_content_type() == "application/pdf"
    assert attached.get_filename() == "chronology-request-HAC-2026-0001-county-police.pdf"
    assert attached.get_content() == pdf
    for detail in FAMILY:
        assert detail not in body and detail not in subject(message)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            requests.reminder_email(REQUEST, date(2027, 1, 7)),
            "Reminder: chronology for case HAC-2026-0001 due in 7 days (14 January 2027)",
        ),
        (
            requests.late_email(REQUEST, date(2027, 1, 18)),
            "Overdue: chronology for case HAC-2026-0001 was due 14 January 2027",
        ),
    ],
)
def test_reminders_and_late_notices_arrive_bare(standin: MailStandIn, text: EmailText, expected: str) -> None:
    assert mail.send(CONTACT, text, settings=settings_for(standin)).sent
    [received] = standin.received
    assert subject(received.message) == expected
    assert received.message["To"] == CONTACT
    assert not received.message.is_multipart()
    body = received.message.get_content()
    assert REQUEST.upload_url in body and "HAC-2026-0001" in body and "County Police" in body
    for detail in FAMILY:
        assert detail not in body


def test_a_name_with_a_line_break_cannot_add_a_header(standin: MailStandIn) -> None:
    text = EmailText("Chronology request", "Body\n")
    assert mail.send(
        CONTACT, text, name="Sam\r\nBcc: someone@else.example", settings=settings_for(standin)
    ).sent
    [received] = standin.received
    assert received.rcpt_tos == (CONTACT,) and received.message["Bcc"] is None


def test_without_a_mail_server_nothing_is_sent_and_the_answer_says_so() -> None:
    settings = Settings(_env_file=None, smtp_host="")
    assert not mail.enabled(settings)
    delivery = mail.send(CONTACT, requests.request_email(REQUEST), settings=settings)
    assert delivery.status == "off" and not delivery.sent
    assert "SCR_SMTP_HOST" in delivery.message


def failed(delivery: mail.Delivery) -> str:
    assert delivery.status == "failed" and not delivery.message_id
    return delivery.message


def test_a_refused_recipient_is_a_failure_in_words_logged_by_domain_only(
    standin: MailStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="service.mail"):
        delivery = mail.send(
            "nobody@refused.example", requests.request_email(REQUEST), settings=settings_for(standin)
        )
    assert failed(delivery) == (
        "No email was sent: the mail server refused the address nobody@refused.example (550 5.1.1 "
        "<nobody@refused.example>: Recipient address rejected: User unknown)."
    )
    assert standin.received == []
    [line] = caplog.records
    assert line.levelno == logging.WARNING
    assert (
        line.getMessage()
        == "mail.failed to_domain=refused.example reason=the mail server refused the recipient (550)"
    )


def test_an_address_that_is_not_one_is_refused_before_anything_is_sent(standin: MailStandIn) -> None:
    delivery = mail.send(
        "sam okafor at police", requests.request_email(REQUEST), settings=settings_for(standin)
    )
    assert failed(delivery).startswith("No email was sent: 'sam okafor at police' is not an email address")
    assert standin.received == []
    with pytest.raises(mail.BadAddress):
        mail.compose(requests.request_email(REQUEST), "no-at-sign", settings=settings_for(standin))


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_mail_server_that_is_down_is_a_failure_logged_for_the_operator(
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = Settings(_env_file=None, smtp_host="127.0.0.1", smtp_port=closed_port(), mail_from=SENDER)
    with caplog.at_level(logging.ERROR, logger="service.mail"):
        delivery = mail.send(CONTACT, requests.request_email(REQUEST), settings=settings)
    assert failed(delivery).startswith(
        f"No email was sent: the mail server at 127.0.0.1:{settings.smtp_port}"
    )
    assert "could not be reached" in delivery.message
    assert [record.levelno for record in caplog.records] == [logging.ERROR]


def test_starttls_asked_of_a_server_without_it_is_a_failure(standin: MailStandIn) -> None:
    delivery = mail.send(
        CONTACT, requests.request_email(REQUEST), settings=settings_for(standin, smtp_starttls=True)
    )
    assert "does not support what the settings ask: STARTTLS extension not supported" in failed(delivery)
    assert failed(delivery).endswith("server.")


@pytest.mark.filterwarnings(
    "ignore:Requiring AUTH while not requiring TLS"
)  # the stand-in's loopback sign-in
def test_signing_in(caplog: pytest.LogCaptureFixture) -> None:
    text = requests.reminder_email(REQUEST, date(2027, 1, 7))
    with MailStandIn(users={"scr-mailer": "right-password"}) as guarded:
        wrong = settings_for(guarded, smtp_username="scr-mailer", smtp_password="wrong")
        assert "refused the sign-in (535 5.7.8" in failed(mail.send(CONTACT, text, settings=wrong))
        assert "asks for a sign-in" in failed(mail.send(CONTACT, text, settings=settings_for(guarded)))
        right = settings_for(guarded, smtp_username="scr-mailer", smtp_password="right-password")
        assert mail.send(CONTACT, text, settings=right).sent
        assert [subject(r.message) for r in guarded.received] == [text.subject]


def test_a_sender_the_server_refuses_is_a_failure_naming_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(message: Any, settings: Settings) -> None:
        raise smtplib.SMTPSenderRefused(553, b"5.7.1 Sender address rejected", "reviews@hackney-scp.example")

    monkeypatch.setattr(mail, "_transmit", refuse)
    settings = Settings(_env_file=None, smtp_host="mail.example", mail_from=SENDER)
    assert failed(mail.send(CONTACT, requests.request_email(REQUEST), settings=settings)) == (
        "No email was sent: the mail server refused the sender reviews@hackney-scp.example "
        "(553 5.7.1 Sender address rejected): check SCR_MAIL_FROM."
    )


def test_a_message_the_server_refuses_is_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(message: Any, settings: Settings) -> None:
        raise smtplib.SMTPDataError(552, "5.3.4 Message size exceeds fixed limit")

    monkeypatch.setattr(mail, "_transmit", refuse)
    settings = Settings(_env_file=None, smtp_host="mail.example", mail_from=SENDER)
    assert failed(mail.send(CONTACT, requests.request_email(REQUEST), settings=settings)) == (
        "No email was sent: the mail server refused the email (552 5.3.4 Message size exceeds fixed limit)."
    )


# The settings ---------------------------------------------------------------------------------------


def test_a_mail_server_without_a_sender_is_refused_at_start_up() -> None:
    with pytest.raises(ValidationError, match="SCR_MAIL_FROM must be the address"):
        Settings(_env_file=None, smtp_host="mail.example")
    with pytest.raises(ValidationError, match="SCR_MAIL_FROM must be the address"):
        Settings(_env_file=None, smtp_host="mail.example", mail_from="Safeguarding Partnership")


def test_a_password_that_would_cross_the_network_in_clear_is_refused_at_start_up() -> None:
    with pytest.raises(ValidationError, match="without SCR_SMTP_STARTTLS"):
        Settings(_env_file=None, smtp_host="mail.example", mail_from=SENDER, smtp_username="scr")
    for local in ("localhost", "127.0.0.1", "::1"):
        assert Settings(_env_file=None, smtp_host=local, mail_from=SENDER, smtp_username="scr").smtp_username
    assert Settings(
        _env_file=None, smtp_host="mail.example", mail_from=SENDER, smtp_username="scr", smtp_starttls=True
    ).smtp_starttls


# The stand-in refuses what a real server refuses ------------------------------------------------------


def test_the_standin_refuses_bad_addresses_and_headerless_messages(standin: MailStandIn) -> None:
    with smtplib.SMTP(standin.host, standin.port, timeout=5) as client:
        with pytest.raises(smtplib.SMTPRecipientsRefused) as bad:
            client.sendmail("reviews@hackney-scp.example", ["not an address"], b"From: a@b.example\r\n\r\nx")
        assert bad.value.recipients["not an address"][0] == 501
        with pytest.raises(smtplib.SMTPDataError) as headerless:
            client.sendmail("reviews@hackney-scp.example", [CONTACT], b"Subject: hello\r\n\r\nx")
        assert (
            headerless.value.smtp_code == 550 and b"no From, To, Date header" in headerless.value.smtp_error
        )
    assert standin.received == []
