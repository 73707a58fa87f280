"""The Slack test rig's parts: constants, the people and records the tests set up, and the driver that
plays Slack.

Every request the driver sends is signed with the signing secret and goes over HTTP to
``/slack/events``; clicks and submissions are built from the blocks the bot itself sent. Trigger ids and
response URLs come from the stand-in, which keeps Slack's limits on their use; what the bot answers in an
acknowledgement (a command's reply, a modal's errors or next view, the options of a search) is checked
against Slack's rules as the stand-in checks its calls.
"""

import json
import re
import ssl
import time
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
from factories import engagement, interest, recorded_case
from slack_standin import TEAM, Call, SlackStandIn, sign
from sqlmodel import Session

from core import clock

SECRET = "test-signing-secret"
BOT_API_TOKEN = "scr_bot-token-for-tests-only"
REMINDER_CHANNEL = "C0REMIND"
ADMIN_CHANNEL = "C0ADMINS"  # where declarations await an admin (the digest tests set their own process)
CHANNEL = "C0REVIEWS"

CHAIR, COMMISSIONER, ADMIN, STRANGER = "U0CHAIR", "U0COMMISSIONER", "U0ADMIN", "U0STRANGER"


@dataclass(frozen=True)
class People:
    chair: str = CHAIR
    commissioner: str = COMMISSIONER
    admin: str = ADMIN
    stranger: str = STRANGER  # a Slack user linked to nobody


def add_bot_user(session: Session) -> None:
    from service.auth import hash_token
    from service.models import Role, User

    session.add(User(email="bot@board.example.org", role=Role.bot, token_hash=hash_token(BOT_API_TOKEN)))
    session.commit()


def add_people(session: Session) -> None:
    from factories import add_person

    from service.models import Role

    for role, slack_id in (("chair", CHAIR), ("commissioner", COMMISSIONER), ("admin", ADMIN)):
        add_person(
            session, email=f"{role}@board.example.org", role=Role(role), actor="test", slack_user_id=slack_id
        )
    session.commit()


AGENCIES = {  # id: name, kind, area
    "hackney-csc": ("Hackney Children's Social Care", "childrens_social_care", "hackney"),
    "met-police": ("Metropolitan Police Service", "police", "london"),
    "camden-csc": ("Camden Children's Social Care", "childrens_social_care", "camden"),
}


def add_agencies(session: Session, *agency_ids: str) -> None:
    """The agencies ``agency_ids`` (of ``AGENCIES``) on the agency list."""
    from registry.models import Agency
    from registry.vocabulary import AgencyKind

    for agency_id in agency_ids:
        name, kind, area = AGENCIES[agency_id]
        session.add(Agency(id=agency_id, name=name, kind=AgencyKind(kind), area=area))
    session.commit()


def camden_ties(session: Session, consultant_id: int) -> int:
    """A consultant's ties with Camden's children's services: a contract as an independent chair these 200
    days, and an interest (a sister who works there); the contract's id."""
    from registry.vocabulary import EngagementKind

    contract = engagement(
        session,
        consultant_id,
        "camden-csc",
        EngagementKind.contracted,
        start_date=clock.today() - timedelta(days=200),
        role_title="Independent chair",
    )
    interest(session, consultant_id, agency_id="camden-csc", text="Sister works in Camden")
    return contract


# A consultant's checks as the service answers them in a record the bot shows (``/scr me``, the card).
CHECKS = {
    "dbs_check_date": "2025-06-01",
    "dbs_valid_until": "2028-05-31",
    "registration_body": "social_work_england",
    "registration_expiry": "2026-11-30",
    "insurance_expiry": None,
    "reapproval_due": "2027-01-01",
}


# What happened, as a case's features say it: a child seriously harmed by known neglect, and a child's
# unexpected death (the Panel must hear within five working days of the notification).
KNOWN_NEGLECT = {
    "subject_age_years": 3,
    "outcome": "serious_harm",
    "abuse_or_neglect": "known",
    "neglect": True,
}
UNEXPECTED_DEATH = {
    "subject_age_years": 1,
    "outcome": "death",
    "abuse_or_neglect": "suspected",
    "death_unexpected": True,
}


def notified_features(notified: date, *, area: str = "hackney", **happened: Any) -> dict[str, Any]:
    """A case's features: in ``area`` (in England), notified on ``notified``, the incident the day before;
    ``happened`` says what happened (``UNEXPECTED_DEATH``, say)."""
    return {
        "incident_date": (notified - timedelta(days=1)).isoformat(),
        "notified_date": notified.isoformat(),
        "country": "england",
        "area": area,
        **happened,
    }


