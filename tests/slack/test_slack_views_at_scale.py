"""Every view the bot builds, from the largest inputs the service can hand it, passes Slack's rules.

Each builder in ``bot/features/*/views.py`` (and the check's answer and form, and ``bot/views``) is fed
long lists (a shortlist of 60 candidates and 20 exclusions, a consultant with 40 engagements, a case with
every outcome, a declaration request for 30 agencies with 64-character ids), 3000-character reasons and
200-character names with emoji and non-ASCII letters, and what it returns is checked by the Slack
stand-in's own rules (``blockkit_rules``), as Slack would check it when the bot sends it. A builder added
later without a case here fails ``test_every_view_builder_is_checked_at_scale``.
"""

import importlib
import inspect
import json
import pkgutil
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from blockkit_rules import Verdict, check_ack, check_call
from slack_rig import CHECKS

import bot.features
from bot.features.case import timeline as case_timeline
from bot.features.case import views as case_view
from bot.features.check import answer
from bot.features.check import form as check_form
from bot.features.consultant import views as consultant_view
from bot.features.declaration import views as declaration_view
from bot.features.digest import views as digest_view
from bot.features.help import views as help_view
from bot.features.home import views as home_view
from bot.features.me import views as me_view
from bot.features.overdue_actions import views as overdue_view
from bot.features.record_changes import views as changes
from bot.features.shortlist import views as shortlist_view
from bot.service_client import Rejected
from bot.views import errors, inputs
from commissioning import rules
from commissioning.features import CATALOGUE
from service.api.slack import words

VOCABULARY = words()  # what GET /api/v1/slack/vocabulary answers

TODAY = date(2026, 11, 11)
NAME = ("Zoë Ångström-Ó'Brien 🧒🏽 & <Łukasz> Nuñez-Þórsdóttir ") * 5
NAME = NAME[:200]
REASON = ("Le conseil a décidé — après examen — que la révision n'est pas nécessaire 🙂 & <ok>. " * 40)[:3000]
LONG_ID = "agency-" + "x" * 57  # 64 characters
WHERE = {"ref": "HAC-2026-0007", "channel": "D0CHAIR", "ts": "1700000000.000100"}

Built = tuple[str, Any]  # (what Slack receives it as, the payload)


def _message(blocks: list[dict[str, Any]], text: str = "Fallback text") -> Built:
    return "message", {"channel": "D0TEST", "text": text, "blocks": blocks}


def _modal(view: dict[str, Any]) -> Built:
    return "modal", {"trigger_id": "1.2.trigger", "view": view}


def _checked(built: Built) -> Verdict:
    kind, payload = built
    if kind == "message":
        return check_call("chat.postMessage", payload)
    if kind == "reply":
        return check_call("response_url", payload)
    if kind == "modal":
        return check_call("views.open", payload)
    if kind == "home":
        return check_call("views.publish", {"user_id": "U0TEST", "view": payload})
    if kind == "options":
        return check_ack("block_suggestion", {"options": payload})
    if kind == "text":
        return check_call("chat.postMessage", {"channel": "D0TEST", "text": payload})
    raise AssertionError(f"unknown kind {kind}")


# Large inputs, shaped as the service answers -----------------------------------------------------------


def labels() -> dict[str, str]:
    return {outcome.id: f"{outcome.label} {NAME[:40]}" for outcome in rules.outcome_types().values()}


def every_outcome() -> list[dict[str, Any]]:
    return [
        {
            "type": outcome_id,
            "requirement": "mandatory" if n % 2 else "discretionary",
            "reasons": [{"text": REASON, "source": NAME} for _ in range(8)],
            "deadline": {"date": "2026-11-18", "basis": REASON[:300]},
        }
        for n, outcome_id in enumerate(rules.outcome_types())
    ]


def catalogue() -> list[dict[str, Any]]:
    return [feature.to_json() for feature in CATALOGUE]


def result() -> dict[str, Any]:
    asked = [f for f in catalogue() if not f.get("theme")]
    return {
        "ruleset": {"id": "wt2023", "version": "1"},
        "summary": REASON,
        "outcomes": every_outcome(),
        "open_questions": [{"feature": f["name"], "why": REASON} for f in asked],
    }


