"""The program admin's whole story, in order, in a real browser, as the help article tells
it: an organisation made on the command line, the first admin signing in from the printed
link, a participant invited by email, a cohort uploaded (a bad row first), pairings and
sessions with feedback, a certificate created, confirmed and enabled, its text edited
while earned certificates stay as they were, its threshold lowered, a manual certificate
awarded from Track Progress, one revoked and reinstated, and a misspelt name corrected.
Every page on the way is checked with axe-core."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from laurel.browser_testing import assert_accessible, console_errors, screenshot_path
from laurel.certificates.models import IssuedCertificate
from laurel.programs.models import Organisation, Participant, Program, Session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long and private passphrase"

BAD_COHORT = (
    "name,email,role\n"
    "Grace Hopper,grace@example.org,mentor\n"
    "Alan Turing,alan@example.org,coach\n"
    "Joan Clark,joan@example.org,mentee\n"
)
GOOD_COHORT = BAD_COHORT.replace("coach", "mentor")


def record_file() -> str:
    """Alan and Joan met twice; Joan gave feedback on both sessions."""
    now = timezone.now().replace(microsecond=0)
    rows = [
        f"p1,alan@example.org,Alan Turing,joan@example.org,Joan Clark,s{n},"
        f"{(now - timedelta(days=days)).isoformat()},60,completed,4"
        for n, days in ((1, 20), (2, 6))
    ]
    header = (
        "pairing,mentor_email,mentor_name,mentee_email,mentee_name,session,starts_at,"
        "duration_minutes,status,mentee_rating\n"
    )
    return header + "\n".join(rows) + "\n"


def screenshots(page: Page, name: str) -> None:
    """The page at a desktop's and a phone's width, checked by axe and for sideways
    scrolling, for people to look at."""
    for width, height in ((1440, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=screenshot_path(f"console-{name}-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
        assert_accessible(page)
    page.set_viewport_size({"width": 1440, "height": 900})


def link_in(text: str) -> str:
    match = re.search(r"(https?://\S+/invitation/\S+/)", text)
    assert match is not None, text
    return match.group(1)


def accept_and_set_password(page: Page, link: str) -> None:
    page.goto(link)
    assert_accessible(page)
    page.get_by_role("button", name="Accept and sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("password", ignore_case=True)
    assert_accessible(page)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Set password", re.IGNORECASE)).click()


def upload(page: Page, folder: Path, content: str, *, holds: str) -> None:
    path = folder / "upload.csv"
    path.write_text(content, encoding="utf-8")
    page.get_by_label(holds).check()
    page.get_by_label("CSV file").set_input_files(str(path))
    page.get_by_role("button", name="Check and import").click()


def preview_src(page: Page) -> str:
    page.wait_for_function(
        "() => { const i = document.querySelector('[data-preview-image]');"
        " return i.complete && i.naturalWidth > 0 && !i.hasAttribute('aria-busy'); }"
    )
    return str(page.get_attribute("[data-preview-image]", "src"))


def preview_png(page: Page) -> bytes:
    response = page.request.get(
        str(page.evaluate("document.querySelector('[data-preview-image]').src"))
    )
    assert response.status == 200
    return response.body()


def expected_problems(errors: list[str]) -> list[str]:
    """What the browser logged, less the statuses a refused form is answered with."""
    return [e for e in errors if not re.search(r"status of (400|422)\b", e)]


def test_the_admins_story_from_the_command_line_to_a_corrected_certificate(
    browser: Browser, site: str, run_tasks, tmp_path: Path
) -> None:
    # 1. The organisation, made on the command line; it prints the first admin's link.
    printed = StringIO()
    call_command(
        "create_organisation", "--name", "Northwind Mentoring", "--admin-email",
        "ada@northwind.example", "--admin-name", "Ada Admin", stdout=printed,
    )  # fmt: skip
    organisation = Organisation.objects.get(name="Northwind Mentoring")

    # 2. The admin signs in from the link, chooses a password and creates the program.
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    errors = console_errors(page)
    accept_and_set_password(page, link_in(printed.getvalue()))
    page.wait_for_url(f"{site}/manage/")
    expect(page.get_by_role("heading", name="Programs you manage")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="New program").click()
    page.get_by_role("button", name="Create program").click()
    expect(page.locator("#id_name_error")).to_be_visible()
    page.get_by_label("Name", exact=True).fill("Engineering 2026")
    screenshots(page, "program-new")
    page.get_by_role("button", name="Create program").click()
    expect(page.get_by_role("status")).to_contain_text("“Engineering 2026” is created.")
    program = Program.objects.get(organisation=organisation)
    assert program.kind == "one_on_one"
    page.goto(f"{site}/manage/")

    # 3. Invite a participant, who signs in from the email.
    page.get_by_role("link", name="Invite people").click()
    page.get_by_label("Email address").fill("zoe@example.org")
    page.get_by_label("Name").fill("Zoë Ahmed")
    page.get_by_label("Program").select_option(label="Engineering 2026")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to zoe@example.org.")).to_be_visible()
    assert_accessible(page)
    run_tasks()
    [invitation] = [m for m in mail.outbox if m.to == ["zoe@example.org"]]
    assert "Engineering 2026" in invitation.subject
    zoe_page = browser.new_page(viewport={"width": 1440, "height": 900})
    zoe_errors = console_errors(zoe_page)
    accept_and_set_password(zoe_page, link_in(str(invitation.body)))
    zoe_page.wait_for_url(f"{site}/")
    expect(zoe_page.get_by_text("Engineering 2026").first).to_be_visible()
    assert_accessible(zoe_page)

    # 4. The cohort: one bad row is refused with its line and nothing is written.
    page.goto(f"{site}/manage/")
    page.get_by_role("link", name="People", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("People")
    assert_accessible(page)
    page.get_by_role("link", name="Import from CSV").click()
    assert_accessible(page)
    upload(page, tmp_path, BAD_COHORT, holds="People: a cohort to add")
    refused = page.get_by_role("region", name="1 problem in the file: nothing was imported")
    expect(refused.get_by_role("row", name="3")).to_contain_text(
        "Unknown role 'coach'; use mentor or mentee."
    )
    assert Participant.objects.filter(program=program).count() == 1  # Zoë only
    assert_accessible(page)
    upload(page, tmp_path, GOOD_COHORT, holds="People: a cohort to add")
    expect(page.get_by_role("status").get_by_role("heading")).to_have_text("Imported 3 rows")
    assert_accessible(page)
    page.get_by_role("link", name="See the people").click()
    expect(page.get_by_text("4 people")).to_be_visible()

    # 5. Pair Grace with Zoë; Zoë logs the session they held and gives her feedback.
    page.get_by_role("link", name="Pairings").click()
    page.get_by_label("Choose a mentor").select_option(label="Grace Hopper · grace@example.org")
    page.get_by_label("Choose a mentee").select_option(label="Zoë Ahmed · zoe@example.org")
    assert_accessible(page)
    page.get_by_role("button", name="Create pairing").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Grace Hopper & Zoë Ahmed")
    assert_accessible(page)

    zoe_page.get_by_role("link", name="Your sessions in Engineering 2026").click()
    assert_accessible(zoe_page)
    zoe_page.get_by_role("link", name="Schedule a session with Grace Hopper").click()
    assert_accessible(zoe_page)
    zoe_page.get_by_label("Time zone").select_option("UTC")
    held = (timezone.now() - timedelta(days=2)).replace(second=0, microsecond=0)
    zoe_page.get_by_label("Date and time").fill(held.strftime("%Y-%m-%dT%H:%M"))
    zoe_page.get_by_label("Duration in minutes").fill("45")
    zoe_page.get_by_role("button", name="Schedule", exact=True).click()
    expect(zoe_page.get_by_role("status")).to_be_visible()
    logged = Session.objects.get(pairing__program=program)
    zoe_page.locator(f"#session-{logged.pk}").get_by_role("link", name="Give feedback").click()
    assert_accessible(zoe_page)
    zoe_page.get_by_label("4 — Very useful").check()
    zoe_page.get_by_role("button", name="Send feedback").click()
    expect(zoe_page.get_by_role("status")).to_be_visible()
    assert Session.objects.get(pk=logged.pk).status == "completed"

    # Alan's and Joan's sessions come from the program's record, as a file.
    page.get_by_role("link", name="People", exact=True).click()
    page.get_by_role("link", name="Import from CSV").click()
    upload(page, tmp_path, record_file(), holds="Sessions and feedback")
    expect(page.get_by_role("status").get_by_role("heading")).to_contain_text("Imported 2 rows")
    assert_accessible(page)

    # 6. Content > Certificates: create one needing two sessions.
    page.get_by_role("link", name="Certificates", exact=True).click()
    expect(page.get_by_role("heading", name="Certificates", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="New certificate").click()
    preview_src(page)
    page.get_by_label("Name", exact=True).fill("Mentorship Certificate")
    page.get_by_label("Text", exact=True).fill("Well done, {recipient_name}!")
    page.get_by_label("Sessions needed").fill("2")
    assert_accessible(page)
    page.get_by_role("button", name="Create certificate").click()
    expect(page.get_by_role("status").filter(has_text="is created")).to_be_visible()

    # 7. Enable: the exact confirmation, then the awards and their emails.
    page.get_by_role("link", name="Enable Certificate Mentorship Certificate").click()
    expect(page.locator(".confirm__warning")).to_contain_text(
        "This awards the certificate now to 2 people and emails each of them."
    )
    expect(
        page.get_by_role("list", name="People who will be awarded").get_by_role("listitem")
    ).to_have_text(["Alan Turing", "Joan Clark"])
    assert not IssuedCertificate.objects.exists()
    assert_accessible(page)
    page.get_by_role("button", name="Enable and award 2 people").click()
    expect(page.get_by_role("status").filter(has_text="awarded to 2 people")).to_be_visible()
    assert_accessible(page)
    mail.outbox.clear()
    run_tasks()
    assert sorted(m.to[0] for m in mail.outbox) == ["alan@example.org", "joan@example.org"]
    assert all("Mentorship Certificate" in m.subject for m in mail.outbox)
    joans = IssuedCertificate.objects.get(user__email="joan@example.org")

    # 8. Edit the text: the preview changes; Joan's certificate stays as it was.
    page.get_by_role("link", name="Edit Mentorship Certificate").click()
    before = preview_src(page)
    before_png = preview_png(page)
    page.get_by_label("Text", exact=True).fill("Congratulations {recipient_name}, on a fine year.")
    page.wait_for_function(
        "s => document.querySelector('[data-preview-image]').getAttribute('src') !== s",
        arg=before,
    )
    preview_src(page)
    assert preview_png(page) != before_png
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text="is saved")).to_be_visible()
    visitor = browser.new_page(viewport={"width": 1440, "height": 900})
    visitor.goto(f"{site}/c/{joans.public_id}")
    expect(visitor.locator(".credential__text")).to_have_text("Well done, Joan Clark!")
    assert_accessible(visitor)

    # 9. Lower the threshold to one session: the same exact confirmation.
    page.get_by_role("link", name="Edit Mentorship Certificate").click()
    page.get_by_label("Sessions needed").fill("1")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".confirm__warning")).to_contain_text("2 people")
    expect(
        page.get_by_role("list", name="People who will be awarded").get_by_role("listitem")
    ).to_have_text(["Grace Hopper", "Zoë Ahmed"])
    assert_accessible(page)
    page.get_by_role("button", name="Save and award 2 people").click()
    expect(page.get_by_role("status").filter(has_text="awarded to 2 people")).to_be_visible()
    assert IssuedCertificate.objects.filter(definition__name="Mentorship Certificate").count() == 4
    mail.outbox.clear()
    run_tasks()
    assert sorted(m.to[0] for m in mail.outbox) == ["grace@example.org", "zoe@example.org"]

    # 10. A manual certificate, awarded to two people ticked in Track Progress.
    page.get_by_role("link", name="New certificate").click()
    page.get_by_label("Name", exact=True).fill("Star mentee")
    page.get_by_label("Text", exact=True).fill("Presented to {recipient_name}.")
    page.get_by_label("By an admin").check()
    page.get_by_label("Guidance for participants").fill("Lead a session for the cohort.")
    page.get_by_role("button", name="Create certificate").click()
    expect(page.get_by_role("status").filter(has_text="is created")).to_be_visible()
    page.get_by_role("link", name="Enable Certificate Star mentee").click()
    assert_accessible(page)
    page.get_by_role("button", name=re.compile("^Enable")).click()
    expect(page.get_by_role("status").filter(has_text="Star mentee")).to_be_visible()

    page.get_by_role("link", name="Track Progress").click()
    expect(page.get_by_role("heading", name="Track Progress", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Joan Clark").check()
    page.get_by_label("Zoë Ahmed").check()
    page.get_by_label("Award certificate").select_option(label="Star mentee")
    page.get_by_role("button", name="Award certificate…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Award “Star mentee” to 2 people?")
    assert_accessible(page)
    page.get_by_role("button", name="Award to 2 people").click()
    expect(page.get_by_role("status")).to_contain_text("awarded to 2 people")
    stars = IssuedCertificate.objects.filter(definition__name="Star mentee")
    assert sorted(stars.values_list("recipient_name", flat=True)) == ["Joan Clark", "Zoë Ahmed"]

    # 11. Revoke Joan's, reinstate it, and correct her misspelt name.
    star = stars.get(user__email="joan@example.org")
    page.locator(f'a[href="/manage/awards/{star.pk}/"]').click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Joan Clark")
    assert_accessible(page)
    page.get_by_label("Why is it revoked?").fill("Awarded before the cohort ended")
    page.get_by_role("button", name="Revoke certificate").click()
    expect(page.get_by_role("status")).to_have_text("The certificate was revoked.")
    assert_accessible(page)
    visitor.goto(f"{site}/c/{star.public_id}")
    expect(visitor.get_by_text("Valid certificate")).to_have_count(0)
    page.get_by_label("Why is it reinstated?").fill("The cohort had ended after all")
    page.get_by_role("button", name="Reinstate certificate").click()
    expect(page.get_by_role("status")).to_contain_text("reinstated")
    visitor.reload()
    expect(visitor.get_by_text("Valid certificate")).to_be_visible()
    page.get_by_label("Recipient name").fill("Joan Clarke")
    page.get_by_label("Why is it corrected?").fill("The name was misspelt")
    page.get_by_role("button", name="Issue corrected version").click()
    expect(page.get_by_role("status")).to_have_text("Version 2 was issued under the same link.")
    assert_accessible(page)
    visitor.reload()
    expect(visitor.get_by_text("Awarded to Joan Clarke", exact=True)).to_be_visible()
    assert_accessible(visitor)

    assert expected_problems(errors) == []
    assert zoe_errors == []
