"""A request to one agency for its chronology and report: when it is due, what it asks, what its letter
says and what the emails carrying it say.

Pure: plain data in, plain data out (``letters`` lays the letter out as DOCX and PDF; the service stores
and sends). The questions are the terms of reference's own for the agency (``terms_people``) and the
default period the terms propose (``terms.proposed_period``), never retyped. The letter names the case by
its reference only. The emails carry the case reference, the agency, the due date and the link: nothing
about the family, so a forwarded or misdirected email tells its reader nothing of the case.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from commissioning.calendar import add_working_days, is_working_day
from commissioning.chronology import columns as cols
from commissioning.chronology.columns import Column
from commissioning.chronology.dates import WEEKDAY_NAMES, Period, long_date
from commissioning.terms import proposed_period
from commissioning.terms_people import agency_questions, every_agency_question
from core.errors import Invalid

__all__ = [
    "DUE_WORKING_DAYS",
    "REMINDER_WORKING_DAYS",
    "EmailText",
    "Letter",
    "Part",
    "RequestFacts",
    "agency_questions",
    "day_in_words",
    "default_period",
    "due_on",
    "late_email",
    "letter",
    "reminder_email",
    "reminder_on",
    "request_email",
    "request_questions",
]

DUE_WORKING_DAYS = 20  # local policy; the common practice for an agency's chronology and report
REMINDER_WORKING_DAYS = 5  # a week's notice: time to chase a chronology still in someone's drafts
_WEB_ADDRESS = re.compile(r"https?://\S+\Z")


@dataclass(frozen=True)
class RequestFacts:
    """What a request says: which case and agency, the period, the agency's questions, when it was issued
    and is due, the chronology's columns, who it is addressed to (if a name is known) and the address of
    the page the agency uploads to (where the template is downloaded too)."""

    case_ref: str
    partnership: str
    agency: str
    agency_kind: str
    period: Period
    questions: tuple[str, ...]
    issued_on: date
    due_on: date
    upload_url: str
    columns: tuple[Column, ...] = field(default=cols.STANDARD)
    contact: str | None = None

    def __post_init__(self) -> None:
        problems = [
            message
            for wrong, message in (
                (not self.case_ref.strip(), "A request needs the case reference."),
                (not self.partnership.strip(), "A request needs the name of the partnership making it."),
                (not self.agency.strip(), "A request needs the name of the agency it is made to."),
                (
                    self.period.end < self.period.start,
                    f"The period under review ends ({long_date(self.period.end)}) before it starts "
                    f"({long_date(self.period.start)}).",
                ),
                (not self.questions, "A request needs at least one question for the agency to answer."),
                (
                    self.due_on <= self.issued_on,
                    f"The due date ({long_date(self.due_on)}) must come after the day the request is "
                    f"issued ({long_date(self.issued_on)}).",
                ),
                (
                    not _WEB_ADDRESS.match(self.upload_url),
                    "A request needs the web address of the page the agency uploads to, starting https://.",
                ),
            )
            if wrong
        ]
        if problems:
            raise Invalid(" ".join(problems), [{"msg": message} for message in problems])


@dataclass(frozen=True)
class Part:
    """One part of the letter under its heading: paragraphs, then points, then a table of the chronology's
    columns (heading, what to write)."""

    heading: str
    paragraphs: tuple[str, ...] = ()
    points: tuple[str, ...] = ()
    table: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Letter:
    """The request letter, as every format says it."""

    title: str
    running_head: str
    details: tuple[tuple[str, str], ...]  # (label, value): the letter's heading block
    opening: tuple[str, ...]
    parts: tuple[Part, ...]
    closing: tuple[str, ...]

    def text(self) -> list[str]:
        """Every line of the letter in reading order: what a person reading any format reads."""
        lines = [self.title, *(f"{label}: {value}" for label, value in self.details), *self.opening]
        for part in self.parts:
            lines += [part.heading, *part.paragraphs, *part.points]
            lines += [f"{name}: {what}" for name, what in part.table]
        return [*lines, *self.closing]


@dataclass(frozen=True)
class EmailText:
    """An email's subject and plain-text body."""

    subject: str
    body: str


# Dates ---------------------------------------------------------------------------------------------


def due_on(issued_on: date, working_days: int = DUE_WORKING_DAYS) -> date:
    """The day a request issued on ``issued_on`` is due: ``working_days`` working days later, skipping
    weekends and England's bank holidays."""
    if working_days < 1:
        raise Invalid(f"An agency needs at least one working day to answer a request, not {working_days}.")
    return add_working_days(issued_on, working_days)


def reminder_on(facts: RequestFacts, working_days: int = REMINDER_WORKING_DAYS) -> date | None:
    """The working day ``working_days`` working days before the due date, when the reminder goes; None
    when that is not after the day the request was issued (the request itself is the reminder then)."""
    day, left = facts.due_on, working_days
    while left > 0:
        day -= timedelta(days=1)
        left -= is_working_day(day)
    return day if day > facts.issued_on else None


def default_period(incident: date | None, today: date) -> Period:
    """The period the terms of reference propose when the case sets none: the usual months before the
    incident, to the incident. Without an incident date (or with one after today, a slip of the keyboard)
    the same length of time up to today."""
    end = incident if incident is not None and incident <= today else today
    return Period(*proposed_period(end))


def day_in_words(day: date) -> str:
    """``date(2026, 7, 3)`` -> ``Friday 3 July 2026``."""
    return f"{WEEKDAY_NAMES[day.weekday()]} {long_date(day)}"


# What is asked -------------------------------------------------------------------------------------


