"""The badge award email: queued in the awarding transaction, one outbox message per
email, and as a real SMTP server receives it: headers, both parts, every link followed,
and its own one-click unsubscribe."""

from __future__ import annotations

from email.utils import parseaddr
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client

from laurel.badges.factories import make_badge, make_pairing, make_session
from laurel.badges.models import IssuedBadge
from laurel.badges.services import BadgeRule, badge_award_revoke, badge_enable
from laurel.notifications.models import EmailOptOut
from laurel.notifications.selectors import emails_sent_to
from laurel.notifications.services import unsubscribe_token
from laurel.notifications.tasks import send_badge_email
from laurel.notifications.tests.test_emails_over_smtp import (
    SITE,
    _site,
    links_in,
    parts,
    path_of,
    png,
    unsubscribe_pair,
)
from laurel.outbox.models import Message
from laurel.programs.factories import make_organisation, make_participant, make_program

__all__ = ["_site"]

pytestmark = pytest.mark.django_db

ONE_SESSION = BadgeRule(type="sessions_as_role", role="mentor", threshold=1)


def mentors_with_a_session(organisation, *names_and_emails):
    program = make_program(organisation, name="Engineering Mentoring")
    mentors = []
    for name, email in names_and_emails:
        mentor = make_participant(program, role="mentor", name=name, email=email)
        make_session(make_pairing(program, mentor, make_participant(program)))
        mentors.append(mentor)
    return mentors


def branded_organisation():
    organisation = make_organisation("Analytical Engines Ltd")
    organisation.logo.save("logo.png", ContentFile(png()))
    organisation.accent_colour = "#7A1F5C"
    organisation.save()
    return organisation


def badge_messages():
    return Message.objects.filter(kind=send_badge_email.module_path)


def test_enabling_a_badge_queues_one_email_per_person_awarded_in_the_same_transaction():
    organisation = make_organisation("Analytical Engines Ltd")
    mentors = mentors_with_a_session(
        organisation, ("Ada Lovelace", "ada@example.org"), ("Grace Hopper", "grace@example.org")
    )
    badge = make_badge(organisation, rule=ONE_SESSION, name="First Steps")

    def enable_then_fail() -> None:
        with transaction.atomic():
            badge_enable(badge=badge, by=None, confirm=True)
            raise RuntimeError("the request failed after awarding")

    with pytest.raises(RuntimeError):
        enable_then_fail()
    assert not IssuedBadge.objects.exists()
    assert not badge_messages().exists(), "no email for an award that rolled back"

    badge_enable(badge=badge, by=None, confirm=True)
    awards = dict(IssuedBadge.objects.values_list("user_id", "pk"))
    queued = {
        (m.recipient_id, m.arguments["kwargs"]["award_id"], m.organisation_id)
        for m in badge_messages()
    }
    assert queued == {(m.user_id, awards[m.user_id], organisation.pk) for m in mentors}


def test_badge_email_arrives_with_headers_both_parts_and_links_that_work(
    smtp_settings, run_tasks, client
):
    organisation = branded_organisation()
    [mentor] = mentors_with_a_session(organisation, ("Ada Lovelace", "ada@example.org"))
    badge = make_badge(organisation, rule=ONE_SESSION, name="First Steps", enabled=True)
    award = IssuedBadge.objects.get(badge=badge)

    run_tasks()

    [email] = [m for m in smtp_settings.messages() if m["To"] == "ada@example.org"]
    assert parseaddr(email["From"]) == ("Analytical Engines Ltd", "certificates@laurel.example.org")
    assert email["Subject"].strip() == "You have earned the badge “First Steps”"
    unsubscribe = unsubscribe_pair(email)
    text, html = parts(email)
    for part in (text, html):
        assert "Ada Lovelace" in part
        assert "First Steps" in part
        assert "Mentored 1 completed mentorship session in 1:1 programs of" in part
        assert unsubscribe in part, "the visible unsubscribe link is the header's"
    # The organisation's logo and colour; the badge's image at its public address.
    assert f'src="{SITE}/media/{award.logo}"' in html
    assert "#7A1F5C" in html
    image = f"{SITE}/b/{award.public_id}.png"
    assert f'src="{image}"' in html
    assert not [part for part in email.walk() if part.get_content_maintype() == "image"]
    answer = client.get(path_of(image))
    assert (answer.status_code, answer["Content-Type"]) == (200, "image/png")

    links = links_in(text, html)
    public_page = f"{SITE}/b/{award.public_id}"
    assert public_page in links
    followed = 0
    for link in links:
        if link.startswith("https://www.linkedin.com/"):
            query = parse_qs(urlsplit(link).query)
            assert public_page in query.get("url", []) + query.get("certUrl", [])
            continue
        client.force_login(mentor.user)  # the settings page needs a sign-in; no other does
        assert client.get(path_of(link)).status_code == 200, link
        followed += 1
    assert followed >= 3, "page, unsubscribe, settings"
    assert [
        e.what for e in emails_sent_to(user_id=mentor.user_id, organisation_id=organisation.pk)
    ] == ["Badge awarded: First Steps"]


