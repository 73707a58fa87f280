"""A case's shortlist and the batch plan, through HTTP, plus the SQL filter against the pure checks."""

from datetime import date, timedelta

import pytest
from factories import TODAY, case, consultant, engagement, hackney, interest, rating
from typer.testing import CliRunner

from commissioning import commissions, shortlists, workload
from commissioning.models import Commission
from matching import candidates, conflicts
from matching.policy import IndependencePolicy
from registry.lifecycle import add_years
from registry.vocabulary import ConsultantStatus, EngagementKind


@pytest.fixture
def world(session):
    hackney(session)
    return session


def shortlist(client, persona, ref="HK-1", **params):
    return client.get(f"/api/v1/cases/{ref}/shortlist", headers=persona.headers, params=params)


def test_eligible_consultants_are_ranked_with_a_breakdown_and_the_conflicted_are_excluded(
    client, world, commissioner
):
    case(world, "HK-1", neglect=True, domestic_abuse=True, interpreter_needed=False)
    specialist = consultant(
        world, "Ada Specialist", specialisms=["neglect", "domestic_abuse"], areas=["Hackney"]
    )
    rating(world, specialist, 4)
    generalist = consultant(world, "Ben General")
    employed = consultant(world, "Cy Employed", specialisms=["neglect"])
    engagement(world, employed, "homerton", EngagementKind.employed, start_date=date(2015, 1, 1))

    response = shortlist(client, commissioner)

    assert response.status_code == 200
    body = response.json()
    assert [c["consultant_id"] for c in body["candidates"]] == [specialist, generalist]
    best = body["candidates"][0]
    assert {part["component"]: part["points"] for part in best["breakdown"]} == {
        "specialisms": 20,
        "languages": 0,
        "area": 0,
        "capacity": 6,
        "quality": 6,
        "rotation": 0,
    }
    assert best["score"] == 32
    (excluded,) = body["excluded"]
    assert excluded["consultant_id"] == employed
    (finding,) = excluded["findings"]
    assert finding["rule"] == "independence.current_employment"
    assert finding["severity"] == "block"
    assert finding["reason"] == (
        "Cy Employed is employed by Homerton Healthcare NHS Trust, an agency involved in this case "
        "(from Thu 1 Jan 2015)."
    )
    assert finding["evidence"]["kind"] == "engagement"
    assert body["summary"]["message"] == "2 of the 3 consultants checked are eligible."
    assert {s["name"]: s["basis"] for s in body["policy"]}["employment_block_years"] == "local_policy"


def test_a_board_that_prefers_distance_ranks_a_reviewer_from_outside_every_area_first(
    client, world, commissioner, environment
):
    case(world, "HK-1")
    local = consultant(world, "Ada Local", areas=["Hackney"])
    londoner = consultant(world, "Bea Londoner", areas=["London"])
    distant = consultant(world, "Cas Distant", areas=["Leeds"])

    by_default = shortlist(client, commissioner).json()["candidates"]
    assert [c["consultant_id"] for c in by_default] == [local, londoner, distant]  # a tie: by name
    assert {c["breakdown"][2]["points"] for c in by_default} == {0}

    environment(SCR_RANKING_POLICY='{"distance_points": 7}')
    chosen = shortlist(client, commissioner).json()["candidates"]
    assert [c["consultant_id"] for c in chosen] == [distant, local, londoner]
    assert [(c["breakdown"][2]["points"], c["breakdown"][2]["why"]) for c in chosen] == [
        (7, "covers none of the areas of the case and its agencies (hackney, london)"),
        (0, "works in hackney, the case's area"),
        (0, "works in london, where an agency in the case is"),
    ]


def test_the_themes_a_score_cites_and_the_vocabularies_the_bot_shows_read_as_words(
    client, world, commissioner
):
    case(world, "HK-1", neglect=True, domestic_abuse=True, interpreter_needed=False)
    consultant(world, "Ada Specialist", specialisms=["neglect", "domestic_abuse"])
    [best] = shortlist(client, commissioner).json()["candidates"]
    whys = {part["component"]: part["why"] for part in best["breakdown"]}
    assert whys["specialisms"] == "covers both case themes: domestic abuse, neglect"

    words = client.get("/api/v1/slack/vocabulary").json()
    assert words["specialism"]["infant_injury_and_sudi"] == "infant injury and SUDI"
    assert words["review_type"]["lcspr"] == "local child safeguarding practice review"
    assert words["registration_body"]["social_work_england"] == "Social Work England"
    assert words["commission_role"]["lead_reviewer"] == "lead reviewer"
    assert all("_" not in said for vocabulary in words.values() for said in vocabulary.values())


