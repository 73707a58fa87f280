"""Property-based fuzzing of every API operation from the OpenAPI schema (schemathesis).

Each operation gets a bounded number of generated requests, authenticated as an admin against a
database holding the demo registry. No response may be a 5xx or break the published schema. The
requests sent are counted per operation and reported after the run; an operation that got none fails.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from sqlmodel import Session

from service.app import create_app

EXAMPLES_PER_OPERATION = 12

schema = schemathesis.openapi.from_asgi("/openapi.json", create_app())


@pytest.fixture(scope="module")
def admin_headers(engine, empty_database):
    """Demo data loaded once for the module; the demo admin's token."""
    from service.demo import load

    empty_database()
    with Session(engine) as session:
        tokens = load(session=session)
    return {"Authorization": f"Bearer {tokens['admin']}"}


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_operation_answers_5xx_or_breaks_its_schema(case, admin_headers, fuzz_operation):
    response = case.call(headers=admin_headers)
    fuzz_operation.record(case.operation.label, response.status_code)
    case.validate_response(
        response, checks=[not_a_server_error, response_schema_conformance], headers=admin_headers
    )
