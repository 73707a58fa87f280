"""Figures across partnerships: an analyst reads counts of cases, recommended outcomes, commissions and
consultants, per partnership and in total, and never a case."""

from factories import TODAY, case, commission, consultant, decision, hackney
from sqlmodel import select

from commissioning.models import Case, CaseStatus, CommissionStatus
from registry.models import Consultant
from registry.vocabulary import ConsultantStatus


def _recommend(session, case_id: int, *types: str) -> None:
    result = {"outcomes": [{"type": t, "requirement": "required"} for t in types]}
    decision(session, case_id, today=TODAY, features={}, result=result)


def _two_partnerships(session) -> None:
    """HAC leads three cases (one closed), SAL one; commissions and recommendations on some."""
    hackney(session)
    one = case(session, "HAC-2026-0001")
    two = case(session, "HAC-2026-0002")
    three = case(session, "HAC-2026-0003")
    sal = case(session, "SAL-2026-0001", area="southwark")
    session.get(Case, three).status = CaseStatus.closed
    _recommend(session, one, "notify_panel", "scr")
    _recommend(session, one, "lcspr")  # the latest recommendation is the one counted
    _recommend(session, two, "lcspr")
    _recommend(session, sal, "notify_panel", "rapid_review")
    ann, bob = consultant(session, "Ann Approved"), consultant(session, "Bob Benched")
    session.get(Consultant, bob).status = ConsultantStatus.suspended
    commission(session, one, ann, status=CommissionStatus.confirmed)
    commission(session, two, ann, status=CommissionStatus.proposed)
    commission(session, sal, bob, status=CommissionStatus.withdrawn)
    session.commit()


def test_an_analyst_reads_counts_per_partnership_and_in_total(client, session, analyst):
    _two_partnerships(session)

    response = client.get("/api/v1/figures", headers=analyst.headers)

    assert response.status_code == 200, response.text
    body = response.json()
    by_prefix = {p["prefix"]: p for p in body["partnerships"]}
    hac, sal = by_prefix["HAC"], by_prefix["SAL"]
    assert hac["name"] == "Hackney test partnership"
    assert hac["cases"] == {"open": 2, "closed": 1}
    assert sal["cases"] == {"open": 1, "closed": 0}
    assert body["total"]["cases"] == {"open": 3, "closed": 1}
    assert hac["outcomes"] == [
        {"outcome": "lcspr", "label": "Local child safeguarding practice review", "cases": 2}
    ]
    assert [(o["outcome"], o["cases"]) for o in body["total"]["outcomes"]] == [
        ("notify_panel", 1),
        ("rapid_review", 1),
        ("lcspr", 2),
    ]
    assert hac["commissions"] == {"confirmed": 1, "proposed": 1}
    assert sal["commissions"] == {"withdrawn": 1}
    assert body["total"]["commissions"] == {"confirmed": 1, "proposed": 1, "withdrawn": 1}
    assert body["consultants"] == {"approved": 1, "suspended": 1}


def test_the_figures_name_no_case_and_no_person(client, session, analyst):
    _two_partnerships(session)

    text = client.get("/api/v1/figures", headers=analyst.headers).text

    for secret in ("HAC-2026", "SAL-2026", "Ann Approved", "Bob Benched", "hackney-csc", "agencies_involved"):
        assert secret not in text


def test_a_period_counts_only_cases_created_in_it(client, session, list_admin):
    _two_partnerships(session)
    created = session.exec(select(Case).where(Case.ref == "HAC-2026-0001")).one().created_at.date()

    before = client.get(
        "/api/v1/figures", headers=list_admin.headers, params={"from": "2000-01-01", "to": "2000-12-31"}
    )
    during = client.get(
        "/api/v1/figures", headers=list_admin.headers, params={"from": str(created), "to": str(created)}
    )

    assert before.status_code == 200, before.text
    assert before.json()["total"] == {"cases": {"open": 0, "closed": 0}, "outcomes": [], "commissions": {}}
    assert before.json()["consultants"] == {"approved": 1, "suspended": 1}  # the list has no period
    assert during.json()["total"]["cases"] == {"open": 3, "closed": 1}


def test_a_period_ending_before_it_starts_is_refused_in_words(client, analyst):
    response = client.get(
        "/api/v1/figures", headers=analyst.headers, params={"from": "2026-03-01", "to": "2026-02-01"}
    )

    assert response.status_code == 422
    assert "ends" in response.json()["detail"] and "before it starts" in response.json()["detail"]


def test_a_commissioner_is_refused_in_words(client, commissioner):
    response = client.get("/api/v1/figures", headers=commissioner.headers)

    assert response.status_code == 403
    assert response.json()["detail"].startswith("Figures across partnerships are read by analysts")
