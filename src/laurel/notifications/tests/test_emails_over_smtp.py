"""The award email and the feedback reminder as a real SMTP server receives them: headers,
both parts, and every link in them followed."""

from __future__ import annotations

import io
import re
from email.message import EmailMessage
from email.utils import parseaddr
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from PIL import Image

from laurel.certificates.factories import (
    give_feedback,
    make_certificate,
    make_organisation,
    make_pairing,
    make_participant,
    make_program,
    make_session,
)
from laurel.certificates.models import IssuedCertificate
from laurel.notifications.models import EmailOptOut
from laurel.notifications.services import reminders_due_send
from laurel.outbox.models import Message

SITE = "https://laurel.example.org"
LINK = re.compile(r"""https?://[^\s"'<>]+""")


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE
    settings.DEFAULT_FROM_EMAIL = "Laurel <certificates@laurel.example.org>"


def png(colour: str = "#AA3377") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 60), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def parts(email: EmailMessage) -> tuple[str, str]:
    text = email.get_body(preferencelist=("plain",))
    html = email.get_body(preferencelist=("html",))
    assert text is not None and html is not None, "both a text and an HTML part"
    return text.get_content(), html.get_content()


def links_in(text: str, html: str) -> set[str]:
    hrefs = set(re.findall(r'href="([^"]+)"', html))
    return {link.replace("&amp;", "&") for link in hrefs} | set(LINK.findall(text))


def path_of(url: str) -> str:
    assert url.startswith(SITE + "/"), url
    split = urlsplit(url)
    return split.path + (f"?{split.query}" if split.query else "")


def unsubscribe_pair(email: EmailMessage) -> str:
    """The https URL of the one-click unsubscribe headers (RFC 2369, RFC 8058)."""
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    match = re.fullmatch(r"<(https://[^>]+)>", str(email["List-Unsubscribe"]).strip())
    assert match, email["List-Unsubscribe"]
    return match.group(1)


def awarded_with_logo():
    organisation = make_organisation("Analytical Engines Ltd")
    organisation.logo.save("logo.png", ContentFile(png()))
    organisation.accent_colour = "#7A1F5C"
    organisation.save()
    program = make_program(organisation, name="Engineering Mentoring")
    mentor = make_participant(program, role="mentor", name="Charles Babbage")
    mentee = make_participant(program, name="Ada Lovelace", email="ada@example.org")
    make_certificate(program, threshold=1, enabled=True, name="Mentorship Certificate")
    give_feedback(make_session(make_pairing(program, mentor, mentee)), mentee)
    return IssuedCertificate.objects.get(user=mentee.user), mentee


@pytest.mark.django_db
def test_award_email_arrives_with_headers_both_parts_and_links_that_work(
    smtp_settings, run_tasks, client
):
    award, mentee = awarded_with_logo()

    run_tasks()

    [email] = [m for m in smtp_settings.messages() if m["To"] == "ada@example.org"]
    assert parseaddr(email["From"]) == ("Analytical Engines Ltd", "certificates@laurel.example.org")
    assert email["Subject"].strip() == "You have earned the certificate “Mentorship Certificate”"
    unsubscribe = unsubscribe_pair(email)
    text, html = parts(email)
    for part in (text, html):
        assert "Ada Lovelace" in part
        assert "Engineering Mentoring" in part
        assert unsubscribe in part, "the visible unsubscribe link is the header's"
    # The organisation's logo and accent colour; the certificate's image at its public
    # address rather than attached.
    assert f'src="{SITE}/media/{award.logo}"' in html
    assert default_storage.exists(award.logo)
    assert "#7A1F5C" in html
    card = f"{SITE}/c/{award.public_id}.png"
    assert f'src="{card}"' in html
    assert not [part for part in email.walk() if part.get_content_maintype() == "image"]
    assert len(email.as_bytes()) < 20_000

    page = client.get(path_of(card))
    assert (page.status_code, page["Content-Type"]) == (200, "image/png")
    links = links_in(text, html)
    public_page = f"{SITE}/c/{award.public_id}"
    assert public_page in links
    followed = 0
    for link in links:
        if link.startswith("https://www.linkedin.com/"):
            # Sharing on LinkedIn names the certificate's public page.
            assert public_page in parse_qs(urlsplit(link).query).get("url", []) + parse_qs(
                urlsplit(link).query
            ).get("certUrl", [])
            continue
        client.force_login(mentee.user)  # the settings page needs a sign-in; no other does
        answer = client.get(path_of(link))
        assert answer.status_code == 200, link
        followed += 1
    assert followed >= 4, "page, PDF, unsubscribe, settings"


