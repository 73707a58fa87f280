"""Data protection through HTTP and the command line: closing a case, the retention purge of closed
cases, and a consultant's subject access export."""

import json
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from factories import HARM_FEATURES, departure, hackney, post_consultant
from sqlmodel import Session, select, update
from typer.testing import CliRunner

from commissioning.models import Case
from core import audit, clock
from core.audit import AuditEvent
from registry.lifecycle import add_years
from service.cli import app as cli

API = "/api/v1"
TODAY = clock.today()
FEATURES = {
    **HARM_FEATURES,
    "interagency_concerns": True,
    "setting": "community",
    "agencies_involved": ["hackney-csc", "met-police"],
}
REASON = "The family asked the board for a single-agency review."
ANN_STATEMENT = "I once sat on a panel with the designated nurse."
BOB_STATEMENT = "Bob knew the head teacher from a training course."
COMMENT = "Thorough chronology; the family valued the meetings."
CONFIRM_REASON = "A professional contact only."
FIELDS = {
    "decision_reasons": 1,
    "declaration_statements": 2,
    "terms_versions": 1,
    "review_comments": 1,
    "chronology_entries": 0,
    "case_notes": 0,
}


def ok(response, status=200):  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    return response.json()


def commission_and_declare(client, commissioner, bot, ref, consultant, role, statement):  # type: ignore[no-untyped-def]
    """Commission ``consultant`` (as the API returned them), who declares a conflict through the bot."""
    made = ok(
        client.post(
            f"{API}/cases/{ref}/commissions",
            json={"consultant_id": consultant["id"], "role": role},
            headers=commissioner.headers,
        ),
        201,
    )
    declaration = {
        "agencies": FEATURES["agencies_involved"],
        "no_conflict": False,
        "statement": statement,
        "slack_user_id": consultant["slack_user_id"],
    }
    ok(client.post(f"{API}/commissions/{made['id']}/declaration", json=declaration, headers=bot.headers))
    return made["id"]


@dataclass(frozen=True)
class World:
    ref: str
    ann: dict
    bob: dict
    ann_commission: int


@pytest.fixture
def world(client, session, admin, chair, commissioner, bot) -> World:
    """A closed case with every kind of free text: the board's reason for departing, two declaration
    statements (Ann's and Bob's), a terms of reference version, and a review comment about Ann."""
    hackney(session)
    ann = post_consultant(
        client, admin.headers, "Ann Able", email="ann@reviews.example.org", slack_user_id="U0ANN0001"
    )
    bob = post_consultant(
        client, admin.headers, "Bob Baker", email="bob@reviews.example.org", slack_user_id="U0BOB0001"
    )
    ref = ok(client.post(f"{API}/cases", json={"features": FEATURES}, headers=chair.headers), 201)["ref"]
    ok(client.post(f"{API}/cases/{ref}/decision", json=departure(REASON), headers=chair.headers))
    ann_commission = commission_and_declare(
        client, commissioner, bot, ref, ann, "lead_reviewer", ANN_STATEMENT
    )
    ok(
        client.post(
            f"{API}/commissions/{ann_commission}/confirm",
            json={"reason": CONFIRM_REASON},
            headers=commissioner.headers,
        )
    )
    commission_and_declare(client, commissioner, bot, ref, bob, "panel_chair", BOB_STATEMENT)
    ok(client.post(f"{API}/cases/{ref}/terms", headers=commissioner.headers), 201)
    review = {
        "case_ref": ref,
        "review_type": "lcspr",
        "role": "lead_reviewer",
        "started_on": (TODAY - timedelta(days=300)).isoformat(),
        "completed_on": (TODAY - timedelta(days=10)).isoformat(),
        "rating": 4,
        "comment": COMMENT,
    }
    ok(client.post(f"{API}/consultants/{ann['id']}/reviews", json=review, headers=admin.headers), 201)
    ok(client.post(f"{API}/cases/{ref}/close", headers=chair.headers))
    return World(ref, ann, bob, ann_commission)


def closed_years_ago(session: Session, ref: str, years: int) -> date:
    """As if the case had closed ``years`` ago (a day more, so it is past the period)."""
    day = add_years(TODAY, -years) - timedelta(days=1)
    session.exec(update(Case).where(Case.ref == ref).values(closed_on=day))  # type: ignore[call-overload]
    session.commit()
    return day


