"""The service's own daily work, in its own loop, whichever replica looks first: the retention purge, and
the chronology reminders and late notices agencies' contacts get by email (with or without Slack).

Every replica's loop looks every ``SCR_RETENTION_PURGE_CHECK_SECONDS`` whether today's purge has run. A
run claims today's key (``retention-purge:YYYY-MM-DD``) in the claims the Slack jobs use
(``service.slack_state``) in the same transaction as the purge itself: a second replica's claim waits for
the first's transaction and then finds the key taken, and a purge that fails rolls its claim back with it,
so the next look tries again. ``scr retention purge`` from cron still works beside it: a purge removes
nothing a second time. The chronology reminders claim each request's notice as they send it
(``service.chronology_notices.remind``), so every look may run them: each goes once.
"""

import asyncio
import logging
from datetime import date

import anyio
from fastapi import FastAPI
from sqlalchemy import Engine

from commissioning import retention_store
from core import clock
from core.transaction import unit_of_work
from service import chronology_notices, slack_state
from service.background import run_alongside
from service.policy import retention_years_by_partnership
from service.settings import get_settings

log = logging.getLogger("service.retention")

ACTOR = "scheduled retention purge"
ACTOR_REMINDERS = "scheduled chronology reminders"
KIND = "retention_purge"


def key(day: date) -> str:
    return f"retention-purge:{day.isoformat()}"


def run_once(engine: Engine, *, today: date) -> retention_store.Report | None:
    """Today's purge, unless a process has already run it (None)."""
    with unit_of_work(engine) as session:
        if not slack_state.claim(session, key=key(today), kind=KIND, detail={}).claimed:
            return None
        report = retention_store.purge(
            session=session,
            as_of=today,
            today=today,
            years=get_settings().retention_years,
            dry_run=False,
            actor=ACTOR,
            years_by_partnership=retention_years_by_partnership(session),
        )
        slack_state.record_outcome(session, key=key(today), detail={"cases": len(report.cases)})
    log.info("retention.purged cases=%d as_of=%s", len(report.cases), today.isoformat())
    return report


def remind_agencies(engine: Engine, *, today: date) -> int:
    """Email the chronology reminders and late notices due today that no process has sent; how many went
    (none without the service's public address: their links would lead nowhere)."""
    base = chronology_notices.public_base()
    if not base:
        return 0
    with unit_of_work(engine) as session:
        return len(chronology_notices.remind(session, today=today, base_url=base, actor=ACTOR_REMINDERS))


async def run_forever(engine: Engine, *, interval_seconds: int) -> None:
    """Look every ``interval_seconds`` until cancelled; a failed job is logged and tried at the next look."""
    while True:
        for job, failed in (
            (run_once, "retention.purge_failed"),
            (remind_agencies, "chronology.reminders_failed"),
        ):
            try:
                await anyio.to_thread.run_sync(lambda job=job: job(engine, today=clock.today()))
            except Exception:  # the loop must outlive one bad run
                log.exception(failed)
        await asyncio.sleep(interval_seconds)


def schedule(app: FastAPI, engine: Engine, *, interval_seconds: int) -> None:
    """Run the loop for as long as ``app`` runs (nothing when ``interval_seconds`` is 0)."""
    if not interval_seconds:
        return
    run_alongside(app, lambda: run_forever(engine, interval_seconds=interval_seconds))
