"""``/scr consultant``: a page of search results, and a consultant's card.

The card shows what a commissioner weighs and an admin keeps: status, each check with the date it
lapses, places in use, current engagements, declared interests and recent reviews with their ratings.
Admins also get the actions (status changes, engagements, new check dates); each opens a modal of
``record_changes``, and the service decides whether the action is allowed. Buttons carry ids (and the
name, for the modal's title line), never anything about a case: an admin button carries the keyword
arguments of the modal it opens. Slack wants the action ids of one block unique, so buttons that share a
listener (the status changes, the checks, Previous and Next) each add their own suffix to its prefix.
"""

from datetime import date
from typing import Any

from bot.features.record_changes.views import CHECK_QUESTIONS, STATUS_TITLES
from bot.payloads import carry
from bot.views.blocks import Block, actions, button, context, escape, fields, header, message, section
from bot.views.wording import sentence, words

OPEN = "consultant.open"
PAGE = "consultant.page"  # .previous, .next
STATUS = "consultant.status"  # .approve, .suspend, .remove, .reinstate
ADD_ENGAGEMENT = "consultant.engagement_add"
END_ENGAGEMENT = "consultant.engagement_end"
RECORD_CHECK = "consultant.check"  # .dbs, .registration, .insurance
PAGE_SIZE = 10
SHOWN_ENGAGEMENTS = 8
SHOWN_INTERESTS = 5
SHOWN_REVIEWS = 5


def _listed(values: list[str]) -> str:
    return escape(", ".join(words(v) for v in values)) or "none recorded"


# Search results ---------------------------------------------------------------------------------


def result_line(consultant: dict[str, Any]) -> str:
    status = escape(str(consultant["status"]))
    specialisms = _listed(consultant.get("specialisms") or [])
    areas = _listed(consultant.get("areas") or [])
    return f"*{escape(consultant['name'])}* ({status})\n{specialisms} · {areas}"


def results(page: dict[str, Any], *, q: str) -> list[Block]:
    """One page of matches, each with a button to open its card, and Previous/Next when there are more."""
    total, offset, items = page["total"], page["offset"], page["items"]
    if not total:
        return message(
            [
                section(
                    f":mag: No consultant matches “{escape(q)}”. Search for part of a name, a specialism "
                    "(such as `neglect` or `exploitation`) or an area (such as `hackney`)."
                )
            ]
        )
    out: list[Block] = [
        section(f"*{total}* consultants match “{escape(q)}” ({offset + 1} to {offset + len(items)} shown)")
    ]
    out += [
        section(result_line(c), accessory=button("Open", action_id=OPEN, value=str(c["id"]))) for c in items
    ]
    turns = []
    if offset > 0:
        previous = carry(q=q, offset=max(0, offset - PAGE_SIZE))
        turns.append(button("Previous", action_id=f"{PAGE}.previous", value=previous))
    if offset + len(items) < total:
        turns.append(button("Next", action_id=f"{PAGE}.next", value=carry(q=q, offset=offset + PAGE_SIZE)))
    if turns:
        out.append(actions(*turns, block_id="consultant.pages"))
    return message(out)


# The card ----------------------------------------------------------------------------------------

_STATE_MARKS = {
    "current": ":white_check_mark:",
    "due_soon": ":large_orange_circle:",
    "lapsed": ":red_circle:",
    "missing": ":red_circle:",
    "not_held": ":white_circle:",
}


def check_line(check: dict[str, Any]) -> str:
    """One check: its state, the date held and the date it lapses."""
    label = sentence(escape(str(check["label"])))
    state, due = check["state"], check.get("due")
    mark = _STATE_MARKS.get(state, "•")
    if state in ("missing", "not_held"):
        return f"{mark} {label}: none recorded"
    held = f"checked {check['recorded']}, " if check["check"] == "dbs" else ""
    lapsed = "overdue since" if check["check"] == "reapproval" else "lapsed"
    when = {"lapsed": lapsed, "due_soon": "falls due"}.get(state, "until")
    return f"{mark} {label}: {held}{when} *{due}*"


def _current(engagement: dict[str, Any], today: date) -> bool:
    end = engagement.get("end_date")
    return end is None or date.fromisoformat(end) >= today


def engagement_line(engagement: dict[str, Any], agency_names: dict[str, str]) -> str:
    agency = agency_names.get(engagement["agency_id"], engagement["agency_id"])
    since = f", since {engagement['start_date']}" if engagement.get("start_date") else ""
    until = f", until {engagement['end_date']}" if engagement.get("end_date") else ""
    pending = " _(self-declared, not yet confirmed)_" if not engagement.get("confirmed", True) else ""
    return (
        f"• {sentence(escape(words(engagement['kind'])))}, {escape(agency)}: "
        f"{escape(engagement['role_title'])}{since}{until}{pending}"
    )


