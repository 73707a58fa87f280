"""Slack workspaces mapped to the partnerships they serve: the API and commands that set it, and a request
the bot relays from a workspace seeing only the partnerships that workspace serves (the user's other
cases are answered as missing ones, and the probe is audited)."""

import pytest
from factories import CASE_FEATURES, other_partnership
from sqlmodel import select
from typer.testing import CliRunner

from core.audit import AuditEvent
from service.cli import app as cli
from service.models import Role
from service.users import add_user, grant_role

API = "/api/v1"
CAMDEN = "T0CAMDEN"
MAPPED = "slack_workspace.partnerships"
NONE = {"partnerships": []}


def _case(client, persona, area: str) -> str:  # type: ignore[no-untyped-def]
    features = {**CASE_FEATURES, "area": area}
    response = client.post(f"{API}/cases", headers=persona.headers, json={"features": features})
    assert response.status_code == 201, response.text
    return response.json()["ref"]


def _relayed(bot, team: str | None, user: str = "U0BOTH") -> dict[str, str]:  # type: ignore[no-untyped-def]
    headers = {**bot.headers, "X-Slack-User-Id": user}
    return {**headers, "X-Slack-Team-Id": team} if team else headers


@pytest.fixture(autouse=True)
def own_workspace(environment) -> None:  # type: ignore[no-untyped-def]
    """A deployment naming its own workspace, so another's team id is another workspace."""
    environment(SCR_SLACK_TEAM_ID="T0OWN")


def test_list_admins_map_a_workspace_and_others_may_not(client, session, list_admin, commissioner):
    other_partnership(session)
    path = f"{API}/slack/workspaces/{CAMDEN}/partnerships"
    refused = client.put(path, headers=commissioner.headers, json={"partnerships": ["SAL"]})
    assert refused.status_code == 403

    mapped = client.put(path, headers=list_admin.headers, json={"partnerships": ["sal"]})
    assert mapped.status_code == 200, mapped.text
    assert mapped.json() == {
        "team_id": CAMDEN,
        "team_name": None,
        "own": False,
        "partnerships": ["SAL"],
        "serves_all": False,
    }
    listed = client.get(f"{API}/slack/workspaces", headers=list_admin.headers).json()
    assert [(w["team_id"], w["serves_all"], w["partnerships"]) for w in listed] == [
        (None, True, []),
        (CAMDEN, False, ["SAL"]),
    ]
    [event] = session.exec(select(AuditEvent).where(AuditEvent.action == MAPPED)).all()
    assert (event.entity_id, event.before, event.after) == (CAMDEN, NONE, {"partnerships": ["SAL"]})

    unknown = client.put(path, headers=list_admin.headers, json={"partnerships": ["NOPE"]})
    assert unknown.status_code == 404 and "NOPE" in unknown.json()["detail"]
    bad_team = client.put(
        f"{API}/slack/workspaces/C0CHANNEL/partnerships", headers=list_admin.headers, json=NONE
    )
    assert bad_team.status_code == 422


def test_a_relayed_request_sees_only_the_partnerships_its_workspace_serves(
    client, session, commissioner, outsider, bot, list_admin
):
    hac = _case(client, commissioner, "hackney")
    sal = _case(client, outsider, "southwark")
    user, _ = add_user(
        session, email="both@board.example.org", role=Role.chair, actor="test", partnership="HAC"
    )
    grant_role(session, email=user.email, role=Role.chair, partnership="SAL", actor="test")
    user.link_slack("U0BOTH", team_id=CAMDEN)
    session.add(user)
    session.commit()

    def seen() -> tuple[list[str] | int, int, int, list[str]]:
        headers = _relayed(bot, CAMDEN)
        listed = client.get(f"{API}/cases", headers=headers)
        roles = client.get(f"{API}/slack/me", headers=headers).json()["roles"]
        refs = [c["ref"] for c in listed.json()["items"]] if listed.status_code == 200 else None
        return (
            sorted(refs) if refs is not None else listed.status_code,
            client.get(f"{API}/cases/{hac}", headers=headers).status_code,
            client.get(f"{API}/cases/{sal}", headers=headers).status_code,
            sorted(r["partnership"] for r in roles),
        )

    assert seen() == (403, 404, 404, [])  # a workspace mapped to nothing serves no partnership
    path = f"{API}/slack/workspaces/{CAMDEN}/partnerships"
    client.put(path, headers=list_admin.headers, json={"partnerships": ["SAL"]})
    assert seen() == ([sal], 404, 200, ["SAL"])
    session.expire_all()
    probes = session.exec(select(AuditEvent).where(AuditEvent.action == "access.refused")).all()
    assert any(p.after["params"] == {"ref": hac} for p in probes)

    own = _relayed(bot, None)  # the same person in the own workspace, which serves every partnership
    user.link_slack("U0BOTH", team_id="own")
    session.add(user)
    session.commit()
    assert client.get(f"{API}/cases/{hac}", headers=own).status_code == 200


def test_the_commands_map_a_workspace_and_a_new_partnership_to_its_own(session):
    camden = ["Camden partnership", "--areas", "camden", "--prefix", "CAM"]
    added = CliRunner().invoke(cli, ["partnership", "add", *camden, "--slack-team", CAMDEN])
    assert added.exit_code == 0, added.output
    assert f"Slack workspace {CAMDEN} serves it." in added.output

    other_partnership(session)
    both = ["--partnership", "CAM", "--partnership", "SAL"]
    mapped = CliRunner().invoke(cli, ["slack", "workspace", "map", CAMDEN, *both])
    assert mapped.exit_code == 0, mapped.output
    assert "Camden partnership (CAM)" in mapped.output and "(SAL)" in mapped.output

    listed = CliRunner().invoke(cli, ["slack", "workspace", "list"])
    assert listed.output.splitlines()[0] == "own workspace\tserves every partnership"
    assert listed.output.splitlines()[1].startswith(f"{CAMDEN}\tserves Camden partnership (CAM)")

    neither = CliRunner().invoke(cli, ["slack", "workspace", "map", CAMDEN])
    assert neither.exit_code == 2 and "--partnership" in neither.output
    cleared = CliRunner().invoke(cli, ["slack", "workspace", "map", CAMDEN, "--none"])
    assert cleared.exit_code == 0 and "serves no partnership yet" in cleared.output
