"""The App Home tab, published when someone opens it, showing what their role needs to act on."""

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.features.home import views as home_view
from bot.features.me import views as me_view
from bot.payloads import user_id
from bot.reporting import reported
from bot.roles import holds, list_admin, roles_in
from bot.service_client import Forbidden, NotLinked, ServiceClient

EXPIRING_WITHIN_DAYS = 30
AWAITING = "proposed"  # a commission the consultant has not yet declared on
COMMISSIONING = frozenset({"commissioner", "admin"})  # who follows a case's commissions


async def build(service: ServiceClient, *, user: str) -> dict[str, Any]:
    """The Home view for ``user``, by the roles the service gives them: the open cases of their
    partnerships (those the workspace serves), each naming its lead partnership; the commissions awaiting
    a declaration on the cases whose lead partnership they commission or administer for; and, for list
    admins, the consultants whose checks fall due; and the actions of agencies' plans they own.

    Commissions awaiting a declaration are gathered from the open cases shown (the newest 15).
    """
    try:
        me = await service.me(as_user=user)
    except NotLinked:
        return home_view.view(
            me=None, cases={}, awaiting=None, expiring=None, labels={}, slack_user=user, owned=None
        )
    except Forbidden:  # not a user, but a consultant on the approved list: their place is /scr me
        return me_view.home_tab()
    cases = await service.open_cases(as_user=user, limit=home_view.SHOWN)
    awaiting = None
    if holds(me, *COMMISSIONING):
        awaiting = [
            commission
            for case in cases["items"]
            if roles_in(me, case.get("partnership")) & COMMISSIONING
            for commission in await service.commissions(as_user=user, ref=case["ref"])
            if commission["status"] == AWAITING
        ]
    expiring = None
    if list_admin(me):
        expiring = await service.expiring_consultants(
            as_user=user, within_days=EXPIRING_WITHIN_DAYS, limit=home_view.SHOWN
        )
    return home_view.view(
        me=me,
        cases=cases,
        awaiting=awaiting,
        expiring=expiring,
        labels=await service.outcome_labels(),
        slack_user=user,
        owned=await service.my_actions(as_user=user),
    )


def register(app: AsyncApp, deps: Deps) -> None:
    @app.event("app_home_opened")
    @reported
    async def opened(event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        user = user_id(body)
        await client.views_publish(user_id=user, view=await build(deps.service, user=user))
