"""Slack across workspaces: "Add to Slack" (the OAuth install flow) against the stand-in, each workspace
served with its own bot token, and a Slack member id meaning someone only in its own workspace.

The service runs under uvicorn with a client id and secret (OAuth mode), the stand-in plays Slack's
authorisation page and ``oauth.v2.access``, and every request from Slack is signed.
"""

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from factories import recorded_case
from live_server import serving
from slack_rig import (
    BOT_API_TOKEN,
    SECRET,
    UNEXPECTED_DEATH,
    SlackDriver,
    add_bot_user,
    add_people,
    notified_features,
)
from slack_standin import TEAM, SlackStandIn
from sqlalchemy import text
from sqlmodel import Session, select

from bot.app import NOT_INSTALLED
from bot.settings import BOT_SCOPES
from core import clock
from core.audit import AuditEvent
from service.slack_workspaces import SlackWorkspace

CLIENT_ID, CLIENT_SECRET = "1111.2222", "app-client-secret"
REDIRECT = "https://scr.example.org/slack/oauth_redirect"
OTHER_TEAM, OTHER_NAME = "T0OTHER", "Camden partnership"
STATE_COOKIE = "slack-app-oauth-state"


def oauth_environment(standin: SlackStandIn) -> dict[str, str]:
    """The settings of a deployment whose workspaces add the app themselves; ``TEAM`` is its own."""
    return {
        "SCR_SLACK_SIGNING_SECRET": SECRET,
        "SCR_SLACK_CLIENT_ID": CLIENT_ID,
        "SCR_SLACK_CLIENT_SECRET": CLIENT_SECRET,
        "SCR_SLACK_TEAM_ID": TEAM,
        "SCR_SLACK_REDIRECT_URI": REDIRECT,
        "SCR_SLACK_API_URL": standin.api_url,
        "SCR_BOT_API_TOKEN": BOT_API_TOKEN,
        "SCR_SLACK_BOT_TOKEN": "",
        "SCR_SLACK_APP_TOKEN": "",
        "SCR_SLACK_REMINDER_CHANNEL": "",
        "SCR_SLACK_ADMIN_CHANNEL": "",
        "SCR_SLACK_REMINDER_INTERVAL_SECONDS": "0",
    }


