"""A participant shares a certificate, in a real browser against a live server."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from laurel.browser_testing import assert_accessible, console_errors, log_in, screenshot_path
from laurel.certificates.services import award_revoke
from laurel.verification.factories import make_award

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


def holder_of(award):
    award.user.set_password(PASSWORD)
    award.user.save()
    return award.user


def signed_in_page(browser: Browser, site: str, award) -> Page:
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    log_in(page, site, email=holder_of(award).email, password=PASSWORD)
    return page


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


def test_participant_shares_a_certificate_then_makes_it_private(browser, site):
    award = make_award(
        recipient="Ada Lovelace",
        certificate="Mentor of the Year",
        organisation="Analytical Engines Ltd",
    )
    public_url = f"{site}/c/{award.public_id}"
    page = signed_in_page(browser, site, award)
    errors = console_errors(page)

    # The activity page lists the earned certificate; open it.
    expect(page.get_by_role("heading", name="Your activity")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="View Mentor of the Year").click()
    page.wait_for_url(public_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Mentor of the Year")
    assert_accessible(page)

    # Download the PDF.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    with page.expect_download() as download:
        page.get_by_role("link", name="Download image").click()
    with Image.open(download.value.path()) as card:
        assert (card.format, card.size) == ("PNG", (1200, 627))

    # Copy the link.
    page.get_by_role("link", name="Copy link").click()
    expect(page.get_by_role("status")).to_have_text("Link copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == public_url

    # The LinkedIn links carry exactly the fields LinkedIn reads.
    post = page.get_by_role("link", name="Post on LinkedIn").get_attribute("href") or ""
    assert post.startswith("https://www.linkedin.com/sharing/share-offsite/?")
    assert query(post) == {"url": [public_url]}
    add = page.get_by_role("link", name="Add to LinkedIn profile").get_attribute("href") or ""
    assert add.startswith("https://www.linkedin.com/profile/add?")
    assert query(add) == {
        "startTask": ["CERTIFICATION_NAME"],
        "name": ["Mentor of the Year"],
        "organizationName": ["Analytical Engines Ltd"],
        "issueYear": [str(award.issued_at.year)],
        "issueMonth": [str(award.issued_at.month)],
        "certUrl": [public_url],
        "certId": [award.public_id],
    }

    # The profile fields are there to copy by hand too.
    page.get_by_text("Details for your LinkedIn profile").click()
    page.get_by_role("button", name="Copy Credential ID").click()
    assert page.evaluate("navigator.clipboard.readText()") == award.public_id

    # Someone signed out opens the copied link.
    visitor = browser.new_context().new_page()
    visitor_errors = console_errors(visitor)
    response = visitor.goto(copied)
    assert response is not None
    assert response.status == 200
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Mentor of the Year")
    expect(visitor.get_by_text("Valid certificate")).to_be_visible()
    expect(visitor.get_by_role("img", name="The certificate “Mentor of the Year”")).to_be_visible()
    assert visitor.get_by_role("link", name="Post on LinkedIn").count() == 0
    assert_accessible(visitor)

    # The holder makes it private; the visitor now finds nothing.
    page.get_by_role("button", name="Make private").click()
    expect(page.get_by_text("This certificate is private.")).to_be_visible()
    assert_accessible(page)
    response = visitor.reload()
    assert response is not None
    assert response.status == 404
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Certificate not found")
    assert_accessible(visitor)
    assert errors == []
    # The one error a visitor sees is the 404 itself.
    assert len(visitor_errors) == 1
    assert "404" in visitor_errors[0]


def test_copy_link_works_from_the_keyboard(browser, site):
    award = make_award(certificate="Mentor of the Year")
    page = signed_in_page(browser, site, award)
    page.goto(f"{site}/c/{award.public_id}")

    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Copy link":
            break
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_have_text("Link copied")
    assert page.evaluate("navigator.clipboard.readText()") == f"{site}/c/{award.public_id}"


def test_copy_link_is_a_plain_link_without_javascript(browser, site):
    award = make_award()
    holder_of(award)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, site, email=award.user.email, password=PASSWORD)

    page.get_by_role("link", name="Copy link").click()

    page.wait_for_url(f"{site}/c/{award.public_id}")


@pytest.mark.parametrize(("width", "height"), [(1440, 1000), (390, 844)])
def test_public_page_fits_the_screen(browser, site, width, height):
    award = make_award(
        recipient="Maria Fernanda Ximena de los Ángeles Castillo-Ramírez",
        certificate="Distinguished Mentor of the Year",
        organisation="Fundación para la Educación y la Tecnología",
        program="Leadership Mentoring Programme 2026",
    )
    page = browser.new_page(viewport={"width": width, "height": height})
    errors = console_errors(page)

    page.goto(f"{site}/c/{award.public_id}")
    page.wait_for_function("document.querySelector('.credential__image').complete")

    page.screenshot(path=screenshot_path(f"public-page-{width}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    natural = page.evaluate("document.querySelector('.credential__image').naturalWidth")
    assert natural > 0
    assert_accessible(page)
    assert errors == []


@pytest.mark.parametrize(("width", "height"), [(1440, 1000), (390, 844)])
def test_public_page_shows_the_credentials_verification(browser, site, width, height):
    award = make_award(
        recipient="Maria Fernanda Ximena de los Ángeles Castillo-Ramírez",
        certificate="Distinguished Mentor of the Year",
        organisation="Fundación para la Educación y la Tecnología",
    )
    revoked = make_award(certificate="Mentor of the Year", organisation="Compilers Inc")
    award_revoke(award=revoked, by=None, reason="Issued by mistake")
    page = browser.new_page(viewport={"width": width, "height": height})
    errors = console_errors(page)

    page.goto(f"{site}/c/{award.public_id}")
    check = page.get_by_role("region", name="Verification")
    expect(check).to_be_visible()
    expect(check.get_by_text("Signature valid")).to_be_visible()
    expect(
        check.get_by_text("Issued by Fundación para la Educación y la Tecnología")
    ).to_be_visible()
    expect(check.get_by_text("Status: valid")).to_be_visible()
    check.scroll_into_view_if_needed()
    page.screenshot(path=screenshot_path(f"public-page-verification-{width}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert_accessible(page)

    # The signed credential is one click away, and it is the one the page checked.
    link = page.get_by_role("link", name="The signed credential (JSON)")
    answer = page.request.get(site + (link.get_attribute("href") or ""))
    assert answer.json()["credentialSubject"]["type"] == ["AchievementSubject"]

    page.goto(f"{site}/c/{revoked.public_id}")
    check = page.get_by_role("region", name="Verification")
    expect(check.get_by_text("Status: revoked on")).to_be_visible()
    expect(check.get_by_text("is genuine, but its issuer has revoked it")).to_be_visible()
    page.screenshot(path=screenshot_path(f"public-page-revoked-{width}.png"), full_page=True)
    assert_accessible(page)
    assert errors == []


@pytest.mark.parametrize(("width", "height"), [(1440, 1000), (390, 844)])
def test_someone_checks_a_downloaded_certificate_image_on_the_verify_page(
    browser, site, width, height, tmp_path
):
    award = make_award(certificate="Mentor of the Year", organisation="Compilers Inc")
    page = browser.new_page(viewport={"width": width, "height": height})
    errors = console_errors(page)
    page.goto(f"{site}/c/{award.public_id}")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download image").click()
    image = tmp_path / "certificate.png"
    download.value.save_as(image)

    page.get_by_role("link", name="Check a credential yourself").click()
    page.wait_for_url(f"{site}/verify")
    assert_accessible(page)
    page.get_by_label(
        "Or upload the credential file, or the certificate's image (PNG)"
    ).set_input_files(str(image))
    page.get_by_role("button", name="Check").click()

    expect(page.get_by_text("This credential is genuine and valid.")).to_be_visible()
    expect(page.get_by_text("Signed by Compilers Inc with its current key.")).to_be_visible()
    page.screenshot(path=screenshot_path(f"verify-page-image-{width}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert_accessible(page)
    assert errors == []
