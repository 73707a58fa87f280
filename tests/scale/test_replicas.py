"""Two replicas of the service on one PostgreSQL database, behind nginx: what one replica does, the other
knows, because everything they share is in the database.

Both `scr serve` processes start together on an empty database (they take turns to migrate it), each
running the Slack bot's loop of reminders and the weekly digest every second. The test's requests go
through nginx, each pinned to replica A or B, and show across the two:
- admin page sessions: signed in through one, the session works on the other; signed out on one, it has
  ended on both;
- the sign-in throttle: failures through either count against the account on both;
- idempotency keys: a case sent again (or at the same moment) to the other replica is not recorded twice;
- reminders and the digest: each posted once, though both replicas' loops look for them;
- the shortlist: a change to the approved list through one replica shows in the next shortlist through
  the other (so a replica's cache of candidates, if it keeps one, cannot serve a stale list).

PostgreSQL only: replicas share a database server, which SQLite is not.
"""

import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from factories import add_person, consultant, consultant_body, hackney, recorded_case
from replica_rig import Proxy, Replica, replica_environment
from server_process import log_tail, stop
from slack_rig import (
    ADMIN_CHANNEL,
    BOT_API_TOKEN,
    KNOWN_NEGLECT,
    REMINDER_CHANNEL,
    SECRET,
    UNEXPECTED_DEATH,
    add_bot_user,
    notified_features,
)
from slack_standin import Call, SlackStandIn
from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from commissioning.models import Case
from core import clock
from service.models import Role
from service.passwords import set_password
from service.slack_state import SlackClaim

pytestmark = pytest.mark.postgres_only

TODAY = clock.today()
PASSWORD = "correct horse battery staple"
BOT_TOKENS = {"a": "xoxb-replica-a", "b": "xoxb-replica-b"}  # which replica posted, as Slack sees it
LOOP_ROUNDS_AFTER = 3.5  # seconds of further loop runs (one a second, on each replica) that post nothing
LAPSING = {  # consultants whose checks fall due this week: the digest's items
    "Ada Lapsing": {"insurance_expiry": TODAY + timedelta(days=3)},
    "Bea Lapsing": {"insurance_expiry": TODAY + timedelta(days=10)},
    "Cy Lapsing": {"registration_expiry": TODAY + timedelta(days=6)},
    "Di Lapsing": {"reapproval_due": TODAY + timedelta(days=12)},
}


@dataclass
class Cluster:
    """Replicas A and B behind nginx, the Slack stand-in they post to, and the database they share."""

    a: Replica
    b: Replica
    proxy: Proxy
    standin: SlackStandIn
    engine: Engine
    tokens: dict[str, str]  # role: API token

    def replica(self, name: str) -> Replica:
        return self.a if name == "a" else self.b

    def request(
        self, client: httpx.Client, via: str, method: str, path: str, **kwargs: Any
    ) -> httpx.Response:
        """``method path`` through nginx to replica ``via``, checked to have been answered by it."""
        headers = {"X-Replica": via, **kwargs.pop("headers", {})}
        response = client.request(method, path, headers=headers, **kwargs)
        assert response.headers.get("x-upstream") == self.replica(via).address, (
            f"{method} {path} for replica {via} was answered by {response.headers.get('x-upstream')}"
        )
        return response

    def api(self, role: str, via: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.tokens[role]}", **kwargs.pop("headers", {})}
        with httpx.Client(base_url=self.proxy.url, timeout=30) as client:
            return self.request(client, via, method, path, headers=headers, **kwargs)


