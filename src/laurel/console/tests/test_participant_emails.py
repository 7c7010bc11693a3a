"""An admin sees which emails one participant was sent, when, and which failed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils import timezone

from laurel.accounts.models import User
from laurel.certificates.factories import (
    give_feedback,
    make_certificate,
    make_pairing,
    make_participant,
    make_program,
    make_session,
)
from laurel.notifications.models import EmailOptOut, FeedbackReminder

pytestmark = pytest.mark.django_db


class RefusingMailServer(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("mail server down")


@pytest.fixture
def setting():
    program = make_program()
    admin = User.objects.create_user("admin@example.org", "Admin")
    program.organisation.admins.add(admin)
    mentor = make_participant(program, role="mentor", name="Charles Babbage")
    mentee = make_participant(program, name="Ada Lovelace")
    pairing = make_pairing(program, mentor, mentee)
    return program, admin, mentor, mentee, pairing


def url(program, participant) -> str:
    return reverse(
        "console:participant_emails",
        kwargs={"program_id": program.pk, "participant_id": participant.pk},
    )


def test_sent_failed_and_switched_off_emails_are_listed(
    client, setting, run_tasks, settings, django_assert_max_num_queries
):
    program, admin, mentor, mentee, pairing = setting
    make_certificate(program, threshold=1, enabled=True, name="First Steps")
    give_feedback(make_session(pairing, days_ago=3), mentor)
    run_tasks()  # sent
    EmailOptOut.objects.create(
        user=mentee.user, kind="award", via="link", created_at=timezone.now()
    )
    make_certificate(program, threshold=1, enabled=True, name="Second Wind")
    run_tasks()  # not sent: switched off
    EmailOptOut.objects.all().delete()
    settings.OUTBOX_MAX_ATTEMPTS = 1
    settings.EMAIL_BACKEND = f"{__name__}.RefusingMailServer"
    make_certificate(program, threshold=1, enabled=True, name="Third Time")
    run_tasks()  # failed
    client.force_login(admin)

    with django_assert_max_num_queries(12):
        page = client.get(url(program, mentee))

    html = page.content.decode()
    assert page.status_code == 200
    assert "Emails to Ada Lovelace" in html
    rows = html.split("<tbody>")[1].split("</tr>")
    assert "Certificate awarded: Third Time" in rows[0] and "Failed" in rows[0]
    assert "mail server down" in rows[0]
    assert "Certificate awarded: Second Wind" in rows[1]
    assert "Not sent: the person switched these emails off" in rows[1]
    assert "Certificate awarded: First Steps" in rows[2] and ">Sent<" in rows[2]
    assert "Charles" not in html.split("<tbody>")[1], "only this person's emails"


def test_the_page_is_only_for_the_organisations_admins(client, setting):
    program, admin, _mentor, mentee, _ = setting
    other = make_program()
    stranger = User.objects.create_user("other@example.org", "Other Admin")
    other.organisation.admins.add(stranger)

    client.force_login(stranger)
    assert client.get(url(program, mentee)).status_code == 404
    client.force_login(mentee.user)
    assert client.get(url(program, mentee)).status_code == 404
    client.force_login(admin)
    someone_elsewhere = make_participant(other)
    assert client.get(url(program, someone_elsewhere)).status_code == 404
    client.logout()
    assert client.get(url(program, mentee)).status_code == 302


def test_admin_sends_a_reminder_once(client, setting, run_tasks, mailoutbox):
    program, admin, _mentor, mentee, pairing = setting
    make_certificate(program, threshold=3, enabled=True)
    make_session(pairing, days_ago=2)
    client.force_login(admin)

    page = client.post(url(program, mentee), follow=True)
    again = client.post(url(program, mentee), follow=True)

    assert "A reminder about 1 session is on its way to Ada Lovelace." in page.content.decode()
    assert "No reminder sent" in again.content.decode()
    assert list(FeedbackReminder.objects.values_list("user_id", "sent_by_id")) == [
        (mentee.user_id, admin.pk)
    ]
    run_tasks()
    assert [m.to[0] for m in mailoutbox] == [mentee.user.email]
    html = client.get(url(program, mentee)).content.decode()
    assert "Feedback reminder (1 session)" in html
    assert timezone.now() - FeedbackReminder.objects.get().sent_at < timedelta(minutes=1)
