"""A mail server stand-in (aiosmtpd) on 127.0.0.1 and a free port, that keeps every email it accepts and
refuses what a real server refuses: a malformed address, a recipient it does not know (any address at
``REFUSED_DOMAIN``), a message without From, To or Date headers (RFC 5322; large providers turn these
away), and, when it is given ``users``, anything sent without signing in as one.

    with MailStandIn() as mail:
        send(..., settings=Settings(smtp_host=mail.host, smtp_port=mail.port, mail_from=...))
        [received] = mail.received

A module keeps one for its tests (a module-scoped fixture) and calls ``clear()`` before each. Signing in
is without TLS (on the loopback only), which aiosmtpd warns of: a test with ``users`` filters
"Requiring AUTH while not requiring TLS".
"""

from collections.abc import Mapping
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from email_validator import EmailNotValidError, validate_email

HOST = "127.0.0.1"
REFUSED_DOMAIN = "refused.example"
REQUIRED_HEADERS = ("From", "To", "Date")


@dataclass(frozen=True)
class Received:
    """One email the stand-in accepted: the envelope and the message as parsed."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage


class _Handler:
    def __init__(self, received: list[Received]) -> None:
        self.received = received

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        try:
            validate_email(address, check_deliverability=False)
        except EmailNotValidError:
            return "501 5.1.3 Bad recipient address syntax"
        if address.lower().endswith("@" + REFUSED_DOMAIN):
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        missing = [name for name in REQUIRED_HEADERS if message[name] is None]
        if missing:
            return f"550 5.6.0 Message refused: no {', '.join(missing)} header"
        assert isinstance(message, EmailMessage)
        self.received.append(Received(envelope.mail_from, tuple(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


class _Authenticator:
    def __init__(self, users: Mapping[str, str]) -> None:
        self.users = users

    def __call__(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        known = (
            isinstance(data, LoginPassword) and self.users.get(data.login.decode()) == data.password.decode()
        )
        return AuthResult(success=known, handled=False)  # not handled: the server answers 535


class _Controller(Controller):
    """aiosmtpd's controller, listening on whatever free port the system gives (port 0)."""

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class MailStandIn:
    """The stand-in server: ``host`` and ``port`` to send to, ``received`` what it accepted."""

    def __init__(self, users: Mapping[str, str] | None = None) -> None:
        self.received: list[Received] = []
        auth: dict[str, Any] = (
            {"authenticator": _Authenticator(users), "auth_required": True, "auth_require_tls": False}
            if users
            else {}
        )
        self._controller = _Controller(_Handler(self.received), hostname=HOST, port=0, **auth)

    @property
    def host(self) -> str:
        return HOST

    @property
    def port(self) -> int:
        return self._controller.port

    def clear(self) -> None:
        self.received.clear()

    def __enter__(self) -> "MailStandIn":
        self._controller.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._controller.stop()