def case(*, decided: bool) -> dict[str, Any]:
    decision = {
        "accepted": False,
        "decided_by": NAME,
        "decided_at": "2026-11-11T10:00:00",
        "reason": REASON,
        "result": {"outcomes": every_outcome()},
    }
    return {
        "ref": "HAC-2026-0007",
        "status": "open",
        "area": NAME,
        "created_at": "2026-11-10T09:00:00",
        "recommendation": {
            "summary": REASON,
            "ruleset": {"id": "wt2023", "version": 1},
            "outcomes": every_outcome(),
        },
        "board_decision": decision if decided else None,
    }


def shortlist() -> dict[str, Any]:
    return {
        "case_ref": "HAC-2026-0007",
        "listed": 80,
        "unavailable": 3,
        "summary": {"message": REASON},
        "unknown_agencies": [NAME] * 30,
        "candidates": [
            {
                "consultant_id": 1000 + n,
                "name": NAME,
                "score": 99.5 - n,
                "breakdown": [{"component": NAME[:50], "points": -0.0 if n % 2 else 3.5, "why": REASON}] * 12,
                "warnings": [{"reason": REASON}] * 3,
            }
            for n in range(60)
        ],
        "excluded": [
            {"consultant_id": 2000 + n, "name": NAME, "findings": [{"reason": REASON}] * 4} for n in range(20)
        ],
    }


def engagements(count: int) -> list[dict[str, Any]]:
    return [
        {
            "id": n,
            "consultant_id": 7,
            "agency_id": f"{LONG_ID[:-3]}{n:03d}",
            "kind": "personal_link",
            "role_title": NAME,
            "start_date": "2010-04-01",
            "end_date": None,
            "confirmed": n % 2 == 0,
        }
        for n in range(count)
    ]


def interests(count: int) -> list[dict[str, Any]]:
    return [
        {
            "id": n,
            "consultant_id": 7,
            "text": REASON,
            "agency_id": LONG_ID,
            "case_ref": "HAC-2026-0007",
            "declared_on": "2026-05-01",
            "confirmed": False,
        }
        for n in range(count)
    ]


def agency_names() -> dict[str, str]:
    return {f"{LONG_ID[:-3]}{n:03d}": NAME for n in range(40)} | {LONG_ID: NAME}


def card() -> dict[str, Any]:
    return {
        "consultant": {
            "id": 7,
            "name": NAME,
            "status": "approved",
            "status_reason": REASON,
            "capacity": 5,
            "specialisms": ["neglect", "domestic_abuse", "criminal_exploitation"] * 6,
            "areas": [NAME] * 10,
            "engagements": engagements(40),
            "interests": interests(40),
            "reviews": [
                {
                    "case_ref": f"HAC-2020-{n:04d}",
                    "review_type": "lcspr",
                    "role": "lead_reviewer",
                    "started_on": "2020-01-01",
                    "completed_on": "2020-06-01",
                    "rating": 3,
                }
                for n in range(40)
            ],
        },
        "places_held": 4,
        "checks": [
            {"check": check, "label": NAME, "state": state, "due": "2026-12-01", "recorded": "2023-12-01"}
            for check, state in (
                ("dbs", "due_soon"),
                ("registration", "lapsed"),
                ("insurance", "missing"),
                ("reapproval", "lapsed"),
            )
        ],
        "agency_names": agency_names(),
        "allowed_actions": ["approve", "suspend", "remove", "reinstate"],
    }


def record() -> dict[str, Any]:
    away = [
        {"id": n, "start_date": (TODAY + timedelta(days=10 * n)).isoformat(), "end_date": "2027-12-31"}
        for n in range(40)
    ]
    commissions = [
        {
            "id": n,
            "case_ref": f"HAC-2026-{n:04d}",
            "role": "lead_reviewer",
            "status": "proposed",
            "declared": False,
        }
        for n in range(40)
    ]
    return {
        "consultant_id": 7,
        "name": NAME,
        "status": "suspended",
        "status_reason": REASON,
        "checks": CHECKS,
        "capacity": 5,
        "places_held": 5,
        "away": away,
        "engagements": engagements(40),
        "interests": interests(40),
        "commissions": commissions,
        "agencies": agency_names(),
    }