def events(session: Session) -> list[AuditEvent]:
    session.expire_all()
    return list(session.exec(select(AuditEvent).order_by(AuditEvent.id)))  # type: ignore[arg-type]


def purge(client, persona, **params):  # type: ignore[no-untyped-def]
    """Purge for real unless the test asks for a dry run (the API's default is a dry run)."""
    return client.post(f"{API}/retention/purge", params={"dry_run": False, **params}, headers=persona.headers)


# Closing a case --------------------------------------------------------------------------------------


def test_a_chair_or_an_admin_closes_a_case_once_and_it_is_audited(
    client, session, chair, admin, commissioner
):
    first = ok(client.post(f"{API}/cases", json={"features": FEATURES}, headers=chair.headers), 201)["ref"]
    second = ok(client.post(f"{API}/cases", json={"features": FEATURES}, headers=chair.headers), 201)["ref"]
    assert client.post(f"{API}/cases/{first}/close", headers=commissioner.headers).status_code == 403

    closed = ok(client.post(f"{API}/cases/{first}/close", headers=chair.headers))
    assert (closed["status"], closed["closed_on"]) == ("closed", TODAY.isoformat())
    again = client.post(f"{API}/cases/{first}/close", headers=admin.headers)
    assert again.status_code == 409
    assert again.json()["detail"] == f"Case {first} was already closed on {TODAY}."
    assert ok(client.post(f"{API}/cases/{second}/close", headers=admin.headers))["status"] == "closed"
    assert client.post(f"{API}/cases/NOPE-2026-0001/close", headers=admin.headers).status_code == 404

    (event,) = [e for e in events(session) if e.action == "case.close" and e.entity_id == first]
    assert (event.actor, event.before, event.after) == (
        chair.email,
        {"status": "open"},
        {"status": "closed", "closed_on": TODAY.isoformat()},
    )
    assert ok(client.get(f"{API}/cases/{second}", headers=chair.headers))["closed_on"] == TODAY.isoformat()


# The retention purge ---------------------------------------------------------------------------------


def test_only_an_admin_may_purge(client, world, chair, commissioner):
    assert purge(client, chair, dry_run=True).status_code == 403
    assert purge(client, commissioner, dry_run=True).status_code == 403
    assert client.post(f"{API}/retention/purge").status_code == 401


def test_a_case_closed_today_is_due_the_day_after_the_period_ends(client, world, admin):
    end = add_years(TODAY, 6)

    assert ok(purge(client, admin, dry_run=True, today=end.isoformat()))["cases"] == []
    preview = ok(purge(client, admin, dry_run=True, today=(end + timedelta(days=1)).isoformat()))
    assert preview["cases"] == [{"ref": world.ref, "closed_on": TODAY.isoformat(), "fields": FIELDS}]

    early = purge(client, admin, today=(end + timedelta(days=1)).isoformat())
    assert early.status_code == 422
    assert "would remove data early" in early.json()["detail"]


def test_a_dry_run_reports_what_is_due_and_changes_nothing(client, session, world, admin, chair):
    closed_on = closed_years_ago(session, world.ref, 6)
    case_before = ok(client.get(f"{API}/cases/{world.ref}", headers=chair.headers))
    logged = len(events(session))

    report = ok(purge(client, admin, dry_run=True))

    assert report == {
        "as_of": TODAY.isoformat(),
        "retention_years": 6,
        "closed_before": add_years(TODAY, -6).isoformat(),
        "dry_run": True,
        "cases": [{"ref": world.ref, "closed_on": closed_on.isoformat(), "fields": FIELDS}],
        "totals": FIELDS,
    }
    assert ok(client.get(f"{API}/cases/{world.ref}", headers=chair.headers)) == case_before
    assert len(events(session)) == logged


