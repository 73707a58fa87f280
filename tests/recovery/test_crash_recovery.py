"""Crash recovery: SIGKILL the service in the middle of a stream of writes, restart it, lose nothing.

The service runs as a real uvicorn process on the run's PostgreSQL database. Client threads send registry
writes, cases with board decisions, and competing commissions for shortlisted consultants; the process
that holds the database connections is killed with SIGKILL while requests are in flight, then started
again on the same database. A write answered with a 2xx must have committed before the answer went out,
so after the restart: every acknowledged write is there, a cut-off request retried with its
Idempotency-Key is answered once, every commission has its audit events, no consultant holds more places
than their capacity, and the audit chain is intact.

PostgreSQL only: it is the production database, and the one where the commission lock is a row lock.
"""

import os
import random
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import server_process
from factories import CASE_FEATURES, consultant_body
from sqlmodel import Session, col, func, select
from typer.testing import CliRunner

from commissioning.models import Case, CaseDecision, Commission
from commissioning.workflow import ACTIVE
from core import clock
from core.audit import AuditEvent
from registry.models import Consultant
from service.cli import app as cli

pytestmark = pytest.mark.postgres_only

REPO = Path(__file__).resolve().parents[2]
TODAY = clock.today()
AGENCIES = [
    {"id": "hackney-csc", "name": "Hackney Children's Social Care", "kind": "childrens_social_care"},
    {"id": "met-police", "name": "Metropolitan Police Service", "kind": "police"},
    {"id": "homerton", "name": "Homerton Healthcare NHS Trust", "kind": "nhs_trust"},
    {"id": "camden-csc", "name": "Camden Children's Social Care", "kind": "childrens_social_care"},
]
FEATURES = {**CASE_FEATURES, "agencies_involved": ["hackney-csc", "met-police", "homerton"]}
CONTESTED_CAPACITIES = (1, 1, 2, 2)  # few places, so the commissioners compete for them
COMMISSIONERS = 3
KILL_AFTER_ACKS = 60  # stream writes acknowledged before the kill is armed (the deadline comes first)
MIN_ACKS = 15  # fewer than this and the run proved too little to pass
STREAM_DEADLINE = 10.0  # seconds
READY_TIMEOUT = 60.0  # seconds for the service to answer /readyz (a loaded CI machine is slow to import)
REQUEST_TIMEOUT = 15.0  # seconds per request
# The refusals a commissioner can rightly meet when others act at the same moment.
EXPECTED_REFUSALS = {"capacity.full", "commission.duplicate", "vetting.not_approved"}


# The service as a process ----------------------------------------------------------------------


@dataclass
class Service:
    """uvicorn serving the app in one process (no reloader, no worker processes): the pid that holds the
    database connections, so killing it is the crash."""

    database_url: str
    log: Path
    process: subprocess.Popen[bytes] | None = None
    url: str = ""

    def start(self) -> None:
        self.process, self.url = server_process.start(self.database_url, self.log)
        server_process.wait_until_up(self.process, f"{self.url}/readyz", self.log, timeout=READY_TIMEOUT)

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers, no connection cleanup, exactly like a crash."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        assert self.process.returncode == -signal.SIGKILL, f"exit code {self.process.returncode}"

    def stop(self) -> None:
        if self.process is not None:
            server_process.stop(self.process, timeout=10)

    def log_tail(self) -> str:
        return server_process.log_tail(self.log)


@pytest.fixture
def service(database_url: str, tmp_path: Path) -> Iterator[Service]:
    running = Service(database_url, tmp_path / "uvicorn.log")
    try:
        yield running
    finally:
        running.stop()


# What the clients were told --------------------------------------------------------------------


@dataclass
class Ledger:
    """Every write the clients sent, by outcome. ``status`` holds each entity's last acknowledged status;
    an entity whose later write got no answer is ``uncertain`` (that write may or may not have committed).
    ``retries`` are the cut-off requests that carried an Idempotency-Key, to send again after the restart."""

    acked: list[tuple[str, Any]] = field(default_factory=list)
    unanswered: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # the rules behind each 409 a commissioner got
    status: dict[tuple[str, Any], str] = field(default_factory=dict)
    uncertain: set[tuple[str, Any]] = field(default_factory=set)
    retries: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ack(self, kind: str, what: Any, *, entity: tuple[str, Any] | None = None, status: str = "") -> None:
        with self.lock:
            self.acked.append((kind, what))
            if entity is not None:
                self.status[entity] = status

    def count(self, kind: str | None = None) -> int:
        with self.lock:
            return sum(1 for k, _ in self.acked if kind in (None, k))

    def of(self, kind: str) -> list[Any]:
        return [what for k, what in self.acked if k == kind]