def test_a_case_naming_an_agency_by_alias_still_finds_the_tie(client, world, chair):
    case(world, "HK-1", agencies=("Hackney CSC",))
    former = consultant(world, "Dee Former")
    engagement(world, former, "hackney-csc", EngagementKind.employed, end_date=TODAY - timedelta(days=400))
    body = shortlist(client, chair).json()
    assert [e["findings"][0]["rule"] for e in body["excluded"]] == ["independence.recent_employment"]


def test_the_commissioning_partnership_is_found_from_the_case_area(client, world, chair):
    case(world, "HK-1")
    member = consultant(world, "Eve Member")
    engagement(world, member, "chscp", EngagementKind.board_member)
    (excluded,) = shortlist(client, chair).json()["excluded"]
    assert "the partnership commissioning this review" in excluded["findings"][0]["reason"]


def test_candidates_carry_warnings_and_interests_in_the_case_exclude(client, world, chair):
    case(world, "HK-1")
    warned = consultant(world, "Fay Warned")
    engagement(world, warned, "met-police", EngagementKind.employed, end_date=TODAY - timedelta(days=365 * 7))
    interested = consultant(world, "Gus Interested")
    interest(world, interested, case_ref="HK-1")
    body = shortlist(client, chair).json()
    (candidate,) = body["candidates"]
    assert [w["rule"] for w in candidate["warnings"]] == ["independence.past_employment"]
    assert [e["findings"][0]["rule"] for e in body["excluded"]] == ["independence.interest_in_case"]


def test_the_limit_caps_the_candidates_listed(client, world, chair):
    case(world, "HK-1")
    for name in ("Ann", "Bob", "Cat"):
        consultant(world, name)
    body = shortlist(client, chair, limit=2).json()
    assert len(body["candidates"]) == 2
    assert body["summary"]["eligible"] == 3
    assert shortlist(client, chair, limit=0).status_code == 422


def test_unavailable_consultants_are_counted_not_listed_while_others_are_eligible(client, world, chair):
    case(world, "HK-1")
    consultant(world, "Ann Available")
    consultant(world, "Sid Suspended", status=ConsultantStatus.suspended)
    consultant(world, "Rex Removed", status=ConsultantStatus.removed)
    body = shortlist(client, chair).json()
    assert (body["listed"], body["unavailable"], body["excluded"]) == (2, 1, [])


def test_when_nobody_is_eligible_everyone_is_checked_and_the_summary_says_what_would_widen_the_pool(
    client, world, commissioner
):
    case(world, "HK-1")
    consultant(world, "Lil Lapsed", dbs_check_date=TODAY - timedelta(days=365 * 4))
    employed = consultant(world, "Max Employed")
    engagement(world, employed, "met-police", EngagementKind.employed)
    full = consultant(world, "Ned Full", capacity=1)
    other = case(world, "HK-0")
    world.add(Commission(case_id=other, consultant_id=full, role="lead_reviewer", created_by="t"))
    world.commit()

    body = shortlist(client, commissioner).json()

    assert body["candidates"] == []
    assert {e["name"]: e["findings"][0]["rule"] for e in body["excluded"]} == {
        "Lil Lapsed": "vetting.dbs_expired",
        "Max Employed": "independence.current_employment",
        "Ned Full": "capacity.full",
    }
    summary = body["summary"]
    assert summary["message"].startswith("Nobody is eligible: all 3 consultants checked are excluded.")
    assert "1 consultant would be eligible but for 'DBS check out of date': Ask them" in summary["message"]
    assert [r["only_rule"] for r in summary["rules"]] == [1, 1, 1]


def test_the_familys_languages_and_a_concern_about_racism_shape_the_ranking(client, world, commissioner):
    case(world, "HK-1", family_languages=["tigrinya", "british-sign-language"], racism_or_discrimination=True)
    fluent = consultant(
        world,
        "Ada Fluent",
        languages=["Tigrinya", "British Sign Language"],
        specialisms=["race_ethnicity_and_culture"],
    )
    consultant(world, "Ben General", languages=["French"])

    body = shortlist(client, commissioner).json()

    assert body["candidates"][0]["consultant_id"] == fluent
    parts = {p["component"]: p for p in body["candidates"][0]["breakdown"]}
    assert parts["languages"]["points"] == 16
    assert parts["specialisms"]["points"] == 10
    assert "race, ethnicity and culture" in parts["specialisms"]["why"]
    other = {p["component"]: p for p in body["candidates"][1]["breakdown"]}
    assert other["languages"]["points"] == 0
    assert "speaks none of the languages needed" in other["languages"]["why"]