def test_a_purge_removes_the_free_text_keeps_features_and_outcomes_and_is_audited(
    client, session, world, admin, chair, commissioner
):
    closed_years_ago(session, world.ref, 7)
    case_before = ok(client.get(f"{API}/cases/{world.ref}", headers=chair.headers))
    terms_before = ok(client.get(f"{API}/cases/{world.ref}/terms", headers=chair.headers))

    report = ok(purge(client, admin))

    assert (report["dry_run"], [c["ref"] for c in report["cases"]]) == (False, [world.ref])
    case_after = ok(client.get(f"{API}/cases/{world.ref}", headers=chair.headers))
    assert REASON not in json.dumps(case_after)
    assert case_after["features"] == case_before["features"]
    assert case_after["recommendation"] == case_before["recommendation"]
    board, board_before = case_after["board_decision"], case_before["board_decision"]
    assert (board["accepted"], board["reason"], board["ruleset"]) == (False, None, board_before["ruleset"])
    outcomes = [(o["type"], o["requirement"]) for o in board["result"]["outcomes"]]
    assert outcomes == [(o["type"], o["requirement"]) for o in board_before["result"]["outcomes"]]

    commissions = ok(client.get(f"{API}/cases/{world.ref}/commissions", headers=chair.headers))
    assert [(c["status"], c["declaration"]["statement"]) for c in commissions] == [
        ("confirmed", None),
        ("declared", None),
    ]
    assert ok(client.get(f"{API}/cases/{world.ref}/terms", headers=chair.headers)) == terms_before
    gone = client.get(f"{API}/cases/{world.ref}/terms/1.md", headers=chair.headers)
    assert gone.status_code == 404
    assert "removed under the retention policy" in gone.json()["detail"]
    (review,) = ok(client.get(f"{API}/consultants/{world.ann['id']}/reviews", headers=commissioner.headers))
    assert (review["comment"], review["rating"], review["case_ref"]) == (None, 4, world.ref)

    log = events(session)
    (event,) = [e for e in log if e.action == "case.purge"]
    assert (event.actor, event.entity_type, event.entity_id) == (admin.email, "case", world.ref)
    assert event.after["removed"] == FIELDS  # type: ignore[index]
    assert audit.verify(log) is None


def test_a_second_purge_removes_nothing_and_logs_nothing(client, session, world, admin):
    closed_years_ago(session, world.ref, 7)
    ok(purge(client, admin))
    logged = len(events(session))

    again = ok(purge(client, admin))

    assert (again["cases"], again["totals"]) == ([], dict.fromkeys(FIELDS, 0))
    assert len(events(session)) == logged


def test_the_audit_log_holds_fingerprints_of_case_free_text_not_the_words(client, session, world, admin):
    log = json.dumps([[e.before, e.after] for e in events(session)])

    for words in (REASON, ANN_STATEMENT, BOB_STATEMENT, COMMENT):
        assert words not in log
        assert audit.fingerprint(words) in log
    assert CONFIRM_REASON in log  # held only in the log, which is its record


def test_the_retention_period_is_a_setting(client, session, world, admin, monkeypatch):
    from service.settings import get_settings

    closed_years_ago(session, world.ref, 7)
    monkeypatch.setenv("SCR_RETENTION_YEARS", "10")
    get_settings.cache_clear()
    try:
        report = ok(purge(client, admin, dry_run=True))
    finally:
        monkeypatch.delenv("SCR_RETENTION_YEARS")
        get_settings.cache_clear()
    assert (report["retention_years"], report["cases"]) == (10, [])


def test_the_command_line_purge_previews_purges_and_then_finds_nothing(session, world):
    closed_on = closed_years_ago(session, world.ref, 7)
    runner = CliRunner()

    preview = runner.invoke(cli, ["retention", "purge", "--dry-run"])
    assert preview.exit_code == 0, preview.output
    assert preview.output.splitlines() == [
        f"{world.ref} (closed {closed_on}): would remove 1 decision reasons, 2 declaration statements, "
        "1 terms versions, 1 review comments",
        f"Dry run: Would remove free text from 1 case(s) closed before {add_years(TODAY, -6)} "
        f"(6 years before {TODAY}).",
    ]
    done = runner.invoke(cli, ["retention", "purge"])
    assert done.exit_code == 0, done.output
    assert done.output.splitlines()[0].startswith(f"{world.ref} (closed {closed_on}): removed 1 decision")
    (event,) = [e for e in events(session) if e.action == "case.purge"]
    assert event.actor == "cli"
    again = runner.invoke(cli, ["retention", "purge"])
    assert again.output.startswith("Nothing to purge: no case closed before")


