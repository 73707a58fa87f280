"""Asking a newly commissioned consultant, in their DMs, to declare any conflict of interest.

Whoever makes a commission calls ``ask`` (the shortlist, today); the answer comes back to this feature's
listeners. The request names the agencies involved in the case; the service keeps what it asked (a claim
of kind ``declaration_request``), and its buttons carry the commission id and the claim's token.
"""

import secrets
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot import dm
from bot.features.declaration import views as declaration_view
from bot.service_client import NotFound, ServiceClient
from bot.workspaces import Workspaces


async def _agency_names(service: ServiceClient, *, as_user: str, ids: list[str]) -> list[tuple[str, str]]:
    named = []
    for agency_id in ids:
        try:
            named.append((agency_id, (await service.agency(as_user=as_user, agency_id=agency_id))["name"]))
        except NotFound:
            named.append((agency_id, agency_id))
    return named


async def ask(
    service: ServiceClient,
    slack: AsyncWebClient,
    *,
    workspaces: Workspaces,
    as_user: str,
    commission: dict[str, Any],
) -> bool:
    """DM the commissioned consultant asking them to declare (in their own workspace, which need not be
    the commissioner's: ``slack`` is the request's client); False if they have no Slack id on record.
    Raises ``SlackRefused`` when Slack refuses the message: the caller tells the commissioner."""
    consultant = await service.consultant(as_user=as_user, consultant_id=commission["consultant_id"])
    if not consultant.get("slack_user_id"):
        return False
    case = await service.case(as_user=as_user, ref=commission["case_ref"])
    ids = list((case.get("features") or {}).get("agencies_involved") or [])
    agencies = await _agency_names(service, as_user=as_user, ids=ids)
    token = secrets.token_hex(4)
    await service.claim(
        key=declaration_view.request_key(commission["id"], token),
        kind="declaration_request",
        detail={"agencies": [list(pair) for pair in agencies]},
    )
    await dm.send(
        workspaces.reach(consultant.get("slack_team_id"), here=slack),
        user=consultant["slack_user_id"],
        text=declaration_view.request_text(commission),
        blocks=declaration_view.request_blocks(commission, agencies=agencies, request=token),
    )
    return True