class Client:
    """One persona's HTTP client; a request the crash cut off is recorded as unanswered, not failed."""

    def __init__(self, base_url: str, persona: Any, ledger: Ledger, stop: threading.Event) -> None:
        self.http = httpx.Client(base_url=base_url, headers=persona.headers, timeout=REQUEST_TIMEOUT)
        self.ledger, self.stop = ledger, stop

    def send(
        self,
        method: str,
        path: str,
        *,
        entity: tuple[str, Any] | None = None,
        allowed: tuple[int, ...] = (),
        **request: Any,
    ) -> httpx.Response | None:
        """The response if it is a 2xx or ``allowed``; None if the crash cut it off or it was unexpected."""
        try:
            response = self.http.request(method, path, **request)
        except httpx.TransportError as error:
            with self.ledger.lock:
                self.ledger.unanswered.append(f"{method} {path}: {type(error).__name__}")
                if entity is not None:
                    self.ledger.uncertain.add(entity)
                if "Idempotency-Key" in request.get("headers", {}):
                    self.ledger.retries.append((path, request))
            self.stop.wait(timeout=REQUEST_TIMEOUT)  # the service is down: wait for the test to stop us
            return None
        if response.is_success or response.status_code in allowed:
            return response
        with self.ledger.lock:
            self.ledger.unexpected.append(f"{method} {path} -> {response.status_code} {response.text[:300]}")
        return None

    def close(self) -> None:
        self.http.close()


def add_approved_consultant(client: Client, name: str, capacity: int) -> int | None:
    """Create an applicant, then approve them; both writes go in the ledger."""
    created = client.send("POST", "/api/v1/consultants", json=consultant_body(name, capacity=capacity))
    if created is None:
        return None
    consultant_id = created.json()["id"]
    entity = ("consultant", consultant_id)
    client.ledger.ack("consultant", created.json(), entity=entity, status="applied")
    approved = client.send(
        "POST", f"/api/v1/consultants/{consultant_id}/approve", entity=entity, json={"reason": "Approved"}
    )
    if approved is None:
        return None
    client.ledger.ack("status", (consultant_id, "approved"), entity=entity, status="approved")
    return consultant_id


def add_case(client: Client, key: str) -> str | None:
    created = client.send(
        "POST", "/api/v1/cases", json={"features": FEATURES}, headers={"Idempotency-Key": key}
    )
    if created is None:
        return None
    ref = created.json()["ref"]
    client.ledger.ack("case", ref)
    return ref


def refused_for(client: Client, response: httpx.Response, doing: str) -> None:
    """Note the rules that blocked a 409 (warnings ride along); a rule the stream cannot explain fails."""
    findings = response.json().get("findings", [])
    rules = {f.get("rule") for f in findings if f.get("severity", "block") == "block"}
    with client.ledger.lock:
        client.ledger.refused.extend(rules)
        if not rules or not rules <= EXPECTED_REFUSALS:
            client.ledger.unexpected.append(f"409 {doing}: {response.text[:300]}")


def ack_commission(client: Client, made: httpx.Response) -> int:
    body = made.json()
    entity = ("commission", body["id"])
    what = (body["id"], body["case_ref"], body["consultant_id"])
    client.ledger.ack("commission", what, entity=entity, status=body["status"])
    return body["id"]


# The stream ------------------------------------------------------------------------------------


def registry_writer(client: Client, rng: random.Random) -> None:
    """Admin: new consultants, an engagement each, approval, and now and then a suspension."""
    n = 0
    while not client.stop.is_set():
        n += 1
        consultant_id = add_approved_consultant(client, f"Stream Reviewer {n}", capacity=1)
        if consultant_id is None:
            continue
        entity = ("consultant", consultant_id)
        tie = {"agency_id": "Camden Children's Social Care", "role_title": "Team manager", "kind": "employed"}
        tie |= {
            "start_date": str(TODAY - timedelta(days=3000)),
            "end_date": str(TODAY - timedelta(days=2500)),
        }
        added = client.send("POST", f"/api/v1/consultants/{consultant_id}/engagements", json=tie)
        if added is not None:
            client.ledger.ack("engagement", (consultant_id, added.json()["id"]))
        if rng.random() < 0.3:
            path = f"/api/v1/consultants/{consultant_id}/suspend"
            if client.send("POST", path, entity=entity, json={"reason": "Insurance query"}) is not None:
                client.ledger.ack("status", (consultant_id, "suspended"), entity=entity, status="suspended")