def test_the_command_line_refuses_a_bad_or_future_date_for_a_real_purge(session, world):
    runner = CliRunner()

    bad = runner.invoke(cli, ["retention", "purge", "--today", "2026-13-01"])
    assert (bad.exit_code, "is not a date in the form YYYY-MM-DD" in bad.output) == (2, True)
    future = (TODAY + timedelta(days=1)).isoformat()
    early = runner.invoke(cli, ["retention", "purge", "--today", future])
    assert (early.exit_code, "would remove data early" in early.output) == (2, True)
    assert runner.invoke(cli, ["retention", "purge", "--today", future, "--dry-run"]).exit_code == 0


# Subject access ----------------------------------------------------------------------------------------


def test_an_admin_exports_everything_held_about_a_consultant(client, world, admin):
    export = ok(client.get(f"{API}/consultants/{world.ann['id']}/subject-access", headers=admin.headers))

    assert (export["consultant"]["email"], export["slack_user_id"]) == (
        "ann@reviews.example.org",
        "U0ANN0001",
    )
    assert [(r["case_ref"], r["comment"]) for r in export["consultant"]["reviews"]] == [(world.ref, COMMENT)]
    (held,) = export["commissions"]
    assert (held["id"], held["case_ref"], held["role"], held["status"]) == (
        world.ann_commission,
        world.ref,
        "lead_reviewer",
        "confirmed",
    )
    assert [(d["statement"], d["void"]) for d in held["declarations"]] == [(ANN_STATEMENT, False)]
    actions = [(e["entity_type"], e["action"]) for e in export["audit_events"]]
    assert actions == [
        ("consultant", "consultant.create"),
        ("consultant", "consultant.approve"),
        ("commission", "commission.propose"),
        ("commission", "commission.declare"),
        ("commission", "commission.confirm"),
        ("consultant", "review.add"),
    ]
    assert {e["entity_id"] for e in export["audit_events"] if e["entity_type"] == "commission"} == {
        str(world.ann_commission)
    }


def test_the_export_holds_nothing_about_other_consultants_or_the_child(client, world, admin):
    text = client.get(f"{API}/consultants/{world.ann['id']}/subject-access", headers=admin.headers).text

    for other in (
        "Bob",
        "bob@reviews.example.org",
        "U0BOB0001",
        BOB_STATEMENT,
        audit.fingerprint(BOB_STATEMENT),
    ):
        assert other not in text
    for feature in ("features", "subject_age_years", "abuse_or_neglect", "serious_harm", "incident_date"):
        assert feature not in text


def test_an_export_leaves_out_the_events_of_a_deleted_consultant_who_had_the_same_id(client, admin):
    first = post_consultant(client, admin.headers, "Carl", approve=False)
    assert client.delete(f"{API}/consultants/{first['id']}", headers=admin.headers).status_code == 204
    second = post_consultant(client, admin.headers, "Dana", approve=False)

    text = client.get(f"{API}/consultants/{second['id']}/subject-access", headers=admin.headers).text

    assert "carl" not in text.lower()
    assert [e["action"] for e in json.loads(text)["audit_events"]] == ["consultant.create"]


def test_only_an_admin_may_export_and_an_unknown_consultant_is_not_found(
    client, world, chair, commissioner, admin
):
    url = f"{API}/consultants/{world.ann['id']}/subject-access"
    assert client.get(url, headers=chair.headers).status_code == 403
    assert client.get(url, headers=commissioner.headers).status_code == 403
    assert client.get(url).status_code == 401
    missing = client.get(f"{API}/consultants/999999/subject-access", headers=admin.headers)
    assert (missing.status_code, missing.json()["detail"]) == (404, "No consultant with id 999999.")


def test_the_command_line_writes_the_same_export(client, world, admin, tmp_path):
    target = tmp_path / "ann.json"
    runner = CliRunner()

    written = runner.invoke(
        cli, ["registry", "subject-access", str(world.ann["id"]), "--output", str(target)]
    )

    assert written.exit_code == 0, written.output
    from_cli = json.loads(target.read_text(encoding="utf-8"))
    from_api = ok(client.get(f"{API}/consultants/{world.ann['id']}/subject-access", headers=admin.headers))
    assert {**from_cli, "generated_at": None} == {**from_api, "generated_at": None}
    unknown = runner.invoke(cli, ["registry", "subject-access", "999999"])
    assert (unknown.exit_code, unknown.output.strip()) == (2, "No consultant with id 999999.")
