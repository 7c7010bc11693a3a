"""Feedback reminders: who is due, and the limits (once per session, once a week per
person, only where an automatic certificate is enabled, never after switching off)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from laurel.certificates.factories import (
    give_feedback,
    make_certificate,
    make_pairing,
    make_participant,
    make_program,
    make_session,
)
from laurel.notifications.models import EmailOptOut, FeedbackReminder
from laurel.notifications.services import reminders_due_send, reminders_send
from laurel.notifications.tasks import send_feedback_reminder
from laurel.outbox.models import Message
from laurel.outbox.periodic import periodic_jobs_run_due


def a_pair(*, certificate: str = "automatic"):
    program = make_program()
    mentor, mentee = make_participant(program, role="mentor"), make_participant(program)
    if certificate == "automatic":
        make_certificate(program, threshold=5, enabled=True)
    elif certificate == "manual":
        make_certificate(program, threshold=None, enabled=True)
    elif certificate == "disabled":
        make_certificate(program, threshold=5, enabled=False)
    return program, mentor, mentee, make_pairing(program, mentor, mentee)


def reminders_to(user) -> list[list[int]]:
    """The session ids of each reminder queued for ``user``."""
    return [
        message.arguments["kwargs"]["session_ids"]
        for message in Message.objects.filter(
            kind=send_feedback_reminder.module_path, recipient_id=user.pk
        ).order_by("id")
    ]


@pytest.mark.django_db
def test_each_member_gets_one_reminder_listing_every_session_without_feedback(
    run_tasks, mailoutbox
):
    _program, mentor, mentee, pairing = a_pair()
    waiting = sorted([make_session(pairing, days_ago=10).pk, make_session(pairing, days_ago=3).pk])
    give_feedback(make_session(pairing, days_ago=6), mentor)  # counts: not waiting
    make_session(pairing, status="scheduled", days_ago=-2)  # still to come
    make_session(pairing, status="cancelled", days_ago=-3)

    assert periodic_jobs_run_due()["feedback reminders"] == 2

    assert reminders_to(mentor.user) == [waiting]
    assert reminders_to(mentee.user) == [waiting]
    run_tasks()
    assert sorted(m.to[0] for m in mailoutbox) == sorted([mentor.user.email, mentee.user.email])
    assert all(m.subject == "2 sessions are waiting for your feedback" for m in mailoutbox)
    assert all(
        "2 sessions are waiting for feedback before they count towards your certificate." in m.body
        for m in mailoutbox
    )


@pytest.mark.django_db
def test_no_reminders_where_no_automatic_certificate_is_enabled():
    for kind in ("manual", "disabled", "none"):
        _, _, _, pairing = a_pair(certificate=kind)
        make_session(pairing, days_ago=3)

    assert reminders_due_send(timezone.now()) == 0
    assert not FeedbackReminder.objects.exists()
    assert not Message.objects.filter(kind=send_feedback_reminder.module_path).exists()


@pytest.mark.django_db
def test_a_session_is_mentioned_once_and_a_person_reminded_at_most_once_a_week():
    _, _mentor, mentee, pairing = a_pair()
    first = make_session(pairing, days_ago=3)
    now = timezone.now()
    assert reminders_due_send(now) == 2

    later_session = make_session(pairing, days_ago=1)
    assert reminders_due_send(now + timedelta(days=6, hours=23)) == 0, "within the week"
    assert reminders_due_send(now + timedelta(days=7, minutes=1)) == 2

    assert reminders_to(mentee.user) == [[first.pk], [later_session.pk]]
    assert reminders_due_send(now + timedelta(days=30)) == 0, "each session only once"
    assert FeedbackReminder.objects.count() == 4


@pytest.mark.django_db
def test_people_who_switched_reminders_off_are_not_reminded(run_tasks, mailoutbox):
    _, mentor, mentee, pairing = a_pair()
    make_session(pairing, days_ago=3)
    EmailOptOut.objects.create(
        user=mentee.user, kind="reminder", via="settings", created_at=timezone.now()
    )

    assert reminders_due_send(timezone.now()) == 1

    assert reminders_to(mentee.user) == []
    run_tasks()
    assert [m.to[0] for m in mailoutbox] == [mentor.user.email]


@pytest.mark.django_db
def test_feedback_given_before_the_reminder_goes_out_is_left_out(run_tasks, mailoutbox):
    _, mentor, _mentee, pairing = a_pair()
    answered = make_session(pairing, days_ago=4)
    still_waiting = make_session(pairing, days_ago=2)
    reminders_due_send(timezone.now())
    give_feedback(answered, mentor)

    run_tasks()

    assert len(mailoutbox) == 2
    assert all(m.subject == "1 session is waiting for your feedback" for m in mailoutbox)
    done = Message.objects.filter(kind=send_feedback_reminder.module_path)
    assert {m.tries.get().detail["session_ids"][0] for m in done} == {still_waiting.pk}


@pytest.mark.django_db
def test_admin_reminds_selected_people_of_one_program_within_the_same_limits(run_tasks, mailoutbox):
    program, mentor, mentee, pairing = a_pair()
    other_program, other_mentor, _, other_pairing = a_pair()
    session = make_session(pairing, days_ago=3)
    make_session(other_pairing, days_ago=3)
    now = timezone.now()

    result = reminders_send(program=program, by=None, user_ids=[mentee.user_id], now=now)

    assert (result.reminded_user_ids, result.sessions) == ([mentee.user_id], 1)
    assert reminders_to(mentee.user) == [[session.pk]]
    assert reminders_to(mentor.user) == [] and reminders_to(other_mentor.user) == []
    again = reminders_send(program=program, by=None, user_ids=[mentee.user_id], now=now)
    assert again.reminded_user_ids == []
    # The weekly job then reminds everyone else, and not the mentee again this week.
    assert reminders_due_send(now + timedelta(hours=1)) == 3
    assert reminders_to(mentee.user) == [[session.pk]]
    everyone = reminders_send(program=other_program, by=None, now=now + timedelta(days=8))
    assert everyone.reminded_user_ids == [], "each session was mentioned already"