def hackney_case(
    session: Session,
    *,
    notified_days_ago: int,
    agencies: list[str] | None = None,
    **features: Any,
) -> str:
    """A case in Hackney notified ``notified_days_ago`` days ago (the incident the day before), involving
    ``agencies`` (Hackney's children's services and the police unless given), recorded by the chair; its
    reference. ``features`` say what happened."""
    notified = clock.today() - timedelta(days=notified_days_ago)
    involved = agencies or ["hackney-csc", "met-police"]
    return recorded_case(session, **notified_features(notified, agencies_involved=involved, **features))


# The driver speaks plain HTTP to the service on loopback; its clients share this one TLS context, which
# httpx would otherwise build (loading the CA bundle) for each test's client.
PLAIN_HTTP = ssl.create_default_context()


class SlackDriver:
    """Plays Slack: signed slash commands, clicks, submissions and events, built from what the bot sent."""

    def __init__(self, *, url: str, standin: SlackStandIn, team: str = TEAM) -> None:
        self.url = f"{url}/slack/events"
        self.standin = standin
        self.team = team  # the workspace the people using it are in
        self.http = httpx.Client(timeout=15, verify=PLAIN_HTTP)

    def send(
        self,
        body: str,
        *,
        content_type: str = "application/x-www-form-urlencoded",
        headers: dict[str, str] | None = None,
        secret: str = SECRET,
        timestamp: int | None = None,
    ) -> httpx.Response:
        sent = {
            "Content-Type": content_type,
            **sign(body, secret=secret, timestamp=timestamp),
            **(headers or {}),
        }
        return self.http.post(self.url, content=body, headers=sent)

    def command_body(self, text: str, *, user: str, channel: str = CHANNEL) -> str:
        return urlencode(
            {
                "token": "legacy-unused",
                "team_id": self.team,
                "team_domain": "board",
                "channel_id": channel,
                "channel_name": "reviews",
                "user_id": user,
                "user_name": "someone",
                "command": "/scr",
                "text": text,
                "api_app_id": "A0TEST",
                "is_enterprise_install": "false",
                "response_url": self.standin.response_url("commands"),
                "trigger_id": self.standin.mint_trigger(),
            }
        )

    def command(self, text: str, *, user: str, channel: str = CHANNEL, **kwargs: Any) -> httpx.Response:
        """``/scr TEXT`` typed by ``user``; what the bot acknowledges it with is checked."""
        response = self.send(self.command_body(text, user=user, channel=channel), **kwargs)
        self._check_ack("slash_command", response)
        return response

    def interact(self, payload: dict[str, Any], *, headers: dict[str, str] | None = None) -> httpx.Response:
        """An interaction payload; what the bot acknowledges it with is checked."""
        body = urlencode({"payload": json.dumps(payload)})
        response = self.send(body, headers=headers)
        self._check_ack(payload.get("type", ""), response, view=payload.get("view"))
        return response

    def _check_ack(self, kind: str, response: httpx.Response, *, view: dict[str, Any] | None = None) -> None:
        if response.status_code == 200 and "json" in response.headers.get("content-type", ""):
            self.standin.check_ack(kind, response.json(), view=view)

    def _base(self, user: str) -> dict[str, Any]:
        return {
            "user": {"id": user, "team_id": self.team, "username": "someone"},
            "team": {"id": self.team, "domain": "board"},
            "api_app_id": "A0TEST",
            "token": "legacy-unused",
            "trigger_id": self.standin.mint_trigger(),
        }

    def press(
        self,
        message: Call,
        action_id: str,
        *,
        user: str,
        value: str | None = None,
        selected: str | list[str] | dict[str, Any] | None = None,
        date: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """Use the element ``action_id`` of a message the bot posted or updated (found by its own ids)."""
        block, element = find_element(message_blocks(message), action_id, value=value)
        channel = message.body.get("channel") or message.answer.get("channel")
        ts = message.answer.get("ts") or message.body.get("ts")
        action = {
            "type": element["type"],
            "action_id": element["action_id"],
            "block_id": block.get("block_id") or "slack-made-id",  # Slack gives a block without one an id
            "action_ts": f"{time.time():.6f}",
        }
        if element["type"] == "button":
            action["value"] = element.get("value", "")
        elif element["type"] == "static_select":
            action["selected_option"] = _option(element, str(selected))
        elif element["type"] == "external_select":
            assert isinstance(selected, dict), "pass one of the options the options request returned"
            action["selected_option"] = selected
        elif element["type"] == "multi_static_select":
            chosen = selected if isinstance(selected, list) else [str(selected)]
            action["selected_options"] = [_option(element, item) for item in chosen]
        elif element["type"] == "datepicker":
            action["selected_date"] = date
        payload = {
            **self._base(user),
            "type": "block_actions",
            "container": {"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": False},
            "channel": {"id": channel, "name": "directmessage"},
            "message": {
                "type": "message",
                "ts": ts,
                "text": message.body.get("text", ""),
                "blocks": message_blocks(message),
            },
            "response_url": self.standin.response_url("actions"),
            "actions": [action],
        }
        return self.interact(payload, headers=headers)

    def submit(self, view_call: Call, values: dict[str, dict[str, Any]], *, user: str) -> httpx.Response:
        """Submit a modal the bot opened, with ``values`` keyed by the view's own block and action ids."""
        view = opened_view(view_call)
        known = {block.get("block_id"): block for block in view["blocks"]}
        for block_id, actions in values.items():
            assert block_id in known, f"the view has no block {block_id}"
            element = known[block_id]["element"]
            assert set(actions) == {element["action_id"]}, (
                f"block {block_id} has action {element['action_id']}"
            )
        payload = {
            **self._base(user),
            "type": "view_submission",
            "view": {**view, "state": {"values": values}},
            "response_urls": [],
        }
        return self.interact(payload)

    def suggest(self, view_call: Call, block_id: str, *, user: str, query: str = "") -> httpx.Response:
        """Ask for an external select's options, as Slack does while someone types."""
        view = opened_view(view_call)
        block = next(block for block in view["blocks"] if block.get("block_id") == block_id)
        payload = {
            **self._base(user),
            "type": "block_suggestion",
            "block_id": block_id,
            "action_id": block["element"]["action_id"],
            "value": query,
            "view": view,
            "container": {"type": "view", "view_id": view["id"]},
        }
        return self.interact(payload)

    def suggest_in_message(
        self, message: Call, block_id: str, action_id: str, *, user: str, query: str = ""
    ) -> httpx.Response:
        """Ask for the options of an external select in a message the bot posted."""
        payload = {
            **self._base(user),
            "type": "block_suggestion",
            "block_id": block_id,
            "action_id": action_id,
            "value": query,
            "container": {
                "type": "message",
                "message_ts": message.answer.get("ts"),
                "channel_id": message.body.get("channel"),
            },
            "channel": {"id": message.body.get("channel")},
        }
        return self.interact(payload)

    def event(self, event: dict[str, Any], *, event_id: str, retry: int | None = None) -> httpx.Response:
        body = json.dumps(event_callback(event, event_id=event_id, team=self.team))
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else None
        return self.send(body, content_type="application/json", headers=headers)


def event_callback(event: dict[str, Any], *, event_id: str, team: str = TEAM) -> dict[str, Any]:
    """The Events API's wrapping of ``event``, as Slack sends it over HTTP or in a Socket Mode envelope."""
    return {
        "token": "legacy-unused",
        "team_id": team,
        "api_app_id": "A0TEST",
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
    }


def message_blocks(call: Call) -> list[dict[str, Any]]:
    blocks = call.json_field("blocks")
    return blocks or []


def opened_view(call: Call) -> dict[str, Any]:
    """The view of a views.open/update/publish call, with the id the stand-in gave it."""
    view = call.json_field("view") or {}
    return {**view, "id": call.answer["view"]["id"]}


def find_element(blocks: list[dict[str, Any]], action_id: str, *, value: str | None = None):  # type: ignore[no-untyped-def]
    for block in blocks:
        elements = block.get("elements") if block.get("type") == "actions" else None
        candidates = elements or ([block["accessory"]] if "accessory" in block else [])
        for element in candidates:
            if element.get("action_id") == action_id and (value is None or element.get("value") == value):
                return block, element
    raise AssertionError(f"no element {action_id} (value {value}) in the blocks")


def _option(element: dict[str, Any], value: str) -> dict[str, Any]:
    for candidate in element.get("options", []):
        if candidate["value"] == value:
            return candidate
    raise AssertionError(f"{element['action_id']} offers no option {value}")


def modal_values(view: dict[str, Any], features: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The ``state.values`` Slack would send for a check modal filled in with ``features``.

    Built from the view's own blocks: each input's block id and its element's action id and type, and
    the options the element offers (a value the modal does not offer cannot be sent).
    """
    values: dict[str, dict[str, Any]] = {}
    for block in view["blocks"]:
        if block.get("type") != "input":
            continue
        element, block_id = block["element"], block["block_id"]
        kind = element["type"]
        if block_id.startswith("themes:"):
            ticked = [
                _option(element, o["value"]) for o in element["options"] if features.get(o["value"]) is True
            ]
            if ticked:
                values[block_id] = {element["action_id"]: {"type": kind, "selected_options": ticked}}
            continue
        name = block_id.removeprefix("feature:")
        if name not in features:
            continue
        value = features[name]
        if kind == "datepicker":
            state = {"type": kind, "selected_date": value}
        elif kind == "static_select":
            state = {"type": kind, "selected_option": _option(element, value)}
        elif kind == "radio_buttons":
            state = {"type": kind, "selected_option": _option(element, "true" if value else "false")}
        elif kind == "multi_static_select":
            state = {"type": kind, "selected_options": [_option(element, item) for item in value]}
        elif kind == "multi_external_select":
            state = {
                "type": kind,
                "selected_options": [{"text": {"type": "plain_text", "text": v}, "value": v} for v in value],
            }
        elif kind == "number_input":
            state = {"type": kind, "value": f"{value:g}"}
        else:
            state = {"type": kind, "value": value if isinstance(value, str) else ", ".join(value)}
        values[block_id] = {element["action_id"]: state}
    return values


FORBIDDEN_KEYS = frozenset(
    {
        "child_name",
        "name_of_child",
        "subject_name",
        "first_name",
        "last_name",
        "surname",
        "forename",
        "dob",
        "date_of_birth",
        "birth_date",
        "birthdate",
        "nhs_number",
        "address",
        "postcode",
    }
)
FORBIDDEN_WORDS = ("date of birth", "d.o.b", "nhs number")


def _decoded(value: Any) -> Any:
    """Values the SDK sent as JSON strings (blocks, view, files), decoded so their keys are seen too."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return _decoded(json.loads(value))
        except ValueError:
            return value
    if isinstance(value, dict):
        return {key: _decoded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decoded(item) for item in value]
    return value


def personal_data_findings(calls: list[Call], *, sentinels: tuple[str, ...] = ()) -> list[str]:
    """Every forbidden personal field, phrase or planted value found in what the bot sent to Slack.

    The child's identity must never leave the service: no name, date of birth, NHS number or address
    field, in any message, view, private_metadata or upload comment. (Consultants' names are the
    professional record a shortlist is about, and are allowed.)
    """
    found = []

    def walk(value: Any, where: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if str(key).lower() in FORBIDDEN_KEYS:
                    found.append(f"{where}: key {key}")
                walk(item, f"{where}.{key}")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, f"{where}[{index}]")
        elif isinstance(value, str):
            lowered = value.lower()
            found.extend(f"{where}: {word!r}" for word in FORBIDDEN_WORDS if word in lowered)
            found.extend(f"{where}: planted value {s!r}" for s in sentinels if s.lower() in lowered)

    for call in calls:
        if call.method != "upload":
            walk(_decoded(call.body), call.method)
    return found


PRIVATE_METADATA_KEYS = frozenset(
    {
        "ref",
        "channel",
        "ts",
        "draft",
        "feature",
        "record",
        "commission",
        "request",
        "consultant",
        "engagement",
        "action",
        "check",
    }
)


def private_metadata_findings(calls: list[Call]) -> list[str]:
    """private_metadata holding anything but references and ids (case ref, commission, draft, message)."""
    found = []
    for call in calls:
        view = _decoded(call.body).get("view") if isinstance(call.body, dict) else None
        metadata = (view or {}).get("private_metadata") if isinstance(view, dict) else None
        if not metadata:
            continue
        if isinstance(metadata, dict):
            extra = set(metadata) - PRIVATE_METADATA_KEYS
            if extra:
                found.append(f"{call.method}: private_metadata keys {sorted(extra)}")
        elif not re.fullmatch(r"[A-Za-z0-9-]{1,40}", str(metadata)):
            found.append(f"{call.method}: private_metadata {metadata!r}")
    return found
