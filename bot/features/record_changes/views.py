"""The modals an admin changes a consultant's record with, from their card or the expiry digest.

Each modal's private_metadata holds ids only: the consultant, the action, check or engagement, and for
the digest the channel and message to reply under. Problems the service finds are shown under the input
they are about (``inputs.errors``), so nothing is lost and the admin can correct and resubmit.
"""

from collections.abc import Mapping
from datetime import date
from typing import Any

from bot.features.consultant import engagements
from bot.payloads import carry
from bot.views import inputs
from bot.views.blocks import Block, escape, modal, section

STATUS_MODAL = "consultant.status_modal"
ENGAGEMENT_MODAL = "consultant.engagement_modal"
END_MODAL = "consultant.end_modal"
CHECK_MODAL = "consultant.check_modal"
DONE_MODAL = "consultant.done"

REASON_BLOCK = "consultant.reason"
AGENCY = "consultant.agency"  # the external select's action id: the options listener answers it
# Where each field the service names in a problem is shown.
ENGAGEMENT_FIELDS = engagements.fields("consultant")
AGENCY_BLOCK = ENGAGEMENT_FIELDS["agency_id"]
KIND_BLOCK = ENGAGEMENT_FIELDS["kind"]
ROLE_BLOCK = ENGAGEMENT_FIELDS["role_title"]
START_BLOCK = ENGAGEMENT_FIELDS["start_date"]
END_BLOCK = ENGAGEMENT_FIELDS["end_date"]
DATE_BLOCK = "consultant.date"

STATUS_TITLES = {"approve": "Approve", "suspend": "Suspend", "remove": "Remove", "reinstate": "Reinstate"}
# Each check's modal title, its question, and what the new date is called afterwards.
CHECK_QUESTIONS = {
    "dbs": ("New DBS check", "Date of the new DBS check", "DBS check date"),
    "registration": ("New registration date", "The registration now runs until", "registration expiry"),
    "insurance": ("New insurance date", "The insurance now runs until", "insurance expiry"),
}


def _reason(hint: str) -> Block:
    return inputs.written(REASON_BLOCK, "Reason", max_length=1000, hint=hint)


def status_modal(
    *, consultant: int, action: str, name: str, where: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Approve (or re-approve), suspend, remove or reinstate, with the reason the audit log keeps."""
    what = STATUS_TITLES[action]
    return modal(
        title=f"{what} consultant",
        submit=what,
        callback_id=STATUS_MODAL,
        private_metadata=carry(consultant=consultant, action=action, **(where or {})),
        blocks=[
            section(f"{what} *{escape(name)}*. The reason is kept with their record and in the audit log."),
            _reason(
                "At least 3 characters. Facts about the consultant only: nothing about a child or family."
            ),
        ],
    )


def engagement_modal(*, consultant: int, name: str) -> dict[str, Any]:
    """A tie with an agency: picked from the agencies on record (searched as the admin types)."""
    return modal(
        title="Add an engagement",
        submit="Add",
        callback_id=ENGAGEMENT_MODAL,
        private_metadata=carry(consultant=consultant),
        blocks=[
            section(f"A tie between *{escape(name)}* and an agency. The conflict checks use it at once."),
            inputs.agency_picker(AGENCY_BLOCK, action_id=AGENCY, min_query_length=1),
            inputs.static_select(KIND_BLOCK, "Kind of tie", engagements.kind_options()),
            inputs.text_input(ROLE_BLOCK, "Role or title", max_length=200),
            inputs.datepicker(START_BLOCK, "From", optional=True),
            inputs.datepicker(END_BLOCK, "Until (leave empty while it continues)", optional=True),
        ],
    )


def end_modal(*, consultant: int, engagement: int, name: str, today: date) -> dict[str, Any]:
    return modal(
        title="End an engagement",
        submit="End it",
        callback_id=END_MODAL,
        private_metadata=carry(consultant=consultant, engagement=engagement),
        blocks=[
            section(f"The last day of this engagement of *{escape(name)}*. Its history is kept."),
            inputs.datepicker(DATE_BLOCK, "Ended on", initial=today),
        ],
    )


def check_modal(
    *, consultant: int, check: str, name: str, today: date, where: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """A new date for a DBS check, registration or insurance."""
    title, question, _ = CHECK_QUESTIONS[check]
    return modal(
        title=title,
        submit="Record",
        callback_id=CHECK_MODAL,
        private_metadata=carry(consultant=consultant, check=check, **(where or {})),
        blocks=[
            section(f"Record a renewal for *{escape(name)}*."),
            inputs.datepicker(DATE_BLOCK, question, initial=today if check == "dbs" else None),
        ],
    )


def done(text: str) -> dict[str, Any]:
    """What a modal becomes once its change is made."""
    return inputs.done(text, callback_id=DONE_MODAL)
