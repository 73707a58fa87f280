"""The review's milestones and a case's closing and reopening, through HTTP and the command line: recording,
refusals a person can act on, the timeline with late lines, deadlines counted from what was recorded,
and the audit log."""

from datetime import date

import pytest
from factories import HARM_2020
from sqlmodel import Session, select
from typer.testing import CliRunner

from commissioning import calendar
from commissioning.models import CaseStatusChange
from core.audit import AuditEvent
from service.cli import app as cli

API = "/api/v1"
HARM_2016 = {**HARM_2020, "incident_date": "2016-03-01", "notified_date": "2016-03-02"}


def ok(response, status=200):  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    return response.json()


def recorded(client, who, features):  # type: ignore[no-untyped-def]
    return ok(client.post(f"{API}/cases", headers=who.headers, json={"features": features}), 201)["ref"]


def milestone(client, who, ref, kind, on, note=None):  # type: ignore[no-untyped-def]
    return client.post(
        f"{API}/cases/{ref}/milestones", headers=who.headers, json={"kind": kind, "on": on, "note": note}
    )


def test_milestones_make_a_timeline_with_late_lines_and_move_the_deadlines(client, session, commissioner):
    ref = recorded(client, commissioner, HARM_2020)
    before = ok(client.get(f"{API}/cases/{ref}", headers=commissioner.headers))
    lines = ok(milestone(client, commissioner, ref, "la_notified", "2020-06-17"), 201)
    assert [line["kind"] for line in lines][:2] == ["la_notified", "panel_notified"]
    assert lines[0]["on"] == "2020-06-17" and lines[0]["recorded_by"] == commissioner.email
    notice_due = calendar.add_working_days(date(2020, 6, 17), 5)
    assert lines[1]["words"] == "The Child Safeguarding Practice Review Panel was notified"
    assert (lines[1]["due"], lines[1]["late"]) == (notice_due.isoformat(), True)  # not recorded, past due
    assert lines[1]["standing"].startswith("Overdue: it was due by")

    lines = ok(milestone(client, commissioner, ref, "panel_notified", "2020-06-30"), 201)
    assert (lines[1]["late"], lines[1]["standing"]) == (
        True,
        f"Late: it was due by Wed {notice_due.day} Jun 2020",
    )
    rapid = calendar.add_working_days(date(2020, 6, 30), 15)
    assert lines[2]["due"] == rapid.isoformat()  # counted from the recorded notification to the Panel
    assert ok(client.get(f"{API}/cases/{ref}/milestones", headers=commissioner.headers)) == lines

    # The deadlines the reminders read count from the recorded days; the stored answer is unchanged.
    deadlines = ok(client.get(f"{API}/slack/deadlines/{ref}", headers=commissioner.headers))
    assert {d["stage"]: d["due"] for d in deadlines}["rapid_review"] == rapid.isoformat()
    case = ok(client.get(f"{API}/cases/{ref}", headers=commissioner.headers))
    assert case["recommendation"] == before["recommendation"]


def test_the_next_deadline_counts_from_a_recorded_decision(client, commissioner, chair):
    ref = recorded(client, commissioner, HARM_2020)
    ok(client.post(f"{API}/cases/{ref}/decision", headers=chair.headers, json={"accepted": True}))
    today = ok(client.get(f"{API}/cases/{ref}", headers=chair.headers))["next_deadline"]
    assert today["type"] == "lcspr"  # six months from today's decision
    ok(milestone(client, commissioner, ref, "decision_to_initiate", "2020-07-20"), 201)
    assert ok(client.get(f"{API}/cases/{ref}", headers=chair.headers))["next_deadline"] is None  # all past
    listed = ok(client.get(f"{API}/cases", headers=chair.headers))["items"]
    assert next(case for case in listed if case["ref"] == ref)["next_deadline"] is None


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ({"kind": "review_started", "on": "2099-01-01"}, "the date is after today"),
        ({"kind": "la_notified", "on": "2020-06-14"}, "the date is before the incident (Mon 15 Jun 2020)"),
        (
            {"kind": "not_published", "on": "2020-12-01"},
            "the note is needed: the reason the report is not published",
        ),
        ({"kind": "archived", "on": "2020-12-01"}, "the kind is not one of a review's milestones"),
    ],
)
def test_a_milestone_that_cannot_be_is_refused_with_its_reason(client, commissioner, body, said):
    ref = recorded(client, commissioner, HARM_2020)
    refused = client.post(f"{API}/cases/{ref}/milestones", headers=commissioner.headers, json=body)
    assert refused.status_code == 422, refused.text
    assert refused.json()["detail"].startswith(f"The milestone was not recorded: {said}")
    assert ok(client.get(f"{API}/cases/{ref}/milestones", headers=commissioner.headers))[0]["on"] is None


