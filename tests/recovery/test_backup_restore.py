"""Backups that come back: a backup taken while the service writes restores, in a fresh database, to one
moment's records, with every write acknowledged before it began.

The service runs under uvicorn; an admin adds consultants and a chair records cases through the API, each
on its own thread, while ``scr backup`` runs. The backup is restored with ``scr restore`` into a new, empty
database and checked there by ``scr audit verify``, each in a process of its own as on a new machine.

What must hold, for a write whose request returned success (acknowledged):
- acknowledged before the backup began: in the restored database;
- sent after the backup ended: not in it;
- in between: there whole (the record with its audit event) or not at all. Every write appends to the
  audit log in commit order, so a backup of one moment holds a log that is the start of the live one,
  event for event, and every record it holds has its event.

On SQLite and on PostgreSQL (the run's database either way).
"""

import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from factories import CASE_FEATURES, consultant_body
from live_server import serving
from sqlalchemy import Engine
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from commissioning.models import Case
from core.audit import AuditEvent
from registry.models import Consultant
from service.cli import app as cli

REPO = Path(__file__).resolve().parents[2]
ACKED_BEFORE_BACKUP = 20  # writes acknowledged before the backup starts
ACKED_AFTER_BACKUP = 10  # and after it ends, so it ran in the middle of the stream
STREAM_DEADLINE = 30.0  # seconds
FEATURES = {**CASE_FEATURES, "agencies_involved": []}
ON_POSTGRES = os.environ.get("SCR_DATABASE_URL", "").startswith("postgresql")


@dataclass(frozen=True)
class Write:
    kind: str  # "case" or "consultant"
    key: str  # the case's reference, the consultant's id
    sent: float  # time.monotonic() before the request went
    acked: float  # and when its success came back


@dataclass
class Ledger:
    writes: list[Write] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, after: float = 0.0) -> int:
        with self.lock:
            return sum(1 for write in self.writes if write.acked > after)


@pytest.fixture
def served(session: Session) -> Iterator[str]:
    """The service under uvicorn on a loopback port, on the run's (emptied) database."""
    with serving() as url:
        yield url


def writer(url: str, headers: dict[str, str], ledger: Ledger, stop: threading.Event, kind: str) -> None:
    """Send one kind of write after another until ``stop``; note each acknowledged one."""
    with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
        n = 0
        while not stop.is_set():
            n += 1
            sent = time.monotonic()
            if kind == "case":
                key = f"backup-{n}"
                response = client.post(
                    "/api/v1/cases", json={"features": FEATURES}, headers={"Idempotency-Key": key}
                )
            else:
                response = client.post("/api/v1/consultants", json=consultant_body(f"Stream Reviewer {n}"))
            if response.status_code != 201:
                with ledger.lock:
                    ledger.failures.append(f"{kind} {n}: {response.status_code} {response.text[:200]}")
                return
            body = response.json()
            written = Write(kind, body["ref"] if kind == "case" else str(body["id"]), sent, time.monotonic())
            with ledger.lock:
                ledger.writes.append(written)


