"""The API's routers are included busiest first (``service.app.ROUTERS``): that is safe only while no
router's route answers a path another router serves, so that the order decides speed and nothing else."""

import itertools
import re

from fastapi import APIRouter
from fastapi.routing import APIRoute

from service.app import ROUTERS


def _concrete(path: str) -> list[str]:
    """The path with its parameters filled in as a number and as a word."""
    return [re.sub(r"\{[^}]+\}", value, path) for value in ("1", "abc")]


def _routes(router: APIRouter) -> list[APIRoute]:
    return [route for route in router.routes if isinstance(route, APIRoute)]


def test_no_router_answers_a_path_another_router_serves():
    taken = [
        (route.path, other.path)
        for first, second in itertools.permutations(ROUTERS, 2)
        for route in _routes(first)
        for other in _routes(second)
        if route.methods & other.methods
        and any(route.path_regex.match(path) for path in _concrete(other.path))
    ]
    assert taken == []


def test_the_threshold_check_is_among_the_first_routes_a_request_meets():
    walked = [route.path for router in ROUTERS for route in router.routes]
    assert walked.index("/api/v1/threshold") < 10