def test_out_of_order_is_refused_and_recording_again_replaces_with_an_audit_event(
    client, session: Session, commissioner
):
    ref = recorded(client, commissioner, HARM_2020)
    ok(milestone(client, commissioner, ref, "review_started", "2020-09-01"), 201)
    early = milestone(client, commissioner, ref, "draft_received", "2020-08-01")
    assert early.status_code == 422
    assert "is before Tue 1 Sep 2020, when the review started, which comes first" in early.json()["detail"]
    ok(milestone(client, commissioner, ref, "review_started", "2020-09-02", "Kick-off meeting"), 201)
    ok(milestone(client, commissioner, ref, "published", "2021-01-10"), 201)
    lines = ok(milestone(client, commissioner, ref, "not_published", "2021-01-11", "The family's wish"), 201)
    assert [line["kind"] for line in lines][-1] == "not_published"
    assert lines[4]["on"] == "2020-09-02" and lines[4]["note"] == "Kick-off meeting"
    events = session.exec(
        select(AuditEvent).where(AuditEvent.action == "case.milestone", AuditEvent.entity_id == ref)
    ).all()
    assert len(events) == 4
    assert events[1].before == {"replaced": [{"kind": "review_started", "on": "2020-09-01", "note": None}]}
    assert events[1].after["note"].startswith("sha256:")  # people's words are kept as a fingerprint
    assert events[3].before["replaced"][0]["kind"] == "published"


def test_before_the_panel_ofsted_was_notified(client, commissioner):
    ref = recorded(client, commissioner, HARM_2016)
    lines = ok(milestone(client, commissioner, ref, "panel_notified", "2016-03-04"), 201)
    assert (lines[1]["words"], lines[1]["late"]) == ("Ofsted was notified", False)
    assert lines[3]["due"] == "2016-04-02"  # the chair's decision: a month from the notification


def test_a_reader_reads_the_timeline_and_only_editors_record(client, commissioner, persona, outsider):
    ref = recorded(client, commissioner, HARM_2020)
    reader = persona("analyst")
    assert milestone(client, outsider, ref, "la_notified", "2020-06-16").status_code == 404
    assert client.get(f"{API}/cases/{ref}/milestones", headers=reader.headers).status_code in (403, 404)


def test_a_case_is_closed_and_reopened_with_reasons(client, session: Session, chair, admin, commissioner):
    ref = recorded(client, commissioner, HARM_2020)
    closed = ok(
        client.post(f"{API}/cases/{ref}/close", headers=chair.headers, json={"reason": "The review is done."})
    )
    assert closed["status"] == "closed"
    assert (
        client.post(
            f"{API}/cases/{ref}/reopen", headers=commissioner.headers, json={"reason": "x"}
        ).status_code
        == 403
    )
    blank = client.post(f"{API}/cases/{ref}/reopen", headers=admin.headers, json={"reason": "  "})
    assert blank.status_code == 422 and blank.json()["detail"] == "Reopening a case needs a reason."
    reopened = ok(
        client.post(f"{API}/cases/{ref}/reopen", headers=admin.headers, json={"reason": "New information."})
    )
    assert (reopened["status"], reopened["closed_on"]) == ("open", None)
    again = client.post(f"{API}/cases/{ref}/reopen", headers=admin.headers, json={"reason": "Again."})
    assert again.status_code == 409
    assert again.json()["detail"] == f"Case {ref} is open: only a closed case can be reopened."
    changes = session.exec(select(CaseStatusChange).order_by(CaseStatusChange.id)).all()
    assert [(c.status, c.reason, c.changed_by) for c in changes] == [
        ("closed", "The review is done.", chair.email),
        ("open", "New information.", admin.email),
    ]
    (event,) = session.exec(select(AuditEvent).where(AuditEvent.action == "case.reopen")).all()
    assert event.after["status"] == "open" and event.after["reason"].startswith("sha256:")


