"""A participant logs a session, completes it and gives the feedback that earns a
certificate, in a real browser against a live server."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

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
from laurel.programs.models import Feedback, Session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
PARIS = ZoneInfo("Europe/Paris")


def participant_one_session_short():
    """A mentee one counting session short of a two-session certificate."""
    program = make_program(name="Engineering Mentoring 2026")
    make_certificate(program, threshold=2, enabled=True, name="Mentorship Certificate")
    mentor = make_participant(program, role="mentor", name="Grace Hopper")
    mentee = make_participant(program, name="Alan Turing")
    pairing = make_pairing(program, mentor, mentee)
    give_feedback(make_session(pairing, days_ago=14), mentor)
    mentee.user.set_password(PASSWORD)
    mentee.user.save()
    return program, mentor, mentee, pairing


def signed_in(browser: Browser, site: str, email: str, **context: object) -> Page:
    page = browser.new_context(timezone_id="Europe/Paris", **context).new_page()  # type: ignore[arg-type]
    log_in(page, site, email=email, password=PASSWORD)
    return page


def test_participant_logs_a_session_and_earns_a_certificate(browser, site):
    _, _, mentee, pairing = participant_one_session_short()
    page = signed_in(browser, site, mentee.user.email)
    errors = console_errors(page)

    # The activity page: one of two sessions, and the way to the sessions page.
    expect(page.get_by_text("1 of 2 sessions")).to_be_visible()
    page.get_by_role("link", name="Your sessions in Engineering Mentoring 2026").click()
    expect(page.get_by_role("heading", name="Your sessions")).to_be_visible()
    assert_accessible(page)

    # Log a session that took place two hours ago; the browser's zone is offered.
    page.get_by_role("link", name="Schedule a session with Grace Hopper").click()
    expect(page.get_by_label("Time zone")).to_have_value("Europe/Paris")
    assert_accessible(page)
    started = (datetime.now(PARIS) - timedelta(hours=2)).replace(second=0, microsecond=0)
    page.get_by_label("Date and time").fill(started.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Duration in minutes").fill("45")
    page.get_by_role("button", name="Schedule", exact=True).click()

    expect(page.get_by_role("status")).to_contain_text(
        f"Session scheduled for {started:%a} {started.day} {started:%b %Y, %H:%M}."
    )
    session = Session.objects.get(pairing=pairing, status="scheduled")
    assert session.starts_at == started
    assert session.duration_minutes == 45
    assert_accessible(page)

    # Its time has come: mark it completed.
    page.get_by_role("button", name="Mark completed").click()
    expect(page.get_by_role("status")).to_contain_text("Give your feedback so that it counts.")
    assert Session.objects.get(pk=session.pk).status == "completed"

    # Give the feedback that completes the threshold.
    page.locator(f"#session-{session.pk}").get_by_role("link", name="Give feedback").click()
    expect(page.get_by_role("heading", name="Feedback on your session")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Send feedback").click()
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(page.locator("#id_rating_error")).to_have_text("Choose a rating from 1 to 4.")
    page.get_by_label("4 — Very useful").check()
    page.get_by_label("Comment (optional)").fill("We planned my first conference talk.")
    page.get_by_role("button", name="Send feedback").click()

    # Back on the sessions page, the message names the certificate and links to it.
    award = IssuedCertificate.objects.get(user=mentee.user)
    message = page.get_by_role("status")
    expect(message).to_contain_text("you earned Mentorship Certificate")
    expect(message.get_by_role("link", name="Mentorship Certificate")).to_have_attribute(
        "href", f"/c/{award.public_id}"
    )
    assert Feedback.objects.get(session=session).rating == 4
    assert_accessible(page)

    # The activity page shows the certificate as earned.
    page.get_by_role("link", name="Your activity").click()
    expect(page.get_by_role("heading", name="Earned certificates")).to_be_visible()
    expect(page.locator(".certificate__name")).to_have_text(["Mentorship Certificate"])
    assert_accessible(page)
    assert errors == []


def test_feedback_is_given_by_keyboard_from_the_activity_page(browser, site):
    _, _, mentee, pairing = participant_one_session_short()
    waiting = make_session(pairing, days_ago=2)
    page = signed_in(browser, site, mentee.user.email)

    link = page.get_by_role("link", name="Give feedback on")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/me/sessions/{waiting.pk}/feedback/")
    page.get_by_label("1 — Not useful").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Tab")
    page.keyboard.type("Good session.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_contain_text("you earned Mentorship Certificate")
    feedback = Feedback.objects.get(session=waiting)
    assert (feedback.rating, feedback.comment) == (3, "Good session.")


def test_pages_work_without_javascript(browser, site):
    _, _, mentee, pairing = participant_one_session_short()
    session = make_session(pairing, status="scheduled", days_ago=-1)
    page = signed_in(browser, site, mentee.user.email, java_script_enabled=False)
    page.goto(f"{site}/me/pairings/{pairing.pk}/schedule/")
    expect(page.get_by_label("Time zone")).to_have_value("UTC")
    page.goto(f"{site}/me/programs/{pairing.program_id}/sessions/")
    page.get_by_role("button", name="Cancel session").click()
    expect(page.get_by_role("status")).to_contain_text("is cancelled.")
    assert Session.objects.get(pk=session.pk).status == "cancelled"


def varied_record():
    """A participant with sessions in every state, and long names."""
    program, _, mentee, pairing = participant_one_session_short()
    make_session(pairing, status="scheduled", days_ago=-3)
    make_session(pairing, status="scheduled", days_ago=-10, duration_minutes=90)
    make_session(pairing, days_ago=2)
    make_session(pairing, days_ago=5)
    give_feedback(make_session(pairing, days_ago=7), mentee, rating=3)
    make_session(pairing, status="cancelled", days_ago=-1)
    make_session(pairing, status="scheduled", days_ago=0.1, duration_minutes=30)
    second = make_pairing(
        program,
        make_participant(program, role="mentor", name="Maria Fernanda Ximena Castillo-Ramírez"),
        mentee,
    )
    make_session(second, days_ago=1)
    return program, mentee, pairing


@pytest.mark.parametrize(("width", "height"), [(1440, 1000), (390, 844)])
def test_participant_pages_fit_the_screen(browser, site, width, height):
    program, mentee, pairing = varied_record()
    waiting = Session.objects.filter(
        pairing=pairing, first_feedback_at=None, status="completed"
    ).earliest("starts_at")
    page = signed_in(browser, site, mentee.user.email, viewport={"width": width, "height": height})
    errors = console_errors(page)
    pages = {
        "activity": f"{site}/",
        "sessions": f"{site}/me/programs/{program.pk}/sessions/",
        "history": f"{site}/me/pairings/{pairing.pk}/sessions/",
        "schedule": f"{site}/me/pairings/{pairing.pk}/schedule/",
        "feedback": f"{site}/me/sessions/{waiting.pk}/feedback/",
    }
    for name, url in pages.items():
        page.goto(url)
        if name == "schedule":
            page.get_by_label("Date and time").fill("2099-03-01T10:00")
            page.get_by_label("Duration in minutes").fill("0")
            page.get_by_role("button", name="Schedule", exact=True).click()
            expect(page.locator("#id_duration_minutes_error")).to_be_visible()
        page.screenshot(path=screenshot_path(f"participant-{name}-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
        assert_accessible(page)
    assert errors == []