@pytest.mark.django_db
def test_one_click_unsubscribe_needs_no_cookie_or_csrf_token_and_stops_award_emails(
    smtp_settings, run_tasks
):
    award, mentee = awarded_with_logo()
    run_tasks()
    [email] = [m for m in smtp_settings.messages() if m["To"] == "ada@example.org"]
    unsubscribe = unsubscribe_pair(email)

    # What a mailbox provider sends (RFC 8058): a POST with this body and nothing else.
    provider = Client(enforce_csrf_checks=True)
    answer = provider.post(
        path_of(unsubscribe),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert answer.status_code == 200
    assert list(EmailOptOut.objects.values_list("user_id", "kind", "via")) == [
        (mentee.user_id, "award", "link")
    ]
    another = make_certificate(award.program, threshold=1, name="Second Certificate")
    from laurel.certificates.services import certificate_enable

    certificate_enable(definition=another, by=None, confirm=True)
    received = smtp_settings.count()
    run_tasks()
    to_ada = [m for m in smtp_settings.messages()[received:] if m["To"] == "ada@example.org"]
    assert to_ada == [], "no certificate email after unsubscribing"
    assert smtp_settings.count() == received + 1, "the mentor still gets theirs"
    skipped = Message.objects.filter(recipient_id=mentee.user_id).order_by("-id").first()
    assert skipped is not None
    assert skipped.tries.get().detail["skipped"] == "switched off"


@pytest.mark.django_db
def test_feedback_reminder_arrives_with_both_parts_and_links_to_each_session(
    smtp_settings, run_tasks, client
):
    organisation = make_organisation("Analytical Engines Ltd")
    program = make_program(organisation, name="Engineering Mentoring")
    mentor = make_participant(program, role="mentor", name="Charles Babbage")
    mentee = make_participant(program, name="Ada Lovelace", email="ada@example.org")
    make_certificate(program, threshold=3, enabled=True)
    pairing = make_pairing(program, mentor, mentee)
    waiting = [make_session(pairing, days_ago=9), make_session(pairing, days_ago=2)]
    give_feedback(make_session(pairing, days_ago=5), mentor)
    from django.utils import timezone

    assert reminders_due_send(timezone.now()) == 2

    run_tasks()
    [email] = [m for m in smtp_settings.messages() if m["To"] == "ada@example.org"]
    assert email["Subject"].strip() == "2 sessions are waiting for your feedback"
    assert parseaddr(email["From"])[0] == "Analytical Engines Ltd"
    unsubscribe = unsubscribe_pair(email)
    text, html = parts(email)
    headline = "2 sessions are waiting for feedback before they count towards your certificate."
    for part in (text, html):
        assert headline in part
        assert "Charles Babbage" in part
        assert unsubscribe in part
    for session in waiting:
        assert f"{session.starts_at:%-d %B %Y, %H:%M}" in text
    client.force_login(mentee.user)
    for link in links_in(text, html):
        assert client.get(path_of(link)).status_code == 200, link
    assert client.post(path_of(unsubscribe)).status_code == 200
    assert EmailOptOut.objects.filter(user=mentee.user, kind="reminder").exists()