def scr(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    """``scr ARGS`` in a process of its own, on ``database_url``."""
    env = {**os.environ, "SCR_DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def wait_until(condition: Callable[[], bool], ledger: Ledger) -> None:
    deadline = time.monotonic() + STREAM_DEADLINE
    while not condition():
        assert not ledger.failures, ledger.failures
        assert time.monotonic() < deadline, f"the writes were too slow: {len(ledger.writes)} in all"
        time.sleep(0.01)


def test_a_backup_taken_during_writes_restores_whole_into_a_fresh_database(
    served: str, engine: Engine, admin, chair, scratch_url: str, tmp_path: Path
) -> None:
    ledger, stop = Ledger(), threading.Event()
    threads = [
        threading.Thread(target=writer, args=(served, persona.headers, ledger, stop, kind))
        for persona, kind in ((admin, "consultant"), (chair, "case"))
    ]
    backup_file = tmp_path / "scr.backup"
    try:
        for thread in threads:
            thread.start()
        wait_until(lambda: ledger.count() >= ACKED_BEFORE_BACKUP, ledger)
        began = time.monotonic()
        backed_up = CliRunner().invoke(cli, ["backup", str(backup_file)])
        ended = time.monotonic()
        wait_until(lambda: ledger.count(after=ended) >= ACKED_AFTER_BACKUP, ledger)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert backed_up.exit_code == 0, backed_up.output
    assert backed_up.output.startswith(f"Backed up the {'PostgreSQL' if ON_POSTGRES else 'SQLite'} database")
    assert not ledger.failures, ledger.failures
    during = [w for w in ledger.writes if w.sent < ended and w.acked > began]
    assert during, "no write was in flight while the backup ran: it proved nothing"
    assert backup_file.stat().st_mode & 0o077 == 0, "a backup holds everything: only its owner may read it"

    restored = scr("restore", str(backup_file), database_url=scratch_url)
    assert restored.returncode == 0, restored.stderr
    assert restored.stdout.startswith(f"Restored {backup_file} into the ")
    verified = scr("audit", "verify", database_url=scratch_url)
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout.startswith("Audit log intact:")

    from service.db import make_engine

    fresh = make_engine(scratch_url)
    try:
        with Session(fresh) as restored_db, Session(engine) as live_db:
            assert_a_snapshot_of_the_live_log(restored_db, live_db)
            held = records(restored_db)
            assert_every_record_has_its_event(restored_db, held)
    finally:
        fresh.dispose()
    before = {(w.kind, w.key) for w in ledger.writes if w.acked < began}
    assert before <= held, f"acknowledged before the backup began, missing: {sorted(before - held)}"
    later = {(w.kind, w.key) for w in ledger.writes if w.sent > ended}
    assert not later & held, f"sent after the backup ended, yet in it: {sorted(later & held)}"
    print(
        f"backup during writes: {len(before)} acknowledged before it, {len(during)} in flight during it "
        f"({len(held) - len(before)} of those in the backup), {len(later)} after it"
    )


def records(db: Session) -> set[tuple[str, str]]:
    cases = {("case", ref) for ref in db.exec(select(Case.ref))}
    return cases | {("consultant", str(i)) for i in db.exec(select(Consultant.id))}


def assert_a_snapshot_of_the_live_log(restored_db: Session, live_db: Session) -> None:
    """The restored log, less the restore's own event, is the start of the live log, event for event."""
    order = col(AuditEvent.id)
    restored = [(e.id, e.hash) for e in restored_db.exec(select(AuditEvent).order_by(order))]
    *backed_up, (_, _) = restored
    [restore_event] = restored_db.exec(select(AuditEvent).order_by(order.desc()).limit(1))
    assert restore_event.action == "database.restore" and restore_event.actor == "cli"
    live = [(e.id, e.hash) for e in live_db.exec(select(AuditEvent).order_by(order))]
    assert backed_up == live[: len(backed_up)], "the backup's audit log is not the start of the live one"
    assert len(backed_up) < len(live), "the live log grew after the backup, so the backup held less"


def assert_every_record_has_its_event(db: Session, held: set[tuple[str, str]]) -> None:
    """Each record restored came with its audit event, and each event with its record: none half-written."""
    events = db.exec(
        select(AuditEvent.entity_type, AuditEvent.entity_id).where(
            col(AuditEvent.action).in_(["case.create", "consultant.create"])
        )
    )
    audited: set[tuple[str, str]] = {(kind, key) for kind, key in events}
    assert held == audited, f"records without events: {held - audited}; events without: {audited - held}"


def test_restore_checks_the_file_and_replaces_records_only_when_forced(
    session: Session, admin: Any, scratch_url: str, tmp_path: Path, environment
) -> None:
    backup_file = tmp_path / "scr.backup"
    assert CliRunner().invoke(cli, ["backup", str(backup_file)]).exit_code == 0
    again = CliRunner().invoke(cli, ["backup", str(backup_file)])
    assert again.exit_code == 1 and "already exists: name a new file, or add --force" in again.output
    assert CliRunner().invoke(cli, ["backup", str(backup_file), "--force"]).exit_code == 0

    environment(SCR_DATABASE_URL=scratch_url)
    not_a_backup = tmp_path / "minutes.txt"
    not_a_backup.write_text("Minutes of the board's meeting\n")
    refused = CliRunner().invoke(cli, ["restore", str(not_a_backup)])
    assert refused.exit_code == 1
    assert "is not a backup made by 'scr backup'" in refused.output

    # The admin's partnership and the admin: the events the backup holds, numbered from 1.
    backed_up = len(session.exec(select(AuditEvent)).all())
    assert backed_up >= 2
    first = CliRunner().invoke(cli, ["restore", str(backup_file)])
    assert first.exit_code == 0, first.output
    assert f"{backed_up} audit events, the newest is event {backed_up}" in first.output
    assert f"The audit log records the restore as event {backed_up + 1}." in first.output
    onto_records = CliRunner().invoke(cli, ["restore", str(backup_file)])
    assert onto_records.exit_code == 1
    assert f"already ({backed_up + 1} audit events and 1 user)" in onto_records.output
    assert "run this again with --force" in onto_records.output
    forced = CliRunner().invoke(cli, ["restore", str(backup_file), "--force"])
    assert forced.exit_code == 0, forced.output
    assert (
        f"The audit log records the restore as event {backed_up + 1}." in forced.output
    )  # the first is gone


def test_a_backup_made_by_a_newer_version_is_not_restored(tmp_path: Path, environment) -> None:
    from service.migrate import known_revisions, upgrade

    newer = tmp_path / "newer.db"
    upgrade(f"sqlite:///{newer}")
    with sqlite3.connect(newer) as db:
        db.execute("UPDATE alembic_version SET version_num = '9999'")
    environment(SCR_DATABASE_URL=f"sqlite:///{tmp_path / 'restored.db'}")
    refused = CliRunner().invoke(cli, ["restore", str(newer)])
    assert refused.exit_code == 1
    known = known_revisions()
    assert (
        f"made at migration 9999, which this version of the service does not know (it knows {known[0]} to "
        f"{known[-1]})" in refused.output
    )
    assert not (tmp_path / "restored.db").exists()


@pytest.mark.postgres_only
def test_without_the_postgresql_client_backup_says_what_to_install(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    refused = CliRunner().invoke(cli, ["backup", str(tmp_path / "scr.backup")])
    assert refused.exit_code == 1
    assert "pg_dump was not found" in refused.output
    assert "apt-get install postgresql-client-1" in refused.output  # the server's major version
    assert list(tmp_path.iterdir()) == [], "a refused backup leaves no file behind"
