"""A case's shortlist: ranked candidates with their score breakdown, and who is excluded and why.

The top candidates each get a "Commission" button with a confirm dialog; anyone further down the ranking
is reached through an ``external_select`` (searchable, so the list can be long). Every commissioning
element carries an idempotency key made for this message and consultant, so a double click or a
redelivered action commissions once.
"""

from typing import Any

from bot.payloads import carry
from bot.views.blocks import (
    Block,
    actions,
    button,
    clip,
    confirm,
    context,
    divider,
    escape,
    header,
    message,
    option,
    section,
)

COMMISSION = "shortlist.commission"
PICK = "shortlist.pick"
PICK_BLOCK = "shortlist.pick"
ROLE = "lead_reviewer"
ROLE_WORDS = "lead reviewer"
SHOWN_CANDIDATES = 10
SHOWN_EXCLUDED = 10
SHOWN_PARTS = 8
SHOWN_UNKNOWN = 5  # agencies named in the note that ties with them were not checked
SHOWN_WARNINGS = 5  # in the note after commissioning (a message's text: Slack advises 4,000 characters)


def commission_key(base: str, consultant_id: int) -> str:
    return f"slack-{base}-{consultant_id}"


def pick_block_id(ref: str, key_base: str) -> str:
    return f"{PICK_BLOCK}|{ref}|{key_base}"


def parse_pick_block_id(block_id: str) -> tuple[str, str]:
    """The case reference and the key base the picker's block id carries."""
    _, ref, key_base = block_id.split("|", 2)
    return ref, key_base


def _points(points: float) -> str:
    return f"{points:+g}"


def candidate_text(rank: int, candidate: dict[str, Any]) -> str:
    lines = [f"*{rank}. {escape(candidate['name'])}*: score *{candidate['score']:g}*"]
    parts = candidate.get("breakdown") or []
    lines += [
        f"• {escape(p['component'])} {_points(p['points'])}: {escape(p['why'])}" for p in parts[:SHOWN_PARTS]
    ]
    lines += [f":warning: {escape(w['reason'])}" for w in candidate.get("warnings") or []]
    return "\n".join(lines)


def excluded_text(excluded: dict[str, Any]) -> str:
    reasons = "; ".join(escape(f["reason"]) for f in excluded.get("findings") or [])
    return f"*{escape(excluded['name'])}*: {reasons}"


def _confirm_commission(name: str, ref: str) -> dict[str, Any]:
    return confirm(
        title="Commission this consultant?",
        text=f"Commission {escape(name)} as {ROLE_WORDS} for case {escape(ref)}? The checks run again first, "
        "and they will be asked to declare any conflict.",
        yes="Commission",
    )


def blocks(shortlist: dict[str, Any], *, key_base: str) -> list[Block]:
    ref = shortlist["case_ref"]
    candidates = shortlist.get("candidates") or []
    excluded = shortlist.get("excluded") or []
    summary = shortlist.get("summary") or {}
    out: list[Block] = [header(f"Shortlist for {ref}")]
    notes = [escape(summary.get("message") or "")]
    notes.append(f"{shortlist.get('listed', 0)} on the list; {shortlist.get('unavailable', 0)} unavailable")
    if shortlist.get("unknown_agencies"):
        names = shortlist["unknown_agencies"]
        unknown = ", ".join(escape(name) for name in names[:SHOWN_UNKNOWN])
        unknown += f" and {len(names) - SHOWN_UNKNOWN} more" if len(names) > SHOWN_UNKNOWN else ""
        notes.append(f":warning: No agency on record answers to {unknown}: ties with them were not checked.")
    out.append(context(*[note for note in notes if note]))
    for rank, candidate in enumerate(candidates[:SHOWN_CANDIDATES], start=1):
        consultant_id = candidate["consultant_id"]
        out.append(
            section(
                candidate_text(rank, candidate),
                accessory=button(
                    "Commission",
                    action_id=COMMISSION,
                    value=carry(
                        ref=ref, consultant_id=consultant_id, key=commission_key(key_base, consultant_id)
                    ),
                    style="primary",
                    confirm_with=_confirm_commission(candidate["name"], ref),
                ),
            )
        )
    if not candidates:
        out.append(section("*Nobody can be commissioned* on the current list and policy."))
    if len(candidates) > SHOWN_CANDIDATES:
        out.append(
            actions(
                {
                    "type": "external_select",
                    "action_id": PICK,
                    "placeholder": {
                        "type": "plain_text",
                        "text": f"Another of the {len(candidates)} candidates",
                    },
                    "min_query_length": 0,
                    "confirm": confirm(
                        title="Commission this consultant?",
                        text=f"Commission the consultant you picked as {ROLE_WORDS} for case {escape(ref)}?",
                        yes="Commission",
                    ),
                },
                block_id=pick_block_id(ref, key_base),
            )
        )
    if excluded:
        out += [divider(), section(f"*Excluded ({len(excluded)})*")]
        out += [section(excluded_text(item)) for item in excluded[:SHOWN_EXCLUDED]]
        if len(excluded) > SHOWN_EXCLUDED:
            out.append(context(f"and {len(excluded) - SHOWN_EXCLUDED} more excluded: see the admin pages."))
    return message(out)


def pick_options(shortlist: dict[str, Any], *, query: str) -> list[dict[str, Any]]:
    """The candidates matching ``query`` as options of the picker (value: the consultant id)."""
    wanted = query.casefold().strip()
    found = [c for c in shortlist.get("candidates") or [] if wanted in c["name"].casefold()]
    return [option(f"{c['name']} (score {c['score']:g})", str(c["consultant_id"])) for c in found[:100]]


def commissioned_text(commission: dict[str, Any], *, dm_sent: bool, not_asked: str = "") -> str:
    """The confirmation of a commission; ``not_asked`` is the line saying why the consultant could not be
    asked to declare, when Slack refused the request."""
    lines = [
        f":white_check_mark: Commissioned *{escape(commission['consultant_name'])}* as "
        f"{escape(str(commission['role']).replace('_', ' '))} for case *{escape(commission['case_ref'])}* "
        f"(commission {commission['id']}, {escape(str(commission['status']))})."
    ]
    warnings = commission.get("warnings") or []
    lines += [f":warning: {escape(clip(w.get('reason', ''), 300))}" for w in warnings[:SHOWN_WARNINGS]]
    if len(warnings) > SHOWN_WARNINGS:
        lines.append(f":warning: and {len(warnings) - SHOWN_WARNINGS} more warnings")
    if not_asked:
        lines.append(not_asked)
    elif dm_sent:
        lines.append("They have been sent a direct message asking them to declare any conflict.")
    else:
        lines.append("They have no Slack account on record: ask them to declare any conflict by email.")
    return "\n".join(lines)
