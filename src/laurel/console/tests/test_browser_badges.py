"""Badges in a real browser: an admin enables Connector after seeing exactly who it awards;
a participant sees the badge and their progress on the activity page and its public page
opens signed out. Every badge page passes axe-core and fits a 390 px screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from laurel.badges.factories import (
    make_organisation,
    make_pairing,
    make_participant,
    make_program,
    make_session,
)
from laurel.badges.models import BadgeDefinition, IssuedBadge
from laurel.badges.services import badge_award_revoke, badge_enable
from laurel.browser_testing import assert_accessible, console_errors, log_in, screenshot_path
from laurel.console.tests.helpers import admin_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
WIDTHS = [(1440, 1000), (390, 844)]


def meets(program, person, partners: int, *, sessions_each: int = 1) -> None:
    """``person`` (a mentor) holds sessions with ``partners`` different mentees."""
    for n in range(partners):
        pairing = make_pairing(program, person, make_participant(program, name=f"Mentee {n}"))
        for day in range(sessions_each):
            make_session(pairing, days_ago=40 - day)


def community():
    organisation = make_organisation("Northwind")
    program = make_program(organisation, name="Engineering Mentorship")
    grace = make_participant(program, role="mentor", name="Grace Hopper")
    meets(program, grace, 10)
    alan = make_participant(program, role="mentor", name="Alan Turing")
    meets(program, alan, 11)
    katherine = make_participant(program, role="mentor", name="Katherine Johnson")
    meets(program, katherine, 4, sessions_each=2)
    return organisation, program, grace, katherine


def signed_in(browser: Browser, site: str, user, *, width=1440, height=1000) -> Page:
    user.set_password(PASSWORD)
    user.save()
    page = browser.new_page(viewport={"width": width, "height": height})
    log_in(page, site, email=user.email, password=PASSWORD)
    return page


def test_admin_enables_connector_and_a_participant_sees_it(browser, site):
    organisation, _, grace, katherine = community()
    admin = admin_of(organisation, name="Morgan Admin")
    page = signed_in(browser, site, admin)
    errors = console_errors(page)

    # From the console's home to the organisation's badges.
    page.goto(f"{site}/manage/")
    page.get_by_role("link", name="Badges").click()
    expect(page.get_by_role("heading", name="Badges", level=1)).to_be_visible()
    connector = page.get_by_role("listitem").filter(
        has=page.get_by_role("heading", name="Connector")
    )
    expect(connector).to_contain_text(
        "Sessions with 10 different people, in 1:1 programs, no feedback needed"
    )
    expect(connector).to_contain_text("Disabled")
    assert_accessible(page)

    # By keyboard: the Enable link, then the exact preview of who is awarded.
    page.get_by_role("link", name="Enable badge Connector").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".confirm__warning")).to_contain_text(
        "This awards the badge now to 2 people and emails each of them."
    )
    people = page.get_by_role("list", name="People who will be awarded")
    expect(people.get_by_role("listitem")).to_have_text(["Alan Turing", "Grace Hopper"])
    assert not IssuedBadge.objects.exists()
    assert_accessible(page)
    page.screenshot(path=screenshot_path("badges-enable-connector.png"), full_page=True)
    page.get_by_role("button", name="Enable and award 2 people").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="awarded to 2 people")).to_be_visible()
    assert sorted(
        IssuedBadge.objects.filter(badge__default_key="connector").values_list(
            "recipient_name", flat=True
        )
    ) == ["Alan Turing", "Grace Hopper"]
    expect(connector).to_contain_text("Enabled")
    expect(connector.get_by_role("list")).to_contain_text("Katherine Johnson")
    assert errors == []

    # Grace sees the badge she earned on her activity page, and its public page.
    participant = signed_in(browser, site, grace.user)
    earned = participant.get_by_role("list", name="Badges you earned at Northwind")
    expect(earned.get_by_role("listitem")).to_contain_text("Connector")
    assert_accessible(participant)
    earned.get_by_role("link", name="Public page of your badge Connector").click()
    expect(participant.get_by_role("heading", name="Connector")).to_be_visible()
    public_url = participant.url

    # Signed out, anyone opens it.
    visitor = browser.new_page()
    visitor.goto(public_url)
    expect(visitor.get_by_role("heading", name="Connector")).to_be_visible()
    expect(visitor.get_by_text("Grace Hopper").first).to_be_visible()
    assert_accessible(visitor)

    # Katherine is on her way: four different people of ten.
    other = signed_in(browser, site, katherine.user)
    towards = other.get_by_role("list", name="Badges to earn at Northwind")
    expect(towards).to_contain_text("4 of 10 different people")
    expect(other.get_by_role("progressbar", name="Progress towards Connector")).to_have_attribute(
        "aria-valuenow", "4"
    )
    assert_accessible(other)


@pytest.mark.parametrize(("width", "height"), WIDTHS)
def test_badge_pages_fit_the_screen_and_pass_axe(browser, site, width, height):
    organisation, _, grace, katherine = community()
    for key in ("mentor", "connector"):
        badge_enable(
            badge=BadgeDefinition.objects.get(organisation=organisation, default_key=key),
            by=None,
            confirm=True,
        )
    connector = BadgeDefinition.objects.get(organisation=organisation, default_key="connector")
    revoked = IssuedBadge.objects.get(badge=connector, recipient_name="Alan Turing")
    badge_award_revoke(award=revoked, by=None, reason="Sessions were logged twice.")
    valid = IssuedBadge.objects.get(badge=connector, recipient_name="Grace Hopper")
    mentee = BadgeDefinition.objects.get(organisation=organisation, default_key="mentee")
    admin = admin_of(organisation, name="Morgan Admin")
    page = signed_in(browser, site, admin, width=width, height=height)
    errors = console_errors(page)
    pages = {
        "list": f"{site}/manage/organisations/{organisation.pk}/badges/",
        "new": f"{site}/manage/organisations/{organisation.pk}/badges/new/",
        "edit": f"{site}/manage/badges/{connector.pk}/",
        "enable": f"{site}/manage/badges/{mentee.pk}/enable/",
        "holders": f"{site}/manage/badges/{connector.pk}/holders/",
        "award-valid": f"{site}/manage/badge-awards/{valid.pk}/",
        "award-revoked": f"{site}/manage/badge-awards/{revoked.pk}/",
    }
    for name, address in pages.items():
        page.goto(address)
        page.screenshot(path=screenshot_path(f"badges-{name}-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
        assert_accessible(page)
    assert errors == []

    # The editor's errors sit beside their fields, and the role hides for different people.
    page.goto(pages["edit"])
    page.get_by_label("Needed to earn it").fill("0")
    page.get_by_label("Name", exact=True).fill("")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#id_threshold_error")).to_be_visible()
    expect(page.locator("#id_name_error")).to_be_visible()
    expect(page.get_by_text("As mentor")).to_be_hidden()
    page.get_by_label("Sessions held in one role").check()
    expect(page.get_by_text("As mentor")).to_be_visible()
    page.screenshot(path=screenshot_path(f"badges-edit-errors-{width}.png"), full_page=True)
    assert_accessible(page)

    for person, name in ((grace, "grace"), (katherine, "katherine")):
        own = signed_in(browser, site, person.user, width=width, height=height)
        own.get_by_role("heading", name="Your badges").scroll_into_view_if_needed()
        own.screenshot(path=screenshot_path(f"badges-activity-{name}-{width}.png"), full_page=True)
        assert own.evaluate("document.documentElement.scrollWidth") <= width
        assert_accessible(own)
