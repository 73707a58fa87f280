"""``/scr me``: a consultant's own record (ephemeral), the modals they keep it up to date with, and the
notice of each declaration in the admins' channel.

Pure builders. The record shows cases by reference only; the modals carry no private_metadata (the
service knows the consultant from who submits). The admins' channel is shared, so its notice says only
that a consultant declared something, with a Review button carrying ids; the declaration itself (who,
about what, in their words) is shown in a modal to the admin who presses it, where they confirm or
reject it.
"""

from collections.abc import Mapping
from typing import Any

from bot.features.consultant import engagements
from bot.features.consultant.words import Vocabulary, on, plural, term
from bot.payloads import carry
from bot.views import inputs
from bot.views.blocks import (
    SECTION_CHARS,
    Block,
    actions,
    button,
    clip,
    context,
    escape,
    fields,
    header,
    message,
    modal,
    option,
    section,
)
from bot.views.wording import sentence

AVAILABILITY = "me.availability"
DECLARE_INTEREST = "me.declare_interest"
DECLARE_ENGAGEMENT = "me.declare_engagement"
AVAILABILITY_MODAL = "me.availability_modal"
INTEREST_MODAL = "me.interest_modal"
ENGAGEMENT_MODAL = "me.engagement_modal"
DONE_MODAL = "me.done"
REVIEW = "me.review"
REVIEW_MODAL = "me.review_modal"

AGENCY = "me.agency"  # the external select's action id in both declaration modals: one options listener
CAPACITY_BLOCK = "me.capacity"
KEEP_BLOCK = "me.keep"
FROM_BLOCK = "me.from"
UNTIL_BLOCK = "me.until"
CASE_BLOCK = "me.case"
TEXT_BLOCK = "me.text"
ENGAGEMENT_FIELDS = engagements.fields("me")
AGENCY_BLOCK = ENGAGEMENT_FIELDS["agency_id"]  # in the interest modal too
KIND_BLOCK = ENGAGEMENT_FIELDS["kind"]
ROLE_BLOCK = ENGAGEMENT_FIELDS["role_title"]
START_BLOCK = ENGAGEMENT_FIELDS["start_date"]
END_BLOCK = ENGAGEMENT_FIELDS["end_date"]
DECISION_BLOCK = "me.decision"
REASON_BLOCK = "me.reason"
CONFIRM, REJECT = "confirm", "reject"  # the decision's options in the review modal

LISTED = 15  # items shown per list on the record; the rest are counted
KEEP_MAX = 10  # Slack's checkbox limit: the periods away offered for removal
AWAITING = " _(awaiting an admin's confirmation)_"
# Where each field the service names in a problem is shown, per modal.
AVAILABILITY_FIELDS = {"capacity": CAPACITY_BLOCK, "start_date": UNTIL_BLOCK, "end_date": UNTIL_BLOCK}
INTEREST_FIELDS = {"agency_id": AGENCY_BLOCK, "case_ref": CASE_BLOCK, "text": TEXT_BLOCK}


def _period(item: Mapping[str, Any]) -> str:
    return f"{on(item['start_date'])} to {on(item['end_date'])}"


def _until(value: str | None) -> str:
    return f"until {on(value)}" if value else "none recorded"


def _listed(title: str, lines: list[str], empty: str) -> Block:
    """A titled list; what does not fit (``LISTED`` lines, or Slack's section length) is counted."""
    if not lines:
        return section(f"*{title}*\n{empty}")
    shown: list[str] = []
    budget = SECTION_CHARS - len(title) - 40  # room for the title and the count of the rest
    for line in lines[:LISTED]:
        budget -= len(line) + 1
        if budget < 0:
            break
        shown.append(line)
    more = f"\n…and {len(lines) - len(shown)} more" if len(shown) < len(lines) else ""
    return section(f"*{title}*\n" + "\n".join(shown) + more)


