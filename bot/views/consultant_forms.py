"""The modals an admin changes a consultant's record with, from their card or the expiry digest.

Each modal's private_metadata holds ids only: the consultant, the action, check or engagement, and for
the digest the channel and message to reply under. Problems the service finds are shown under the input
they are about (``errors``), so nothing is lost and the admin can correct and resubmit.
"""

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from bot.service_client import Rejected, ServiceError
from bot.views.blocks import Block, clip, escape, modal, option, plain, section

STATUS_MODAL = "consultant.status_modal"
ENGAGEMENT_MODAL = "consultant.engagement_modal"
END_MODAL = "consultant.end_modal"
CHECK_MODAL = "consultant.check_modal"
DONE_MODAL = "consultant.done"

REASON_BLOCK = "consultant.reason"
AGENCY_BLOCK = "consultant.agency"
AGENCY = "consultant.agency"  # the external select's action id: the options listener answers it
KIND_BLOCK = "consultant.kind"
ROLE_BLOCK = "consultant.role_title"
START_BLOCK = "consultant.start"
END_BLOCK = "consultant.end"
DATE_BLOCK = "consultant.date"
VALUE = "value"  # the action id of every other input: each block holds one
ERROR_CHARS = 200

STATUS_TITLES = {"approve": "Approve", "suspend": "Suspend", "remove": "Remove", "reinstate": "Reinstate"}
ENGAGEMENT_KINDS = (
    ("employed", "Employed by"),
    ("contracted", "Contracted by"),
    ("board_member", "Board member of"),
    ("line_manager", "Line manager at"),
    ("reviewed", "Reviewed the agency"),
    ("personal_link", "Personal link with"),
)
# Each check's modal title, its question, and what the new date is called afterwards.
CHECK_QUESTIONS = {
    "dbs": ("New DBS check", "Date of the new DBS check", "DBS check date"),
    "registration": ("New registration date", "The registration now runs until", "registration expiry"),
    "insurance": ("New insurance date", "The insurance now runs until", "insurance expiry"),
}
# Where each field the service names in a problem is shown.
ENGAGEMENT_FIELDS = {
    "agency_id": AGENCY_BLOCK,
    "kind": KIND_BLOCK,
    "role_title": ROLE_BLOCK,
    "start_date": START_BLOCK,
    "end_date": END_BLOCK,
}


def metadata(**ids: Any) -> str:
    return json.dumps({k: v for k, v in ids.items() if v is not None}, separators=(",", ":"))


def _input(block_id: str, label: str, element: dict[str, Any], *, optional: bool = False) -> Block:
    return {
        "type": "input",
        "block_id": block_id,
        "label": plain(label, 2000),
        "optional": optional,
        "element": element,
    }


def _reason(hint: str) -> Block:
    block = _input(
        REASON_BLOCK,
        "Reason",
        {
            "type": "plain_text_input",
            "action_id": VALUE,
            "multiline": True,
            "min_length": 3,
            "max_length": 1000,
        },
    )
    return {**block, "hint": plain(hint)}


def _datepicker(block_id: str, label: str, *, initial: date | None = None, optional: bool = False) -> Block:
    element: dict[str, Any] = {"type": "datepicker", "action_id": VALUE}
    if initial is not None:
        element["initial_date"] = initial.isoformat()
    return _input(block_id, label, element, optional=optional)


def status_modal(
    *, consultant: int, action: str, name: str, where: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Approve (or re-approve), suspend, remove or reinstate, with the reason the audit log keeps."""
    what = STATUS_TITLES[action]
    return modal(
        title=f"{what} consultant",
        submit=what,
        callback_id=STATUS_MODAL,
        private_metadata=metadata(consultant=consultant, action=action, **(where or {})),
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
        private_metadata=metadata(consultant=consultant),
        blocks=[
            section(f"A tie between *{escape(name)}* and an agency. The conflict checks use it at once."),
            _input(
                AGENCY_BLOCK,
                "Agency",
                {
                    "type": "external_select",
                    "action_id": AGENCY,
                    "min_query_length": 1,
                    "placeholder": plain("Type part of the agency's name"),
                },
            ),
            _input(
                KIND_BLOCK,
                "Kind of tie",
                {
                    "type": "static_select",
                    "action_id": VALUE,
                    "options": [option(label, value) for value, label in ENGAGEMENT_KINDS],
                },
            ),
            _input(
                ROLE_BLOCK,
                "Role or title",
                {"type": "plain_text_input", "action_id": VALUE, "max_length": 200},
            ),
            _datepicker(START_BLOCK, "From", optional=True),
            _datepicker(END_BLOCK, "Until (leave empty while it continues)", optional=True),
        ],
    )


def end_modal(*, consultant: int, engagement: int, name: str, today: date) -> dict[str, Any]:
    return modal(
        title="End an engagement",
        submit="End it",
        callback_id=END_MODAL,
        private_metadata=metadata(consultant=consultant, engagement=engagement),
        blocks=[
            section(f"The last day of this engagement of *{escape(name)}*. Its history is kept."),
            _datepicker(DATE_BLOCK, "Ended on", initial=today),
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
        private_metadata=metadata(consultant=consultant, check=check, **(where or {})),
        blocks=[
            section(f"Record a renewal for *{escape(name)}*."),
            _datepicker(DATE_BLOCK, question, initial=today if check == "dbs" else None),
        ],
    )


def done(text: str) -> dict[str, Any]:
    """What a modal becomes once its change is made."""
    return modal(title="Done", callback_id=DONE_MODAL, blocks=[section(text)])


# Reading a submission, and showing what the service refused ----------------------------------------


def value(view: dict[str, Any], block_id: str, action_id: str = VALUE) -> str | None:
    """What was entered in an input: text, a date or the chosen option's value (None when left empty)."""
    state = view["state"]["values"].get(block_id, {}).get(action_id) or {}
    chosen = state.get("selected_option")
    found = chosen["value"] if chosen else state.get("selected_date") or state.get("value")
    return found.strip() if isinstance(found, str) and found.strip() else None


def chosen_text(view: dict[str, Any], block_id: str, action_id: str = VALUE) -> str:
    """The words of the option chosen in a select (what the person saw)."""
    state = view["state"]["values"][block_id][action_id]
    return str(state["selected_option"]["text"]["text"])


def errors(error: ServiceError, *, fields: Mapping[str, str], fallback: str) -> dict[str, str]:
    """``response_action: errors`` for a refusal: each problem under its input, the rest under ``fallback``.

    A refused status change names the actions allowed now.
    """
    shown: dict[str, str] = {}

    def add(block: str, text: str) -> None:
        before = shown.get(block, "")
        joined = f"{before}{' ' if before.endswith('.') else '; '}{text}" if before else text
        shown[block] = clip(joined, ERROR_CHARS)

    problems = error.problems if isinstance(error, Rejected) else []
    for problem in problems:
        loc = problem.get("loc") or []
        add(fields.get(str(loc[-1]) if loc else "", fallback), str(problem.get("msg") or error.message))
    if not problems:
        add(fallback, error.message)
    allowed = error.allowed if isinstance(error, Rejected) else []
    if allowed and not all(action in error.message for action in allowed):
        add(fallback, f"Allowed now: {', '.join(allowed)}.")
    return shown
