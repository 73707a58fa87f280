"""The public routes limit callers without a token, per client address (security issue, item 2).

The threshold check, the feature catalogue and the rulesets answer anyone. An anonymous address over
the rate gets 429 with ``Retry-After`` and a sentence saying what to do; a valid API token (a person's,
or the Slack bot's, which it sends on every call) is never limited, and a token that is not valid
counts as none.
"""

import asyncio
import re
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from bot.service_client import ServiceClient
from service.app import create_app
from service.models import Role
from service.ratelimit import TokenBuckets
from service.settings import get_settings
from service.slack_http import IN_PROCESS_URL
from service.users import add_user, revoke_user

RATE = 3  # requests a minute without a token
CASE = {"outcome": "death", "abuse_or_neglect": "suspected", "country": "england"}
PUBLIC = [
    ("GET", "/api/v1/features", None),
    ("GET", "/api/v1/rulesets", None),
    ("POST", "/api/v1/threshold", {"features": CASE}),
]


@pytest.fixture
def limited(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Apps made while it is active allow ``RATE`` requests a minute per address without a token."""
    monkeypatch.setenv("SCR_PUBLIC_RATE_PER_MINUTE", str(RATE))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def call(http: TestClient, turn: int, headers: dict[str, str] | None = None) -> httpx.Response:
    """One of the public routes, in turn."""
    method, path, body = PUBLIC[turn % len(PUBLIC)]
    return http.request(method, path, json=body, headers=headers)


def use_up(http: TestClient) -> None:
    """Spend the address's allowance, one call on each public route."""
    for turn in range(RATE):
        assert call(http, turn).status_code == 200


def test_an_anonymous_address_over_the_rate_gets_429_saying_when_to_retry(limited, client):
    use_up(client)
    for turn in range(len(PUBLIC)):
        refused = call(client, turn)
        assert refused.status_code == 429
        retry_after = int(refused.headers["retry-after"])
        assert 1 <= retry_after <= 60 // RATE
        detail = refused.json()["detail"]
        assert f"{RATE} requests a minute" in detail
        assert f"Try again in {retry_after} seconds" in detail
        assert "Authorization: Bearer" in detail
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", detail), "no internal names in a sentence for people"


def test_the_limit_is_per_client_address(limited, session):
    app = create_app()
    first = TestClient(app, client=("192.0.2.1", 40000))
    other = TestClient(app, client=("192.0.2.2", 40000))
    use_up(first)
    assert call(first, 0).status_code == 429
    assert call(other, 0).status_code == 200


def test_a_signed_in_caller_is_never_limited_nor_uses_the_allowance(limited, client, commissioner):
    for turn in range(RATE * 4):
        assert call(client, turn, commissioner.headers).status_code == 200
    use_up(client)  # the signed-in calls used none of the address's allowance
    assert call(client, 0, commissioner.headers).status_code == 200


@pytest.mark.parametrize("token", ["not-a-token", "", "scr_" + "x" * 43])
def test_a_token_that_is_not_valid_counts_as_none(limited, client, token):
    headers = {"Authorization": f"Bearer {token}"}
    use_up(client)
    assert call(client, 0, headers).status_code == 429


def test_a_revoked_token_is_limited(limited, client, session, chair):
    revoke_user(session, email=chair.email, actor="test")
    session.commit()
    use_up(client)
    assert call(client, 2, chair.headers).status_code == 429


def test_the_slack_bot_in_process_is_never_limited(limited, session):
    """The bot reaches the API as ``service.slack_http`` wires it: ASGITransport on the app, with the
    bot's token. The same transport without the token is limited: the token is what exempts it."""
    _, token = add_user(session, email="bot@board.example.org", role=Role.bot, actor="test")
    session.commit()
    app = create_app()

    async def run() -> tuple[int, int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=IN_PROCESS_URL) as http:
            service = ServiceClient(http, token=SecretStr(token))
            for _ in range(RATE * 3):
                await service.threshold(as_user="U0CHAIR", features=CASE)
            catalogue = await service.features()
            anonymous = [
                (await http.post("/api/v1/threshold", json={"features": CASE})).status_code
                for _ in range(RATE + 1)
            ]
        return len(catalogue), anonymous[-1]

    catalogue_size, last_anonymous = asyncio.run(run())
    assert catalogue_size > 0
    assert last_anonymous == 429


def test_no_limit_when_the_rate_is_zero(monkeypatch, session):
    monkeypatch.setenv("SCR_PUBLIC_RATE_PER_MINUTE", "0")
    get_settings.cache_clear()
    http = TestClient(create_app())
    get_settings.cache_clear()
    assert all(call(http, turn).status_code == 200 for turn in range(100))


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_holds_a_minute_of_requests_and_refills_at_the_rate():
    clock = Clock()
    buckets = TokenBuckets(60, clock=clock)
    assert [buckets.take("a") for _ in range(60)] == [0.0] * 60
    assert buckets.take("a") == pytest.approx(1.0)
    clock.now += 0.5
    assert buckets.take("a") == pytest.approx(0.5)
    clock.now += 0.5
    assert buckets.take("a") == 0.0
    clock.now += 3600
    assert [buckets.take("a") for _ in range(60)] == [0.0] * 60  # never more than a minute's worth
    assert buckets.take("a") > 0


def test_the_buckets_forget_the_address_seen_longest_ago_so_memory_is_bounded():
    clock = Clock()
    buckets = TokenBuckets(1, max_keys=100, clock=clock)
    assert buckets.take("first") == 0.0
    for n in range(10_000):
        buckets.take(f"10.0.{n // 256}.{n % 256}")
    assert len(buckets._buckets) == 100
    assert buckets.take("first") == 0.0  # forgotten, so full again