@pytest.fixture
def cluster(scratch_url: str, tmp_path: Path) -> Iterator[Cluster]:
    from service.db import make_engine

    standin = SlackStandIn().start()
    slack = {
        "SCR_SLACK_SIGNING_SECRET": SECRET,
        "SCR_SLACK_API_URL": standin.api_url,
        "SCR_BOT_API_TOKEN": BOT_API_TOKEN,
        "SCR_SLACK_REMINDER_CHANNEL": REMINDER_CHANNEL,
        "SCR_SLACK_ADMIN_CHANNEL": ADMIN_CHANNEL,
        "SCR_SLACK_REMINDER_INTERVAL_SECONDS": "1",
        "SCR_SLACK_REMINDER_LEAD_DAYS": "30",
        "SCR_SLACK_DIGEST_HOUR": "0",  # the digest waits for its hour: this test runs at any time of day
    }
    replicas = [
        Replica(name, replica_environment(scratch_url, **slack, SCR_SLACK_BOT_TOKEN=token), tmp_path)
        for name, token in BOT_TOKENS.items()
    ]
    proxy, engine = Proxy(tmp_path), make_engine(scratch_url)
    try:
        for replica in replicas:  # together, on an empty database: they take turns to migrate it
            replica.start()
        for replica in replicas:
            replica.wait_ready()
        proxy.start(*replicas)
        with Session(engine) as session:
            tokens = people(session)
        yield Cluster(*replicas, proxy, standin, engine, tokens)
    finally:
        for process in (proxy.process, *(replica.process for replica in replicas)):
            stop(process)
        engine.dispose()
        standin.stop()
    refused, _ = standin.take_refusals()
    assert not refused, "Slack refused what a replica sent:\n" + "\n".join(c.describe() for c in refused)


def people(session: Session) -> dict[str, str]:
    """An admin (who keeps the approved list too) and a chair who sign in to the pages, a commissioner, all
    of the home partnership, and the bot's service user; the API tokens by role."""
    tokens = {}
    for role in ("admin", "chair", "commissioner"):
        email = f"{role}@board.example.org"
        _, tokens[role] = add_person(session, email=email, role=Role(role), actor="test")
        if role != "commissioner":
            set_password(session, email=email, password=PASSWORD, actor="test")
    session.commit()
    add_bot_user(session)
    return tokens


def log_tails(cluster: Cluster) -> str:
    return "\n".join(
        f"--- {log.name}\n{log_tail(log)}" for log in (cluster.a.log, cluster.b.log, cluster.proxy.log)
    )


# Admin pages: sessions and the throttle ----------------------------------------------------------


def csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no form token"
    return match.group(1)


def sign_in(
    cluster: Cluster, browser: httpx.Client, *, form_via: str, post_via: str, email: str, password: str
) -> httpx.Response:
    """The sign-in form fetched through one replica and posted through another (or the same)."""
    token = csrf(cluster.request(browser, form_via, "GET", "/admin/sign-in").text)
    form = {"email": email, "password": password, "csrf_token": token, "next": "/admin/dashboard"}
    return cluster.request(browser, post_via, "POST", "/admin/sign-in", data=form)


def browser(cluster: Cluster) -> httpx.Client:
    """A browser's client: one cookie jar whichever replica answers, and the page's origin on each POST."""
    return httpx.Client(base_url=cluster.proxy.url, headers={"Origin": cluster.proxy.url}, timeout=30)


def check_sessions_cross_replicas(cluster: Cluster) -> None:
    with browser(cluster) as admin:
        # The sign-in form from A, posted to B: its token is keyed by the secret both replicas share.
        signed_in = sign_in(
            cluster, admin, form_via="a", post_via="b", email="admin@board.example.org", password=PASSWORD
        )
        assert signed_in.status_code == 303, signed_in.text
        for via in ("a", "b"):
            page = cluster.request(admin, via, "GET", "/admin/dashboard")
            assert page.status_code == 200 and "admin@board.example.org (List admin;" in page.text, via
        kept = dict(admin.cookies)  # as a second tab, or someone who copied the cookie, still holds it
        signed_out = cluster.request(
            admin, "a", "POST", "/admin/sign-out", data={"csrf_token": csrf(page.text)}
        )
        assert signed_out.status_code == 303
    with httpx.Client(base_url=cluster.proxy.url, cookies=kept, timeout=30) as stale:
        for via in ("b", "a"):
            ended = cluster.request(stale, via, "GET", "/admin/dashboard")
            assert ended.status_code == 303 and ended.headers["location"].startswith("/admin/sign-in"), via


