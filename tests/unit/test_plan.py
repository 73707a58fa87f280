"""The batch plan: capacity and eligibility hold, and the result equals a brute-force optimum."""

from itertools import product

from hypothesis import given, settings
from hypothesis import strategies as st

from matching.plan import Alternate, CaseOptions, Option, plan


def case(ref: str, *options: tuple[int, float]) -> CaseOptions:
    return CaseOptions(ref, tuple(Option(consultant, score) for consultant, score in options))


def test_each_case_gets_its_best_consultant_when_nobody_competes() -> None:
    result = plan([case("A", (1, 30), (2, 10)), case("B", (3, 5))], {1: 1, 2: 1, 3: 1})
    assert [(p.case_ref, p.consultant_id, p.score) for p in result.proposals] == [("A", 1, 30), ("B", 3, 5)]
    assert (result.assigned, result.total_score) == (2, 35)
    assert result.message == "2 of 2 cases have a proposed reviewer; total fit 35."
    assert result.proposals[0].alternates == (Alternate(2, 10, True),)
    assert result.proposals[0].note == "best overall fit across the cases in this plan"


def test_a_consultant_with_one_free_place_goes_where_the_total_fit_is_highest() -> None:
    # Greedy would give consultant 1 to A (30) and leave B with 2 (1): total 31. The optimum is 20 + 25.
    result = plan([case("A", (1, 30), (2, 20)), case("B", (1, 25), (2, 1))], {1: 1, 2: 1})
    assert [p.consultant_id for p in result.proposals] == [2, 1]
    assert result.total_score == 45


def test_covering_every_case_comes_before_a_higher_total() -> None:
    # Giving consultant 1 to A scores 50 but leaves B with nobody; covering both scores only 2.
    result = plan([case("A", (1, 50), (2, 1)), case("B", (1, 1))], {1: 1, 2: 1})
    assert [p.consultant_id for p in result.proposals] == [2, 1]
    assert result.assigned == 2


def test_a_consultant_with_two_free_places_can_take_two_cases() -> None:
    result = plan([case("A", (1, 9)), case("B", (1, 8)), case("C", (1, 7))], {1: 2})
    assert [p.consultant_id for p in result.proposals] == [1, 1, None]
    unplaced = result.proposals[2]
    assert unplaced.note == "every eligible consultant's free places went to other cases in this plan"
    assert unplaced.alternates == (Alternate(1, 7, False),)


def test_a_case_with_no_eligible_consultant_says_so() -> None:
    result = plan([case("A")], {})
    (proposal,) = result.proposals
    assert (proposal.consultant_id, proposal.score, proposal.alternates) == (None, None, ())
    assert proposal.note == "no eligible consultant: see the case's shortlist for what excludes them"
    assert (result.assigned, result.total_score) == (0, 0)


def test_a_consultant_without_free_places_is_never_proposed() -> None:
    result = plan([case("A", (1, 9), (2, 1))], {1: 0, 2: 1})
    assert result.proposals[0].consultant_id == 2
    assert result.proposals[0].alternates == (Alternate(1, 9, False),)


def test_negative_fit_still_gets_a_reviewer() -> None:
    result = plan([case("A", (1, -12.5))], {1: 1})
    assert (result.proposals[0].consultant_id, result.total_score) == (1, -12.5)


def test_a_repeated_option_keeps_its_best_score_and_alternates_are_capped() -> None:
    result = plan([case("A", (1, 3), (1, 7), (2, 6), (3, 5), (4, 4))], {1: 1, 2: 1, 3: 1, 4: 1}, alternates=2)
    (proposal,) = result.proposals
    assert (proposal.consultant_id, proposal.score) == (1, 7)
    assert [a.consultant_id for a in proposal.alternates] == [2, 3]


def brute_force(cases: list[CaseOptions], free: dict[int, int]) -> tuple[int, float]:
    """The best (cases covered, total fit) over every way of choosing one option or nobody per case."""
    best = (0, 0.0)
    choices = [[None, *{o.consultant_id: o for o in c.options}.values()] for c in cases]
    for pick in product(*choices):
        used: dict[int, int] = {}
        for option in pick:
            if option is not None:
                used[option.consultant_id] = used.get(option.consultant_id, 0) + 1
        if any(count > free.get(consultant, 0) for consultant, count in used.items()):
            continue
        chosen = [option for option in pick if option is not None]
        best = max(best, (len(chosen), sum(option.score for option in chosen)))
    return best


@st.composite
def instances(draw: st.DrawFn) -> tuple[list[CaseOptions], dict[int, int]]:
    consultants = draw(st.integers(min_value=1, max_value=4))
    free = {c: draw(st.integers(min_value=0, max_value=2)) for c in range(consultants)}
    cases = []
    for index in range(draw(st.integers(min_value=1, max_value=5))):
        eligible = draw(st.sets(st.integers(min_value=0, max_value=consultants - 1)))
        options = tuple(Option(c, draw(st.integers(min_value=-20, max_value=60))) for c in sorted(eligible))
        cases.append(CaseOptions(f"C{index}", options))
    return cases, free


@settings(max_examples=300, deadline=None)
@given(instances())
def test_the_plan_equals_the_brute_force_optimum(instance: tuple[list[CaseOptions], dict[int, int]]) -> None:
    cases, free = instance
    result = plan(cases, free)
    assert (result.assigned, result.total_score) == brute_force(cases, free)
    used: dict[int, int] = {}
    for proposal, options in zip(result.proposals, cases, strict=True):
        if proposal.consultant_id is not None:
            assert proposal.consultant_id in {o.consultant_id for o in options.options}
            used[proposal.consultant_id] = used.get(proposal.consultant_id, 0) + 1
    assert all(count <= free[consultant] for consultant, count in used.items())
