"""A badge's public page in a real browser: its holder shares it and hides it, a visitor
sees it, at desktop width and at 390 pixels, keyboard only where it matters."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from laurel.badges.services import badge_award_revoke
from laurel.browser_testing import assert_accessible, console_errors, log_in, screenshot_path
from laurel.verification.factories import make_badge_award

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


def signed_in_page(browser: Browser, site: str, award, **options) -> Page:
    award.user.set_password(PASSWORD)
    award.user.save()
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"], **options)
    page = context.new_page()
    log_in(page, site, email=award.user.email, password=PASSWORD)
    return page


def test_holder_shares_a_badge_from_the_keyboard_then_hides_it(browser, site):
    award = make_badge_award(
        recipient="Ada Lovelace", badge="Super Mentor", organisation="Analytical Engines Ltd"
    )
    public_url = f"{site}/b/{award.public_id}"
    page = signed_in_page(browser, site, award)
    errors = console_errors(page)
    page.goto(public_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Super Mentor")
    expect(page.get_by_role("img", name="The badge “Super Mentor”")).to_be_visible()
    assert_accessible(page)

    # Download the badge image: a PNG carrying the credential.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download badge image").click()
    with Image.open(download.value.path()) as image:
        assert (image.format, image.size) == ("PNG", (1200, 1200))

    # Copy the link, from the keyboard.
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Copy link":
            break
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("Link copied")
    assert page.evaluate("navigator.clipboard.readText()") == public_url

    add = page.get_by_role("link", name="Add to LinkedIn profile").get_attribute("href") or ""
    assert parse_qs(urlsplit(add).query)["certUrl"] == [public_url]
    assert parse_qs(urlsplit(add).query)["name"] == ["Super Mentor"]

    # A visitor sees the badge, without the holder's tools.
    visitor = browser.new_context().new_page()
    assert (response := visitor.goto(public_url)) is not None and response.status == 200
    expect(visitor.get_by_text("Valid badge")).to_be_visible()
    assert visitor.get_by_role("link", name="Post on LinkedIn").count() == 0
    assert_accessible(visitor)

    # The holder hides it; the visitor now finds nothing.
    page.get_by_role("button", name="Hide").click()
    expect(page.get_by_text("This badge is hidden.")).to_be_visible()
    assert_accessible(page)
    assert (response := visitor.reload()) is not None and response.status == 404
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Badge not found")
    assert errors == []


@pytest.mark.parametrize(("width", "height"), [(1440, 1000), (390, 844)])
def test_badge_page_fits_the_screen(browser, site, width, height):
    award = make_badge_award(
        recipient="Maria Fernanda Ximena de los Ángeles Castillo-Ramírez",
        badge="Distinguished Connector",
        organisation="Fundación para la Educación y la Tecnología",
        description="For bringing people together across every program we run.",
    )
    page = browser.new_page(viewport={"width": width, "height": height})
    errors = console_errors(page)

    page.goto(f"{site}/b/{award.public_id}")
    page.wait_for_function("document.querySelector('.badge-figure__image').complete")

    page.screenshot(path=screenshot_path(f"badge-page-{width}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.evaluate("document.querySelector('.badge-figure__image').naturalWidth") == 1200
    assert_accessible(page)
    assert errors == []


@pytest.mark.parametrize(("width", "height"), [(1440, 1000), (390, 844)])
def test_revoked_badge_page_with_its_reason(browser, site, width, height):
    award = make_badge_award(badge="Super Mentor")
    badge_award_revoke(
        award=award, by=None, reason="Awarded to the wrong person.", public_reason=True
    )
    page = signed_in_page(browser, site, award, viewport={"width": width, "height": height})
    page.goto(f"{site}/b/{award.public_id}")
    page.wait_for_function("document.querySelector('.badge-figure__image').complete")
    expect(page.get_by_text("This badge was revoked")).to_be_visible()
    expect(page.get_by_text("Status: revoked on")).to_be_visible()

    page.screenshot(path=screenshot_path(f"badge-page-revoked-{width}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert_accessible(page)
