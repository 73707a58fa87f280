"""An engagement (a consultant's tie with an agency) as both modals that record one ask it: the consultant
declaring it in ``/scr me``, and an admin adding it to the record. One table of kinds, so both read the
same words, and one map of the service's fields to the modal's inputs, so a refusal shows where it belongs.
"""

from bot.views.blocks import Block, option

KINDS = (
    ("employed", "Employed by"),
    ("contracted", "Contracted by"),
    ("board_member", "Board member of"),
    ("line_manager", "Line manager at"),
    ("reviewed", "Reviewed the agency"),
    ("personal_link", "Personal or family link with"),
)
KIND_WORDS = dict(KINDS)
# The last part of each input's block id, by the field the service names in a problem.
INPUTS = {
    "agency_id": "agency",
    "kind": "kind",
    "role_title": "role_title",
    "start_date": "start",
    "end_date": "end",
}


def fields(prefix: str) -> dict[str, str]:
    """Where each field the service names in a problem is shown, in a modal of block ids under ``prefix``."""
    return {field: f"{prefix}.{name}" for field, name in INPUTS.items()}


def kind_options() -> list[Block]:
    """The kinds of tie, as a select offers them."""
    return [option(words, kind) for kind, words in KINDS]
