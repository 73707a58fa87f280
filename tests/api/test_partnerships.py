"""Many partnerships on one service: each case belongs to its lead partnership, contributing partnerships
read it, and anyone else is told it does not exist (and the probe is audited); one approved list, seen
with least privilege; each partnership's own notes and policy settings; and the commands to set it up."""

from datetime import timedelta

from factories import CASE_FEATURES, consultant, hackney, other_partnership
from sqlmodel import select
from typer.testing import CliRunner

from core import clock
from core.audit import AuditEvent
from service.cli import app as cli

API = "/api/v1"


def record(client, persona, **features):  # type: ignore[no-untyped-def]
    response = client.post(
        f"{API}/cases", headers=persona.headers, json={"features": {**CASE_FEATURES, **features}}
    )
    assert response.status_code == 201, response.text
    return response.json()


def refusals(session) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return list(session.exec(select(AuditEvent).where(AuditEvent.action == "access.refused")))


# The wall between partnerships ----------------------------------------------------------------------


def test_another_partnerships_case_is_answered_as_a_missing_one_and_the_probe_is_audited(
    client, session, commissioner, outsider
):
    ref = record(client, commissioner)["ref"]
    client.post(f"{API}/cases/{ref}/terms", headers=commissioner.headers)
    for path in (
        f"{API}/cases/{{}}",
        f"{API}/cases/{{}}/commissions",
        f"{API}/cases/{{}}/shortlist",
        f"{API}/cases/{{}}/terms",
        f"{API}/cases/{{}}/terms/1.md",
        f"{API}/slack/deadlines/{{}}",
    ):
        hidden = client.get(path.format(ref), headers=outsider.headers)
        missing = client.get(path.format("HAC-1999-0001"), headers=outsider.headers)
        assert (hidden.status_code, hidden.json()["detail"]) == (404, f"No case {ref}."), path
        assert (missing.status_code, missing.json()["detail"]) == (404, "No case HAC-1999-0001."), path
        assert hidden.json().keys() == missing.json().keys() == {"detail", "request_id"}, path
    probes = refusals(session)
    assert len(probes) == 6  # the case that exists, not the missing one
    assert {p.after["params"]["ref"] for p in probes} == {ref}
    assert all(p.entity_id == f"user:{outsider.user_id}" for p in probes)


def test_a_contributing_partnership_reads_the_case_but_only_the_lead_acts_on_it(
    client, session, admin, commissioner, outsider
):
    ref = record(client, commissioner)["ref"]
    assert client.post(f"{API}/cases/{ref}/partnerships/SAL", headers=commissioner.headers).status_code == 204
    case = client.get(f"{API}/cases/{ref}", headers=outsider.headers).json()
    assert (case["partnership"], case["contributing"]) == ("HAC", ["SAL"])
    change = client.patch(
        f"{API}/cases/{ref}", headers=outsider.headers, json={"features": {"subject_age_years": 2}}
    )
    assert change.status_code == 403
    assert "Hackney test partnership, which leads case" in change.json()["detail"]
    listed = client.get(f"{API}/cases", headers=outsider.headers).json()
    assert [c["ref"] for c in listed["items"]] == [ref]
    assert (
        client.delete(f"{API}/cases/{ref}/partnerships/SAL", headers=commissioner.headers).status_code == 204
    )
    assert client.get(f"{API}/cases/{ref}", headers=outsider.headers).status_code == 404
    assert client.get(f"{API}/cases", headers=outsider.headers).json()["total"] == 0


def test_the_lead_follows_the_edition_in_force_and_the_home_area_contributes(client, commissioner, outsider):
    since_2018 = record(client, outsider, area="hackney", incident_area="Southwark")
    assert (since_2018["ref"][:4], since_2018["partnership"], since_2018["contributing"]) == (
        "SAL-",
        "SAL",
        ["HAC"],
    )
    assert client.get(f"{API}/cases/{since_2018['ref']}", headers=commissioner.headers).status_code == 200
    scr_era = {"incident_date": "2012-03-01", "notified_date": "2012-03-02"}
    before_2018 = record(client, commissioner, area="hackney", incident_area="Southwark", **scr_era)
    assert (before_2018["partnership"], before_2018["contributing"]) == ("HAC", ["SAL"])


