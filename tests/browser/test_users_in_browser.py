"""The users page in a real browser: an admin adds a person (a Slack member id another person holds is
refused beside its field), names them, unlinks their Slack account and revokes them.

Every page visited is checked with axe-core (no serious or critical violations) and photographed.
"""

import re

import pytest
from factories import consultant
from playwright.sync_api import expect
from sqlmodel import Session, select

from service.models import User

pytestmark = pytest.mark.browser


def stored(engine, email: str) -> User | None:  # type: ignore[no-untyped-def]
    with Session(engine) as fresh:
        return fresh.exec(select(User).where(User.email == email)).first()


def test_an_admin_adds_names_unlinks_and_revokes_a_user(
    admin_page, session, engine, check_page, correct_from_summary, open_from_menu, send_form
):
    consultant(session, "Rhea Reviewer", slack_user_id="U0RHEA")
    page = admin_page
    open_from_menu(page, "Users", "users")

    page.get_by_role("link", name="Add a user").click()
    check_page(page, "user-new")
    person = {
        "Name": "Jane Smith",
        "Email address": "jane.smith@board.example.org",
        "Role": "chair",
        "Slack member ID": "U0RHEA",
    }
    send_form(page, person, send="Add user")

    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(page.locator("#slack_user_id-error")).to_contain_text(
        "U0RHEA already belongs to the consultant Rhea Reviewer"
    )
    expect(page.get_by_label("Name")).to_have_value("Jane Smith")
    assert stored(engine, "jane.smith@board.example.org") is None
    check_page(page, "user-new-errors")

    correct_from_summary(page, "Slack member ID", "U0JANE", send="Add user")

    expect(page.get_by_role("heading", level=1)).to_contain_text("Jane Smith")
    expect(page.get_by_role("status")).to_contain_text(
        "Jane Smith was added as a chair of Hackney test partnership."
    )
    jane = stored(engine, "jane.smith@board.example.org")
    assert jane is not None and jane.slack_user_id == "U0JANE"
    check_page(page, "user")

    page.get_by_label("Name").fill("Jane Smith-Okafor")
    page.get_by_role("button", name="Save the name").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Jane Smith-Okafor")

    page.get_by_role("button", name="Unlink from Slack").click()
    expect(page.get_by_role("status")).to_contain_text("no longer linked to a Slack account")
    assert stored(engine, "jane.smith@board.example.org").slack_user_id is None  # type: ignore[union-attr]

    page.get_by_role("button", name="Revoke access").click()
    expect(page.get_by_role("status")).to_contain_text("access was revoked")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Revoked")
    assert stored(engine, "jane.smith@board.example.org").active is False  # type: ignore[union-attr]
    history = page.locator("#history + table tbody tr")
    expect(history).to_have_count(4)
    expect(history.first).to_contain_text("User revoke")
    check_page(page, "user-revoked")

    page.get_by_role("link", name="All users").click()
    row = page.locator("tbody tr", has_text="Jane Smith-Okafor")
    expect(row).to_contain_text("Not linked")
    expect(row).to_contain_text("Revoked")
    expect(page.locator("tbody tr").last).to_contain_text(re.compile("Jane Smith-Okafor"))