def _engagement_line(item: Mapping[str, Any], agencies: Mapping[str, str]) -> str:
    agency = escape(agencies.get(item["agency_id"], item["agency_id"]))
    start = item["start_date"][:4] if item.get("start_date") else "an unknown date"
    end = item["end_date"][:4] if item.get("end_date") else "now"
    kind = engagements.KIND_WORDS.get(item["kind"], item["kind"])
    line = f"• {kind} {agency}: {escape(item['role_title'])}, {start} to {end}"
    return line + ("" if item["confirmed"] else AWAITING)


def _interest_line(item: Mapping[str, Any], agencies: Mapping[str, str]) -> str:
    about = [f"case {escape(item['case_ref'])}"] if item.get("case_ref") else []
    if item.get("agency_id"):
        about.append(escape(agencies.get(item["agency_id"], item["agency_id"])))
    where = f" ({', '.join(about)})" if about else ""
    line = f"• {escape(clip(item['text'], 200))}{where}, declared {on(item['declared_on'])}"
    return line + ("" if item["confirmed"] else AWAITING)


def record_text(record: Mapping[str, Any]) -> str:
    """The record's fallback text: whose it is, and the places in use."""
    return f"Your record: {record['name']}, {record['places_held']} of {record['capacity']} places in use."


def record_blocks(record: Mapping[str, Any], *, vocabulary: Vocabulary) -> list[Block]:
    """The consultant's own record with the buttons to keep it up to date."""
    checks = record["checks"]
    status = sentence(escape(term(vocabulary, "consultant_status", record["status"])))
    if record.get("status_reason") and record["status"] != "approved":
        status += f": {escape(record['status_reason'])}"
    registration = (
        f"{escape(term(vocabulary, 'registration_body', checks['registration_body']))}, until "
        f"{on(checks['registration_expiry'])}"
        if checks.get("registration_body")
        else on(checks.get("registration_expiry"))
    )
    dbs = (
        f"{on(checks['dbs_check_date'])} (recheck due after {on(checks['dbs_valid_until'])})"
        if checks.get("dbs_check_date")
        else "none recorded"
    )
    agencies = record.get("agencies") or {}
    commissions = [
        f"• *{escape(c['case_ref'])}*: {escape(term(vocabulary, 'commission_role', c['role']))}, "
        f"{escape(term(vocabulary, 'commission_status', c['status']))}"
        + ("" if c["declared"] else " (your declaration is awaited)")
        for c in record["commissions"]
    ]
    return message(
        [
            header(f"Your record: {record['name']}"),
            fields(
                f"*Status*\n{status}",
                f"*Re-approval due*\n{on(checks.get('reapproval_due'))}",
                f"*DBS check*\n{dbs}",
                f"*Registration*\n{registration}",
                f"*Indemnity insurance*\n{_until(checks.get('insurance_expiry'))}",
                f"*Capacity*\n{record['places_held']} of {record['capacity']} places in use",
            ),
            _listed("Dates away", [f"• {_period(p)}" for p in record["away"]], "None recorded."),
            _listed(
                "Engagements",
                [_engagement_line(item, agencies) for item in record["engagements"]],
                "None recorded.",
            ),
            _listed(
                "Declared interests",
                [_interest_line(item, agencies) for item in record["interests"]],
                "None declared.",
            ),
            _listed("Your open commissions", commissions, "None."),
            actions(
                button("Set availability", action_id=AVAILABILITY, style="primary"),
                button("Declare an interest", action_id=DECLARE_INTEREST),
                button("Declare an engagement", action_id=DECLARE_ENGAGEMENT),
                block_id="me.actions",
            ),
            context(
                "Only you can see this. What you declare counts in conflict checks once an admin "
                "confirms it; until then it shows as a warning."
            ),
        ]
    )


def home_tab() -> dict[str, Any]:
    """The App Home of a consultant (who is not a user of the service): where to find their record."""
    text = (
        "You are on the approved list of consultants. Type `/scr me` to see your record (only you see it), "
        "set your availability and dates away, and declare an interest or an engagement."
    )
    return {"type": "home", "blocks": [header("Case reviews"), section(text)]}


