"""The partnerships pages in a real browser: a list admin adds a partnership (an area another partnership
covers is refused beside the areas, corrected through the error summary), then grants a person a role in it
and sees it in words on their page.

Every page visited is checked with axe-core (no serious or critical violations) and photographed.
"""

import pytest
from factories import create_person, home_partnership
from playwright.sync_api import expect
from sqlmodel import Session, select

from commissioning.models import Partnership
from service.models import Role
from service.users import roles_of

pytestmark = pytest.mark.browser


def test_a_list_admin_adds_a_partnership_and_grants_a_role_in_it(
    admin_page, session, engine, check_page, correct_from_summary, open_from_menu, send_form
):
    home_partnership(session)
    pat = create_person(
        session, email="pat@board.example.org", role=Role.chair, actor="test", display_name="Pat Jones"
    )
    session.commit()
    page = admin_page
    open_from_menu(page, "Partnerships", "partnerships")

    page.get_by_role("link", name="Add a partnership").click()
    check_page(page, "partnership-new")
    partnership = {
        "Name": "Harrow and Brent partnership",
        "Case-reference prefix": "HBS",
        "Areas covered": "Harrow\nHackney",
        "Years a closed case's records are kept": "12",
    }
    send_form(page, partnership, send="Add partnership")

    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.locator("#areas-error")).to_contain_text("Hackney is covered by Hackney test partnership")
    expect(page.get_by_label("Years a closed case's records are kept")).to_have_value("12")
    with Session(engine) as fresh:
        assert fresh.exec(select(Partnership).where(Partnership.prefix == "HBS")).first() is None
    check_page(page, "partnership-new-errors")

    correct_from_summary(page, "Areas covered", "Harrow, Brent", send="Add partnership")
    expect(page.get_by_role("heading", level=1)).to_have_text("Harrow and Brent partnership")
    expect(page.get_by_role("status")).to_contain_text("Harrow and Brent partnership was added")
    expect(page.locator("dl.summary")).to_contain_text("Brent, Harrow")
    check_page(page, "partnership")

    page.goto(f"/admin/users/{pat.id}")
    page.get_by_label("Partnership", exact=True).select_option(label="Harrow and Brent partnership")
    page.get_by_label("Role", exact=True).select_option("commissioner")
    page.get_by_role("button", name="Grant the role").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Pat Jones is now commissioner, Harrow and Brent partnership."
    )
    expect(page.locator("dl.summary")).to_contain_text(
        "Chair, Hackney test partnership; commissioner, Harrow and Brent partnership"
    )
    check_page(page, "user-roles")
    with Session(engine) as fresh:
        assert [(p.prefix, r.value) for p, r in roles_of(fresh, pat.id)] == [
            ("HAC", "chair"),
            ("HBS", "commissioner"),
        ]
