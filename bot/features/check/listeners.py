"""``/scr check``: the threshold check, from the modal to the answer, its open questions and recording.

1. The command is acknowledged, then the modal (built from the feature catalogue) opens with the
   trigger id at once.
2. On submit the service checks the answers before the modal closes, so its problems appear under the
   inputs they are about. The answer goes to the person's direct messages, with a draft (kept by the
   service) holding the answers, so the buttons carry a draft id and never the case's facts.
3. Each open question is asked in the message; an answer (or "don't know") updates the message in place.
4. "Record as a case" creates the case with the draft id as its idempotency key, so a repeated click or
   a redelivered action records one case, and shows its reference. If the service needs a fact the
   check did not (the area, which the reference is made from), the bot asks for it first.
5. Once recorded, the message shows the case's own recommendation, and an answer to a question left
   open changes the case (the service decides again and keeps the history): the message and the
   stored case never disagree.
"""

import asyncio
import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot import clock, dm
from bot.deps import Deps
from bot.features.check import answer
from bot.features.check import form as check_form
from bot.listening import on_press, on_submit
from bot.payloads import carry, message_of, metadata, typed, user_id
from bot.reporting import reported
from bot.service_client import Rejected, ServiceClient, ServiceError
from bot.slack_calls import if_refused
from bot.subcommands import Invocation, subcommand
from bot.views import errors
from bot.views.blocks import modal

ANSWER_MODAL = "check.answer_modal"
SKIP = object()


async def run(call: Invocation) -> None:
    await call.ack()
    _, catalogue = await asyncio.gather(call.service.me(as_user=call.user), call.service.features())
    await call.slack.views_open(trigger_id=call.trigger_id, view=check_form.form(catalogue))


async def _post_answer(
    service: ServiceClient,
    slack: AsyncWebClient,
    *,
    user: str,
    features: dict[str, Any],
    result: dict[str, Any],
) -> None:
    draft = await service.create_draft(
        as_user=user, state={"features": features, "skipped": [], "result": result}
    )
    catalogue, labels = await service.features(), await service.outcome_labels()
    with if_refused(step="send you the answer in a direct message"):
        await dm.send(
            slack,
            user=user,
            text=answer.summary_text(result, labels),
            blocks=answer.blocks(
                result,
                catalogue=catalogue,
                labels=labels,
                draft_id=draft["id"],
                skipped=[],
                today=clock.today(),
            ),
        )


async def _advance(
    service: ServiceClient,
    slack: AsyncWebClient,
    *,
    user: str,
    draft_id: str,
    feature: str,
    value: Any,
    channel: str,
    ts: str,
) -> None:
    """Record one answer (or a "don't know"), decide again and update the answer in place. Once the check
    is recorded as a case, the answer changes the case and the message shows the case's recommendation."""
    state = (await service.draft(as_user=user, draft_id=draft_id))["state"]
    features = dict(state.get("features") or {})
    skipped = list(state.get("skipped") or [])
    if value is SKIP:
        skipped.append(feature)
    else:
        features[feature] = value
    case_ref = state.get("case_ref")
    if case_ref is None:
        result = await service.threshold(as_user=user, features=features)
    elif value is SKIP:
        result = (await service.case(as_user=user, ref=case_ref))["recommendation"]
    else:
        changed = await service.change_case(as_user=user, ref=case_ref, features={feature: value})
        result = changed["recommendation"]
    state = {**state, "features": features, "skipped": skipped, "result": result}
    await service.replace_draft(as_user=user, draft_id=draft_id, state=state)
    done = f"Your answer is saved on case {case_ref}" if case_ref else "Your answer is saved"
    await _show(
        slack, service, state=state, draft_id=draft_id, where={"channel": channel, "ts": ts}, done=done
    )


async def _show(
    slack: AsyncWebClient,
    service: ServiceClient,
    *,
    state: dict[str, Any],
    draft_id: str,
    where: dict[str, Any],
    done: str,
    step: str = "update the answer with it",
) -> None:
    """Update the answer message (``where``: its channel and ts) to what the draft, and the case once
    recorded, now hold; ``done`` is what a refusal tells the person was done all the same."""
    catalogue, labels = await service.features(), await service.outcome_labels()
    result, case_ref = state["result"], state.get("case_ref")
    with if_refused(done=done, step=step):
        await slack.chat_update(
            channel=where["channel"],
            ts=where["ts"],
            text=answer.summary_text(result, labels, case_ref=case_ref),
            blocks=answer.blocks(
                result,
                catalogue=catalogue,
                labels=labels,
                draft_id=draft_id,
                skipped=state.get("skipped") or [],
                today=clock.today(),
                case_ref=case_ref,
            ),
        )


