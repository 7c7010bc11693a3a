"""Links in emails, followed in a real browser against a live server: the unsubscribe link
signed out, a reminder's link to a session's feedback, and the pages around them."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from laurel.accounts.models import User
from laurel.browser_testing import assert_accessible, console_errors, log_in, screenshot_path
from laurel.certificates.factories import (
    give_feedback,
    make_certificate,
    make_organisation,
    make_pairing,
    make_participant,
    make_program,
    make_session,
)
from laurel.notifications.models import EmailOptOut
from laurel.notifications.services import reminders_due_send

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
SIZES = [(1440, 1000), (390, 844)]


def link_in(body: str, label: str) -> str:
    """The address after ``label`` in an email's text part."""
    match = re.search(re.escape(label) + r"\s+(\S+)", body)
    assert match, f"no {label!r} in the email"
    return match.group(1)


def a_pair_with_sessions_waiting():
    program = make_program(
        make_organisation("Analytical Engines Ltd"), name="Engineering Mentoring"
    )
    mentor = make_participant(program, role="mentor", name="Charles Babbage")
    mentee = make_participant(program, name="Ada Lovelace", email="ada@example.org")
    mentee.user.set_password(PASSWORD)
    mentee.user.save()
    make_certificate(program, threshold=3, enabled=True)
    pairing = make_pairing(program, mentor, mentee)
    give_feedback(make_session(pairing, days_ago=12), mentor)
    make_session(pairing, days_ago=5)
    make_session(pairing, days_ago=2)
    return program, mentor, mentee


def looked_at(page: Page, name: str) -> None:
    """Screenshots at a desktop's and a phone's width; nothing wider than the screen."""
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=screenshot_path(f"{name}-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width


def reminder_to(address: str, run_tasks) -> str:
    from django.utils import timezone

    reminders_due_send(timezone.now())
    run_tasks()
    [email] = [m for m in mail.outbox if m.to == [address]]
    return str(email.body)


def test_the_unsubscribe_link_works_signed_out(browser: Browser, site, run_tasks):
    _, _, mentee = a_pair_with_sessions_waiting()
    body = reminder_to("ada@example.org", run_tasks)
    unsubscribe = link_in(body, "Stop feedback reminders:")
    assert unsubscribe.startswith(f"{site}/email/unsubscribe/")
    page = browser.new_page()
    errors = console_errors(page)

    page.goto(unsubscribe)

    expect(page.get_by_role("heading", level=1)).to_have_text("Stop feedback reminders?")
    assert_accessible(page)
    looked_at(page, "unsubscribe")
    assert not EmailOptOut.objects.exists(), "opening the link changes nothing"
    page.set_viewport_size({"width": 1440, "height": 1000})
    page.get_by_role("button", name="Unsubscribe").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("You are unsubscribed")
    assert_accessible(page)
    looked_at(page, "unsubscribed")
    assert list(EmailOptOut.objects.values_list("user_id", "kind")) == [
        (mentee.user_id, "reminder")
    ]
    assert errors == []


def test_a_reminders_link_opens_the_sessions_feedback_after_signing_in(
    browser: Browser, site, run_tasks
):
    _, _, mentee = a_pair_with_sessions_waiting()
    body = reminder_to("ada@example.org", run_tasks)
    feedback_links = re.findall(r"Give feedback:\s+(\S+)", body)
    assert len(feedback_links) == 2
    page = browser.new_page()
    errors = console_errors(page)

    page.goto(feedback_links[0])
    # Signed out, the link asks for a sign-in first and then opens where it points.
    expect(page.get_by_label("Email address")).to_be_visible()
    page.get_by_label("Email address").fill(mentee.user.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()

    page.wait_for_url(feedback_links[0])
    expect(page.get_by_text("Engineering Mentoring").first).to_be_visible()
    assert_accessible(page)
    assert errors == []


def test_email_settings_by_keyboard(browser: Browser, site):
    person = User.objects.create_user("grace@example.org", "Grace Hopper", PASSWORD)
    page = browser.new_page()
    errors = console_errors(page)
    log_in(page, site, email=person.email, password=PASSWORD)

    page.goto(site + reverse("participation:settings"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Email settings")
    assert_accessible(page)
    looked_at(page, "email-settings")
    page.set_viewport_size({"width": 1440, "height": 1000})
    reminders = page.get_by_label("When my completed sessions are waiting for feedback")
    reminders.focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_have_text("Your email settings are saved.")
    expect(reminders).not_to_be_checked()
    assert list(EmailOptOut.objects.values_list("kind", flat=True)) == ["reminder"]
    assert errors == []


def test_an_admin_reads_a_participants_emails(browser: Browser, site, run_tasks):
    program, _, mentee = a_pair_with_sessions_waiting()
    admin = User.objects.create_user("admin@example.org", "Admin", PASSWORD)
    program.organisation.admins.add(admin)
    reminder_to("ada@example.org", run_tasks)
    page = browser.new_page()
    errors = console_errors(page)
    log_in(page, site, email=admin.email, password=PASSWORD)

    page.goto(
        site
        + reverse(
            "console:participant_emails",
            kwargs={"program_id": program.pk, "participant_id": mentee.pk},
        )
    )

    expect(page.get_by_role("heading", level=1)).to_have_text("Emails to Ada Lovelace")
    expect(page.get_by_role("cell", name="Feedback reminder (2 sessions)")).to_be_visible()
    assert_accessible(page)
    looked_at(page, "participant-emails")
    page.set_viewport_size({"width": 1440, "height": 1000})
    page.get_by_role("button", name="Send a feedback reminder").click()
    expect(page.get_by_role("status")).to_contain_text("No reminder sent")
    assert_accessible(page)
    assert errors == []


def test_the_emails_read_well_in_a_mail_reader_as_wide_as_a_phone(
    browser: Browser, site, run_tasks
):
    from django.core.files.base import ContentFile

    from laurel.notifications.tests.test_emails_over_smtp import png

    program, _, _ = a_pair_with_sessions_waiting()
    program.organisation.logo.save("logo.png", ContentFile(png("#2F4B8F")))
    program.organisation.accent_colour = "#2F4B8F"
    program.organisation.save()
    reminder_to("ada@example.org", run_tasks)
    make_certificate(program, threshold=1, enabled=True, name="First Session")
    run_tasks()
    page = browser.new_page()
    for email in mail.outbox:
        if email.to != ["ada@example.org"]:
            continue
        [(html, _)] = email.alternatives  # type: ignore[union-attr]
        name = "award-email" if "earned" in email.subject else "reminder-email"
        page.set_content(str(html), wait_until="load")
        for width, height in [(640, 900), (390, 844)]:
            page.set_viewport_size({"width": width, "height": height})
            page.screenshot(path=screenshot_path(f"{name}-{width}.png"), full_page=True)
            assert page.evaluate("document.documentElement.scrollWidth") <= width
        images = page.evaluate("[...document.images].map(i => i.naturalWidth)")
        assert all(images), "every image loads from its public address"