def commission() -> dict[str, Any]:
    return {
        "id": 123456,
        "case_ref": "HAC-2026-0007",
        "consultant_id": 7,
        "consultant_name": NAME,
        "role": "lead_reviewer",
        "status": "proposed",
        "warnings": [{"reason": REASON}] * 10,
        "created_at": "2026-11-11T10:00:00",
        "declaration": {"no_conflict": False, "agencies": [LONG_ID] * 30, "statement": REASON},
    }


def thirty_agencies() -> list[tuple[str, str]]:
    return [(f"{LONG_ID[:-3]}{n:03d}", NAME) for n in range(30)]


def digest_items() -> list[dict[str, Any]]:
    return [
        {
            "consultant_id": 1000 + n,
            "name": NAME,
            "slack_user_id": "U0ADA",
            "check": ("dbs", "registration", "insurance", "reapproval")[n % 4],
            "label": NAME,
            "recorded": "2023-12-01",
            "due": "2026-12-01",
            "state": ("lapsed", "due_soon", "missing")[n % 3],
        }
        for n in range(digest_view.PER_MESSAGE)
    ]


def home_me(role: str) -> dict[str, Any]:
    """Who the Home tab is for: ``role`` in many partnerships of long names, a list admin too."""
    held = [{"partnership": f"P{n:03d}", "name": f"{NAME} {n}", "role": role} for n in range(40)]
    return {"role": role, "regional": "list_admin", "roles": held}


def home_lists() -> dict[str, Any]:
    cases = {
        "total": 400,
        "items": [
            {
                "ref": f"HAC-2026-{n:04d}",
                "partnership": "HAC",
                "partnership_name": NAME,
                "next_deadline": {"type": "rapid_review", "date": "2026-11-20"},
            }
            for n in range(home_view.SHOWN)
        ],
    }
    awaiting = [{**commission(), "case_ref": f"HAC-2026-{n:04d}"} for n in range(60)]
    expiring = {
        "total": 90,
        "items": [
            {
                "name": NAME,
                "status": "approved",
                "dbs_check_date": "2023-01-01",
                "insurance_expiry": "2026-12-01",
            }
        ]
        * home_view.SHOWN,
    }
    owned = [
        {
            "case_ref": f"HAC-2026-{n:04d}",
            "recommendation": n,
            "action": {"due": "2026-11-20", "status_words": "evidence submitted", "overdue_days": n},
        }
        for n in range(60)
    ]
    return {"cases": cases, "awaiting": awaiting, "expiring": expiring, "owned": owned}


def milestone_lines() -> list[dict[str, Any]]:
    """A timeline as the service answers it: every milestone, long words and bases, half of them late."""
    return [
        {
            "kind": f"k{n}",
            "words": NAME,
            "on": (TODAY - timedelta(days=n)).isoformat() if n % 2 else None,
            "due": TODAY.isoformat(),
            "late": n % 3 == 0,
            "standing": f"Late: it was due by Wed 11 Nov 2026 {NAME}",
        }
        for n in range(9)
    ]


# Every builder, at scale -------------------------------------------------------------------------------

NOTICE = me_view.notice_summary(
    kind="interest", record=interests(1)[0], consultant=NAME, agencies=agency_names()
)
REFUSED = Rejected(
    REASON,
    status=422,
    problems=[{"loc": ["body", "reason"], "msg": REASON}] * 30,
    allowed=["approve", "suspend", "remove", "reinstate"],
)

