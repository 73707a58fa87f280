"""Property-based fuzzing of every API operation from the OpenAPI schema (schemathesis).

Each operation is fuzzed as a caller the access policy (``access_policy.MATRIX``) lets through, the
first one it lists: an admin for most routes, the chair for a board decision, the bot for its own
routes, the bot naming a consultant for ``/me``, nobody for public ones. So every generated request
reaches the operation's handler: none may be refused, none may be answered with a 5xx, and every
answer must match the published schema. The database holds the demo registry. The requests sent are
counted per operation and reported after the run; an operation that got none fails. Valid requests to a
case's routes name a real case, with terms of reference.

The run is bounded: each operation gets at most ``EXAMPLES_PER_OPERATION`` generated requests, valid
and invalid, plus the schema's own examples (none today). Schemathesis's coverage phase is off, since
no setting bounds it: it sends every boundary and negative case the schema defines (over 500 each for
the threshold and case bodies, five requests in six of the whole run). Missing and malformed
credentials are not generated either: ``test_access_matrix`` covers those for every route.

Generation from the schema seldom makes a large body, so the public threshold check gets its own run
of the bodies an outsider would send to exhaust it: thousands of unknown features, deep nesting at
every place, long lists and long answers, up to past the body limits. Each must get a short answer
that matches the schema, never a 5xx. The public operations are called without a token, more often
than the rate limit for such callers allows, so this module's app has a generous one
(``tests/security/test_security_rate_limit.py`` tests the limit itself).
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import schemathesis
from access_policy import DECLARING, MATRIX, Caller, first_allowed
from factories import CASE_FEATURES
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from sqlmodel import Session, col, select

from commissioning.features import CATALOGUE
from commissioning.models import Commission
from registry.models import Consultant
from registry.vocabulary import ConsultantStatus
from service.api.params import MAX_ID
from service.app import create_app
from service.auth import SLACK_USER_HEADER
from service.models import Role
from service.settings import get_settings

EXAMPLES_PER_OPERATION = 15
OUTSIZED_EXAMPLES = 30

CONFIG = schemathesis.Config.from_dict(
    {"phases": {"coverage": {"enabled": False}}, "generation": {"with-security-parameters": False}}
)
with pytest.MonkeyPatch.context() as patch:
    patch.setenv("SCR_PUBLIC_RATE_PER_MINUTE", "1000000")
    get_settings.cache_clear()
    APP = create_app()
get_settings.cache_clear()
schema = schemathesis.openapi.from_asgi("/openapi.json", APP, config=CONFIG)

Headers = dict[str, str]
ANSWERED_BY_THE_CONSULTANT = {
    "POST /api/v1/commissions/{commission_id}/declaration",
    "POST /api/v1/commissions/{commission_id}/decline",
}
ROUTES = {re.sub(r"\{(\w+):\w+\}", r"{\1}", route): route for route in MATRIX}  # OpenAPI paths name no types


def fuzzed_as(label: str) -> Caller:
    """The caller an operation ("POST /api/v1/cases/{ref}/decision") is fuzzed as."""
    assert label in ROUTES, f"{label} has no line in access_policy.MATRIX: decide who may call it"
    caller = first_allowed(ROUTES[label])
    assert caller is not None, f"access_policy.MATRIX lets no API caller through to {label}"
    return caller


@dataclass(frozen=True)
class Demo:
    tokens: dict[Role, str]  # the demo users' tokens
    consultant_id: int  # the consultant the bot names for /me
    ref: str  # a case with terms of reference


# The demo users each caller's token is, by the role a caller runs as: "admin" is a list admin who is also
# the admin of the partnership leading the fuzzed case (City and Hackney), as the access matrix's is.
DEMO_USERS = {
    Role.admin: "list-admin",
    Role.list_admin: "list-admin",
    Role.analyst: "analyst",
    Role.commissioner: "commissioner.chs",
    Role.chair: "chair.chs",
    Role.bot: "bot",
}
DEMO_PREFIX = "CHS"
PREFIX = re.compile(r"[A-Za-z]{2,6}")  # what a partnership prefix looks like (service.access.Prefix)


@pytest.fixture(scope="module")
def demo(engine, empty_database) -> Demo:
    """The demo registry, loaded once for the module, and one case. The consultant is the middle approved
    one, away from the lowest and highest ids that fuzzing favours."""
    from service.demo import load
    from service.demo_region import USER_DOMAIN
    from service.users import add_user, grant_role

    empty_database()
    with Session(engine) as session:
        users = {user.email: user.token for user in load(session=session).users}
        grant_role(
            session, email=f"list-admin@{USER_DOMAIN}", role=Role.admin, partnership=DEMO_PREFIX, actor="test"
        )
        session.commit()
        query = select(Consultant.id).where(Consultant.status == ConsultantStatus.approved)
        approved = session.exec(query.order_by(col(Consultant.id))).all()
    tokens = {role: users[f"{handle}@{USER_DOMAIN}"] for role, handle in DEMO_USERS.items()}
    admin = {"Authorization": f"Bearer {tokens[Role.admin]}"}
    http = TestClient(APP)
    made = http.post("/api/v1/cases", headers=admin, json={"features": CASE_FEATURES})
    assert made.status_code == 201, made.text
    ref = made.json()["ref"]
    assert ref.startswith(DEMO_PREFIX)
    assert http.post(f"/api/v1/cases/{ref}/terms", headers=admin).status_code == 201
    # an agency's contact, whose agency the case asks for its chronology, for the routes made for them
    assert http.post(f"/api/v1/cases/{ref}/chronology/requests", headers=admin).status_code == 201
    with Session(engine) as session:
        _, tokens[Role.agency_contact] = add_user(
            session,
            email="contact@agency.example.org",
            role=Role.agency_contact,
            actor="test",
            agency="hackney-csc",
        )
        session.commit()
    return Demo(tokens, approved[len(approved) // 2], ref)


def _declaring(engine, consultant_id: int) -> None:
    """Give the declaring consultant's Slack id to ``consultant_id``, taking it from whoever holds it."""
    with Session(engine) as session:
        for holder in session.exec(select(Consultant).where(col(Consultant.id) != consultant_id)).all():
            if holder.slack_user_id == DECLARING:
                holder.slack_user_id = None
                session.add(holder)
        session.flush()
        consultant = session.get(Consultant, consultant_id)
        assert consultant is not None
        consultant.slack_user_id = DECLARING
        session.add(consultant)
        session.commit()


