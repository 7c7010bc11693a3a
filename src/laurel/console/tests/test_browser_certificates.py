"""An admin sets up a certificate in a real browser: create, see the exact confirmation,
enable, edit with the live preview, lower the threshold; and reads the report."""

from __future__ import annotations

import pytest
from django.core import mail
from playwright.sync_api import Browser, Page, expect

from laurel.browser_testing import assert_accessible, console_errors, log_in, screenshot_path
from laurel.certificates.factories import (
    make_certificate,
    make_organisation,
    make_program,
    make_session,
)
from laurel.certificates.models import CertificateDefinition, IssuedCertificate
from laurel.console.tests.helpers import admin_of, pair_with_counting_sessions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
WIDTHS = [(1440, 1000), (390, 844)]


def admin_page(browser: Browser, site: str, program, *, width=1440, height=1000) -> Page:
    admin = admin_of(program.organisation, name="Morgan Admin")
    admin.set_password(PASSWORD)
    admin.save()
    page = browser.new_page(viewport={"width": width, "height": height})
    log_in(page, site, email=admin.email, password=PASSWORD)
    return page


def cohort():
    program = make_program(make_organisation("Northwind"), name="Engineering Mentorship")
    pair_with_counting_sessions(program, 2, mentor_name="Grace Hopper", mentee_name="Ada Lovelace")
    pair_with_counting_sessions(program, 3, mentor_name="Alan Turing", mentee_name="Joan Clarke")
    pair_with_counting_sessions(
        program, 1, mentor_name="Katherine Johnson", mentee_name="Dorothy Vaughan"
    )
    return program


def wait_for_preview(page: Page) -> str:
    page.wait_for_function(
        "() => { const i = document.querySelector('[data-preview-image]');"
        " return i.complete && i.naturalWidth > 0 && !i.hasAttribute('aria-busy'); }"
    )
    return str(page.get_attribute("[data-preview-image]", "src"))


def preview_bytes(page: Page) -> bytes:
    src = page.evaluate("document.querySelector('[data-preview-image]').src")
    response = page.request.get(str(src))
    assert response.status == 200
    return response.body()


def test_admin_creates_enables_edits_and_lowers_a_certificate(browser, site, run_tasks):
    program = cohort()
    page = admin_page(browser, site, program)
    errors = console_errors(page)

    # From the programs list into the console.
    page.get_by_role("link", name="Engineering Mentorship").click()
    expect(page.get_by_role("heading", name="Certificates", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Certificates")).to_have_attribute("aria-current", "page")
    assert_accessible(page)

    # Create a certificate, inserting a merge field at the cursor.
    page.get_by_role("link", name="New certificate").click()
    first_preview = wait_for_preview(page)
    page.get_by_label("Name", exact=True).fill("Mentorship Certificate")
    text = page.get_by_label("Text", exact=True)
    text.fill("Well done, ")
    page.get_by_role("button", name="{recipient_name} insert").click()
    text.press("End")
    text.type("!")
    expect(text).to_have_value("Well done, {recipient_name}!")
    page.get_by_label("Sessions needed").fill("2")
    page.wait_for_function(
        "s => document.querySelector('[data-preview-image]').getAttribute('src') !== s",
        arg=first_preview,
    )
    wait_for_preview(page)
    assert_accessible(page)
    page.get_by_role("button", name="Create certificate").click()
    expect(page.get_by_role("status").filter(has_text="is created")).to_be_visible()
    definition = CertificateDefinition.objects.get(program=program)
    assert (definition.text, definition.threshold, definition.enabled) == (
        "Well done, {recipient_name}!",
        2,
        False,
    )

    # Enable: the confirmation names exactly who is awarded and emailed.
    page.get_by_role("link", name="Enable Certificate Mentorship Certificate").click()
    expect(page.locator(".confirm__warning")).to_contain_text(
        "This awards the certificate now to 4 people and emails each of them."
    )
    people = page.get_by_role("list", name="People who will be awarded")
    expect(people.get_by_role("listitem")).to_have_text(
        ["Ada Lovelace", "Alan Turing", "Grace Hopper", "Joan Clarke"]
    )
    assert not IssuedCertificate.objects.exists()
    assert_accessible(page)
    page.get_by_role("button", name="Enable and award 4 people").click()
    expect(page.get_by_role("status").filter(has_text="awarded to 4 people")).to_be_visible()
    assert IssuedCertificate.objects.filter(definition=definition).count() == 4
    run_tasks()
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        IssuedCertificate.objects.values_list("user__email", flat=True)
    )
    ada = IssuedCertificate.objects.get(recipient_name="Ada Lovelace")
    assert ada.text == "Well done, Ada Lovelace!"

    # Edit the text: the preview follows; the earned certificate stays as it was.
    page.get_by_role("link", name="Edit Mentorship Certificate").click()
    before = wait_for_preview(page)
    before_png = preview_bytes(page)
    page.get_by_label("Text", exact=True).fill(
        "Congratulations {recipient_name}, on a year of mentoring."
    )
    page.wait_for_function(
        "s => document.querySelector('[data-preview-image]').getAttribute('src') !== s",
        arg=before,
    )
    wait_for_preview(page)
    assert preview_bytes(page) != before_png
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text="is saved")).to_be_visible()
    ada.refresh_from_db()
    assert ada.text == "Well done, Ada Lovelace!"
    public = browser.new_page()
    public.goto(f"{site}/c/{ada.public_id}")
    expect(public.locator(".credential__text")).to_have_text("Well done, Ada Lovelace!")

    # Lower the threshold: the same exact confirmation, then the awards.
    page.get_by_role("link", name="Edit Mentorship Certificate").click()
    page.get_by_label("Sessions needed").fill("1")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".confirm__warning")).to_contain_text("2 people")
    expect(
        page.get_by_role("list", name="People who will be awarded").get_by_role("listitem")
    ).to_have_text(["Dorothy Vaughan", "Katherine Johnson"])
    definition.refresh_from_db()
    assert definition.threshold == 2
    assert_accessible(page)
    page.get_by_role("button", name="Save and award 2 people").click()
    expect(page.get_by_role("status").filter(has_text="awarded to 2 people")).to_be_visible()
    definition.refresh_from_db()
    assert definition.threshold == 1
    dorothy = IssuedCertificate.objects.get(recipient_name="Dorothy Vaughan")
    assert dorothy.text == "Congratulations Dorothy Vaughan, on a year of mentoring."

    # The report shows who earned it and when.
    page.get_by_role("link", name="Reporting").click()
    expect(page.get_by_role("heading", name="Reporting", level=1)).to_be_visible()
    expect(page.get_by_role("row", name="Ada Lovelace")).to_contain_text("✓")
    assert_accessible(page)
    assert errors == []