def case_writer(client: Client, rng: random.Random, cases: list[str]) -> None:
    """Chair: new cases, each followed by the board's decision (mostly accepting)."""
    n = 0
    while not client.stop.is_set():
        n += 1
        ref = add_case(client, f"case-{n}")
        if ref is None:
            continue
        body: dict[str, Any] = {"accepted": True}
        if rng.random() < 0.2:
            body = {"accepted": False, "reason": "Single-agency learning is enough", "outcomes": []}
        decided = client.send("POST", f"/api/v1/cases/{ref}/decision", json=body)
        if decided is not None:
            client.ledger.ack("decision", (ref, decided.json()["board_decision"]["id"]))
        with client.ledger.lock:
            cases.append(ref)


def commissioning(
    client: Client, rng: random.Random, cases: list[str], name: str, admin: dict[str, str]
) -> None:
    """Commissioner: commission one of a case's top shortlisted consultants (from a shortlist read a while
    ago, so others may have taken the place since), then sometimes withdraw it or move it to confirmed
    (the consultant's signed declaration recorded by the admin, whose ``admin`` headers it sends)."""
    shortlists: dict[str, list[int]] = {}
    mine: list[int] = []
    n = 0
    while not client.stop.is_set():
        n += 1
        with client.ledger.lock:
            ref = rng.choice(cases)
        if ref not in shortlists or rng.random() < 0.3:
            listed = client.send("GET", f"/api/v1/cases/{ref}/shortlist", params={"limit": 4})
            if listed is None:
                continue
            shortlists[ref] = [c["consultant_id"] for c in listed.json()["candidates"]]
        if not shortlists[ref]:
            continue
        made = client.send(
            "POST",
            f"/api/v1/cases/{ref}/commissions",
            allowed=(409,),
            json={"consultant_id": rng.choice(shortlists[ref][:3]), "role": "lead_reviewer"},
            headers={"Idempotency-Key": f"{name}-{n}"},
        )
        if made is None:
            continue
        if made.status_code == 409:
            refused_for(client, made, f"commissioning on {ref}")
            continue
        mine.append(ack_commission(client, made))
        if rng.random() < 0.4:
            move_on(client, rng.choice(mine), withdraw=rng.random() < 0.6, admin=admin)


def move_on(client: Client, commission_id: int, *, withdraw: bool, admin: dict[str, str]) -> None:
    """Withdraw a commission (freeing its place), or have the admin record the consultant's signed
    declaration and confirm it."""
    entity = ("commission", commission_id)
    with client.ledger.lock:
        if client.ledger.status.get(entity) != "proposed" or entity in client.ledger.uncertain:
            return
    base = f"/api/v1/commissions/{commission_id}"
    if withdraw:
        if client.send("POST", f"{base}/withdraw", entity=entity, json={"reason": "Case merged"}) is not None:
            client.ledger.ack("commission.status", commission_id, entity=entity, status="withdrawn")
        return
    agencies = FEATURES["agencies_involved"]
    signed_on = (clock.today() - timedelta(days=1)).isoformat()
    body = {"agencies": agencies, "no_conflict": True, "signed_on": signed_on, "reference": "Signed.pdf"}
    if client.send("POST", f"{base}/declaration/recorded", entity=entity, json=body, headers=admin) is None:
        return
    client.ledger.ack("commission.status", commission_id, entity=entity, status="declared")
    confirmed = client.send("POST", f"{base}/confirm", entity=entity, allowed=(409,), json={})
    if confirmed is None:
        return
    if confirmed.status_code == 409:  # suspended since it was proposed: the re-check refuses, rightly
        refused_for(client, confirmed, f"confirming {commission_id}")
        return
    client.ledger.ack("commission.status", commission_id, entity=entity, status="confirmed")


def retry_cut_off_writes(client: Client, ledger: Ledger) -> tuple[int, int]:
    """Send each cut-off keyed request again, as a client would after the outage: a write that committed
    before the crash is replayed (200), one that did not is made now (201) or refused (409).
    Returns (replayed, made now)."""
    replayed = made_now = 0
    for path, request in ledger.retries:
        response = client.send("POST", path, allowed=(409,), **request)
        assert response is not None, ledger.unexpected
        if response.status_code == 409:
            refused_for(client, response, f"retrying {path}")
            continue
        assert response.status_code in (200, 201), response.text
        replayed += response.status_code == 200
        made_now += response.status_code == 201
        if path == "/api/v1/cases":
            ledger.ack("case", response.json()["ref"])
        else:
            ack_commission(client, response)
    assert not ledger.unexpected, "\n".join(ledger.unexpected)
    return replayed, made_now