def check_the_throttle_counts_across_replicas(cluster: Cluster) -> None:
    """Three wrong passwords, two through A and one through B: the next try, right or not, waits on both."""
    chair = "chair@board.example.org"
    with browser(cluster) as guesser:
        for via in ("a", "b", "a"):
            wrong = sign_in(
                cluster, guesser, form_via=via, post_via=via, email=chair, password="a wrong guess"
            )
            assert wrong.status_code == 400, via
        for via in ("a", "b"):
            refused = sign_in(cluster, guesser, form_via=via, post_via=via, email=chair, password=PASSWORD)
            assert refused.status_code == 429, f"replica {via} let the right password through: {refused.text}"
            assert "Too many failed attempts" in refused.text


# The API: idempotency keys and the shortlist -------------------------------------------------------


def check_a_keyed_case_is_recorded_once(cluster: Cluster) -> None:
    features = notified_features(TODAY - timedelta(days=3), **KNOWN_NEGLECT)
    first = cluster.api(
        "chair", "a", "POST", "/api/v1/cases", json={"features": features}, headers=key("k-1")
    )
    again = cluster.api(
        "chair", "b", "POST", "/api/v1/cases", json={"features": features}, headers=key("k-1")
    )
    assert (first.status_code, again.status_code) == (201, 200), (first.text, again.text)
    assert again.json()["ref"] == first.json()["ref"]

    answers: dict[str, httpx.Response] = {}
    barrier = threading.Barrier(2)

    def send(via: str) -> None:
        barrier.wait()
        answers[via] = cluster.api(
            "chair", via, "POST", "/api/v1/cases", json={"features": features}, headers=key("k-2")
        )

    threads = [threading.Thread(target=send, args=(via,)) for via in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(r.status_code for r in answers.values()) == [200, 201], {
        v: r.text for v, r in answers.items()
    }
    assert answers["a"].json()["ref"] == answers["b"].json()["ref"]
    with Session(cluster.engine) as session:
        keyed = select(func.count()).select_from(Case).where(col(Case.idempotency_key).in_(["k-1", "k-2"]))
        assert session.exec(keyed).one() == 2


def key(value: str) -> dict[str, str]:
    return {"Idempotency-Key": value}


def shortlisted(cluster: Cluster, via: str, ref: str) -> list[int]:
    listed = cluster.api("commissioner", via, "GET", f"/api/v1/cases/{ref}/shortlist")
    assert listed.status_code == 200, listed.text
    return [candidate["consultant_id"] for candidate in listed.json()["candidates"]]


def check_a_registry_write_through_one_changes_the_shortlist_through_the_other(cluster: Cluster) -> None:
    with Session(cluster.engine) as session:
        hackney(session)
        ref = recorded_case(
            session, **case_features(notified=TODAY - timedelta(days=2)), agencies_involved=[]
        )
        ada = consultant(session, "Ada Candidate", specialisms=["neglect"])
        ben = consultant(session, "Ben Candidate")
    for reader, writer in (("b", "a"), ("a", "b")):  # each replica reads, then the other one writes
        before = shortlisted(cluster, reader, ref)
        assert ada in before and ben in before
        suspended = cluster.api(
            "admin", writer, "POST", f"/api/v1/consultants/{ada}/suspend", json={"reason": "Insurance query"}
        )
        assert suspended.status_code == 200, suspended.text
        assert ada not in shortlisted(cluster, reader, ref), (
            f"replica {reader} still lists a suspended consultant"
        )
        reinstated = cluster.api(
            "admin",
            writer,
            "POST",
            f"/api/v1/consultants/{ada}/reinstate",
            json={"reason": "Insurance shown"},
        )
        assert reinstated.status_code == 200, reinstated.text
        assert ada in shortlisted(cluster, reader, ref), f"replica {reader} missed the reinstatement"
    added = cluster.api("admin", "a", "POST", "/api/v1/consultants", json=consultant_body("Cal Newcomer"))
    assert added.status_code == 201, added.text
    newcomer = added.json()["id"]
    approved = cluster.api(
        "admin", "a", "POST", f"/api/v1/consultants/{newcomer}/approve", json={"reason": "Panel approved"}
    )
    assert approved.status_code == 200, approved.text
    assert newcomer in shortlisted(cluster, "b", ref), "replica B does not list a consultant A approved"


# The bot's loop: reminders and the digest ----------------------------------------------------------


def case_features(*, notified: date) -> dict[str, Any]:
    """A child's unexpected death, notified on ``notified``: the Panel, a rapid review and a joint agency
    response each have a deadline."""
    return notified_features(notified, **UNEXPECTED_DEATH)


def posts_to(cluster: Cluster, channel: str) -> list[Call]:
    return [call for call in cluster.standin.calls_to("chat.postMessage") if call.body["channel"] == channel]


def claims(cluster: Cluster, kind: str) -> list[SlackClaim]:
    with Session(cluster.engine) as session:
        return list(session.exec(select(SlackClaim).where(SlackClaim.kind == kind)))


def check_reminders_and_the_digest_are_posted_once(cluster: Cluster) -> dict[str, int]:
    """Due items appear while both loops run; each is posted once, and later runs of both post nothing."""
    with Session(cluster.engine) as session:
        for days_ago in (1, 3):
            recorded_case(session, **case_features(notified=TODAY - timedelta(days=days_ago)))
        for name, checks in LAPSING.items():
            consultant(session, name, **checks)
    deadline = time.monotonic() + 20
    while len(claims(cluster, "digest")) < len(LAPSING) or not posts_to(cluster, REMINDER_CHANNEL):
        assert time.monotonic() < deadline, f"nothing posted within 20 s\n{log_tails(cluster)}"
        time.sleep(0.2)
    time.sleep(LOOP_ROUNDS_AFTER)
    cluster.standin.settle()

    reminders, reminded = posts_to(cluster, REMINDER_CHANNEL), claims(cluster, "reminder")
    messages = {(c.detail["channel"], c.detail["ts"]) for c in reminded}
    assert len(reminders) == len(messages) >= 2, [p.body["text"] for p in reminders]
    assert {(p.answer["channel"], p.answer["ts"]) for p in reminders} == messages
    texts = [p.body["text"] for p in reminders]
    assert len(set(texts)) == len(texts), f"a reminder was posted twice: {texts}"

    digests, items = posts_to(cluster, ADMIN_CHANNEL), claims(cluster, "digest")
    assert len(items) == len(LAPSING)
    assert {(p.answer["channel"], p.answer["ts"]) for p in digests} == {
        (c.detail["channel"], c.detail["ts"]) for c in items
    }
    for name in LAPSING:
        posted = sum(name in json.dumps(p.body) for p in digests)
        assert posted == 1, f"{name} is in {posted} digest messages"
    by_replica = {name: 0 for name in BOT_TOKENS}
    for post in reminders + digests:
        by_replica[next(n for n, t in BOT_TOKENS.items() if t in post.headers.get("Authorization", ""))] += 1
    return by_replica


def test_two_replicas_behind_nginx_share_sessions_throttle_keys_claims_and_the_approved_list(
    cluster: Cluster,
) -> None:
    started = time.monotonic()
    check_sessions_cross_replicas(cluster)
    check_the_throttle_counts_across_replicas(cluster)
    check_a_keyed_case_is_recorded_once(cluster)
    check_a_registry_write_through_one_changes_the_shortlist_through_the_other(cluster)
    posted = check_reminders_and_the_digest_are_posted_once(cluster)
    print(
        f"two replicas: checks took {time.monotonic() - started:.1f} s; Slack posts by replica: "
        f"A {posted['a']}, B {posted['b']}"
    )
