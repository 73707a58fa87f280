"""A case's shortlist, compact: the top candidates with their points, more on request, the breakdown of
each score privately, and who is excluded and why.

The message shows the top ``FIRST`` candidates; "Show more" adds ``MORE`` at a time up to ``MOST`` (the
message is replaced), and a searchable picker (an ``external_select``) reaches anyone further down. Each
candidate has "Commission" (with a confirm dialog) and "Why this score", which opens the breakdown in a
modal, seen only by who pressed it. The excluded are summarised: the first few with what excludes them
(each reason names the record behind it), and all of them in a modal ("Open the list").

Nothing about the message is stored: each button carries the case reference (in its value, or in the
block id of the picker's block) and the service ranks the case again when it is pressed. The message
carries a key base made for it, so every Commission element sends the same idempotency key for the same
consultant however far the list is opened, and a double click or a redelivered action commissions once.
"""

import json
from collections.abc import Sequence
from typing import Any

from bot.features.consultant.words import on, plural
from bot.payloads import carry
from bot.views.blocks import (
    MODAL_BLOCKS,
    SECTION_CHARS,
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
    modal,
    option,
    section,
)
from bot.views.wording import sentence, words

COMMISSION = "shortlist.commission"
WHY = "shortlist.why"
MORE = "shortlist.more"
PICK = "shortlist.pick"
EXCLUDED = "shortlist.excluded"
PICK_BLOCK = "shortlist.pick"
CANDIDATE_BLOCK = "shortlist.candidate"
WHY_MODAL = "shortlist.why_modal"
EXCLUDED_MODAL = "shortlist.excluded_modal"
ROLE = "lead_reviewer"
ROLE_WORDS = "lead reviewer"
FIRST = 5  # candidates shown at first
MORE_STEP = 5  # added by each "Show more"
MOST = 20  # shown at most (two blocks each, within Slack's 50); the picker reaches the rest
SHOWN_EXCLUDED = 5  # in the message; "Open the list" shows every one
SHOWN_UNKNOWN = 5  # agencies named in the note that ties with them were not checked
SHOWN_WARNINGS = 2  # under a candidate in the message; "Why this score" shows every one
NOTE_WARNINGS = 5  # in the note after commissioning (a message's text: Slack advises 4,000 characters)
VIEW_TEXT = 200_000  # bytes of text in a modal: Slack refuses a view over 250 kB (views.open)
REASON_CHARS = 300  # a reason in the message (the modals show it whole, as far as Slack allows)
# What each part of a score is about, as the breakdown names it.
COMPONENTS = {
    "specialisms": "Specialisms",
    "languages": "Languages",
    "area": "Area",
    "capacity": "Free places",
    "quality": "Ratings of past reviews",
    "rotation": "Recent commissions",
}


def commission_key(base: str, consultant_id: int) -> str:
    return f"slack-{base}-{consultant_id}"


def pick_block_id(ref: str, key_base: str) -> str:
    return f"{PICK_BLOCK}|{ref}|{key_base}"


def parse_pick_block_id(block_id: str) -> tuple[str, str]:
    """The case reference and the key base the picker's block id carries."""
    _, ref, key_base = block_id.split("|", 2)
    return ref, key_base


def points(value: float) -> str:
    """A score or part of one with its word: ``12 points``, ``1 point``, ``2.5 points``; never ``-0``."""
    shown = f"{round(value, 2) + 0.0:.2f}".rstrip("0").rstrip(".")  # + 0.0 turns -0.0 into 0.0
    return f"{shown} {'point' if shown in ('1', '-1') else 'points'}"


def component(name: str) -> str:
    return COMPONENTS.get(name) or sentence(words(name))