BUILDERS: dict[Callable[..., Any], Callable[[], list[Built]]] = {
    case_view.blocks: lambda: [
        _message(case_view.blocks(case(decided=decided), labels=labels(), chair=True, today=TODAY))
        for decided in (False, True)
    ],
    case_view.depart_modal: lambda: [
        _modal(case_view.depart_modal(WHERE, labels=labels(), today=TODAY)),
        _modal(case_view.depart_modal(WHERE, labels={f"o{n}": NAME for n in range(150)}, today=TODAY)),
    ],
    case_view.accept_modal: lambda: [_modal(case_view.accept_modal(WHERE, today=TODAY))],
    case_timeline.blocks: lambda: [
        _message(
            case_view.blocks(case(decided=True), labels=labels(), chair=True, today=TODAY)
            + case_timeline.blocks(milestone_lines(), ref=WHERE["ref"], status=status, may_close=True)
        )
        for status in ("open", "closed")
    ],
    case_timeline.status_modal: lambda: [
        _modal(case_timeline.status_modal(WHERE, close=close)) for close in (True, False)
    ],
    answer.blocks: lambda: [
        _message(
            answer.blocks(
                result(),
                catalogue=catalogue(),
                labels=labels(),
                draft_id="d" * 16,
                skipped=[],
                today=TODAY,
                case_ref=ref,
            ),
            answer.summary_text(result(), labels(), case_ref=ref),
        )
        for ref in (None, "HAC-2026-0007")
    ],
    answer.question_elements: lambda: [
        _message(
            [{"type": "actions", "block_id": "q", "elements": answer.question_elements(feature)}],
        )
        for feature in catalogue()
    ],
    check_form.form: lambda: [_modal(check_form.form(catalogue()))],
    check_form.question_input: lambda: [
        _modal(
            {
                "type": "modal",
                "title": {"type": "plain_text", "text": "Open question"},
                "submit": {"type": "plain_text", "text": "Answer"},
                "blocks": [check_form.question_input(f, optional=False)],
            }
        )
        for f in catalogue()
        if not f.get("theme")
    ],
    check_form.agency_options: lambda: [
        ("options", check_form.agency_options([{"id": LONG_ID, "name": NAME, "area": NAME}] * 150))
    ],
    consultant_view.results: lambda: (
        [
            _message(
                consultant_view.results(
                    {
                        "total": 400,
                        "offset": offset,
                        "items": [
                            {**card()["consultant"], "id": 100 + n} for n in range(consultant_view.PAGE_SIZE)
                        ],
                    },
                    q=NAME,
                    vocabulary=VOCABULARY,
                )
            )
            for offset in (0, 10, 390)
        ]
        + [
            _message(
                consultant_view.results({"total": 0, "offset": 0, "items": []}, q=NAME, vocabulary=VOCABULARY)
            )
        ]
    ),
    consultant_view.card: lambda: [
        _message(consultant_view.card(card(), admin=admin, today=TODAY, vocabulary=VOCABULARY))
        for admin in (True, False)
    ],
    declaration_view.request_blocks: lambda: [
        _message(declaration_view.request_blocks(commission(), agencies=agencies, request="ab12cd34"))
        for agencies in (thirty_agencies(), thirty_agencies()[:2], [])
    ],
    declaration_view.agency_sections: lambda: [
        _message(declaration_view.agency_sections(thirty_agencies() * 3))
    ],
    declaration_view.list_modal: lambda: [
        _modal(
            declaration_view.list_modal(
                {"commission": 123456, "request": "ab12cd34", **WHERE}, agencies=thirty_agencies()
            )
        )
    ],
    declaration_view.conflict_modal: lambda: [
        _modal(
            declaration_view.conflict_modal(
                {"commission": 123456, "request": "ab12cd34", **WHERE}, agencies=thirty_agencies()
            )
        )
    ],
    declaration_view.declared_blocks: lambda: [_message(declaration_view.declared_blocks(commission()))],
    declaration_view.decline_modal: lambda: [
        _modal(declaration_view.decline_modal({"commission": 123456, "request": "ab12cd34", **WHERE}))
    ],
    declaration_view.declined_blocks: lambda: [_message(declaration_view.declined_blocks(commission()))],
    digest_view.blocks: lambda: [
        _message(
            digest_view.blocks(
                digest_items(), monday=TODAY, horizon=TODAY + timedelta(days=36), part=3, parts=9
            ),
            digest_view.text(digest_items(), monday=TODAY, part=3, parts=9),
        )
    ],
    digest_view.item_buttons: lambda: [_message([digest_view.item_buttons(item) for item in digest_items()])],
    help_view.reply: lambda: [("reply", help_view.reply())],
    help_view.unknown: lambda: [("reply", help_view.unknown(NAME * 5))],
    home_view.view: lambda: (
        [
            ("home", home_view.view(me=home_me(role), labels=labels(), slack_user="U0ADMIN", **home_lists()))
            for role in ("admin", "commissioner", "chair")
        ]
        + [
            (
                "home",
                home_view.view(me=None, cases={}, awaiting=None, expiring=None, labels={}, slack_user="U0X"),
            )
        ]
    ),
    overdue_view.dm: lambda: [_message(*reversed(overdue_view.dm({"words": NAME * 10})))],
    overdue_view.counts: lambda: [_message(*reversed(overdue_view.counts(actions=10**6, cases=10**5)))],
    me_view.record_blocks: lambda: [
        _message(me_view.record_blocks(record(), vocabulary=VOCABULARY), me_view.record_text(record()))
    ],
    me_view.home_tab: lambda: [("home", me_view.home_tab())],
    me_view.availability_modal: lambda: [_modal(me_view.availability_modal(record()))],
    me_view.interest_modal: lambda: [_modal(me_view.interest_modal())],
    me_view.engagement_modal: lambda: [_modal(me_view.engagement_modal())],
    me_view.availability_saved: lambda: [_modal(me_view.availability_saved(record()))],
    me_view.declared: lambda: [_modal(me_view.declared(kind)) for kind in ("interest", "engagement")],
    me_view.notice_blocks: lambda: [
        _message(me_view.notice_blocks(kind=kind, consultant=7, record=2**31))
        for kind in ("interest", "engagement")
    ],
    me_view.resolved_blocks: lambda: [_message(me_view.resolved_blocks("engagement", REASON))],
    me_view.review_modal: lambda: [
        _modal(
            me_view.review_modal(
                NOTICE,
                subject={"kind": "engagement", "consultant": 7, "id": 2**31},
                channel="C0ADMINS",
                ts="1.2",
            )
        )
    ],
    changes.status_modal: lambda: [
        _modal(changes.status_modal(consultant=7, action=action, name=NAME, where=WHERE))
        for action in changes.STATUS_TITLES
    ],
    changes.engagement_modal: lambda: [_modal(changes.engagement_modal(consultant=7, name=NAME))],
    changes.end_modal: lambda: [
        _modal(changes.end_modal(consultant=7, engagement=2**31, name=NAME, today=TODAY))
    ],
    changes.check_modal: lambda: [
        _modal(changes.check_modal(consultant=7, check=check, name=NAME, today=TODAY, where=WHERE))
        for check in changes.CHECK_QUESTIONS
    ],
    changes.done: lambda: [_modal(changes.done(REASON))],
    shortlist_view.blocks: lambda: [
        _message(
            shortlist_view.blocks(shortlist(), key_base="k" * 12, shown=shown),
            shortlist_view.text(shortlist(), shown=shown),
        )
        for shown in (shortlist_view.FIRST, shortlist_view.MOST, 60)
    ],
    shortlist_view.why_modal: lambda: [
        _modal(shortlist_view.why_modal(shortlist(), consultant_id=consultant_id))
        for consultant_id in (1000, 1059, 1)  # the first, the last, and one no longer a candidate
    ],
    shortlist_view.excluded_modal: lambda: [
        _modal(shortlist_view.excluded_modal(shortlist())),
        _modal(shortlist_view.excluded_modal({**shortlist(), "excluded": shortlist()["excluded"] * 30})),
    ],
    shortlist_view.pick_options: lambda: [("options", shortlist_view.pick_options(shortlist(), query=""))],
    inputs.done: lambda: [_modal(inputs.done(REASON, callback_id="done"))],
    errors.usage: lambda: [("reply", errors.usage("/scr consultant QUERY", REASON))],
}
TEXTS: dict[Callable[..., str], Callable[[], str]] = {
    answer.summary_text: lambda: answer.summary_text(result(), labels()),
    shortlist_view.commissioned_text: lambda: shortlist_view.commissioned_text(commission(), dm_sent=True),
    shortlist_view.already_text: lambda: shortlist_view.already_text(commission()),
    shortlist_view.text: lambda: shortlist_view.text(shortlist()),
    digest_view.reminder_text: lambda: digest_view.reminder_text(
        {"name": NAME, "check": {"label": NAME, "state": "lapsed", "due": "2026-12-01"}}
    ),
    errors.describe: lambda: errors.describe(REFUSED, user="U0ADMIN", reference="abcd1234"),
    digest_view.text: lambda: digest_view.text(digest_items(), monday=TODAY, part=3, parts=9),
    me_view.record_text: lambda: me_view.record_text(record()),
    me_view.resolved_text: lambda: me_view.resolved_text("engagement", rejected=True),
    declaration_view.request_text: lambda: declaration_view.request_text(commission()),
    declaration_view.declared_text: lambda: declaration_view.declared_text(commission()),
    consultant_view.summary: lambda: consultant_view.summary(card(), VOCABULARY),
    consultant_view.matches: lambda: consultant_view.matches(
        {"total": 400, "offset": 390, "items": [1] * 10}, q=NAME
    ),
}