def test_the_editor_works_without_javascript(browser, site):
    program = cohort()
    definition = make_certificate(program, threshold=2, name="Bronze")
    admin = admin_of(program.organisation)
    admin.set_password(PASSWORD)
    admin.save()
    page = browser.new_context(java_script_enabled=False).new_page()
    log_in(page, site, email=admin.email, password=PASSWORD)
    page.goto(f"{site}/manage/programs/{program.pk}/content/certificates/{definition.pk}/")
    # The merge fields are listed to type by hand; the insert buttons need the script.
    expect(page.locator("[data-static-field]", has_text="{recipient_name}")).to_be_visible()
    expect(page.locator("[data-insert='{recipient_name}']")).to_be_hidden()
    page.get_by_label("Text", exact=True).fill("Typed by hand for {recipient_name}.")
    page.get_by_role("button", name="Update preview").click()
    expect(page.get_by_label("Text", exact=True)).to_have_value(
        "Typed by hand for {recipient_name}."
    )
    assert "Typed+by+hand" in str(page.get_attribute("[data-preview-image]", "src"))
    page.get_by_role("button", name="Save").click()
    definition.refresh_from_db()
    assert definition.text == "Typed by hand for {recipient_name}."


@pytest.mark.parametrize(("width", "height"), WIDTHS)
def test_console_pages_fit_the_screen(browser, site, width, height):
    program = cohort()
    definition = make_certificate(program, threshold=2, enabled=True, name="Mentorship Certificate")
    make_certificate(program, threshold=1, name="First Steps", colour="#B5462F")
    make_certificate(program, threshold=None, name="Community Builder", colour="#6B3FA0",
                     guidance="Run a session for the whole cohort.")  # fmt: skip
    mentor, _ = pair_with_counting_sessions(
        program, 1, mentor_name="Mary Jackson", mentee_name="Christine Darden"
    )
    make_session(mentor.memberships.get().pairing, days_ago=3)
    page = admin_page(browser, site, program, width=width, height=height)
    errors = console_errors(page)
    base = f"{site}/manage/programs/{program.pk}"
    pages = {
        "certificates": f"{base}/content/certificates/",
        "certificate-edit": f"{base}/content/certificates/{definition.pk}/",
        "certificate-new": f"{base}/content/certificates/new/",
        "certificate-enable": (
            f"{base}/content/certificates/"
            f"{CertificateDefinition.objects.get(name='First Steps').pk}/enable/"
        ),
        "reporting": f"{base}/reporting/",
    }
    for name, address in pages.items():
        page.goto(address)
        if "certificate-" in name and name != "certificate-enable":
            wait_for_preview(page)
        page.screenshot(path=screenshot_path(f"console-{name}-{width}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= width, name
        assert_accessible(page)
    assert errors == []