# Modals ------------------------------------------------------------------------------------------


def period_value(item: Mapping[str, Any]) -> str:
    """A period away as a checkbox carries it: its first and last days."""
    return f"{item['start_date']}|{item['end_date']}"


def availability_modal(record: Mapping[str, Any]) -> dict[str, Any]:
    """Capacity, the periods away to keep (untick to remove), and one new period."""
    places = [option(plural(n, "review"), str(n)) for n in range(1, 6)]
    blocks = [
        inputs.static_select(
            CAPACITY_BLOCK,
            "How many reviews can you hold at once?",
            places,
            initial=places[record["capacity"] - 1],
        ),
    ]
    held = [option(_period(item), period_value(item)) for item in record["away"][:KEEP_MAX]]
    if held:
        keep = {"type": "checkboxes", "action_id": inputs.VALUE, "options": held, "initial_options": held}
        blocks.append(
            inputs.input_block(KEEP_BLOCK, "Dates away (untick any to remove it)", keep, optional=True)
        )
    blocks += [
        inputs.datepicker(FROM_BLOCK, "Add dates away: first day", optional=True),
        inputs.datepicker(UNTIL_BLOCK, "Last day away", optional=True),
        context(
            "While you are away you are not offered new reviews; away during a review shows as a warning."
        ),
    ]
    return modal(title="Your availability", submit="Save", callback_id=AVAILABILITY_MODAL, blocks=blocks)


def _declaring(what: str, *, callback_id: str, about: str, asked: list[Block]) -> dict[str, Any]:
    """A modal in which the consultant declares ``what`` (``about`` says what counts); it counts once an
    admin confirms it, which the modal says."""
    return modal(
        title=f"Declare {what}",
        submit="Declare",
        callback_id=callback_id,
        blocks=[section(f"{about} An admin confirms it before it counts in conflict checks."), *asked],
    )


def interest_modal() -> dict[str, Any]:
    return _declaring(
        "an interest",
        callback_id=INTEREST_MODAL,
        about="Declare anything that could affect your independence: a link with an agency, or with a case "
        "(by its reference).",
        asked=[
            inputs.agency_picker(AGENCY_BLOCK, action_id=AGENCY, min_query_length=2, optional=True),
            inputs.text_input(
                CASE_BLOCK, "Case reference (if it is about one case)", max_length=32, optional=True
            ),
            inputs.text_input(TEXT_BLOCK, "What is the interest?", max_length=2000, multiline=True),
        ],
    )


def engagement_modal() -> dict[str, Any]:
    return _declaring(
        "an engagement",
        callback_id=ENGAGEMENT_MODAL,
        about="A job, contract, board seat or other tie with an agency, current or past.",
        asked=[
            inputs.agency_picker(AGENCY_BLOCK, action_id=AGENCY, min_query_length=2),
            inputs.static_select(KIND_BLOCK, "Kind of tie", engagements.kind_options()),
            inputs.text_input(ROLE_BLOCK, "Role or job title", max_length=200),
            inputs.datepicker(START_BLOCK, "From (if known)", optional=True),
            inputs.datepicker(END_BLOCK, "Until (leave empty if it continues)", optional=True),
        ],
    )


def availability_saved(record: Mapping[str, Any]) -> dict[str, Any]:
    away = "\n".join(f"• {_period(p)}" for p in record["away"]) or "None."
    text = f"Saved. You can hold *{record['capacity']}* reviews at once.\n*Dates away*\n{away}"
    return inputs.done(text, callback_id=DONE_MODAL)


def declared(kind: str) -> dict[str, Any]:
    return inputs.done(
        f"Thank you: your {kind} is recorded. An admin will confirm it; until then it shows as a warning in "
        "conflict checks.",
        callback_id=DONE_MODAL,
    )