def _counted(parts: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The parts of a score worth any points (a part worth nothing is not shown)."""
    return [part for part in parts if round(part["points"], 2)]


def _named(parts: Sequence[dict[str, Any]], *, gained: bool) -> str:
    """The parts that added (or took away) points, named in words, without their numbers."""
    named = [component(p["component"]).lower() for p in _counted(parts) if (p["points"] > 0) is gained]
    return escape(", ".join(named))


def candidate_text(rank: int, candidate: dict[str, Any]) -> str:
    """A candidate in the message: name and points, what earned or cost them points, and warnings."""
    lines = [f"*{rank}. {escape(candidate['name'])}*: {points(candidate['score'])}"]
    parts = candidate.get("breakdown") or []
    gained, lost = _named(parts, gained=True), _named(parts, gained=False)
    said = [f"points for {gained}" if gained else "", f"points off for {lost}" if lost else ""]
    if gained or lost:
        lines.append(sentence("; ".join(filter(None, said))))
    warnings = candidate.get("warnings") or []
    lines += [f":warning: {escape(clip(w['reason'], REASON_CHARS))}" for w in warnings[:SHOWN_WARNINGS]]
    if len(warnings) > SHOWN_WARNINGS:
        rest = len(warnings) - SHOWN_WARNINGS
        lines.append(f":warning: and {plural(rest, 'more warning', 'more warnings')}: see Why this score")
    return "\n".join(lines)


def excluded_line(excluded: dict[str, Any], *, limit: int = SECTION_CHARS) -> str:
    """One excluded consultant and every reason (each names the record that caused it)."""
    reasons = "; ".join(escape(clip(f["reason"], limit)) for f in excluded.get("findings") or [])
    return clip(f"• *{escape(excluded['name'])}*: {reasons}", limit)


def _confirm_commission(name: str, ref: str) -> dict[str, Any]:
    return confirm(
        title="Commission this consultant?",
        text=f"Commission {escape(name)} as {ROLE_WORDS} for case {escape(ref)}? The checks run again first, "
        "and they will be asked to declare any conflict.",
        yes="Commission",
    )


def _candidate(rank: int, candidate: dict[str, Any], *, ref: str, key_base: str) -> list[Block]:
    consultant_id = candidate["consultant_id"]
    commission = button(
        "Commission",
        action_id=COMMISSION,
        value=carry(ref=ref, consultant_id=consultant_id, key=commission_key(key_base, consultant_id)),
        style="primary",
        confirm_with=_confirm_commission(candidate["name"], ref),
    )
    why = button("Why this score", action_id=WHY, value=carry(ref=ref, consultant_id=consultant_id))
    return [
        section(candidate_text(rank, candidate)),
        actions(commission, why, block_id=f"{CANDIDATE_BLOCK}|{consultant_id}"),
    ]


def _notes(shortlist: dict[str, Any]) -> list[str]:
    listed, unavailable = shortlist.get("listed", 0), shortlist.get("unavailable", 0)
    counts = f"{plural(listed, 'consultant')} on the approved list"
    if unavailable:
        counts += (
            f"; {unavailable} of them cannot take a review now (not approved, at capacity or with a "
            "lapsed check)"
        )
    notes = [escape((shortlist.get("summary") or {}).get("message") or ""), f"{counts}."]
    names = shortlist.get("unknown_agencies") or []
    if names:
        unknown = ", ".join(escape(name) for name in names[:SHOWN_UNKNOWN])
        unknown += f" and {len(names) - SHOWN_UNKNOWN} more" if len(names) > SHOWN_UNKNOWN else ""
        notes.append(f":warning: No agency on record answers to {unknown}: ties with them were not checked.")
    return [note for note in notes if note]


def _more(shortlist: dict[str, Any], *, shown: int, key_base: str) -> list[Block]:
    """How many are shown, "Show more" while under ``MOST``, and the picker of anyone further down."""
    ref, candidates = shortlist["case_ref"], shortlist.get("candidates") or []
    elements: list[dict[str, Any]] = []
    if shown < MOST:
        elements.append(button("Show more", action_id=MORE, value=carry(shown=min(shown + MORE_STEP, MOST))))
    elements.append(
        {
            "type": "external_select",
            "action_id": PICK,
            "placeholder": {"type": "plain_text", "text": f"Another of the {len(candidates)} candidates"},
            "min_query_length": 0,
            "confirm": confirm(
                title="Commission this consultant?",
                text=f"Commission the consultant you picked as {ROLE_WORDS} for case {escape(ref)}?",
                yes="Commission",
            ),
        }
    )
    return [
        context(f"Showing the top {shown} of the {len(candidates)} candidates."),
        actions(*elements, block_id=pick_block_id(ref, key_base)),
    ]


def _excluded(shortlist: dict[str, Any]) -> list[Block]:
    """The first excluded, with why; "Open the list" when there are more, or their reasons were cut."""
    excluded = shortlist.get("excluded") or []
    if not excluded:
        return []
    title = f"*Excluded: {plural(len(excluded), 'consultant')}*"
    lines: list[str] = []
    room = SECTION_CHARS - len(title) - 80  # kept for the count of the rest
    for item in excluded[:SHOWN_EXCLUDED]:
        line = excluded_line(item, limit=REASON_CHARS * 2)
        room -= len(line) + 1
        if room < 0:
            break
        lines.append(line)
    rest = len(excluded) - len(lines)
    cut = any(line != excluded_line(item) for line, item in zip(lines, excluded, strict=False))
    if rest:
        lines.append(f"and {rest} more excluded: open the list")
    opener = button("Open the list", action_id=EXCLUDED, value=carry(ref=shortlist["case_ref"]))
    text = "\n".join([title, *lines])
    return [divider(), section(text, accessory=opener if rest or cut else None)]


def shown_of(shortlist: dict[str, Any], shown: int) -> int:
    return min(shown, MOST, len(shortlist.get("candidates") or []))


def blocks(shortlist: dict[str, Any], *, key_base: str, shown: int = FIRST) -> list[Block]:
    """The shortlist message with the top ``shown`` candidates (at most ``MOST``)."""
    ref = shortlist["case_ref"]
    candidates = shortlist.get("candidates") or []
    shown = shown_of(shortlist, shown)
    out: list[Block] = [header(f"Shortlist for case {ref}"), context(*_notes(shortlist))]
    for rank, candidate in enumerate(candidates[:shown], start=1):
        out += _candidate(rank, candidate, ref=ref, key_base=key_base)
    if not candidates:
        out.append(section("*Nobody can be commissioned* on the current list and policy."))
    if len(candidates) > shown:
        out += _more(shortlist, shown=shown, key_base=key_base)
    out += _excluded(shortlist)
    return message(out)


def text(shortlist: dict[str, Any], *, shown: int = FIRST) -> str:
    """The message's fallback text (notifications, screen readers): what its blocks show."""
    ref, candidates = shortlist["case_ref"], shortlist.get("candidates") or []
    excluded = len(shortlist.get("excluded") or [])
    if candidates:
        shown = shown_of(shortlist, shown)
        top = f"the top {shown} of {plural(len(candidates), 'candidate')}"
        listed = top if len(candidates) > shown else plural(len(candidates), "candidate")
        said = f"Shortlist for case {ref}: {listed}"
    else:
        said = f"Shortlist for case {ref}: nobody can be commissioned"
    return f"{said}, {plural(excluded, 'consultant')} excluded."


# The modals: why a score, and every excluded consultant -------------------------------------------------


def _packed(lines: Sequence[str], *, room: int, budget: int) -> tuple[list[Block], int]:
    """``lines`` in as few sections as hold them, within ``room`` sections and ``budget`` bytes of JSON
    (as the SDK sends it: non-ASCII escaped); and how many lines did not fit."""
    texts: list[str] = []
    for number, line in enumerate(lines):
        line = clip(line, SECTION_CHARS)
        budget -= len(json.dumps(line)) + 1
        if budget < 0:
            return [section(t) for t in texts], len(lines) - number
        if texts and len(texts[-1]) + 1 + len(line) <= SECTION_CHARS:
            texts[-1] += "\n" + line
        elif len(texts) < room:
            texts.append(line)
        else:
            return [section(t) for t in texts], len(lines) - number
    return [section(t) for t in texts], 0


def _part_line(part: dict[str, Any]) -> str:
    change = "adds" if part["points"] > 0 else "takes away"
    named = escape(component(part["component"]))
    return f"• *{named}* {change} {points(abs(part['points']))}: {escape(part['why'])}"


def why_modal(shortlist: dict[str, Any], *, consultant_id: int) -> dict[str, Any]:
    """A candidate's score, part by part (parts worth nothing left out), with every warning."""
    ref, candidates = shortlist["case_ref"], shortlist.get("candidates") or []
    found = next(
        ((rank, c) for rank, c in enumerate(candidates, start=1) if c["consultant_id"] == consultant_id),
        None,
    )
    if found is None:
        return modal(
            title="Why this score",
            callback_id=WHY_MODAL,
            blocks=[
                section(
                    f"This consultant is no longer among the candidates for case *{escape(ref)}*: the "
                    f"record or the case has changed. Type `/scr shortlist {escape(ref)}` for the shortlist "
                    "as it is now."
                )
            ],
        )
    rank, candidate = found
    placing = (
        "the only candidate" if len(candidates) == 1 else f"number {rank} of {len(candidates)} candidates"
    )
    out: list[Block] = [
        section(
            f"*{escape(candidate['name'])}*: {points(candidate['score'])}, {placing} for case "
            f"*{escape(ref)}*."
        )
    ]
    worth = _counted(candidate.get("breakdown") or [])
    room = MODAL_BLOCKS - 4  # the blocks around the parts and the warnings
    if worth:
        parts, cut = _packed([_part_line(part) for part in worth], room=room // 2, budget=VIEW_TEXT // 2)
        out += parts + ([context(f"and {plural(cut, 'more part')}")] if cut else [])
    else:
        out.append(section("Nothing in their record adds or takes away points for this case."))
    warnings = [f":warning: {escape(w['reason'])}" for w in candidate.get("warnings") or []]
    if warnings:
        shown, cut = _packed(warnings, room=room - len(out), budget=VIEW_TEXT // 2)
        out += shown + ([context(f"and {plural(cut, 'more warning')}")] if cut else [])
    out.append(context("Candidates with equal points are listed with fewer warnings first, then by name."))
    return modal(title="Why this score", callback_id=WHY_MODAL, blocks=out)


def excluded_modal(shortlist: dict[str, Any]) -> dict[str, Any]:
    """Every excluded consultant with every reason, as far as a modal holds them."""
    ref, excluded = shortlist["case_ref"], shortlist.get("excluded") or []
    intro = section(
        f"*{plural(len(excluded), 'consultant')}* cannot review case *{escape(ref)}*. Each reason names "
        "the record behind it."
    )
    lines = [excluded_line(item) for item in excluded]
    listed, cut = _packed(lines, room=MODAL_BLOCKS - 2, budget=VIEW_TEXT)
    more = [context(f"and {cut} more excluded, not shown here")] if cut else []
    return modal(title="Excluded", callback_id=EXCLUDED_MODAL, blocks=[intro, *listed, *more])


def pick_options(shortlist: dict[str, Any], *, query: str) -> list[dict[str, Any]]:
    """The candidates matching ``query`` as options of the picker (value: the consultant id)."""
    wanted = query.casefold().strip()
    found = [c for c in shortlist.get("candidates") or [] if wanted in c["name"].casefold()]
    return [
        option(f"{clip(c['name'], 50)}: {points(c['score'])}", str(c["consultant_id"])) for c in found[:100]
    ]


def commissioned_text(commission: dict[str, Any], *, dm_sent: bool, not_asked: str = "") -> str:
    """The confirmation of a commission; ``not_asked`` is the line saying why the consultant could not be
    asked to declare, when Slack refused the request."""
    lines = [
        f":white_check_mark: Commissioned *{escape(commission['consultant_name'])}* as "
        f"{escape(words(commission['role']))} for case *{escape(commission['case_ref'])}*. The commission "
        "is proposed until they declare any conflict and it is confirmed."
    ]
    warnings = commission.get("warnings") or []
    lines += [
        f":warning: {escape(clip(w.get('reason', ''), REASON_CHARS))}" for w in warnings[:NOTE_WARNINGS]
    ]
    if len(warnings) > NOTE_WARNINGS:
        lines.append(f":warning: and {plural(len(warnings) - NOTE_WARNINGS, 'more warning')}")
    if not_asked:
        lines.append(not_asked)
    elif dm_sent:
        lines.append("They have been sent a direct message asking them to declare any conflict.")
    else:
        lines.append("They have no Slack account on record: ask them to declare any conflict by email.")
    return "\n".join(lines)


def already_text(commission: dict[str, Any]) -> str:
    """The answer to a commission made again (a double click): the one that stands."""
    return (
        f"Already done: {escape(commission['consultant_name'])} was commissioned as "
        f"{escape(words(commission['role']))} for case {escape(commission['case_ref'])} on "
        f"{on(commission['created_at'])}; the commission is {escape(words(commission['status']))}."
    )