@pytest.mark.parametrize("builder", BUILDERS, ids=lambda builder: f"{builder.__module__}.{builder.__name__}")
def test_every_view_built_from_large_inputs_passes_slacks_rules(builder: Callable[..., Any]) -> None:
    for built in BUILDERS[builder]():
        verdict = _checked(built)
        assert verdict.ok, "\n".join(verdict.messages)
        assert list(_growing(built[1])) == []


def _growing(value: Any) -> Any:
    """Button values and private_metadata that carry a list (which can grow past what Slack holds)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("value", "private_metadata") and isinstance(item, str) and item.startswith("{"):
                carried = json.loads(item)
                yield from (
                    f"{key}: {name}" for name, held in carried.items() if isinstance(held, list | dict)
                )
            else:
                yield from _growing(item)
    elif isinstance(value, list):
        for item in value:
            yield from _growing(item)


@pytest.mark.parametrize("builder", TEXTS, ids=lambda builder: f"{builder.__module__}.{builder.__name__}")
def test_every_message_text_built_from_large_inputs_is_within_slacks_advice(
    builder: Callable[..., str],
) -> None:
    verdict = _checked(("text", TEXTS[builder]()))
    assert verdict.ok and verdict.warnings == [], verdict.messages


def _view_modules() -> list[Any]:
    names = [f"bot.features.{m.name}.views" for m in pkgutil.iter_modules(bot.features.__path__)]
    found = []
    for name in [
        *names,
        "bot.features.check.answer",
        "bot.features.check.form",
        "bot.features.case.timeline",
    ]:
        try:
            found.append(importlib.import_module(name))
        except ModuleNotFoundError:
            continue
    return found


# Parts checked within what they are part of, and readers of what Slack sends back.
PARTS = {check_form.element: "each question_input's element"}
READERS = {"features_from", "reviewed_subject"}


def test_every_view_builder_is_checked_at_scale() -> None:
    """A public function of a view module that returns blocks, a view or an element is in ``BUILDERS``
    (or in ``PARTS``)."""
    shapes = {list[dict[str, Any]], dict[str, Any]}
    builders = {
        function
        for module in _view_modules()
        for _, function in inspect.getmembers(module, inspect.isfunction)
        if function.__module__ == module.__name__
        and not function.__name__.startswith("_")
        and inspect.signature(function).return_annotation in shapes
        and function.__name__ not in READERS
    }
    assert builders - set(BUILDERS) - set(PARTS) == set()


def test_lists_that_do_not_fit_say_how_many_more_there_are() -> None:
    shown = json.dumps(shortlist_view.blocks(shortlist(), key_base="k"))
    assert "more excluded: open the list" in shown and shortlist_view.EXCLUDED in shown
    assert "Showing the top 5 of the 60 candidates." in shown
    request = json.dumps(
        declaration_view.request_blocks(commission(), agencies=thirty_agencies(), request="t")
    )
    assert "more: open the list" in request and declaration_view.NO_CONFLICT not in request
    listed = json.dumps(
        declaration_view.list_modal({"commission": 1, "request": "t"}, agencies=thirty_agencies())
    )
    assert listed.count("\\u2022 ") == 30 or listed.count("• ") == 30
