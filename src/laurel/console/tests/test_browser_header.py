"""The site header in a real browser: an admin reaches the console from any page, on a
wide screen and on a phone, by keyboard."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from laurel.browser_testing import assert_accessible, log_in, screenshot_path
from laurel.certificates.factories import make_organisation, make_participant, make_program

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


@pytest.mark.parametrize("width", [1440, 390])
def test_an_admin_reaches_the_console_from_the_header(browser: Browser, site: str, width: int):
    organisation = make_organisation("Northwind Mentoring")
    program = make_program(organisation, name="Engineering 2026")
    participant = make_participant(
        program, name="Avery Admin-Longname", email="admin@northwind.example", role="mentor"
    )
    admin = participant.user
    admin.set_password(PASSWORD)
    admin.save()
    organisation.admins.add(admin)
    page = browser.new_page(viewport={"width": width, "height": 844})
    log_in(page, site, email=admin.email, password=PASSWORD)
    page.goto(f"{site}/")
    link = page.get_by_role("navigation", name="Account").get_by_role("link", name="Console")
    expect(link).to_be_visible()
    box = link.bounding_box()
    assert box is not None and box["x"] + box["width"] <= width
    assert_accessible(page)
    page.screenshot(path=screenshot_path(f"header-{width}.png"))
    link.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Northwind Mentoring")).to_be_visible()