@pytest.fixture
def oauth_url(
    database_url: str, standin: SlackStandIn, session: Session, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """The service in OAuth mode under uvicorn (its settings stay set while the test runs, as a
    deployment's do), with the bot's service user and the board's people linked in the own workspace."""
    from service.settings import get_settings

    for name, value in oauth_environment(standin).items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    standin.reset()
    standin.register_app(CLIENT_ID, CLIENT_SECRET, redirect_urls=(REDIRECT,))
    add_bot_user(session)
    add_people(session)
    with serving() as url:
        yield url
        standin.settle(0.2)
    get_settings.cache_clear()


@dataclass(frozen=True)
class Started:
    """An install begun in a browser: the state cookie it was given and the Slack page it links to."""

    cookie: str
    authorize_url: str


def start_install(http: httpx.Client, url: str) -> Started:
    page = http.get(f"{url}/slack/install")
    assert page.status_code == 200 and "Add to Slack" in page.text
    cookie = page.headers["set-cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie
    state = re.match(rf"{STATE_COOKIE}=([^;]+)", cookie)
    assert state is not None
    link = re.search(r'href="([^"]+/oauth/v2/authorize[^"]*)"', page.text)
    assert link is not None
    return Started(cookie=state.group(1), authorize_url=html.unescape(link.group(1)))


def approve(http: httpx.Client, started: Started, *, team: str, name: str, user: str, standin) -> str:  # type: ignore[no-untyped-def]
    """Slack's authorisation page, approved by ``user`` of ``team``: the query the browser is sent back
    to this service with (a code and the state)."""
    standin.installing(team, team_name=name, user_id=user)
    sent_back = http.get(started.authorize_url)
    assert sent_back.status_code == 302, sent_back.text
    location = sent_back.headers["location"]
    assert location.startswith(REDIRECT + "?")
    return urlsplit(location).query


def come_back(http: httpx.Client, url: str, query: str, *, cookie: str | None) -> httpx.Response:
    """The browser arriving at the redirect address (this service), with the state cookie it holds."""
    headers = {"Cookie": f"{STATE_COOKIE}={cookie}"} if cookie else {}
    return http.get(f"{url}/slack/oauth_redirect?{query}", headers=headers)


def install(url: str, standin: SlackStandIn, *, team: str, name: str, user: str = "U0INSTALLER") -> None:
    with httpx.Client(timeout=15) as http:
        started = start_install(http, url)
        query = approve(http, started, team=team, name=name, user=user, standin=standin)
        done = come_back(http, url, query, cookie=started.cookie)
    assert done.status_code == 200, done.text
    assert f"{STATE_COOKIE}=deleted" in done.headers["set-cookie"]


def bot_token_of(session: Session, team: str) -> str:
    session.expire_all()
    row = session.exec(  # type: ignore[call-overload]
        text("SELECT bot_token FROM slack_bots WHERE team_id = :team ORDER BY installed_at DESC"),
        params={"team": team},
    ).first()
    assert row is not None, f"no installation for {team}"
    return str(row[0])


def link_chair_in(session: Session, team: str, slack_user_id: str) -> str:
    """A chair of the home partnership linked to member ``slack_user_id`` of workspace ``team``; their
    email."""
    from factories import add_person, home_partnership

    from service.models import Role

    email = f"chair-{team.lower()}@board.example.org"
    add_person(
        session,
        email=email,
        role=Role.chair,
        actor="test",
        slack_user_id=slack_user_id,
        slack_team=team,
        partnership=home_partnership(session).prefix,
    )
    session.commit()
    return email


def serves(session: Session, team: str, *prefixes: str) -> None:
    """Workspace ``team`` serves the partnerships ``prefixes`` (the home one unless named)."""
    from factories import home_partnership

    from service import slack_partnerships

    named = prefixes or (home_partnership(session).prefix,)
    key = slack_partnerships.team_key(team)
    slack_partnerships.set_served(session, team=key, prefixes=named, actor="test")
    session.commit()


def a_case(session: Session) -> str:
    return recorded_case(session, **notified_features(date(2026, 1, 6), **UNEXPECTED_DEATH))


def test_the_install_link_carries_the_app_its_scopes_and_a_state_for_this_browser(oauth_url, standin):
    with httpx.Client(timeout=15) as http:
        started = start_install(http, oauth_url)
    asked = parse_qs(urlsplit(started.authorize_url).query)
    assert started.authorize_url.startswith(standin.base_url + "/oauth/v2/authorize?")
    assert asked["client_id"] == [CLIENT_ID]
    assert asked["redirect_uri"] == [REDIRECT]
    assert asked["state"] == [started.cookie]
    assert sorted(asked["scope"][0].split(",")) == sorted(BOT_SCOPES)


def test_a_workspace_that_adds_the_app_is_answered_with_its_own_bot_token(oauth_url, standin, session):
    install(oauth_url, standin, team=OTHER_TEAM, name=OTHER_NAME)

    token = bot_token_of(session, OTHER_TEAM)
    assert token.startswith(f"xoxb-{OTHER_TEAM}-") and standin.team_of(token) == OTHER_TEAM
    [workspace] = session.exec(select(SlackWorkspace)).all()
    assert (workspace.team_id, workspace.team_name, workspace.installed_by) == (
        OTHER_TEAM,
        OTHER_NAME,
        "U0INSTALLER",
    )
    [event] = session.exec(select(AuditEvent).where(AuditEvent.action == "slack_workspace.install")).all()
    assert event.entity_id == OTHER_TEAM and event.after["team_name"] == OTHER_NAME

    link_chair_in(session, OTHER_TEAM, "U0CAMDEN")
    ref = a_case(session)
    serves(session, OTHER_TEAM)
    standin.reset()
    slack = SlackDriver(url=oauth_url, standin=standin, team=OTHER_TEAM)
    assert slack.command(f"case {ref}", user="U0CAMDEN").json()["text"].startswith(f"Looking up {ref}")
    [posted] = standin.wait_for("chat.postMessage")
    assert f"Case {ref}" in posted.body["text"]
    web_api = [call for call in standin.calls if call.method not in ("response_url", "upload")]
    assert web_api and {call.headers["Authorization"] for call in web_api} == {f"Bearer {token}"}
    slack.http.close()


def test_a_signed_request_from_a_workspace_that_has_not_added_the_app_is_refused(oauth_url, standin, session):
    ref = a_case(session)
    slack = SlackDriver(url=oauth_url, standin=standin, team="T0NEVER")
    standin.reset()
    answered = slack.command(f"case {ref}", user="U0CHAIR")
    assert answered.status_code == 200 and answered.text == ""
    [told] = standin.wait_for("response_url")
    assert told.body["text"] == NOT_INSTALLED
    standin.settle(0.3)
    assert [call.method for call in standin.calls] == ["response_url"]  # no token was used for it
    relayed = session.exec(select(AuditEvent).where(AuditEvent.actor.contains("Slack"))).all()  # type: ignore[attr-defined]
    assert relayed == []
    slack.http.close()


def test_the_same_member_id_in_another_workspace_is_someone_else(oauth_url, standin, session):
    """U0CHAIR is the board's chair in the own workspace; in another workspace that added the app, the
    same member id is a stranger, and a person linked there is unknown in the own workspace."""
    install(oauth_url, standin, team=TEAM, name="Hackney partnership")
    install(oauth_url, standin, team=OTHER_TEAM, name=OTHER_NAME)
    link_chair_in(session, OTHER_TEAM, "U0CAMDEN")
    ref = a_case(session)
    serves(session, OTHER_TEAM)

    elsewhere = SlackDriver(url=oauth_url, standin=standin, team=OTHER_TEAM)
    standin.reset()
    elsewhere.command(f"case {ref}", user="U0CHAIR")
    [told] = standin.wait_for("response_url")
    assert "not linked" in told.body["text"]
    assert standin.calls_to("chat.postMessage") == []

    own = SlackDriver(url=oauth_url, standin=standin, team=TEAM)
    own.command(f"case {ref}", user="U0CAMDEN")
    assert "not linked" in standin.wait_for("response_url", 2)[1].body["text"]
    assert standin.calls_to("chat.postMessage") == []

    own.command(f"case {ref}", user="U0CHAIR")  # the chair, where they are linked
    [posted] = standin.wait_for("chat.postMessage")
    assert posted.headers["Authorization"] == f"Bearer {bot_token_of(session, TEAM)}"
    own.http.close()
    elsewhere.http.close()


@pytest.mark.expect_refusals
def test_a_code_is_exchanged_once_and_a_state_used_once(oauth_url, standin, session):
    with httpx.Client(timeout=15) as http:
        first = start_install(http, oauth_url)
        query = approve(http, first, team=OTHER_TEAM, name=OTHER_NAME, user="U0A", standin=standin)
        assert come_back(http, oauth_url, query, cookie=first.cookie).status_code == 200

        replayed = come_back(http, oauth_url, query, cookie=first.cookie)  # the same state again
        assert replayed.status_code == 401 and "more than ten minutes old" in replayed.text

        second = start_install(http, oauth_url)  # a fresh state, with the first code
        code = parse_qs(query)["code"][0]
        reused = come_back(http, oauth_url, f"code={code}&state={second.cookie}", cookie=second.cookie)
        assert reused.status_code == 401 and "did not confirm" in reused.text

        third = start_install(http, oauth_url)
        query = approve(http, third, team="T0THIRD", name="Third", user="U0B", standin=standin)
        no_cookie = come_back(http, oauth_url, query, cookie=None)  # another browser than the one that began
        assert no_cookie.status_code == 400 and "another browser" in no_cookie.text
    assert [call.refusal.error for call in standin.calls_to("oauth.v2.access") if call.refusal] == [
        "invalid_code"
    ]
    assert session.exec(text("SELECT count(*) FROM slack_bots")).one()[0] == 1  # type: ignore[call-overload]
    assert [w.team_id for w in session.exec(select(SlackWorkspace)).all()] == [OTHER_TEAM]


@pytest.mark.expect_refusals
def test_an_app_whose_secret_slack_does_not_know_installs_nothing(oauth_url, standin, session):
    standin.register_app(CLIENT_ID, "another-secret", redirect_urls=(REDIRECT,))
    with httpx.Client(timeout=15) as http:
        started = start_install(http, oauth_url)
        query = approve(http, started, team=OTHER_TEAM, name=OTHER_NAME, user="U0A", standin=standin)
        refused = come_back(http, oauth_url, query, cookie=started.cookie)
    assert refused.status_code == 401 and "nothing was changed" in refused.text
    assert "bad_client_secret" not in refused.text  # Slack's code is for the log, not the person
    [call] = standin.calls_to("oauth.v2.access")
    assert call.refusal is not None and call.refusal.error == "bad_client_secret"
    assert session.exec(text("SELECT count(*) FROM slack_installations")).one()[0] == 0  # type: ignore[call-overload]


def test_a_consultant_in_the_own_workspace_is_asked_there_when_commissioned_from_another(
    oauth_url, standin, session
):
    """A commissioner in another workspace commissions a consultant linked in the own one: the request
    to declare goes to the consultant's DMs in their workspace, with its token, and their answer, from
    there, is theirs; a press of the same button in the other workspace is not."""
    from factories import add_person, consultant, home_partnership
    from slack_rig import KNOWN_NEGLECT, add_agencies, hackney_case
    from test_slack_commission import _commission_value

    from commissioning.models import Commission, CommissionStatus
    from service.models import Role

    install(oauth_url, standin, team=TEAM, name="Hackney partnership")
    install(oauth_url, standin, team=OTHER_TEAM, name=OTHER_NAME)
    own_token, other_token = bot_token_of(session, TEAM), bot_token_of(session, OTHER_TEAM)
    add_person(  # a commissioner of the home partnership, who uses the other workspace
        session,
        email="commissioner-camden@board.example.org",
        role=Role.commissioner,
        actor="test",
        slack_user_id="U0CAMDENCOM",
        slack_team=OTHER_TEAM,
        partnership=home_partnership(session).prefix,
    )
    add_agencies(session, "hackney-csc", "met-police")
    consultant(session, "Ada Reviewer", slack_user_id="U0ADA", specialisms=["neglect"])
    ref = hackney_case(session, notified_days_ago=2, **KNOWN_NEGLECT)
    session.commit()
    serves(session, OTHER_TEAM)

    standin.reset()
    camden = SlackDriver(url=oauth_url, standin=standin, team=OTHER_TEAM)
    camden.command(f"shortlist {ref}", user="U0CAMDENCOM")
    [shortlist] = standin.wait_for("chat.postMessage")
    camden.press(
        shortlist,
        "shortlist.commission",
        user="U0CAMDENCOM",
        value=_commission_value(shortlist, "Ada Reviewer"),
    )
    standin.wait_for("chat.postMessage", 3)
    request = next(p for p in standin.calls_to("chat.postMessage") if p.body["channel"] == "D0ADA")
    assert request.headers["Authorization"] == f"Bearer {own_token}"
    [opened] = [call for call in standin.calls_to("conversations.open") if call.body["users"] == "U0ADA"]
    assert opened.headers["Authorization"] == f"Bearer {own_token}"
    note = next(p for p in standin.calls_to("chat.postMessage") if "Commissioned" in p.body.get("text", ""))
    assert note.headers["Authorization"] == f"Bearer {other_token}"

    camden.press(request, "declaration.none", user="U0ADA")  # the same member id, in the other workspace
    standin.settle(0.4)
    assert session.exec(select(Commission)).one().status == CommissionStatus.proposed

    own = SlackDriver(url=oauth_url, standin=standin, team=TEAM)
    own.press(request, "declaration.none", user="U0ADA")
    [thanks] = standin.wait_for("chat.update")
    assert thanks.headers["Authorization"] == f"Bearer {own_token}"
    session.expire_all()
    assert session.exec(select(Commission)).one().status == CommissionStatus.declared
    camden.http.close()
    own.http.close()


def test_in_oauth_mode_the_reminders_go_out_with_the_own_workspaces_token(
    oauth_url, standin, session, monkeypatch
):
    """``scr bot remind`` (cron) reads the own workspace's installation from the database; until that
    workspace has added the app it says so, and posts nothing."""
    from typer.testing import CliRunner

    from service.cli import app
    from service.settings import get_settings

    notified = clock.today() - timedelta(days=1)
    recorded_case(session, **notified_features(notified, **UNEXPECTED_DEATH))
    monkeypatch.setenv("SCR_SERVICE_URL", oauth_url)
    monkeypatch.setenv("SCR_SLACK_REMINDER_CHANNEL", "C0REMIND")
    get_settings.cache_clear()
    install(oauth_url, standin, team=OTHER_TEAM, name=OTHER_NAME)

    early = CliRunner().invoke(app, ["bot", "remind"])
    assert (
        early.exit_code == 1
        and f"Your own workspace ({TEAM}, SCR_SLACK_TEAM_ID) has not added" in early.output
    )
    assert standin.calls_to("chat.postMessage") == []

    install(oauth_url, standin, team=TEAM, name="Hackney partnership")
    posted = CliRunner().invoke(app, ["bot", "remind"])
    assert posted.exit_code == 0 and "Posted 1 reminder(s)." in posted.output, posted.output
    [reminder] = standin.calls_to("chat.postMessage")
    assert reminder.body["channel"] == "C0REMIND"
    assert reminder.headers["Authorization"] == f"Bearer {bot_token_of(session, TEAM)}"


@pytest.mark.parametrize(
    ("changed", "said"),
    [
        ({"SCR_SLACK_BOT_TOKEN": "xoxb-fixed"}, "a fixed one would be ignored"),
        ({"SCR_SLACK_APP_TOKEN": "xapp-1-socket"}, "so Socket Mode serves one workspace"),
        ({"SCR_SLACK_CLIENT_SECRET": ""}, "SCR_SLACK_CLIENT_ID is set but SCR_SLACK_CLIENT_SECRET is not"),
        ({"SCR_SLACK_TEAM_ID": ""}, "SCR_SLACK_TEAM_ID is not: name your own workspace"),
        ({"SCR_SLACK_SIGNING_SECRET": ""}, "SCR_SLACK_SIGNING_SECRET is not"),
        ({"SCR_SLACK_REDIRECT_URI": "http://scr.example.org/slack/oauth_redirect"}, "must be an https://"),
    ],
)
def test_the_service_refuses_to_start_on_slack_settings_that_do_not_fit_together(
    database_url, standin, monkeypatch, changed, said
):
    from service.app import create_app
    from service.settings import get_settings
    from service.slack_settings import SlackSettingsError

    for name, value in {**oauth_environment(standin), **changed}.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        with pytest.raises(SlackSettingsError, match=re.escape(said)):
            create_app()
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def test_socket_mode_serves_one_workspace(standin, monkeypatch):
    from typer.testing import CliRunner

    from service.cli import app
    from service.settings import get_settings

    for name, value in oauth_environment(standin).items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        refused = CliRunner().invoke(app, ["bot", "--socket"])
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert refused.exit_code == 2 and "Socket Mode serves one workspace" in refused.output


def test_states_of_installs_never_finished_are_deleted_once_expired(session, engine):
    """Anyone can open the install page, and each opening stores a state: those never used go once they
    have expired, when the next is issued, so the table cannot grow without end."""
    from service.slack_workspaces import StateStore

    store = StateStore(engine=engine)
    abandoned, kept = store.issue(), store.issue()
    session.exec(  # type: ignore[call-overload]
        text("UPDATE slack_oauth_states SET expire_at = :past WHERE state = :state"),
        params={"past": datetime(2020, 1, 1), "state": abandoned},
    )
    session.commit()
    newest = store.issue()
    states = session.exec(text("SELECT state FROM slack_oauth_states")).all()  # type: ignore[call-overload]
    assert sorted(row[0] for row in states) == sorted([kept, newest])
    assert store.consume(kept) and not store.consume(kept) and not store.consume(abandoned)


def test_an_organisation_wide_install_is_refused_in_words(oauth_url, standin, session):
    """Member ids of an organisation-wide Enterprise Grid install belong to no one workspace, and the
    service keys every person by workspace: the install is refused, and nothing kept."""
    with httpx.Client(timeout=15) as http:
        started = start_install(http, oauth_url)
        standin.installing(OTHER_TEAM, team_name=OTHER_NAME, user_id="U0A", organisation="Big Org")
        query = urlsplit(http.get(started.authorize_url).headers["location"]).query
        refused = come_back(http, oauth_url, query, cookie=started.cookie)
    assert refused.status_code == 400
    assert "not to a whole Enterprise Grid organisation. Add it from each workspace" in refused.text
    assert session.exec(text("SELECT count(*) FROM slack_installations")).one()[0] == 0  # type: ignore[call-overload]
    assert session.exec(select(SlackWorkspace)).all() == []


def test_a_second_workspace_sees_only_the_partnerships_mapped_to_it(oauth_url, standin, session):
    """A chair of both partnerships, linked in Camden's workspace: until the workspace is mapped it serves
    no partnership, and once mapped to SAL alone, HAC's case stays unknown there."""
    from factories import other_partnership

    from bot.views import errors
    from service.models import Role
    from service.users import grant_role

    install(oauth_url, standin, team=OTHER_TEAM, name=OTHER_NAME)
    email = link_chair_in(session, OTHER_TEAM, "U0CAMDEN")
    other_partnership(session)
    grant_role(session, email=email, role=Role.chair, partnership="SAL", actor="test")
    session.commit()
    ref = a_case(session)
    camden = SlackDriver(url=oauth_url, standin=standin, team=OTHER_TEAM)

    for mapped in ((), ("SAL",)):
        if mapped:
            serves(session, OTHER_TEAM, *mapped)
        standin.reset()
        camden.command(f"case {ref}", user="U0CAMDEN")
        [told] = standin.wait_for("response_url")
        assert told.body["text"] == errors.unknown_case(ref)
        assert standin.calls_to("chat.postMessage") == []

    serves(session, OTHER_TEAM, "HAC", "SAL")
    standin.reset()
    camden.command(f"case {ref}", user="U0CAMDEN")
    [posted] = standin.wait_for("chat.postMessage")
    assert f"Case {ref}" in posted.body["text"]
    camden.http.close()
