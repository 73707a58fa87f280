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

from bot.features.consultant.words import Vocabulary, on, plural, term, terms
from bot.features.record_changes.views import CHECK_QUESTIONS, STATUS_TITLES
from bot.payloads import carry
from bot.views.blocks import Block, actions, button, context, escape, fields, header, message, section
from bot.views.wording import sentence

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


def _areas(values: list[str]) -> str:
    return escape(", ".join(values)) or "none recorded"


# Search results ---------------------------------------------------------------------------------


def result_line(consultant: dict[str, Any], vocabulary: Vocabulary) -> str:
    status = escape(term(vocabulary, "consultant_status", consultant["status"]))
    specialisms = terms(vocabulary, "specialism", consultant.get("specialisms") or [])
    return (
        f"*{escape(consultant['name'])}* ({status})\n{specialisms} · {_areas(consultant.get('areas') or [])}"
    )


def matches(page: dict[str, Any], *, q: str) -> str:
    """How many match, and which are shown: the page's fallback text and its first line."""
    total, offset, items = page["total"], page["offset"], page["items"]
    if not total:
        return f"No consultant matches “{q}”."
    found = plural(total, "consultant matches", "consultants match")
    return f"{found} “{q}”: {offset + 1} to {offset + len(items)} shown."


def results(page: dict[str, Any], *, q: str, vocabulary: Vocabulary) -> list[Block]:
    """One page of matches, each with a button to open its card, and Previous/Next when there are more."""
    total, offset, items = page["total"], page["offset"], page["items"]
    if not total:
        return message(
            [
                section(
                    f":mag: {escape(matches(page, q=q))} Search for part of a name, a specialism "
                    "(such as `neglect` or `exploitation`) or an area (such as `hackney`)."
                )
            ]
        )
    out: list[Block] = [section(escape(matches(page, q=q)))]
    out += [
        section(result_line(c, vocabulary), accessory=button("Open", action_id=OPEN, value=str(c["id"])))
        for c in items
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
    held = f"checked {on(check['recorded'])}, " if check["check"] == "dbs" else ""
    lapsed = "overdue since" if check["check"] == "reapproval" else "lapsed"
    when = {"lapsed": lapsed, "due_soon": "falls due"}.get(state, "until")
    return f"{mark} {label}: {held}{when} *{on(due)}*"


def _current(engagement: dict[str, Any], today: date) -> bool:
    end = engagement.get("end_date")
    return end is None or date.fromisoformat(end) >= today


def engagement_line(engagement: dict[str, Any], agency_names: dict[str, str], vocabulary: Vocabulary) -> str:
    agency = agency_names.get(engagement["agency_id"], engagement["agency_id"])
    since = f", since {on(engagement['start_date'])}" if engagement.get("start_date") else ""
    until = f", until {on(engagement['end_date'])}" if engagement.get("end_date") else ""
    pending = " _(self-declared, not yet confirmed)_" if not engagement.get("confirmed", True) else ""
    kind = sentence(escape(term(vocabulary, "engagement_kind", engagement["kind"])))
    return f"• {kind}, {escape(agency)}: {escape(engagement['role_title'])}{since}{until}{pending}"


def interest_line(interest: dict[str, Any], agency_names: dict[str, str]) -> str:
    about = []
    if interest.get("agency_id"):
        about.append(escape(agency_names.get(interest["agency_id"], interest["agency_id"])))
    if interest.get("case_ref"):
        about.append(f"case {escape(interest['case_ref'])}")
    tail = f" ({'; '.join(about)})" if about else ""
    return f"• {on(interest['declared_on'])}: {escape(interest['text'])}{tail}"


def review_line(review: dict[str, Any], vocabulary: Vocabulary) -> str:
    finished = f" to {on(review['completed_on'])}" if review.get("completed_on") else " (in progress)"
    rating = f": rated *{review['rating']} of 4*" if review.get("rating") else ""
    kind = escape(term(vocabulary, "review_type", review["review_type"]))
    role = escape(term(vocabulary, "review_role", review["role"]))
    return f"• {escape(review['case_ref'])}, {kind} as {role}, {on(review['started_on'])}{finished}{rating}"


def _reviews(reviews: list[dict[str, Any]], vocabulary: Vocabulary) -> str:
    if not reviews:
        return "*Reviews*\nnone recorded"
    rated = [r["rating"] for r in reviews if r.get("rating")]
    average = (
        f", average rating *{sum(rated) / len(rated):.1f} of 4* from {plural(len(rated), 'rated review')}"
        if rated
        else ""
    )
    recent = sorted(reviews, key=lambda r: r["started_on"], reverse=True)[:SHOWN_REVIEWS]
    lines = [review_line(r, vocabulary) for r in recent]
    if len(reviews) > SHOWN_REVIEWS:
        lines.append(f"and {len(reviews) - SHOWN_REVIEWS} earlier: see the admin pages.")
    return f"*Reviews*: {plural(len(reviews), 'review')}{average}\n" + "\n".join(lines)


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


def summary(card: dict[str, Any], vocabulary: Vocabulary) -> str:
    """The card in a line: its fallback text."""
    consultant = card["consultant"]
    status = term(vocabulary, "consultant_status", consultant["status"])
    return f"{consultant['name']}: {status}, {card['places_held']} of {consultant['capacity']} places in use."


def card(card: dict[str, Any], *, admin: bool, today: date, vocabulary: Vocabulary) -> list[Block]:
    """The card; ``admin`` adds the buttons that change the record."""
    consultant = card["consultant"]
    names = card.get("agency_names") or {}
    reason = f"\n_{escape(consultant['status_reason'])}_" if consultant.get("status_reason") else ""
    status = escape(term(vocabulary, "consultant_status", consultant["status"]))
    out: list[Block] = [
        header(consultant["name"]),
        fields(
            f"*Status*\n{sentence(status)}{reason}",
            f"*Places*\n{card['places_held']} of {consultant['capacity']} in use",
            f"*Specialisms*\n{terms(vocabulary, 'specialism', consultant.get('specialisms') or [])}",
            f"*Areas*\n{_areas(consultant.get('areas') or [])}",
        ),
        section("*Checks*\n" + "\n".join(check_line(check) for check in card["checks"])),
    ]
    current = [e for e in consultant.get("engagements") or [] if _current(e, today)]
    out.append(section("*Current engagements*" + ("" if current else "\nnone recorded")))
    for engagement in current[:SHOWN_ENGAGEMENTS]:
        end = button(
            "End",
            action_id=END_ENGAGEMENT,
            value=carry(consultant=consultant["id"], engagement=engagement["id"], name=consultant["name"]),
        )
        out.append(section(engagement_line(engagement, names, vocabulary), accessory=end if admin else None))
    if len(current) > SHOWN_ENGAGEMENTS:
        out.append(context(f"and {len(current) - SHOWN_ENGAGEMENTS} more: see the admin pages."))
    interests = sorted(consultant.get("interests") or [], key=lambda i: i["declared_on"], reverse=True)
    lines = [interest_line(i, names) for i in interests[:SHOWN_INTERESTS]] or ["none recorded"]
    if len(interests) > SHOWN_INTERESTS:
        lines.append(f"and {len(interests) - SHOWN_INTERESTS} earlier: see the admin pages.")
    out.append(section("*Declared interests*\n" + "\n".join(lines)))
    out.append(section(_reviews(consultant.get("reviews") or [], vocabulary)))
    if admin:
        out.append(_admin_buttons(consultant, card.get("allowed_actions") or []))
    else:
        out.append(context("Only admins change the approved list."))
    return message(out)
