"""Headless Chromium (Debian's, through Playwright) against the service under uvicorn on 127.0.0.1.

The server runs in a thread of the test process on the run's database, so each test prepares its
data with the ``session`` fixture and the store, then drives the pages as an admin would. axe-core
(``axe.min.js``, vendored, MPL-2.0) checks each page; screenshots go to ``test-artifacts/``.
"""

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from live_server import serving

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE = Path(__file__).with_name("axe.min.js")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "a long admin password"
# WCAG 2.0 to 2.2, levels A and AA: what public-sector services in the UK are held to.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if Path(CHROMIUM).exists():
        return
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM}: apt-get install chromium (or set CHROMIUM)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def base_url(database_url: str) -> Iterator[str]:
    """The service under uvicorn on a free port of 127.0.0.1, for the whole run."""
    with serving() as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One Chromium per test module: Playwright's sync API holds an event loop on the main thread while
    it runs, which later tests that start their own loop (``asyncio.run``) must not find."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, base_url: str, session):  # type: ignore[no-untyped-def]
    """A fresh browser context (no cookies) on an emptied database."""
    # bypass_csp lets the test inject axe-core into pages whose policy allows no inline script.
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900}, bypass_csp=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def new_user(session):  # type: ignore[no-untyped-def]
    """``new_user(role)``: a user who can sign in with ``PASSWORD``; returns their email."""
    from factories import add_person

    from service.models import Role
    from service.passwords import set_password

    def make(role: str) -> str:
        email = f"{role}.browser@board.example.org"
        add_person(session, email=email, role=Role(role), actor="test")
        set_password(session, email=email, password=PASSWORD, actor="test")
        session.commit()
        return email

    return make


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def admin_email(new_user) -> str:  # type: ignore[no-untyped-def]
    return new_user("admin")


def _sign_in(page, email: str, password: str = PASSWORD) -> None:  # type: ignore[no-untyped-def]
    page.goto("/admin/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


@pytest.fixture
def admin_page(page, admin_email: str):  # type: ignore[no-untyped-def]
    """A page signed in as an admin."""
    _sign_in(page, admin_email)
    return page


@pytest.fixture
def sign_in():  # type: ignore[no-untyped-def]
    """Sign in through the form: ``sign_in(page, email)``."""
    return _sign_in


def _check_page(page, name: str, *, full_page: bool = True) -> None:  # type: ignore[no-untyped-def]
    """Save a screenshot, then fail on any axe-core violation of serious or critical impact."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)
    page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        AXE_TAGS,
    )
    serious = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
    report = [
        {
            "rule": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]],
        }
        for v in serious
    ]
    assert not serious, f"axe-core on {name} ({page.url}):\n{json.dumps(report, indent=2)}"


@pytest.fixture
def check_page():  # type: ignore[no-untyped-def]
    """``check_page(page, name)``: screenshot to test-artifacts/NAME.png, then axe-core (one page long
    with ``full_page=False``)."""
    return _check_page


def _correct_from_summary(page, label: str, value: str, *, send: str) -> None:  # type: ignore[no-untyped-def]
    """Follow the error summary's link to the field it names, which takes the focus, correct it to
    ``value`` and send the form again with the button ``send``."""
    from playwright.sync_api import expect

    page.locator(".error-summary").get_by_role("link").click()
    field = page.get_by_label(label)
    expect(field).to_be_focused()
    field.fill(value)
    page.get_by_role("button", name=send).click()


@pytest.fixture
def correct_from_summary():  # type: ignore[no-untyped-def]
    """``correct_from_summary(page, label, value, send=button)``: fix a refused field as a keyboard user
    reaches it, through the error summary, then send the form again."""
    return _correct_from_summary


def _send_form(page, fields: dict[str, str], *, send: str) -> None:  # type: ignore[no-untyped-def]
    """Fill in each field by its label (choosing the option in a select), then press the button ``send``."""
    for label, value in fields.items():
        field = page.get_by_label(label)
        if field.evaluate("element => element.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    page.get_by_role("button", name=send).click()


@pytest.fixture
def send_form():  # type: ignore[no-untyped-def]
    """``send_form(page, {label: value}, send=button)``: fill in a form as a person does, and send it."""
    return _send_form


def _open_from_menu(page, link: str, name: str) -> None:  # type: ignore[no-untyped-def]
    """From the dashboard, follow the main menu's ``link`` to its page, headed with the link's words, and
    check that page as ``name``."""
    from playwright.sync_api import expect

    page.goto("/admin/dashboard")
    page.get_by_role("navigation", name="Main").get_by_role("link", name=link).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(link)
    _check_page(page, name)


@pytest.fixture
def open_from_menu():  # type: ignore[no-untyped-def]
    """``open_from_menu(page, link, name)``: reach a section as a person does, through the main menu from
    the dashboard, and check its page (``check_page``) as ``name``."""
    return _open_from_menu
