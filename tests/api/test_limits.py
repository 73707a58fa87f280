"""Request limits protect the service from oversized input."""

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from service.limits import BodySizeLimit


@pytest.fixture
def small_limit(monkeypatch):
    from service.settings import get_settings

    monkeypatch.setenv("SCR_MAX_BODY_BYTES", "1000")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_a_body_over_the_limit_gets_413_before_any_route_runs(small_limit, client, admin):
    response = client.post("/api/v1/audit", content=b"x" * 5000, headers=admin.headers)
    assert response.status_code == 413
    assert "larger than 1000 bytes" in response.json()["detail"]


def test_a_streamed_body_over_the_limit_gets_413_while_it_is_read():
    async def echo(request: Request) -> JSONResponse:
        return JSONResponse({"received": len(await request.body())})

    app = BodySizeLimit(Starlette(routes=[Route("/", echo, methods=["POST"])]), max_bytes=1000)

    def chunks(count: int):
        for _ in range(count):
            yield b"y" * 500

    with TestClient(app) as client:
        assert client.post("/", content=chunks(10)).status_code == 413
        assert client.post("/", content=chunks(2)).json() == {"received": 1000}


def test_a_body_under_the_limit_reaches_the_route(small_limit, client, admin):
    response = client.post("/api/v1/audit", content=b"x" * 10, headers=admin.headers)
    assert response.status_code == 405
