"""The audit chain's tail: a checkpoint outside the database notices deleted newest events, and on
PostgreSQL the table itself refuses UPDATE and DELETE.

The hash chain alone cannot tell a log whose newest events were deleted from a log that never had them;
``scr audit verify --checkpoint FILE`` records the head each run, so the next run can.
"""

import json
from collections.abc import Callable

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session
from typer.testing import CliRunner

from core import audit
from service.cli import app as cli


def add_events(session: Session, count: int) -> None:
    for n in range(count):
        audit.record(session, actor="test", action="thing.add", entity_type="thing", entity_id=n)
    session.commit()


@pytest.fixture
def delete_events_from(session: Session, owner_bypass: Callable[..., None]) -> Callable[[int], None]:
    """``delete_events_from(first_id)``: the newest events deleted directly, as someone with the
    database's owner rights could."""

    def delete(first_id: int) -> None:
        owner_bypass("DELETE FROM audit_event WHERE id >= :id", id=first_id)
        session.expunge_all()  # forget the deleted rows, as a fresh process would

    return delete


def verify(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["audit", "verify", *args])


def test_verify_reports_the_head_and_a_checkpoint_notices_the_newest_events_deleted(
    session, delete_events_from, tmp_path
):
    add_events(session, 5)
    events = audit.history(session)
    checkpoint = tmp_path / "audit-checkpoint.jsonl"

    first = verify("--checkpoint", str(checkpoint))

    assert first.exit_code == 0, first.output
    assert f"5 events; the newest is event {events[-1].id}, hash {events[-1].hash}" in first.output
    (line,) = checkpoint.read_text().splitlines()
    assert {k: v for k, v in json.loads(line).items() if k != "at"} == {
        "count": 5,
        "head_id": events[-1].id,
        "head_hash": events[-1].hash,
    }

    delete_events_from(events[3].id)
    assert verify().exit_code == 0, "the chain alone holds: only the checkpoint can tell"
    shortened = verify("--checkpoint", str(checkpoint))

    assert shortened.exit_code == 1
    assert f"Audit log shortened: event {events[-1].id}, the newest at the checkpoint of" in shortened.output
    assert "deleted from the end of the log" in shortened.output
    assert len(checkpoint.read_text().splitlines()) == 1, "a failed check records no new checkpoint"


def test_deleting_the_newest_events_and_writing_new_ones_is_noticed(session, delete_events_from, tmp_path):
    add_events(session, 3)
    checkpoint = tmp_path / "checkpoint.jsonl"
    assert verify("--checkpoint", str(checkpoint)).exit_code == 0
    head = audit.history(session)[-1]

    delete_events_from(head.id)
    if session.get_bind().dialect.name == "postgresql":  # reuse the deleted id, as SQLite does by itself
        with session.get_bind().begin() as connection:
            connection.execute(text("SELECT setval('audit_event_id_seq', :id, false)"), {"id": head.id})
    add_events(session, 2)
    assert audit.history(session)[2].id == head.id, "a new event took the deleted one's id"

    result = verify("--checkpoint", str(checkpoint))
    assert result.exit_code == 1
    assert f"event {head.id} is not the event the checkpoint of" in result.output


def test_an_unreadable_checkpoint_is_refused_not_taken_for_an_empty_one(session, tmp_path):
    add_events(session, 1)
    checkpoint = tmp_path / "checkpoint.jsonl"
    checkpoint.write_text("not a checkpoint\n")
    result = verify("--checkpoint", str(checkpoint))
    assert result.exit_code == 2
    assert "could not be read: line 1 is not a checkpoint" in result.output


def test_checkpoints_grow_with_the_log(session, tmp_path):
    checkpoint = tmp_path / "checkpoint.jsonl"
    assert verify("--checkpoint", str(checkpoint)).exit_code == 0
    add_events(session, 2)
    second = verify("--checkpoint", str(checkpoint))
    assert second.exit_code == 0, second.output
    assert [json.loads(line)["count"] for line in checkpoint.read_text().splitlines()] == [0, 2]


@pytest.mark.postgres_only
@pytest.mark.parametrize(
    "sql", ["UPDATE audit_event SET actor = 'someone-else'", "DELETE FROM audit_event WHERE id > 0"]
)
def test_postgresql_refuses_to_change_or_delete_audit_events(session, sql):
    add_events(session, 2)
    with pytest.raises(DBAPIError, match="The audit log is append-only"), session.get_bind().begin() as c:
        c.execute(text(sql))
    assert len(audit.history(session)) == 2
    assert audit.verify(audit.history(session)) is None