# The test --------------------------------------------------------------------------------------


def test_every_acknowledged_write_survives_a_sigkill_mid_stream_and_the_invariants_hold(
    service: Service, engine, admin, chair, commissioner
) -> None:
    ledger, stop = Ledger(), threading.Event()
    service.start()

    setup = Client(service.url, admin, ledger, stop)
    for agency in AGENCIES:
        made = setup.send("POST", "/api/v1/agencies", json={**agency, "area": "hackney"})
        assert made is not None, f"{ledger.unexpected}\n{service.log_tail()}"
        ledger.ack("agency", agency["id"])
    for n, capacity in enumerate(CONTESTED_CAPACITIES):
        assert add_approved_consultant(setup, f"Contested Reviewer {n}", capacity), ledger.unexpected
    setup.close()
    setup = Client(service.url, chair, ledger, stop)
    cases = [ref for n in range(3) if (ref := add_case(setup, f"setup-{n}"))]
    assert len(cases) == 3, ledger.unexpected
    setup.close()
    acked_in_setup = ledger.count()

    clients = [Client(service.url, persona, ledger, stop) for persona in (admin, chair)]
    clients += [Client(service.url, commissioner, ledger, stop) for _ in range(COMMISSIONERS)]
    workers = [
        threading.Thread(target=registry_writer, args=(clients[0], random.Random(1))),
        threading.Thread(target=case_writer, args=(clients[1], random.Random(2), cases)),
    ]
    workers += [
        threading.Thread(
            target=commissioning, args=(client, random.Random(10 + n), cases, f"c{n}", admin.headers)
        )
        for n, client in enumerate(clients[2:])
    ]
    try:
        for worker in workers:
            worker.start()
        # Kill right after a commission is acknowledged, once the stream is under way: if an answer ever
        # went out before its commit, that commission is the one the crash would lose.
        deadline, armed = time.monotonic() + STREAM_DEADLINE, None
        while time.monotonic() < deadline and not ledger.unexpected:
            if armed is None and ledger.count() - acked_in_setup >= KILL_AFTER_ACKS:
                armed = ledger.count("commission")
            if armed is not None and ledger.count("commission") > armed:
                break
            time.sleep(0.001)
        service.kill()
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=REQUEST_TIMEOUT + 5)
        for client in clients:
            client.close()
    assert not any(worker.is_alive() for worker in workers), "a client thread did not stop"
    assert not ledger.unexpected, "\n".join(ledger.unexpected) + f"\n{service.log_tail()}"
    acked_in_stream = ledger.count() - acked_in_setup
    assert acked_in_stream >= MIN_ACKS, (
        f"only {acked_in_stream} writes acknowledged in {STREAM_DEADLINE}s before the kill: too few to prove "
        f"anything.\n{service.log_tail()}"
    )
    commissions_acked = len(ledger.of("commission"))

    service.start()
    after = Client(service.url, admin, ledger, stop)
    try:
        replayed, made_now = retry_cut_off_writes(after, ledger)
        assert_acknowledged_writes_are_there(after, ledger)
    finally:
        after.close()
    with Session(engine) as fresh:
        assert_every_commission_has_its_audit_trail(fresh)
        assert_no_consultant_is_over_capacity(fresh)
        assert_every_record_has_its_audit_event(fresh)
    verified = CliRunner().invoke(cli, ["audit", "verify"])
    assert verified.exit_code == 0, verified.output
    assert verified.output.startswith("Audit log intact:")
    print(
        f"crash recovery: {acked_in_stream} writes acknowledged before SIGKILL ({commissions_acked} "
        f"commissions; {ledger.refused.count('capacity.full')} refused at capacity); "
        f"{len(ledger.unanswered)} cut off; keyed retries: {replayed} replayed, {made_now} made now"
    )


# What must hold after the restart --------------------------------------------------------------


