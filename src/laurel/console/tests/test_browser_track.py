"""An admin awards, revokes, reinstates and corrects certificates from Track Progress, in a
real browser against a live server."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from laurel.accounts.models import User
from laurel.browser_testing import assert_accessible, console_errors, log_in, screenshot_path
from laurel.certificates.factories import (
    give_feedback,
    make_certificate,
    make_pairing,
    make_participant,
    make_program,
    make_session,
)
from laurel.certificates.models import IssuedCertificate
from laurel.outbox.models import Message

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


def shoot(page: Page, name: str) -> None:
    """The page at a desktop's and a phone's width, for people to look at."""
    for width, height in ((1440, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=screenshot_path(f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1440, "height": 900})


def test_award_two_then_revoke_reinstate_and_correct(browser, site):
    program = make_program(name="Engineering Mentoring 2026")
    grace = make_participant(program, role="mentor", name="Grace Hopper")
    ada = make_participant(program, name="Ada Lovelce", email="ada@example.org")
    make_participant(program, name="Alan Turing")
    give_feedback(make_session(make_pairing(program, grace, ada), days_ago=4), ada)
    make_participant(program, role="mentor", name="Katherine Johnson")
    make_certificate(program, threshold=3, enabled=True, name="Three sessions")
    definition = make_certificate(
        program,
        threshold=None,
        enabled=True,
        name="Star mentee",
        text="Presented to {recipient_name} for outstanding work as a mentee in {program_name}.",
    )
    admin = User.objects.create_user("admin@example.org", "Margaret Hamilton", PASSWORD)
    program.organisation.admins.add(admin)

    page = browser.new_page(viewport={"width": 1440, "height": 900})
    errors = console_errors(page)
    log_in(page, site, email="admin@example.org", password=PASSWORD)
    page.goto(f"{site}/manage/programs/{program.pk}/track/")
    expect(page.get_by_role("heading", name="Track Progress", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Track Progress")).to_have_attribute(
        "aria-current", "page"
    )
    assert_accessible(page)
    shoot(page, "track")

    # By keyboard: search, then the filter applies on Enter.
    page.get_by_label("Search").focus()
    page.keyboard.type("turing")
    page.keyboard.press("Enter")
    expect(page.get_by_role("row")).to_have_count(2)
    page.get_by_role("link", name="Clear").click()
    expect(page.get_by_role("row")).to_have_count(5)

    # Tick Ada and Alan and award the manual certificate.
    page.get_by_label("Ada Lovelce").check()
    page.get_by_label("Alan Turing").check()
    expect(page.locator("[data-ticked-count]")).to_have_text("(2)")
    page.get_by_label("Award certificate").select_option(label="Star mentee")
    page.get_by_role("button", name="Award certificate…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Award “Star mentee” to 2 people?")
    expect(page.get_by_text("Alan Turing")).to_be_visible()
    assert not IssuedCertificate.objects.filter(definition=definition).exists()
    assert_accessible(page)
    shoot(page, "track-confirm")
    page.get_by_role("button", name="Award to 2 people").click()
    expect(page.get_by_role("status")).to_contain_text(
        "“Star mentee” was awarded to 2 people; they are being emailed."
    )
    holders = IssuedCertificate.objects.filter(definition=definition)
    assert set(holders.values_list("user__name", flat=True)) == {"Ada Lovelce", "Alan Turing"}
    assert Message.objects.count() == 2  # one award email each

    # Open Ada's certificate and revoke it with a public reason.
    ada_award = holders.get(user=ada.user)
    page.locator(f'a[href="/manage/awards/{ada_award.pk}/"]').click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ada Lovelce")
    assert_accessible(page)
    shoot(page, "award")
    page.get_by_role("button", name="Revoke certificate").click()
    expect(page.locator("#revoke-reason-error")).to_have_text(
        "Give a reason; it is kept in the audit log."
    )
    assert_accessible(page)
    page.get_by_label("Why is it revoked?").fill("Awarded to the wrong cohort")
    page.get_by_label("Show the reason on the public page").check()
    page.get_by_role("button", name="Revoke certificate").click()
    expect(page.get_by_role("status")).to_have_text("The certificate was revoked.")
    assert_accessible(page)
    shoot(page, "award-revoked")

    visitor = browser.new_page()
    visitor.goto(f"{site}/c/{ada_award.public_id}")
    expect(
        visitor.get_by_text("Reason given by the issuer: Awarded to the wrong cohort")
    ).to_be_visible()

    # Reinstate it.
    page.get_by_label("Why is it reinstated?").fill("It was the right cohort after all")
    page.get_by_role("button", name="Reinstate certificate").click()
    expect(page.get_by_role("status")).to_contain_text("reinstated")
    visitor.reload()
    expect(visitor.get_by_text("Valid certificate")).to_be_visible()

    # Correct the misspelt name: a new version under the same link.
    page.get_by_label("Recipient name").fill("Ada Lovelace")
    page.get_by_label("Why is it corrected?").fill("The name was misspelt")
    page.get_by_role("button", name="Issue corrected version").click()
    expect(page.get_by_role("status")).to_have_text("Version 2 was issued under the same link.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ada Lovelace")
    expect(page.get_by_text("Name: “Ada Lovelce” → “Ada Lovelace”")).to_be_visible()
    assert_accessible(page)
    shoot(page, "award-corrected")
    visitor.reload()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Star mentee")
    expect(visitor.get_by_text("Awarded to Ada Lovelace", exact=True)).to_be_visible()
    # The one error the browser logs is the form sent without a reason (422).
    assert len(errors) == 1
    assert "422" in errors[0]


def test_award_everyone_who_matches_a_filter(browser, site):
    program = make_program(name="Leaders")
    for i in range(3):
        make_participant(program, role="mentor", name=f"Mentor {i}")
    make_participant(program, name="A Mentee")
    definition = make_certificate(program, threshold=None, enabled=True, name="Mentor award")
    admin = User.objects.create_user("admin@example.org", "Margaret Hamilton", PASSWORD)
    program.organisation.admins.add(admin)

    page = browser.new_page()
    log_in(page, site, email="admin@example.org", password=PASSWORD)
    page.goto(f"{site}/manage/programs/{program.pk}/track/?role=mentor")
    page.get_by_label("Award certificate").select_option(label="Mentor award")
    page.get_by_label("All 3 people who match the filter").check()
    page.get_by_role("button", name="Award certificate…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Award “Mentor award” to 3 people?")
    page.get_by_role("button", name="Award to 3 people").click()
    expect(page.get_by_role("status")).to_contain_text("awarded to 3 people")
    assert_accessible(page)
    assert IssuedCertificate.objects.filter(definition=definition).count() == 3
