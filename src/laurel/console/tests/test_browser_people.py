"""An admin sets up a program's people and pairings in a real browser: adds a participant,
uploads a cohort (a file with a bad row first, then the corrected one), pairs two people
and opens the pairing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from laurel.accounts.models import User
from laurel.browser_testing import assert_accessible, console_errors, log_in, screenshot_path
from laurel.certificates.factories import make_organisation, make_program
from laurel.programs.factories import give_feedback, make_participant, make_session
from laurel.programs.models import Pairing, Participant, Program

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
WIDTHS = ((1440, 900), (390, 844))

BAD_COHORT = (
    "name,email,role\n"
    "Grace Hopper,grace@example.org,mentor\n"
    "Alan Turing,alan@example.org,coach\n"
    "Joan Clarke,joan@example.org,mentee\n"
)
GOOD_COHORT = BAD_COHORT.replace("coach", "mentor")


def signed_in_admin(
    browser: Browser, site: str, *, javascript: bool = True
) -> tuple[Page, Program]:
    program = make_program(make_organisation("Northwind Mentoring"), name="Engineering 2026")
    admin = User.objects.create_user(
        email="admin@northwind.example", name="Avery Admin", password=PASSWORD
    )
    program.organisation.admins.add(admin)
    page = browser.new_page(viewport={"width": 1440, "height": 900}, java_script_enabled=javascript)
    log_in(page, site, email=admin.email, password=PASSWORD)
    return page, program


def screenshots(page: Page, name: str) -> None:
    """The page as it is now at each width, checked for sideways scrolling and by axe."""
    for width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=screenshot_path(f"console-{name}-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
        assert_accessible(page)
    page.set_viewport_size({"width": 1440, "height": 900})


def upload(page: Page, tmp_path: Path, name: str, content: str, *, holds: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    page.get_by_label(holds).check()
    page.get_by_label("CSV file").set_input_files(str(path))
    page.get_by_role("button", name="Check and import").click()


def test_an_admin_adds_people_uploads_a_cohort_and_pairs_two(browser, site, tmp_path):
    page, program = signed_in_admin(browser, site)
    errors = console_errors(page)

    # People: empty at first.
    page.goto(f"{site}/manage/programs/{program.pk}/people/")
    expect(page.get_by_role("heading", level=1)).to_have_text("People")
    expect(page.get_by_text("Nobody has joined this program yet.")).to_be_visible()
    screenshots(page, "people-empty")

    # A mistyped address is explained next to the field, and what was typed stays.
    page.get_by_label("Name", exact=True).fill("Ada Lovelace")
    page.get_by_label("Email address", exact=True).fill("ada at example.org")
    page.get_by_label("Mentee").check()
    page.get_by_role("button", name="Add participant").click()
    email = page.get_by_label("Email address", exact=True)
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_email_error")).to_have_text(
        "'ada at example.org' is not an email address."
    )
    expect(page.get_by_label("Name", exact=True)).to_have_value("Ada Lovelace")
    expect(page.get_by_label("Mentee")).to_be_checked()
    screenshots(page, "people-error")

    email.fill("ada@example.org")
    page.get_by_role("button", name="Add participant").click()
    expect(page.get_by_role("status")).to_have_text(
        "Ada Lovelace is now in the program as a mentee."
    )
    expect(page.get_by_role("row", name="Ada Lovelace")).to_contain_text("ada@example.org")

    # A cohort file with one bad row: its line and column are shown, nothing is written.
    page.get_by_role("link", name="Import from CSV").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import from CSV")
    upload(page, tmp_path, "cohort.csv", BAD_COHORT, holds="People: a cohort to add")
    problems = page.get_by_role("region", name="1 problem in the file: nothing was imported")
    expect(problems.get_by_role("row", name="3")).to_contain_text(
        "Unknown role 'coach'; use mentor or mentee."
    )
    assert Participant.objects.filter(program=program).count() == 1
    screenshots(page, "import-refused")

    # The corrected file is imported, and the summary says what it added.
    upload(page, tmp_path, "cohort.csv", GOOD_COHORT, holds="People: a cohort to add")
    result = page.get_by_role("status")
    expect(result.get_by_role("heading")).to_have_text("Imported 3 rows")
    expect(result.locator("dt, dd")).to_have_text(
        ["Added to the program", "3", "New people", "3", "Already in the program", "0"]
    )
    assert Participant.objects.filter(program=program).count() == 4
    screenshots(page, "import-done")

    page.get_by_role("link", name="See the people").click()
    expect(page.get_by_text("4 people")).to_be_visible()
    screenshots(page, "people")

    # Pair Grace with Joan: search each list, choose, create.
    page.get_by_role("link", name="Pairings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pairings")
    page.get_by_label("Search mentors").fill("grace")
    page.get_by_role("button", name="Find").first.click()
    page.get_by_label("Choose a mentor").select_option(label="Grace Hopper · grace@example.org")
    page.get_by_label("Search mentees").fill("joan")
    page.get_by_role("button", name="Find").last.click()
    expect(page.get_by_label("Choose a mentor")).to_have_value(
        str(Participant.objects.get(user__email="grace@example.org", role="mentor").pk)
    )
    page.get_by_label("Choose a mentee").select_option(label="Joan Clarke · joan@example.org")
    screenshots(page, "pairings-choosing")
    page.get_by_role("button", name="Create pairing").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Grace Hopper & Joan Clarke")
    expect(page.get_by_role("status")).to_have_text("Grace Hopper and Joan Clarke are now paired.")
    pairing = Pairing.objects.get(program=program)

    # Its sessions and feedback, as members record them.
    grace = Participant.objects.get(user__email="grace@example.org", role="mentor")
    joan = Participant.objects.get(user__email="joan@example.org")
    first = make_session(pairing, starts_at=timezone.now() - timedelta(days=14, hours=2))
    give_feedback(first, joan, rating=4, comment="Grace walked me through my first code review.")
    give_feedback(first, grace, rating=3)
    make_session(pairing, starts_at=timezone.now() - timedelta(days=3, hours=1))
    make_session(pairing, status="scheduled", starts_at=timezone.now() + timedelta(days=4))
    page.reload()
    expect(page.get_by_text("Rated 4 of 4")).to_be_visible()
    expect(page.get_by_text("Completed, waiting for feedback")).to_be_visible()
    screenshots(page, "pairing")

    page.get_by_role("link", name="Pairings", exact=True).first.click()
    expect(page.get_by_role("link", name="Grace Hopper & Joan Clarke")).to_be_visible()
    screenshots(page, "pairings")
    assert errors == []


def test_pairing_works_from_the_keyboard_without_javascript(browser, site):
    page, program = signed_in_admin(browser, site, javascript=False)

    make_participant(program, name="Grace Hopper", role="mentor", email="grace@example.org")
    make_participant(program, name="Ada Lovelace", role="mentee", email="ada@example.org")
    page.goto(f"{site}/manage/programs/{program.pk}/pairings/")

    page.get_by_label("Choose a mentor").focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")  # to the mentee search
    page.keyboard.press("Tab")  # its Find button
    page.keyboard.press("Tab")  # the mentee list
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")  # the Create pairing button
    expect(page.get_by_role("button", name="Create pairing")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Grace Hopper & Ada Lovelace")
    assert Pairing.objects.filter(program=program).count() == 1