def test_agencies_the_registry_does_not_know_are_reported(client, world, chair):
    case(world, "HK-1", agencies=("hackney-csc", "Unknown Trust"))
    assert shortlist(client, chair).json()["unknown_agencies"] == ["unknown trust"]


def test_an_unknown_case_is_404_and_a_missing_token_401(client, world, chair):
    response = shortlist(client, chair, ref="NOPE")
    assert response.status_code == 404
    assert response.json()["detail"] == "No case NOPE."
    assert client.get("/api/v1/cases/HK-1/shortlist").status_code == 401


def test_the_sql_filter_never_leaves_out_a_consultant_the_checks_would_accept(world):
    """Boundary records around each vetting date: the filter may let extra through, never fewer."""
    context_case = case(world, "HK-1")
    policy = IndependencePolicy()
    dbs_edge = add_years(TODAY, -3)
    for index, (dbs, insurance, registration) in enumerate(
        [
            (dbs_edge, TODAY, None),
            (dbs_edge + timedelta(days=1), TODAY, None),
            (dbs_edge - timedelta(days=1), TODAY, None),
            (TODAY, TODAY - timedelta(days=1), None),
            (TODAY, TODAY, TODAY),
            (TODAY, TODAY, TODAY - timedelta(days=1)),
            (None, TODAY, None),
            (TODAY, None, None),
        ]
    ):
        consultant(
            world,
            f"Edge {index}",
            dbs_check_date=dbs,
            insurance_expiry=insurance,
            registration_expiry=registration,
        )
    full = consultant(world, "At Capacity", capacity=1)
    world.add(Commission(case_id=context_case, consultant_id=full, role="lead_reviewer", created_by="t"))
    world.commit()
    context = commissions.case_context(session=world, case=commissions._case(world, "HK-1"))
    agencies = candidates.resolve_agencies(session=world, names=context.agencies)
    work = workload.workload(since=TODAY)

    def load(available_only):
        return candidates.load_profiles(
            session=world,
            contexts=[context],
            agencies=agencies,
            policy=policy,
            today=TODAY,
            workload=work,
            available_only=available_only,
        )

    accepted = {
        p.name
        for p in load(False)
        if not any(f.blocks for f in conflicts.check(p, context, policy, TODAY, agencies=agencies.directory))
    }
    filtered = {p.name for p in load(True)}
    assert accepted <= filtered
    assert accepted == {"Edge 1", "Edge 4"}


# Batch plan ------------------------------------------------------------------------------------


def plan(client, persona, refs, alternates=2):
    return client.post(
        "/api/v1/assignments/plan",
        headers=persona.headers,
        json={"case_refs": refs, "alternates": alternates},
    )


def test_the_plan_gives_each_case_a_reviewer_for_the_best_total_fit(client, world, commissioner):
    case(world, "HK-1", neglect=True)
    case(world, "HK-2", neglect=True, domestic_abuse=True, sexual_abuse=True)
    star = consultant(
        world, "Sam Star", capacity=1, specialisms=["neglect", "domestic_abuse", "sexual_abuse"]
    )
    steady = consultant(world, "Tia Steady", capacity=1, specialisms=["neglect"])

    response = plan(client, commissioner, ["HK-1", "HK-2"])

    assert response.status_code == 200
    body = response.json()
    assert [(p["case_ref"], p["consultant_id"]) for p in body["proposals"]] == [
        ("HK-1", steady),
        ("HK-2", star),
    ]
    assert body["assigned"] == 2
    assert body["proposals"][1]["name"] == "Sam Star"
    assert body["proposals"][0]["alternates"] == [
        {"consultant_id": star, "name": "Sam Star", "score": 13.0, "free_after_plan": False}
    ]