def interest_line(interest: dict[str, Any], agency_names: dict[str, str]) -> str:
    about = []
    if interest.get("agency_id"):
        about.append(escape(agency_names.get(interest["agency_id"], interest["agency_id"])))
    if interest.get("case_ref"):
        about.append(f"case {escape(interest['case_ref'])}")
    tail = f" ({'; '.join(about)})" if about else ""
    return f"• {interest['declared_on']}: {escape(interest['text'])}{tail}"


def review_line(review: dict[str, Any]) -> str:
    finished = f" to {review['completed_on']}" if review.get("completed_on") else " (in progress)"
    rating = f": rated *{review['rating']}* of 4" if review.get("rating") else ""
    return (
        f"• {escape(review['case_ref'])}, {escape(words(review['review_type']))} as "
        f"{escape(words(review['role']))}, {review['started_on']}{finished}{rating}"
    )


def _reviews(reviews: list[dict[str, Any]]) -> str:
    rated = [r["rating"] for r in reviews if r.get("rating")]
    average = f" · average rating *{sum(rated) / len(rated):.1f}* of 4 over {len(rated)}" if rated else ""
    recent = sorted(reviews, key=lambda r: r["started_on"], reverse=True)[:SHOWN_REVIEWS]
    lines = [review_line(r) for r in recent] or ["none recorded"]
    return f"*Reviews* ({len(reviews)}{average})\n" + "\n".join(lines)


def _admin_buttons(consultant: dict[str, Any], allowed: list[str]) -> Block:
    cid, name = consultant["id"], consultant["name"]
    status_buttons = [
        button(
            "Re-approve"
            if action == "approve" and consultant["status"] == "approved"
            else STATUS_TITLES[action],
            action_id=f"{STATUS}.{action}",
            value=carry(consultant=cid, action=action, name=name),
            style="danger" if action in ("suspend", "remove") else None,
        )
        for action in allowed
        if action in STATUS_TITLES
    ]
    return actions(
        *status_buttons,
        button("Add engagement", action_id=ADD_ENGAGEMENT, value=carry(consultant=cid, name=name)),
        *(
            button(
                title,
                action_id=f"{RECORD_CHECK}.{check}",
                value=carry(consultant=cid, check=check, name=name),
            )
            for check, (title, _, _) in CHECK_QUESTIONS.items()
        ),
        block_id=f"consultant.admin|{cid}",
    )


def card(card: dict[str, Any], *, admin: bool, today: date) -> list[Block]:
    """The card; ``admin`` adds the buttons that change the record."""
    consultant = card["consultant"]
    names = card.get("agency_names") or {}
    reason = f"\n_{escape(consultant['status_reason'])}_" if consultant.get("status_reason") else ""
    out: list[Block] = [
        header(consultant["name"]),
        fields(
            f"*Status*\n{escape(str(consultant['status']))}{reason}",
            f"*Places in use*\n{card['places_held']} of {consultant['capacity']}",
            f"*Specialisms*\n{_listed(consultant.get('specialisms') or [])}",
            f"*Areas*\n{_listed(consultant.get('areas') or [])}",
        ),
        section("*Checks*\n" + "\n".join(check_line(check) for check in card["checks"])),
    ]
    current = [e for e in consultant.get("engagements") or [] if _current(e, today)]
    out.append(section(f"*Current engagements* ({len(current)})" + ("" if current else "\nnone recorded")))
    for engagement in current[:SHOWN_ENGAGEMENTS]:
        end = button(
            "End",
            action_id=END_ENGAGEMENT,
            value=carry(consultant=consultant["id"], engagement=engagement["id"], name=consultant["name"]),
        )
        out.append(section(engagement_line(engagement, names), accessory=end if admin else None))
    if len(current) > SHOWN_ENGAGEMENTS:
        out.append(context(f"and {len(current) - SHOWN_ENGAGEMENTS} more: see the admin pages."))
    interests = sorted(consultant.get("interests") or [], key=lambda i: i["declared_on"], reverse=True)
    lines = [interest_line(i, names) for i in interests[:SHOWN_INTERESTS]] or ["none recorded"]
    out.append(section(f"*Declared interests* ({len(interests)})\n" + "\n".join(lines)))
    out.append(section(_reviews(consultant.get("reviews") or [])))
    if admin:
        out.append(_admin_buttons(consultant, card.get("allowed_actions") or []))
    else:
        out.append(context("Only admins change the approved list."))
    return message(out)