def test_the_command_line_records_and_shows_the_timeline(client, commissioner):
    ref = recorded(client, commissioner, HARM_2020)
    runner = CliRunner()
    done = runner.invoke(cli, ["case", "milestone", ref, "la_notified", "2020-06-16", "--note", "By phone"])
    assert done.exit_code == 0, done.output
    assert "The local authority learned of it [la_notified]: Tue 16 Jun 2020 (recorded by cli)" in done.stdout
    assert "    By phone" in done.stdout
    shown = runner.invoke(cli, ["case", "milestones", ref])
    assert (
        "The Child Safeguarding Practice Review Panel was notified [panel_notified]: not recorded; Overdue"
        in shown.stdout
    )
    bad = runner.invoke(cli, ["case", "milestone", ref, "review_started", "2099-01-01"])
    assert bad.exit_code == 2 and "the date is after today" in bad.output
    assert runner.invoke(cli, ["case", "milestone", ref, "review_started", "1 Jan"]).exit_code == 2
    assert runner.invoke(cli, ["case", "milestone", ref, "review_started", "1800-01-01"]).exit_code == 2


def test_the_case_pages_show_the_timeline_record_milestones_and_close_and_reopen(client, session, chair):
    from security.admin_pages_client import assert_refused_beside_fields, signed_in_as

    ref = recorded(client, chair, HARM_2020)
    ok(milestone(client, chair, ref, "la_notified", "2020-06-16"), 201)
    pages = signed_in_as(client, session, chair.email, page=f"/admin/cases/{ref}/milestones")
    assert f'href="/admin/cases/{ref}/milestones"' in pages.get(f"/admin/cases/{ref}").text
    page = pages.get(f"/admin/cases/{ref}/milestones").text
    assert "The local authority learned of it" in page and "<strong>Overdue: it was due by" in page
    assert "la_notified" not in page.replace('value="la_notified"', "")  # ids only as form values

    form = {"csrf_token": pages.token, "kind": "panel_notified", "on": "2020-06-30", "note": ""}
    done = pages.post(f"/admin/cases/{ref}/milestones", data=form)
    assert done.status_code == 200 and "<strong>Late: it was due by" in done.text
    early = pages.post(
        f"/admin/cases/{ref}/milestones", data={**form, "kind": "review_started", "on": "2020-06-01"}
    )
    assert_refused_beside_fields(early, {"on": r"is before the incident \(Mon 15 Jun 2020\)"})
    assert_refused_beside_fields(
        pages.post(f"/admin/cases/{ref}/milestones", data={**form, "on": "30/06/2020"}), {"on": "YYYY-MM-DD"}
    )

    status = f"/admin/cases/{ref}/status"
    assert_refused_beside_fields(
        pages.post(status, data={"csrf_token": pages.token, "reason": ""}), {"reason": "Give the reason"}
    )
    closed = pages.post(status, data={"csrf_token": pages.token, "reason": "The review is done."})
    assert f"Case {ref} is closed." in closed.text and "Reopen the case" in closed.text
    reopened = pages.post(
        status, data={"csrf_token": pages.token, "reason": "New information came to light."}
    )
    assert f"Case {ref} is open again." in reopened.text
    assert "Reopened by" in reopened.text and "New information came to light." in reopened.text
