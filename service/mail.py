"""Email to agency contacts, who work in Outlook and Teams rather than the board's Slack: chronology
requests (the letter stays on the upload page), reminders and late notices, through the mail server the
settings name.

The standard library does the work: ``email.message.EmailMessage`` composes (headers encoded, the PDF
attached as MIME), ``smtplib`` sends, with STARTTLS and a sign-in when set. Email is optional: without
``SCR_SMTP_HOST`` nothing is sent and the answer says so. Sending never raises: a server that is down,
refuses the sign-in, the sender or the recipient is logged and answered as a failed ``Delivery`` whose
words an administrator can act on, so whatever sent it stores its request either way and shows why the
email did not go. The texts come from ``commissioning.chronology.requests``, which puts nothing about the
family in them; this module adds only the addresses.
"""

import logging
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Literal

from email_validator import EmailNotValidError, validate_email

from commissioning.chronology.requests import EmailText
from core.clock import utcnow
from service.settings import Settings, get_settings

log = logging.getLogger("service.mail")

TIMEOUT_SECONDS = 20  # a mail server slower than this to answer is as good as down
PDF = "application/pdf"


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    content_type: str = PDF


@dataclass(frozen=True)
class Delivery:
    """What became of an email: ``sent``, ``off`` (no mail server is set) or ``failed``, with a sentence
    saying so for the person who asked for it to be sent."""

    status: Literal["sent", "off", "failed"]
    message: str
    message_id: str = ""

    @property
    def sent(self) -> bool:
        return self.status == "sent"


class BadAddress(ValueError):
    """An address that cannot be written on an email; its message says why, for a person."""


def enabled(settings: Settings | None = None) -> bool:
    """Whether the service sends email at all (``SCR_SMTP_HOST`` is set)."""
    return bool((settings or get_settings()).smtp_host.strip())


def compose(
    text: EmailText,
    to: str,
    *,
    name: str | None = None,
    attachments: Sequence[Attachment] = (),
    reply_to: str | None = None,
    settings: Settings | None = None,
) -> EmailMessage:
    """The email as it will be sent: from ``SCR_MAIL_FROM`` to ``to`` (addressed to ``name`` if given),
    marked as sent automatically (RFC 3834) so out-of-office replies do not answer it, dated and with a
    message id of the sender's domain. Raises ``BadAddress`` for an address that cannot be written."""
    settings = settings or get_settings()
    sender = parseaddr(settings.mail_from)[1]
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = _address(to, name)
    if reply_to:
        message["Reply-To"] = _address(reply_to, None)
    message["Subject"] = text.subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text.body)
    for attachment in attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        message.add_attachment(
            attachment.content, maintype=maintype, subtype=subtype, filename=attachment.filename
        )
    return message


def _address(address: str, name: str | None) -> Address:
    try:
        checked = validate_email(address.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise BadAddress(f"{address!r} is not an email address: {error}") from None
    display = " ".join((name or "").split())
    return Address(display_name=display, addr_spec=checked.normalized)


def send(
    to: str,
    text: EmailText,
    *,
    name: str | None = None,
    attachments: Sequence[Attachment] = (),
    reply_to: str | None = None,
    settings: Settings | None = None,
) -> Delivery:
    """Send one email; never raises. The answer says whether it went and, if not, why."""
    settings = settings or get_settings()
    if not enabled(settings):
        log.info("mail.off subject=%r", text.subject)
        return Delivery("off", "No email was sent: the service has no mail server set (SCR_SMTP_HOST).")
    try:
        message = compose(text, to, name=name, attachments=attachments, reply_to=reply_to, settings=settings)
    except BadAddress as refused:
        log.warning("mail.bad_address")  # not the address: it may be a person's, mistyped
        return Delivery("failed", f"No email was sent: {refused}")
    domain = to.rpartition("@")[2]
    try:
        _transmit(message, settings)
    except smtplib.SMTPRecipientsRefused as error:
        code, reply = next(iter(error.recipients.values()))
        said = f"the mail server refused the address {to} ({_said(code, reply)})"
        return _failed(said, domain, logged=f"the mail server refused the recipient ({code})")
    except smtplib.SMTPAuthenticationError as error:
        return _failed(
            f"the mail server refused the sign-in ({_said(error.smtp_code, error.smtp_error)}): check "
            "SCR_SMTP_USERNAME and SCR_SMTP_PASSWORD",
            domain,
            config=True,
        )
    except smtplib.SMTPSenderRefused as error:
        if error.smtp_code == 530:  # "authentication required", answered to MAIL FROM
            return _failed(
                "the mail server asks for a sign-in: set SCR_SMTP_USERNAME and SCR_SMTP_PASSWORD",
                domain,
                config=True,
            )
        return _failed(
            f"the mail server refused the sender {error.sender} "
            f"({_said(error.smtp_code, error.smtp_error)}): check SCR_MAIL_FROM",
            domain,
            config=True,
        )
    except smtplib.SMTPResponseException as error:
        return _failed(
            f"the mail server refused the email ({_said(error.smtp_code, error.smtp_error)})", domain
        )
    except smtplib.SMTPNotSupportedError as error:
        return _failed(
            f"the mail server does not support what the settings ask: {error}", domain, config=True
        )
    except (smtplib.SMTPException, OSError) as error:
        where = f"{settings.smtp_host}:{settings.smtp_port}"
        return _failed(f"the mail server at {where} could not be reached ({error})", domain, config=True)
    log.info("mail.sent to_domain=%s message_id=%s", domain, message["Message-ID"])
    return Delivery("sent", f"The email was sent to {to}.", message["Message-ID"])


def _transmit(message: EmailMessage, settings: Settings) -> None:
    with smtplib.SMTP(settings.smtp_host.strip(), settings.smtp_port, timeout=TIMEOUT_SECONDS) as smtp:
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password.get_secret_value())
        smtp.send_message(message)


def _said(code: int, reply: bytes | str) -> str:
    """What the server answered, as it said it: ``550 5.1.1 User unknown``."""
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return f"{code} {' '.join(text.split())}"


def _failed(reason: str, domain: str, *, config: bool = False, logged: str | None = None) -> Delivery:
    """Log the failure (an error when the settings are at fault, for the operator to fix; a warning when
    only this email is) and answer it. Only the recipient's domain is logged, never the address: a
    reason that would quote it is logged as ``logged``."""
    (log.error if config else log.warning)("mail.failed to_domain=%s reason=%s", domain, logged or reason)
    return Delivery("failed", f"No email was sent: {reason.rstrip('.')}.")
