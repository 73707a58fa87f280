"""Requests take turns at the pool's connections: however many arrive at once, no more than
``SCR_DB_POOL_SIZE`` hold one, so a worker never opens connections beyond its pool; requests that need no
database do not wait for a turn."""

import asyncio

import httpx
from factories import consultant, hackney
from sqlalchemy import event

from service.app import create_app


def test_concurrent_requests_hold_no_more_connections_than_the_pool_has(
    engine, session, commissioner, environment
):
    hackney(session)
    for n in range(5):
        consultant(session, f"Reviewer {n}")
    environment(SCR_DB_POOL_SIZE="2")
    held, peak = 0, 0

    def checked_out(*_: object) -> None:
        nonlocal held, peak
        held += 1
        peak = max(peak, held)

    def checked_in(*_: object) -> None:
        nonlocal held
        held -= 1

    event.listen(engine, "checkout", checked_out)
    event.listen(engine, "checkin", checked_in)
    try:
        statuses = asyncio.run(_at_once(20, commissioner.headers))
    finally:
        event.remove(engine, "checkout", checked_out)
        event.remove(engine, "checkin", checked_in)

    assert statuses == [200] * 20
    assert peak == 2


async def _at_once(count: int, headers: dict[str, str]) -> list[int]:
    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        responses = await asyncio.gather(
            *(client.get("/api/v1/consultants", headers=headers) for _ in range(count)),
            client.get("/healthz"),
        )
    assert responses[-1].status_code == 200
    return [response.status_code for response in responses[:-1]]
