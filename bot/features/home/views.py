"""The App Home tab, by role: the open cases of the person's partnerships, each with its lead partnership
and next deadline; commissions awaiting a declaration (commissioners and admins, on the cases their
partnership leads); consultants whose checks are expiring (list admins); the actions of agencies' plans
the person owns. Cases by reference only."""

from typing import Any

from bot.roles import standing
from bot.views import errors
from bot.views.blocks import MODAL_BLOCKS, Block, context, divider, escape, header, section
from bot.views.outcomes import label
from bot.views.wording import day, words

SHOWN = 15  # per list: four lists of 15 and their headings stay well inside the 100 blocks of a Home tab


def _more(total: int, what: str) -> list[Block]:
    return [context(f"and {total - SHOWN} more {what}")] if total > SHOWN else []


def case_line(case: dict[str, Any], *, labels: dict[str, str]) -> str:
    upcoming = case.get("next_deadline")  # the service's answer: the decision in force, from today on
    due = "no deadline ahead"
    if upcoming:
        due = f"{escape(label(upcoming, labels))} due *{day(upcoming['date'])}*"
    decided = "" if case.get("board_decision") else " · awaiting the board's decision"
    lead = f" ({escape(case['partnership_name'])})" if case.get("partnership_name") else ""
    return f"*{escape(case['ref'])}*{lead}: {due}{decided}"


def commission_line(commission: dict[str, Any]) -> str:
    return (
        f"*{escape(commission['case_ref'])}*: {escape(commission['consultant_name'])}, "
        f"{escape(words(commission['role']))}, asked on {day(str(commission['created_at']))}"
    )


def consultant_line(consultant: dict[str, Any]) -> str:
    dates = [
        f"{label} {day(str(consultant[key]))}"
        for key, label in (
            ("dbs_check_date", "DBS checked"),
            ("insurance_expiry", "insurance to"),
            ("registration_expiry", "registration to"),
            ("reapproval_due", "re-approval due"),
        )
        if consultant.get(key)
    ]
    status = escape(words(consultant["status"]))
    return f"*{escape(consultant['name'])}* ({status}): {', '.join(dates) or 'checks missing'}"


def owned_line(owned: dict[str, Any]) -> str:
    """An action the person owns, by case reference, recommendation number, due date and status only."""
    action = owned["action"]
    late = action["overdue_days"]
    overdue = f" · *overdue by {late} day{'s' if late != 1 else ''}*" if late else ""
    return (
        f"*{escape(owned['case_ref'])}*, recommendation {owned['recommendation']}: due "
        f"*{day(action['due'])}* · {escape(action['status_words'])}{overdue}"
    )


def view(
    *,
    me: dict[str, Any] | None,
    cases: dict[str, Any],
    awaiting: list[dict[str, Any]] | None,
    expiring: dict[str, Any] | None,
    labels: dict[str, str],
    slack_user: str,
    owned: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The Home tab; ``me`` (``GET /api/v1/slack/me``) None means the Slack user is not linked to anyone in
    the service."""
    blocks: list[Block] = [header("Case reviews")]
    if me is None:
        blocks.append(
            section(
                "Your Slack account is not linked to a user of the case review service yet. "
                + errors.link_request(slack_user)
            )
        )
        return {"type": "home", "blocks": blocks}
    signed_in = f"You are signed in as *{escape(standing(me))}*. Type `/scr help` for the commands."
    blocks.append(context(signed_in))
    listed, total = cases["items"], cases["total"]
    blocks += [divider(), section(f"*Open cases ({total})*")]
    blocks += [section(case_line(case, labels=labels)) for case in listed[:SHOWN]] or [
        context("No open cases.")
    ]
    blocks += _more(total, "open cases")
    if awaiting is not None:
        blocks += [divider(), section(f"*Commissions awaiting a declaration ({len(awaiting)})*")]
        blocks += [section(commission_line(c)) for c in awaiting[:SHOWN]] or [context("None.")]
        blocks += _more(len(awaiting), "commissions")
    if expiring is not None:
        blocks += [divider(), section(f"*Consultants with checks due within 30 days ({expiring['total']})*")]
        blocks += [section(consultant_line(c)) for c in expiring["items"][:SHOWN]] or [context("None.")]
        blocks += _more(expiring["total"], "consultants")
    if owned:
        blocks += [divider(), section(f"*Actions you own ({len(owned)})*")]
        blocks += [section(owned_line(o)) for o in owned[:SHOWN]]
        blocks += _more(len(owned), "actions")
    if len(blocks) > MODAL_BLOCKS:
        raise ValueError(f"{len(blocks)} blocks: a Home tab holds at most {MODAL_BLOCKS}")
    return {"type": "home", "blocks": blocks}