def assert_acknowledged_writes_are_there(client: Client, ledger: Ledger) -> None:
    get = client.http.get
    missing: list[str] = []

    def expect(ok: bool, what: str) -> None:
        if not ok:
            missing.append(what)

    for agency_id in ledger.of("agency"):
        expect(get(f"/api/v1/agencies/{agency_id}").status_code == 200, f"agency {agency_id}")
    details: dict[int, dict[str, Any]] = {}
    for created in ledger.of("consultant"):
        response = get(f"/api/v1/consultants/{created['id']}")
        expect(response.is_success and response.json()["email"] == created["email"], f"consultant {created}")
        if response.is_success:
            details[created["id"]] = response.json()
    for consultant_id, engagement_id in ledger.of("engagement"):
        held = [e["id"] for e in details.get(consultant_id, {}).get("engagements", [])]
        expect(engagement_id in held, f"engagement {engagement_id} of consultant {consultant_id}")
    cases: dict[str, dict[str, Any]] = {}
    for ref in ledger.of("case"):
        response = get(f"/api/v1/cases/{ref}")
        expect(response.is_success and response.json()["features"]["area"] == "hackney", f"case {ref}")
        if response.is_success:
            cases[ref] = response.json()
    for ref, decision_id in ledger.of("decision"):
        board = cases.get(ref, {}).get("board_decision") or {}
        expect(board.get("id") == decision_id, f"board decision {decision_id} on {ref}")
    for commission_id, ref, consultant_id in ledger.of("commission"):
        response = get(f"/api/v1/commissions/{commission_id}")
        found = (
            (response.json()["case_ref"], response.json()["consultant_id"]) if response.is_success else None
        )
        expect(found == (ref, consultant_id), f"commission {commission_id} of {consultant_id} on {ref}")
    for (kind, key), status in ledger.status.items():
        if (kind, key) in ledger.uncertain:
            continue
        if kind == "consultant":
            found = details.get(key, {}).get("status")
        else:
            response = get(f"/api/v1/commissions/{key}")
            found = response.json()["status"] if response.is_success else None
        expect(found == status, f"{kind} {key} is {found}, but {status} was acknowledged")
    assert not missing, f"acknowledged before the crash, missing after it: {missing}"


def assert_every_commission_has_its_audit_trail(session: Session) -> None:
    """Each commission has its proposal event and the event of the state it is in; no event names a
    commission that does not exist."""
    commissions = {str(c.id): c.status for c in session.exec(select(Commission))}
    events = session.exec(select(AuditEvent).where(AuditEvent.entity_type == "commission")).all()
    actions: dict[str, set[str]] = {}
    for event in events:
        actions.setdefault(event.entity_id, set()).add(event.action)
    into = {"proposed": "propose", "declared": "declare", "confirmed": "confirm", "withdrawn": "withdraw"}
    into |= {"declined": "decline"}
    lacking = [
        f"commission {commission_id} ({status})"
        for commission_id, status in commissions.items()
        if not {"commission.propose", f"commission.{into[status]}"} <= actions.get(commission_id, set())
    ]
    assert not lacking, f"commissions without their audit events: {lacking}"
    orphans = sorted(set(actions) - set(commissions))
    assert not orphans, f"audit events for commissions that were never committed: {orphans}"


def assert_no_consultant_is_over_capacity(session: Session) -> None:
    held = session.exec(
        select(Consultant.name, Consultant.capacity, func.count(col(Commission.id)))
        .join(Commission, col(Commission.consultant_id) == col(Consultant.id))
        .where(col(Commission.status).in_([status.value for status in ACTIVE]))
        .group_by(col(Consultant.id), col(Consultant.name), col(Consultant.capacity))
    ).all()
    over = [
        f"{name}: {count} active, capacity {capacity}" for name, capacity, count in held if count > capacity
    ]
    assert not over, f"over capacity: {over}"
    assert held, "no active commissions at all: the stream did not exercise capacity"


def assert_every_record_has_its_audit_event(session: Session) -> None:
    """Consultants, cases and board decisions each committed with their audit event."""

    def audited(entity_type: str, action: str) -> set[str]:
        query = select(AuditEvent.entity_id).where(
            AuditEvent.entity_type == entity_type, AuditEvent.action == action
        )
        return set(session.exec(query))

    consultants = {str(i) for i in session.exec(select(Consultant.id))}
    assert consultants <= audited("consultant", "consultant.create"), "a consultant without its audit event"
    refs = set(session.exec(select(Case.ref)))
    assert refs <= audited("case", "case.create"), "a case without its audit event"
    boards = select(Case.ref).join(CaseDecision, col(CaseDecision.case_id) == col(Case.id))
    decided = set(session.exec(boards.where(CaseDecision.kind == "board")))
    assert decided == audited("case", "case.decision"), "board decisions and their audit events differ"
