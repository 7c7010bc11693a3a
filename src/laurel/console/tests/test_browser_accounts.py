"""The admin's first steps in a real browser: an organisation made on the command line,
the first admin signing in from the printed link, inviting a participant who signs in
from the email, and settings that refuse a bad logo. Every page is checked with axe-core
and photographed at 1440 and 390 pixels wide."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import Page, expect

from laurel.accounts.models import User
from laurel.browser_testing import assert_accessible, console_errors, screenshot_path
from laurel.programs.factories import make_program
from laurel.programs.models import Organisation, Participant
from laurel.testing_images import SVG, png_bomb, png_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long and private passphrase"
WIDTHS = (1440, 390)


def check(page: Page, name: str) -> None:
    """No accessibility violation, at either width; a full-page picture of each."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page)
        page.screenshot(path=screenshot_path(f"console-{name}-{width}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow, f"{name} scrolls sideways at {width} px"
    page.set_viewport_size({"width": 1440, "height": 900})


def problems(errors: list[str]) -> list[str]:
    """What the browser logged, less the answers' own statuses (422 for a form with
    errors, 410 for a used link), which are what they should be."""
    return [e for e in errors if not re.search(r"status of (410|422)\b", e)]


def link_in(text: str) -> str:
    match = re.search(r"(https?://\S+/invitation/\S+/)", text)
    assert match is not None, text
    return match.group(1)


def set_password(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_contain_text("password", ignore_case=True)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Set password", re.IGNORECASE)).click()


def test_create_organisation_then_the_admin_signs_in_from_the_link(browser, site):
    printed = StringIO()
    call_command(
        "create_organisation", "--name", "Northwind Mentoring", "--admin-email",
        "ada@northwind.example", "--admin-name", "Ada Admin", stdout=printed,
    )  # fmt: skip
    organisation = Organisation.objects.get(name="Northwind Mentoring")
    make_program(organisation, name="Engineering mentoring")
    page = browser.new_page()
    errors = console_errors(page)

    page.goto(link_in(printed.getvalue()))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Manage Northwind Mentoring on Laurel"
    )
    check(page, "invitation")
    page.get_by_role("button", name="Accept and sign in").click()

    check(page, "set-password")
    set_password(page)
    page.wait_for_url(f"{site}/manage/")
    expect(page.get_by_role("heading", name="Programs you manage")).to_be_visible()
    expect(page.get_by_text("Engineering mentoring")).to_be_visible()
    check(page, "home")
    assert User.objects.get(email="ada@northwind.example").check_password(PASSWORD)

    # The same link again: a clear page, not a second sign-in.
    page.context.clear_cookies()
    page.goto(link_in(printed.getvalue()))
    expect(page.get_by_role("heading", level=1)).to_have_text("This invitation was already used")
    check(page, "invitation-used")

    # Signing in with the new password from the sign-in page.
    page.goto(f"{site}/accounts/login/?next=/manage/")
    check(page, "sign-in")
    page.get_by_label("Email address").fill("ada@northwind.example")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(f"{site}/manage/")
    assert problems(errors) == []


def signed_in_admin(browser, site) -> tuple[Page, Organisation]:
    printed = StringIO()
    call_command(
        "create_organisation", "--name", "Northwind", "--admin-email", "ada@northwind.example",
        "--admin-name", "Ada Admin", stdout=printed,
    )  # fmt: skip
    organisation = Organisation.objects.get(name="Northwind")
    page = browser.new_page()
    page.goto(link_in(printed.getvalue()))
    page.get_by_role("button", name="Accept and sign in").click()
    set_password(page)
    page.wait_for_url(f"{site}/manage/")
    return page, organisation


def test_an_invited_participant_signs_in_from_the_email(browser, site, run_tasks):
    page, organisation = signed_in_admin(browser, site)
    program = make_program(organisation, name="Engineering mentoring")
    page.goto(f"{site}/manage/")
    page.get_by_role("link", name="Invite people").click()
    expect(page.get_by_role("heading", name="Invite people")).to_be_visible()
    check(page, "invitations-empty")

    # A mistake first: the program is missing; the message sits by the field.
    page.get_by_label("Email address").fill("zoe@example.org")
    page.get_by_label("Name").fill("Zoë Mentee")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator("#id_program_error")).to_contain_text("Choose the program")
    expect(page.get_by_label("Email address")).to_have_value("zoe@example.org")
    check(page, "invitations-error")

    page.get_by_label("Program").select_option(label="Engineering mentoring")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to zoe@example.org.")).to_be_visible()
    expect(page.get_by_text("Mentee in Engineering mentoring")).to_be_visible()
    check(page, "invitations")

    run_tasks()
    [email] = [m for m in mail.outbox if m.to == ["zoe@example.org"]]
    assert "Engineering mentoring" in email.subject

    participant_page = browser.new_page()
    errors = console_errors(participant_page)
    participant_page.goto(link_in(str(email.body)))
    expect(participant_page.get_by_role("heading", level=1)).to_have_text(
        "Join Engineering mentoring"
    )
    participant_page.get_by_role("button", name="Accept and sign in").click()
    set_password(participant_page)
    participant_page.wait_for_url(f"{site}/")
    expect(participant_page.get_by_text("Engineering mentoring").first).to_be_visible()
    zoe = User.objects.get(email="zoe@example.org")
    assert Participant.objects.filter(program=program, user=zoe, role="mentee").exists()
    assert problems(errors) == []


def test_settings_refuse_an_svg_and_a_bomb_logo_next_to_the_field(browser, site, tmp_path):
    page, organisation = signed_in_admin(browser, site)
    program = make_program(organisation, name="Engineering mentoring")
    errors = console_errors(page)
    page.goto(f"{site}/manage/")
    page.get_by_role("link", name="Organisation settings").click()
    expect(page.get_by_role("heading", name="Organisation settings")).to_be_visible()
    check(page, "organisation-settings")

    svg = tmp_path / "logo.png"
    svg.write_bytes(SVG)
    page.get_by_label("Name", exact=True).fill("Northwind Traders")
    page.get_by_label("Logo", exact=True).set_input_files(str(svg))
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#id_logo_error")).to_contain_text("SVG images are not accepted")
    expect(page.get_by_label("Name", exact=True)).to_have_value("Northwind Traders")
    check(page, "organisation-settings-svg")

    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_bomb())
    page.get_by_label("Logo", exact=True).set_input_files(str(bomb))
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#id_logo_error")).to_contain_text("too many pixels")
    assert Organisation.objects.get(pk=organisation.pk).name == "Northwind"

    logo = tmp_path / "logo-real.png"
    logo.write_bytes(png_bytes(128, 128))
    page.get_by_label("Logo", exact=True).set_input_files(str(logo))
    page.get_by_text("Modern").click()
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("The organisation's settings are saved.")).to_be_visible()
    saved = Organisation.objects.get(pk=organisation.pk)
    assert (saved.name, saved.certificate_layout) == ("Northwind Traders", "modern")
    assert saved.logo.name
    check(page, "organisation-settings-saved")

    page.goto(f"{site}/manage/programs/{program.pk}/settings/")
    expect(page.get_by_role("link", name="Settings")).to_have_attribute("aria-current", "page")
    check(page, "program-settings")
    banner = tmp_path / "banner.png"
    banner.write_bytes(png_bytes(1600, 400))
    page.get_by_label("Banner", exact=True).set_input_files(str(banner))
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("The program's settings are saved.")).to_be_visible()
    check(page, "program-settings-saved")
    assert problems(errors) == []


def test_the_account_pages_pass_axe(browser, site):
    page, _organisation = signed_in_admin(browser, site)
    page.goto(f"{site}/accounts/2fa/")
    check(page, "two-factor")
    page.goto(f"{site}/accounts/2fa/totp/activate")
    check(page, "two-factor-activate")
    page.goto(f"{site}/accounts/password/change/")
    check(page, "password-change")
    page.context.clear_cookies()
    page.goto(f"{site}/accounts/password/reset/")
    check(page, "password-reset")
    page.goto(f"{site}/accounts/login/code/")
    check(page, "sign-in-code")
    page.get_by_label("Email").fill("ada@northwind.example")
    page.get_by_role("button", name=re.compile("code", re.IGNORECASE)).click()
    check(page, "sign-in-code-confirm")