async def _record(service: ServiceClient, slack: AsyncWebClient, *, user: str, where: dict[str, Any]) -> None:
    """Record the draft as a case (once per draft, by its idempotency key) and show the reference. A draft
    already recorded (a repeated click after later answers changed the case) shows the case as it is."""
    draft_id = where["draft"]
    state = (await service.draft(as_user=user, draft_id=draft_id))["state"]
    if state.get("case_ref"):
        case = await service.case(as_user=user, ref=state["case_ref"])
    else:
        case = await service.create_case(
            as_user=user, features=state["features"], idempotency_key=f"slack-check-{draft_id}"
        )
    state = {**state, "case_ref": case["ref"], "result": case["recommendation"]}
    await service.replace_draft(as_user=user, draft_id=draft_id, state=state)
    await _show(
        slack,
        service,
        state=state,
        draft_id=draft_id,
        where=where,
        done=f"Recorded as case {case['ref']}",
        step="show the reference in the answer",
    )


def _action_value(action: dict[str, Any]) -> Any:
    kind = action.get("type")
    if action["action_id"].endswith(".skip"):
        return SKIP
    if kind == "button":
        return {"true": True, "false": False}[action["value"]]
    if kind == "static_select":
        return action["selected_option"]["value"]
    if kind == "multi_static_select":
        return [chosen["value"] for chosen in action.get("selected_options") or []]
    if kind == "datepicker":
        return action["selected_date"]
    raise ValueError(f"unexpected answer element {kind}")


def _answer_modal(feature: dict[str, Any], *, where: dict[str, Any]) -> dict[str, Any]:
    """One question in a modal; ``where`` (draft id, feature, message, and whether to record afterwards)
    travels in private_metadata."""
    return modal(
        title="Open question",
        submit="Answer",
        callback_id=ANSWER_MODAL,
        blocks=[check_form.question_input(feature, optional=False)],
        private_metadata=carry(**where),
    )


def register(app: AsyncApp, deps: Deps) -> None:
    service = deps.service
    subcommand(app, deps, "check", run=run)

    @on_submit(app, check_form.CALLBACK_ID)
    async def submitted(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        user = user_id(body)
        catalogue = await service.features()
        features = check_form.features_from(catalogue, view["state"]["values"])
        try:
            result = await service.threshold(as_user=user, features=features, timeout=2.5)
        except Rejected as error:
            await ack(
                response_action="errors",
                errors=check_form.errors_for(catalogue, error.problems, fallback=error.message),
            )
            return
        except ServiceError as error:
            text = errors.describe(error, user=user, reference="")
            await ack(response_action="errors", errors=check_form.errors_for(catalogue, [], fallback=text))
            return
        await ack()
        await _post_answer(service, client, user=user, features=features, result=result)

    @on_press(app, re.compile(rf"^{re.escape(answer.ANSWER)}\.(yes|no|choice|choices|date|skip)$"))
    async def answered(body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient) -> None:
        draft_id, feature = answer.parse_question_block_id(action["block_id"])
        await _advance(
            service,
            client,
            user=user_id(body),
            draft_id=draft_id,
            feature=feature,
            value=_action_value(action),
            **message_of(body),
        )

    @on_press(app, f"{answer.ANSWER}.open")
    async def open_answer(body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient) -> None:
        draft_id, name = answer.parse_question_block_id(action["block_id"])
        feature = next(f for f in await service.features() if f["name"] == name)
        view = _answer_modal(feature, where={"draft": draft_id, "feature": name, **message_of(body)})
        await client.views_open(trigger_id=body["trigger_id"], view=view)

    @on_submit(app, ANSWER_MODAL)
    async def answer_submitted(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        where = metadata(view)
        catalogue = await service.features()
        value = check_form.features_from(catalogue, view["state"]["values"]).get(where["feature"])
        if value is None:
            block = check_form.FEATURE_BLOCK + where["feature"]
            await ack(
                response_action="errors",
                errors={block: "Give an answer, or close this and press Don't know."},
            )
            return
        await ack()
        user = user_id(body)
        await _advance(
            service,
            client,
            user=user,
            draft_id=where["draft"],
            feature=where["feature"],
            value=value,
            channel=where["channel"],
            ts=where["ts"],
        )
        if where.get("record"):
            await _record(service, client, user=user, where=where)

    @on_press(app, answer.RECORD)
    async def record(body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient) -> None:
        where = {"draft": action["value"], **message_of(body)}
        try:
            await _record(service, client, user=user_id(body), where=where)
        except Rejected as error:
            catalogue = await service.features()
            named = {p.get("feature") for p in error.problems}
            missing = [feature for feature in catalogue if feature["name"] in named]
            if not missing:
                raise
            # A case needs a fact the check could do without (its area): ask for it, then record.
            view = _answer_modal(missing[0], where={**where, "feature": missing[0]["name"], "record": True})
            await client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.options(check_form.AGENCY_SEARCH)
    @reported
    async def lookup(ack: AsyncAck, body: dict[str, Any]) -> None:
        found = await service.agencies(as_user=user_id(body), q=typed(body) or None)
        await ack(options=check_form.agency_options(found))