def test_a_case_no_partnership_covers_or_another_partnership_leads_is_refused_in_words(
    client, commissioner, outsider
):
    nowhere = client.post(
        f"{API}/cases", headers=commissioner.headers, json={"features": {**CASE_FEATURES, "area": "Wigan"}}
    )
    assert nowhere.status_code == 422
    assert (
        nowhere.json()["detail"]
        == "No partnership covers Wigan yet: a list admin adds it with 'scr partnership add'."
    )
    theirs = client.post(f"{API}/cases", headers=outsider.headers, json={"features": CASE_FEATURES})
    assert theirs.status_code == 403
    assert "Hackney test partnership would lead this case" in theirs.json()["detail"]


def test_list_admins_and_analysts_reach_no_case(client, commissioner, list_admin, analyst):
    ref = record(client, commissioner)["ref"]
    for persona in (list_admin, analyst):
        assert client.get(f"{API}/cases/{ref}", headers=persona.headers).status_code == 404
        assert client.get(f"{API}/cases", headers=persona.headers).status_code == 403


# One list, least privilege ---------------------------------------------------------------------------


def test_chairs_and_analysts_see_names_and_specialisms_only(
    client, session, chair, analyst, commissioner, list_admin
):
    rhea = consultant(session, "Rhea Reviewer", day_rate=650, phone="020 7946 0000")
    for persona in (chair, analyst):
        listed = client.get(f"{API}/consultants", headers=persona.headers).json()["items"]
        assert [set(item) for item in listed] == [{"id", "name", "specialisms", "status"}]
        one = client.get(f"{API}/consultants/{rhea}", headers=persona.headers).json()
        assert "email" not in one and "day_rate" not in one and "phone" not in one
        for kind in ("engagements", "interests", "accreditations", "reviews"):
            assert client.get(f"{API}/consultants/{rhea}/{kind}", headers=persona.headers).status_code == 403
        assert client.get(f"{API}/consultants/export", headers=persona.headers).status_code == 403
    for persona in (commissioner, list_admin):
        full = client.get(f"{API}/consultants/{rhea}", headers=persona.headers).json()
        assert (full["day_rate"], full["phone"]) == (650, "020 7946 0000")
    assert client.get(f"{API}/consultants/export", headers=commissioner.headers).status_code == 403
    assert client.get(f"{API}/consultants/export", headers=list_admin.headers).status_code == 200


def test_a_local_note_warns_the_lead_partnerships_commissioners_only(
    client, session, commissioner, chair, outsider
):
    hackney(session)
    rhea = consultant(session, "Rhea Reviewer")
    ref = record(client, commissioner)["ref"]
    client.post(f"{API}/cases/{ref}/partnerships/SAL", headers=commissioner.headers)
    note = {"consultant_id": rhea, "reason": "A complaint about her last review here is open."}
    added = client.post(f"{API}/partnerships/HAC/consultant-notes", headers=commissioner.headers, json=note)
    assert added.status_code == 201
    refused = client.post(f"{API}/partnerships/HAC/consultant-notes", headers=outsider.headers, json=note)
    assert refused.status_code == 403

    def warnings(persona):  # type: ignore[no-untyped-def]
        shortlist = client.get(f"{API}/cases/{ref}/shortlist", headers=persona.headers).json()
        found = [*shortlist["candidates"], *shortlist["excluded"]]
        (entry,) = [c for c in found if c["consultant_id"] == rhea]
        return [
            w["reason"]
            for w in entry.get("warnings", entry.get("findings", []))
            if w["rule"] == "partnership.local_note"
        ]

    assert warnings(commissioner) == [
        "Hackney test partnership noted a local reason not to use them: "
        "A complaint about her last review here is open."
    ]
    assert warnings(chair) == [] and warnings(outsider) == []
    note_id = added.json()["id"]
    assert (
        client.delete(
            f"{API}/partnerships/HAC/consultant-notes/{note_id}", headers=commissioner.headers
        ).status_code
        == 204
    )
    assert warnings(commissioner) == []


# Each partnership's own settings ---------------------------------------------------------------------


def test_the_shortlist_judges_a_case_by_its_lead_partnerships_independence_policy(
    client, admin, commissioner
):
    ref = record(client, commissioner)["ref"]

    def setting(name):  # type: ignore[no-untyped-def]
        policy = client.get(f"{API}/cases/{ref}/shortlist", headers=commissioner.headers).json()["policy"]
        return next(s["value"] for s in policy if s["name"] == name)

    assert setting("employment_block_years") == 5
    changed = client.patch(
        f"{API}/partnerships/HAC",
        headers=admin.headers,
        json={"policy": {"independence_policy": {"employment_block_years": 7}}},
    )
    assert changed.status_code == 200, changed.text
    assert setting("employment_block_years") == 7
    bad = client.patch(
        f"{API}/partnerships/HAC", headers=admin.headers, json={"policy": {"retention_years": 0}}
    )
    assert bad.status_code == 422