def _answering_for_the_consultant(engine, case) -> None:  # type: ignore[no-untyped-def]
    """Only the commissioned consultant answers for a commission, through the bot naming their Slack id:
    a valid request names the declaring id, which goes to the consultant of the commission fuzzed (an
    earlier operation's fuzzing made it, for a consultant of its choosing)."""
    if case.operation.label not in ANSWERED_BY_THE_CONSULTANT or not isinstance(case.body, dict):
        return
    case.body["slack_user_id"] = DECLARING
    commission_id = (case.path_parameters or {}).get("commission_id")
    with Session(engine) as session:
        storable = isinstance(commission_id, int) and 0 < commission_id <= MAX_ID  # PostgreSQL's INTEGER
        commission = session.get(Commission, commission_id) if storable else None
    if commission is not None:
        _declaring(engine, commission.consultant_id)


@pytest.fixture
def credentials(engine, demo) -> Callable[[Caller], Headers]:
    """The headers a caller sends. The consultant gets their Slack id back first, in case an
    earlier operation's fuzzing (``PATCH /consultants/{id}``) wrote over it."""
    _declaring(engine, demo.consultant_id)

    def headers(caller: Caller) -> Headers:
        sent = {"Authorization": f"Bearer {demo.tokens[Role(caller.token)]}"} if caller.token else {}
        if caller.slack_user:
            assert caller.slack_user == DECLARING, f"{caller.name}: only the consultant's Slack id is linked"
            sent[SLACK_USER_HEADER] = caller.slack_user
        return sent

    return headers


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_operation_answers_5xx_or_breaks_its_schema(case, engine, demo, credentials, fuzz_operation):
    # A random reference names no case, so the handler would stop at the lookup: valid requests name one.
    if case.meta.generation.mode.is_positive and "ref" in (case.path_parameters or {}):
        case.path_parameters["ref"] = demo.ref
    # Nor does a random prefix name the partnership of the case, whose people the callers are; and one that
    # could name a partnership (fuzzing made others, whose people the callers are not) names the case's.
    prefix = (case.path_parameters or {}).get("prefix")
    if prefix is not None and (case.meta.generation.mode.is_positive or PREFIX.fullmatch(str(prefix))):
        case.path_parameters["prefix"] = DEMO_PREFIX
    caller = fuzzed_as(case.operation.label)
    headers = credentials(caller)
    _answering_for_the_consultant(engine, case)
    response = case.call(headers=headers)
    fuzz_operation.record(case.operation.label, response.status_code)
    assert response.status_code not in (401, 403), f"{caller.name} was refused: {response.text[:300]}"
    case.validate_response(
        response, checks=[not_a_server_error, response_schema_conformance], headers=headers
    )


# The public threshold check against bodies made to exhaust it -----------------------------------------

THRESHOLD = schema["/api/v1/threshold"]["POST"]
SHORT_ANSWER = 4_000  # bytes: a refusal names a few problems, never echoes a large body back
NESTING_PLACES = (
    '{{"features":{{"perpetrators":{}}}}}',
    '{{"features":{}}}',
    '{{"features":{{}},"ruleset":{}}}',
    "{}",
)


def _unknown_features(count: int) -> bytes:
    return ('{"features":{' + ",".join(f'"f{i:x}":true' for i in range(count)) + "}}").encode()


def _nested(depth: int, place: str) -> bytes:
    return place.format("[" * depth + "]" * depth).encode()


def _long_list(count: int) -> bytes:
    features = {**CASE_FEATURES, "agencies_involved": [f"agency-{i:x}" for i in range(count)]}
    return json.dumps({"features": features}, separators=(",", ":")).encode()


def _long_answer(length: int, name: str) -> bytes:
    return json.dumps({"features": {name: "x" * length}}).encode()


OUTSIZED_BODIES = st.one_of(
    st.integers(len(CATALOGUE) + 1, 160_000).map(_unknown_features),
    st.builds(_nested, st.integers(2, 1_100_000), st.sampled_from(NESTING_PLACES)),
    st.integers(1, 150_000).map(_long_list),
    st.builds(
        _long_answer, st.integers(100, 2_100_000), st.sampled_from(["area", "outcome", "no_such_feature"])
    ),
)


@given(body=OUTSIZED_BODIES)
@settings(max_examples=OUTSIZED_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_public_check_answers_large_and_deeply_nested_bodies_briefly(body, fuzz_operation):
    case = THRESHOLD.Case(body=body, media_type="application/json")
    response = case.call()
    fuzz_operation.record(f"{THRESHOLD.label} (outsized bodies)", response.status_code)
    assert response.status_code in (200, 413, 422), response.text[:300]
    if response.status_code != 200:
        assert len(response.content) < SHORT_ANSWER, f"{len(response.content)} bytes for {len(body)} sent"
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
