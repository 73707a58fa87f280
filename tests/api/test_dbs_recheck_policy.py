"""One DBS recheck period, whichever setting names it: every page and answer that judges a DBS check agrees.

``SCR_DBS_RECHECK_YEARS`` sets the period and ``SCR_INDEPENDENCE_POLICY`` may override it. Before, the
listing filter, the card, reminders, the digest and the admin pages read the first while the shortlist
and a consultant's own record read the policy, so an override made them disagree about the same check.
"""

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from factories import TODAY, case, consultant, hackney
from security.admin_pages_client import as_browser, sign_in, with_password

from registry.lifecycle import add_years
from service.models import Role
from service.settings import get_settings
from service.users import add_user

ADA = "U0ADA"
CHECKED = add_years(TODAY, -4) + timedelta(days=45)  # four years old, give or take: the policy decides


@pytest.fixture(
    params=[(3, 5), (5, 3)], ids=["the policy allows longer than the setting", "the policy allows less"]
)
def recheck_years(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """The recheck period the independence policy sets, against a different ``SCR_DBS_RECHECK_YEARS``."""
    own_setting, policy = request.param
    monkeypatch.setenv("SCR_DBS_RECHECK_YEARS", str(own_setting))
    monkeypatch.setenv("SCR_INDEPENDENCE_POLICY", json.dumps({"dbs_recheck_years": policy}))
    get_settings.cache_clear()
    yield policy
    monkeypatch.undo()
    get_settings.cache_clear()


def test_every_surface_judges_a_dbs_check_by_the_policys_recheck_period(
    client, session, admin, commissioner, recheck_years
):
    hackney(session)
    case(session, "HK-1")
    ada = consultant(session, "Ada Able", slack_user_id=ADA, dbs_check_date=CHECKED)
    _, bot_token = add_user(session, email="bot@board.example.org", role=Role.bot, actor="test")
    session.commit()
    due = add_years(CHECKED, recheck_years)
    lapsed = due <= TODAY
    assert lapsed == (recheck_years == 3)

    listed = client.get(
        "/api/v1/consultants", params={"expiring_within_days": 0}, headers=admin.headers
    ).json()
    assert [item["name"] for item in listed["items"]] == (["Ada Able"] if lapsed else [])

    card = client.get(f"/api/v1/consultants/{ada}/card", headers=commissioner.headers).json()
    (dbs,) = [check for check in card["checks"] if check["check"] == "dbs"]
    assert (dbs["due"], dbs["state"]) == (due.isoformat(), "lapsed" if lapsed else "current")

    reminder = client.post(
        f"/api/v1/consultants/{ada}/reminders", json={"check": "dbs"}, headers=admin.headers
    ).json()
    assert (reminder["check"]["due"], reminder["check"]["state"]) == (dbs["due"], dbs["state"])

    bot = {"Authorization": f"Bearer {bot_token}"}
    digest = client.get("/api/v1/slack/checks-due", headers=bot).json()
    assert [(item["name"], item["check"], item["due"]) for item in digest] == (
        [("Ada Able", "dbs", due.isoformat())] if lapsed else []
    )

    own = client.get("/api/v1/me", headers={**bot, "X-Slack-User-Id": ADA}).json()
    assert own["checks"]["dbs_valid_until"] == (due - timedelta(days=1)).isoformat()

    shortlist = client.get("/api/v1/cases/HK-1/shortlist", headers=commissioner.headers).json()
    assert ("Ada Able" in [c["name"] for c in shortlist["candidates"]]) == (not lapsed)

    as_browser(client)
    assert sign_in(client, with_password(session, admin.email)).status_code == 303
    dashboard = client.get("/admin/dashboard").text
    assert f"older than {recheck_years} years" in dashboard
    assert ("Ada Able" in dashboard, due.isoformat() in dashboard) == (lapsed, lapsed)
    lapsing = client.get("/admin/consultants", params={"expiring": "30"}).text
    assert ("Ada Able" in lapsing) == lapsed