def test_the_retention_purge_keeps_each_partnerships_own_years(
    client, session, admin, commissioner, outsider
):
    ours = record(client, commissioner)["ref"]
    theirs = record(client, outsider, area="southwark")["ref"]
    for ref in (ours, theirs):
        client.post(f"{API}/cases/{ref}/decision", headers=admin.headers, json={"accepted": True})
    client.patch(f"{API}/partnerships/SAL", headers=admin.headers, json={"policy": {"retention_years": 20}})
    from commissioning.models import Case, CaseStatus

    for case in session.exec(select(Case)):
        case.status, case.closed_on = CaseStatus.closed, clock.today() - timedelta(days=365 * 11)
        session.add(case)
    session.commit()
    client.post(f"{API}/cases/{ours}/terms", headers=admin.headers)
    purge = client.post(f"{API}/retention/purge", headers=admin.headers, params={"dry_run": "true"}).json()
    due = [case["ref"] for case in purge["cases"]]
    assert ours in due or not purge["cases"]  # ours is due once it holds free text
    assert theirs not in due


# The audit log ---------------------------------------------------------------------------------------


def test_a_partnership_admin_reads_its_own_events_and_a_list_admin_all(
    client, admin, commissioner, outsider, persona
):
    ours = record(client, commissioner)["ref"]
    theirs = record(client, outsider, area="southwark")["ref"]
    sal_admin = persona("admin", partnership="SAL")
    seen = {e["entity_id"] for e in client.get(f"{API}/audit", headers=sal_admin.headers).json()}
    assert theirs in seen and ours not in seen
    every = {e["entity_id"] for e in client.get(f"{API}/audit", headers=admin.headers).json()}
    assert {ours, theirs} <= every
    assert client.get(f"{API}/audit", headers=commissioner.headers).status_code == 403


# The command line ------------------------------------------------------------------------------------


def test_the_operator_adds_partnerships_and_people_from_the_command_line(session):
    runner = CliRunner()
    added = runner.invoke(
        cli,
        ["partnership", "add", "City and Hackney", "--areas", "hackney,City of London", "--prefix", "CHS"],
    )
    assert added.exit_code == 0, added.output
    assert "Added City and Hackney (CHS), covering City of London, Hackney." in added.output
    clash = runner.invoke(
        cli, ["partnership", "add", "Hackney again", "--areas", "hackney", "--prefix", "HAX"]
    )
    assert clash.exit_code != 0 and "Hackney is covered by City and Hackney" in clash.output
    assert (
        "CHS\tCity and Hackney\tCity of London, Hackney" in runner.invoke(cli, ["partnership", "list"]).output
    )

    unnamed = runner.invoke(cli, ["user", "add", "jo@board.example.org", "--role", "chair"])
    assert unnamed.exit_code != 0 and "A chair holds the role in a partnership: name it" in unnamed.output
    an_admin = runner.invoke(cli, ["user", "add", "jo@board.example.org", "--role", "admin"])
    assert an_admin.exit_code != 0 and "An admin holds the role in a partnership" in an_admin.output
    chair = runner.invoke(
        cli, ["user", "add", "jo@board.example.org", "--role", "chair", "--partnership", "chs"]
    )
    assert chair.exit_code == 0, chair.output
    other_partnership(session)
    granted = runner.invoke(
        cli, ["user", "grant", "jo@board.example.org", "--role", "commissioner", "--partnership", "SAL"]
    )
    assert granted.exit_code == 0, granted.output
    regional = runner.invoke(
        cli, ["user", "add", "an@board.example.org", "--role", "analyst", "--partnership", "CHS"]
    )
    assert regional.exit_code != 0 and "An analyst has a regional role" in regional.output
    bot = runner.invoke(cli, ["user", "add", "bot@board.example.org", "--role", "bot", "--partnership", "CH"])
    assert bot.exit_code != 0 and "The Slack bot has a regional role" in bot.output
    from service.users import roles_of

    session.expire_all()
    from service.models import User

    jo = session.exec(select(User).where(User.email == "jo@board.example.org")).one()
    assert sorted((p.prefix, r.value) for p, r in roles_of(session, jo.id)) == [
        ("CHS", "chair"),
        ("SAL", "commissioner"),
    ]