# Reading a submission ----------------------------------------------------------------------------


def kept_periods(view: Mapping[str, Any]) -> tuple[set[str], set[str]]:
    """The periods away the modal offered, and those still ticked, as ``period_value`` strings."""
    block = next((b for b in view["blocks"] if b.get("block_id") == KEEP_BLOCK), None)
    if block is None:
        return set(), set()
    offered = {item["value"] for item in block["element"]["options"]}
    state = inputs.state_of(view, KEEP_BLOCK)
    return offered, {item["value"] for item in state.get("selected_options") or []}


# The admins' channel -----------------------------------------------------------------------------

ADMINS_ONLY = ":no_entry: Only an admin can see what a consultant declared."
GONE = "This declaration has already been confirmed or rejected."
SELF_DECLARED = (
    "Self-declared: it warns in conflict checks until an admin confirms it. Rejecting deletes it; the audit "
    "log keeps it."
)


def notice_text(kind: str) -> str:
    """The notice of a declaration as the shared channel reads it: no name, nothing of what was declared."""
    return f"A consultant declared an {kind}: Review"


def notice_blocks(*, kind: str, consultant: int, record: int) -> list[Block]:
    review = button("Review", action_id=REVIEW, value=carry(kind=kind, consultant=consultant, id=record))
    return message(
        [
            section(f"A consultant declared an {kind}.", accessory=review),
            context("Only an admin can open it. Until an admin confirms it, it warns in conflict checks."),
        ]
    )


def resolved_text(kind: str, *, rejected: bool) -> str:
    """The fallback text of the notice once resolved: what was declared, and what became of it."""
    return f"A consultant declared an {kind}: {'rejected' if rejected else 'confirmed'}"


def resolved_blocks(kind: str, outcome: str) -> list[Block]:
    """The notice once an admin has confirmed or rejected the declaration: no button, no reason."""
    return message([section(f"A consultant declared an {kind}."), context(outcome)])


def notice_summary(
    *, kind: str, record: Mapping[str, Any], consultant: str, agencies: Mapping[str, str]
) -> str:
    """One declaration, for an admin's eyes only: who declared what (their own words, clipped)."""
    who = f"*{escape(consultant)}*"
    if kind == "interest":
        return f"{who} declared an interest:\n{_interest_line(record, agencies).removesuffix(AWAITING)}"
    return f"{who} declared an engagement:\n{_engagement_line(record, agencies).removesuffix(AWAITING)}"


def review_modal(summary: str, *, subject: Mapping[str, Any], channel: str, ts: str) -> dict[str, Any]:
    """The declaration and the admin's decision on it. The declaration travels as one ``record``
    (``kind:consultant:id``), read back by ``reviewed_subject``, with the notice to update."""
    record = f"{subject['kind']}:{subject['consultant']}:{subject['id']}"
    decision = {
        "type": "radio_buttons",
        "action_id": inputs.VALUE,
        "options": [
            option("Confirm: it counts in conflict checks", CONFIRM),
            option("Reject: it is deleted", REJECT),
        ],
    }
    return modal(
        title=f"Declared {subject['kind']}",
        submit="Record",
        callback_id=REVIEW_MODAL,
        private_metadata=carry(record=record, channel=channel, ts=ts),
        blocks=[
            section(summary),
            context(SELF_DECLARED),
            inputs.input_block(DECISION_BLOCK, "Your decision", decision),
            inputs.text_input(
                REASON_BLOCK,
                "If you reject it: why? (kept in the audit log)",
                max_length=1000,
                multiline=True,
                optional=True,
            ),
        ],
    )


def reviewed_subject(where: Mapping[str, Any]) -> dict[str, Any]:
    """The declaration a submitted review modal is about (what Review carried), from its ``record``."""
    kind, consultant, record = str(where["record"]).split(":")
    return {"kind": kind, "consultant": int(consultant), "id": int(record)}