def test_the_plan_leaves_out_a_conflicted_consultant_and_says_why_a_case_has_nobody(
    client, world, commissioner
):
    case(world, "HK-1")
    case(world, "CM-1", area="camden", agencies=("camden-csc",))
    conflicted = consultant(world, "Uma Camden")
    engagement(world, conflicted, "hackney-csc", EngagementKind.employed)
    body = plan(client, commissioner, ["HK-1", "CM-1"]).json()
    assert [(p["case_ref"], p["consultant_id"]) for p in body["proposals"]] == [
        ("HK-1", None),
        ("CM-1", conflicted),
    ]
    assert (
        body["proposals"][0]["note"]
        == "no eligible consultant: see the case's shortlist for what excludes them"
    )


def test_the_plan_needs_a_commissioner_distinct_cases_and_known_cases(client, world, chair, commissioner):
    case(world, "HK-1")
    assert plan(client, chair, ["HK-1"]).status_code == 403
    repeated = plan(client, commissioner, ["HK-1", "HK-1"])
    assert repeated.status_code == 422
    assert "repeated: HK-1" in repeated.json()["problems"][0]["msg"]
    assert plan(client, commissioner, ["HK-1", "NOPE"]).status_code == 404
    assert plan(client, commissioner, []).status_code == 422


# Command line ----------------------------------------------------------------------------------


def test_scr_shortlist_prints_the_ranked_candidates_and_the_excluded(world):
    from service.cli import app

    case(world, "HK-1")
    consultant(world, "Ann Able")
    employed = consultant(world, "Bo Busy")
    engagement(world, employed, "met-police", EngagementKind.employed)
    result = CliRunner().invoke(app, ["shortlist", "HK-1"])
    assert result.exit_code == 0, result.output
    assert "1. Ann Able" in result.output
    assert "Bo Busy is employed by Metropolitan Police Service" in result.output
    missing = CliRunner().invoke(app, ["shortlist", "NOPE"])
    assert missing.exit_code == 2
    assert "No case with reference 'NOPE'." in missing.output


def test_the_plan_over_each_cases_best_candidates_equals_the_plan_over_all_of_them(world):
    """plan_for hands the solver only each case's best len(refs) + alternates candidates: nothing is lost."""
    from matching import plan as solver
    from matching import shortlist as ranking
    from matching.policy import RankingPolicy

    themes = [{"neglect": True}, {"domestic_abuse": True}, {"neglect": True, "sexual_abuse": True}]
    for n, chosen in enumerate(themes):
        case(world, f"HK-{n}", **chosen)
    for n in range(9):
        specialisms = [["neglect"], ["domestic_abuse"], ["sexual_abuse", "neglect"]][n % 3]
        consultant(
            world, f"Reviewer {n}", capacity=1 + n % 2, specialisms=specialisms, areas=["hackney"][: n % 2]
        )
    refs = [f"HK-{n}" for n in range(3)]
    policy, points = IndependencePolicy(), RankingPolicy()

    pruned = shortlists.plan_for(
        session=world, refs=refs, policy=policy, ranking=points, today=TODAY, alternates=0
    )

    contexts = [commissions.case_context(session=world, case=commissions._case(world, ref)) for ref in refs]
    agencies = candidates.resolve_agencies(session=world, names=[a for c in contexts for a in c.agencies])
    work = workload.workload(since=TODAY)
    profiles = candidates.load_profiles(
        session=world, contexts=contexts, agencies=agencies, policy=policy, today=TODAY, workload=work
    )
    every = [
        solver.CaseOptions(
            c.ref,
            tuple(
                solver.Option(x.consultant.id, x.score)
                for x in ranking.rank(
                    profiles, c, policy=policy, ranking=points, today=TODAY, agencies=agencies.directory
                ).candidates
            ),
        )
        for c in contexts
    ]
    full = solver.plan(every, {p.id: p.capacity - p.active_commissions for p in profiles}, alternates=0)
    assert (pruned.plan.assigned, pruned.plan.total_score) == (full.assigned, full.total_score) == (3, 58.0)


def test_the_garbage_collector_runs_again_after_a_shortlist(client, world, chair):
    """Loading and ranking pause the cyclic collector for speed; it must never stay off."""
    import gc

    case(world, "HK-1")
    consultant(world, "Ann")
    assert shortlist(client, chair).status_code == 200
    assert gc.isenabled()


def test_a_reference_that_cannot_name_a_case_is_refused_as_bad_input(client, world, chair):
    response = shortlist(client, chair, ref="HK%001")
    assert response.status_code == 422
    assert response.json()["problems"][0]["loc"] == ["path", "ref"]