def test_hostile_names_stay_literal_in_the_badge_email(smtp_settings, run_tasks):
    organisation = make_organisation('<img src=x onerror=alert(1)> "Org"')
    mentors_with_a_session(organisation, ("<script>alert(1)</script>", "eve@example.org"))
    make_badge(organisation, rule=ONE_SESSION, name="<b>Bold</b> & co", enabled=True)

    run_tasks()

    [email] = [m for m in smtp_settings.messages() if m["To"] == "eve@example.org"]
    text, html = parts(email)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in html
    assert "<img src=x" not in html
    # The text part is plain text: the names as they were typed.
    assert "<script>alert(1)</script>" in text
    assert email["Subject"].strip() == "You have earned the badge “<b>Bold</b> & co”"


def test_one_click_unsubscribe_stops_badge_emails_only(smtp_settings, run_tasks):
    organisation = make_organisation("Analytical Engines Ltd")
    [mentor] = mentors_with_a_session(organisation, ("Ada Lovelace", "ada@example.org"))
    make_badge(organisation, rule=ONE_SESSION, name="First Steps", enabled=True)
    run_tasks()
    [email] = [m for m in smtp_settings.messages() if m["To"] == "ada@example.org"]

    provider = Client(enforce_csrf_checks=True)
    answer = provider.post(
        path_of(unsubscribe_pair(email)),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert answer.status_code == 200
    assert "We will not email you about new badges any more." in answer.content.decode()
    assert list(EmailOptOut.objects.values_list("user_id", "kind", "via")) == [
        (mentor.user_id, "badge", "link")
    ]
    received = smtp_settings.count()
    make_badge(organisation, rule=ONE_SESSION, name="Second Badge", enabled=True)
    run_tasks()
    assert smtp_settings.count() == received, "no badge email after unsubscribing"
    skipped = badge_messages().order_by("-id").first()
    assert skipped is not None
    assert skipped.tries.get().detail["skipped"] == "switched off"


def test_badge_emails_are_switched_on_and_off_in_the_settings(client):
    organisation = make_organisation("Analytical Engines Ltd")
    [mentor] = mentors_with_a_session(organisation, ("Ada Lovelace", "ada@example.org"))
    client.force_login(mentor.user)
    page = client.get("/me/settings/").content.decode()
    assert "When I earn a badge" in page

    client.post("/me/settings/", {"award": "on", "reminder": "on"})
    assert list(EmailOptOut.objects.values_list("kind", "via")) == [("badge", "settings")]
    client.post("/me/settings/", {"award": "on", "reminder": "on", "badge": "on"})
    assert not EmailOptOut.objects.exists()


def test_a_badge_revoked_before_its_email_went_out_is_not_announced(smtp_settings, run_tasks):
    organisation = make_organisation("Analytical Engines Ltd")
    mentors_with_a_session(organisation, ("Ada Lovelace", "ada@example.org"))
    badge = make_badge(organisation, rule=ONE_SESSION, name="First Steps", enabled=True)
    badge_award_revoke(award=IssuedBadge.objects.get(badge=badge), by=None, reason="Mistake")

    run_tasks()

    assert [m for m in smtp_settings.messages() if m["To"] == "ada@example.org"] == []
    assert badge_messages().get().tries.get().detail["skipped"] == "badge revoked"


def test_the_unsubscribe_link_of_a_badge_email_says_what_it_stops(client):
    organisation = make_organisation("Analytical Engines Ltd")
    [mentor] = mentors_with_a_session(organisation, ("Ada Lovelace", "ada@example.org"))
    token = unsubscribe_token(user_id=mentor.user_id, kind="badge")
    page = client.get(f"/email/unsubscribe/{token}").content.decode()
    assert "Stop badge emails?" in page
    assert not EmailOptOut.objects.exists(), "opening the link changes nothing"