def request_questions(kind: str, features: Mapping[str, Any]) -> tuple[str, ...]:
    """What a request asks an agency of ``kind``: the question the terms put to every agency, then the
    agency's own, exactly as its section of the terms of reference lists them."""
    return (every_agency_question(), *agency_questions(kind, features))


def letter(facts: RequestFacts) -> Letter:
    """The request letter: what to send, about which period, answering which questions, by when and how."""
    due = day_in_words(facts.due_on)
    to = f"{facts.contact}, {facts.agency}" if facts.contact else facts.agency
    return Letter(
        title="Request for your agency's chronology and report",
        running_head=f"{facts.case_ref}: request to {facts.agency}",
        details=(
            ("Case review", facts.case_ref),
            ("To", to),
            ("From", facts.partnership),
            ("Date", long_date(facts.issued_on)),
            ("Due by", due),
        ),
        opening=(
            f"{facts.partnership} is holding a review of the case with the reference {facts.case_ref}, "
            f"and {facts.agency} is one of the agencies in its scope. Please send your agency's "
            f"chronology and a short report of its involvement by {due}.",
            "Please use the case reference, not names, in any email about this request.",
        ),
        parts=(
            Part(
                "The period under review",
                (
                    f"From {facts.period.describe()}, both days included. Add an earlier or later event "
                    "only if it explains something within the period, and say why in the "
                    f"{cols.COMMENT.header.lower()} column.",
                ),
            ),
            Part(
                "What to send",
                points=(
                    "A chronology: every contact your agency had with the child and family in the "
                    "period, one event per row, in date order, on the chronology template.",
                    "A short report of your agency's involvement that answers the questions below.",
                ),
            ),
            Part("The questions your report must answer", points=facts.questions),
            Part(
                "The chronology's columns",
                ("Keep the template's column headings as they are. In each column write:",),
                table=tuple(
                    (f"{column.header}{' (every row)' if column.required else ''}", column.help or "")
                    for column in facts.columns
                ),
            ),
            Part(
                "How to send it",
                (
                    f"Upload your chronology and report on this page: {facts.upload_url}. The chronology "
                    "template is on the same page, as a Word document or an Excel workbook; a CSV file "
                    "with the same column headings is accepted too.",
                    "Each row is checked as you upload. Any problem is listed by row and column, and "
                    "nothing is stored until the file is right, so you can correct it and upload it "
                    "again. A corrected file uploaded later replaces the earlier one.",
                ),
            ),
            Part(
                "Keeping it safe",
                (
                    "The chronology holds personal information about a family. Send it only through the "
                    "upload page: never by email, as an attachment, or through Slack, Teams or any other "
                    "messaging. Only the review's own people can read it there.",
                    "Write practitioners' roles, not their names. Write the family's names as your "
                    "records show them: the review replaces them with codes before anything is shared.",
                ),
            ),
            Part(
                "If you cannot send it on time",
                (
                    f"Tell {facts.partnership} before {due}, saying when it will come. If your agency "
                    "had no contact with the child or family in the period, tell them so: that is an "
                    "answer the review needs too.",
                ),
            ),
        ),
        closing=(f"With thanks, {facts.partnership}",),
    )


# Emails --------------------------------------------------------------------------------------------


def _one_line(text: str) -> str:
    """A value as a header holds it: one line, single spaces."""
    return " ".join(text.split())


def _email(facts: RequestFacts, subject: str, *middle: str) -> EmailText:
    greeting = f"Dear {facts.contact}," if facts.contact else "Dear colleague,"
    body = [
        greeting,
        *middle,
        f"Case reference: {facts.case_ref}\nAgency: {facts.agency}\nDue by: {day_in_words(facts.due_on)}\n"
        f"Upload page: {facts.upload_url}",
        "Please send the chronology only through the upload page, never by email or as an attachment: it "
        "holds personal information. Use the case reference, not names, in any reply.",
        facts.partnership,
    ]
    return EmailText(_one_line(subject), "\n\n".join(body) + "\n")


def request_email(facts: RequestFacts) -> EmailText:
    """The email that tells the agency of the request. The letter is not attached: the contact reads and
    downloads it on the upload page, once signed in, so no copy of it waits in a mailbox."""
    return _email(
        facts,
        f"Chronology request, case {facts.case_ref}: {facts.agency}, due {long_date(facts.due_on)}",
        f"{facts.partnership} asks {facts.agency} for its chronology and report for the case review "
        f"{facts.case_ref}. Sign in on the upload page to read the request letter, which says what is "
        "needed, and to download the chronology template.",
    )


def reminder_email(facts: RequestFacts, today: date) -> EmailText:
    """The reminder before the due date, saying how many days are left."""
    left = (facts.due_on - today).days
    when = {0: "today", 1: "tomorrow"}.get(left, f"in {left} days")
    return _email(
        facts,
        f"Reminder: chronology for case {facts.case_ref} due {when} ({long_date(facts.due_on)})",
        f"A reminder that {facts.agency}'s chronology and report for the case review {facts.case_ref} are "
        f"due {when}. If they are already uploaded, thank you: nothing more is needed.",
    )


def late_email(facts: RequestFacts, today: date) -> EmailText:
    """The notice once the due date has passed, saying by how many days."""
    late = (today - facts.due_on).days
    if late < 1:
        raise ValueError(f"A request due on {facts.due_on} is not late on {today}.")
    days = "1 day" if late == 1 else f"{late} days"
    return _email(
        facts,
        f"Overdue: chronology for case {facts.case_ref} was due {long_date(facts.due_on)}",
        f"{facts.agency}'s chronology and report for the case review {facts.case_ref} were due "
        f"{days} ago and have not been received. Please upload them as soon as you can, or tell "
        f"{facts.partnership} when they will come.",
    )
