"""The App Home tab, published when someone opens it, showing what their role needs to act on."""

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.deps import Deps
from bot.features.home import views as home_view
from bot.features.me import views as me_view
from bot.payloads import user_id
from bot.reporting import reported
from bot.service_client import Forbidden, NotLinked, ServiceClient

EXPIRING_WITHIN_DAYS = 30
AWAITING = "proposed"  # a commission the consultant has not yet declared on


async def build(service: ServiceClient, *, user: str) -> dict[str, Any]:
    """The Home view for ``user``, by the role the service gives them.

    Commissions awaiting a declaration are gathered from the open cases shown (the newest 15).
    """
    try:
        role = (await service.me(as_user=user))["role"]
    except NotLinked:
        return home_view.view(role=None, cases={}, awaiting=None, expiring=None, labels={}, slack_user=user)
    except Forbidden:  # not a user, but a consultant on the approved list: their place is /scr me
        return me_view.home_tab()
    cases = await service.open_cases(as_user=user, limit=home_view.SHOWN)
    awaiting = None
    if role in ("commissioner", "admin"):
        awaiting = [
            commission
            for case in cases["items"]
            for commission in await service.commissions(as_user=user, ref=case["ref"])
            if commission["status"] == AWAITING
        ]
    expiring = None
    if role == "admin":
        expiring = await service.expiring_consultants(
            as_user=user, within_days=EXPIRING_WITHIN_DAYS, limit=home_view.SHOWN
        )
    return home_view.view(
        role=role,
        cases=cases,
        awaiting=awaiting,
        expiring=expiring,
        labels=await service.outcome_labels(),
        slack_user=user,
    )


def register(app: AsyncApp, deps: Deps) -> None:
    @app.event("app_home_opened")
    @reported
    async def opened(event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        user = user_id(body)
        await client.views_publish(user_id=user, view=await build(deps.service, user=user))
