"""Badge award emails of a large award: the awarding transaction queues one outbox message
per chunk of awards, and the worker expands each into one message per email, once."""

from __future__ import annotations

import pytest
from django.db import transaction

from laurel.badges.factories import give_feedback, make_badge
from laurel.badges.models import IssuedBadge
from laurel.badges.services import BadgeRule, badge_award_revoke, badge_enable
from laurel.notifications.selectors import emails_sent_to
from laurel.notifications.tasks import send_badge_emails_expand
from laurel.notifications.tests.test_badge_email import badge_messages, mentors_with_a_session
from laurel.outbox.models import Message
from laurel.outbox.tests.test_retries import claimed_by_a_worker_that_died
from laurel.programs.factories import (
    make_organisation,
    make_pairing,
    make_participant,
    make_program,
    make_session,
)

pytestmark = pytest.mark.django_db

ONE_SESSION = BadgeRule(type="sessions_as_role", role="mentor", threshold=1)


@pytest.fixture
def fan_out(settings):
    """More than two awards at once are emailed through chunks of two."""
    settings.BADGE_EMAILS_FAN_OUT_ABOVE = 2
    settings.BADGE_EMAILS_FAN_OUT_CHUNK = 2


def expand_messages():
    return Message.objects.filter(kind=send_badge_emails_expand.module_path)


def five_mentors(organisation):
    return mentors_with_a_session(
        organisation, *[(f"Mentor {n}", f"mentor{n}@example.org") for n in range(1, 6)]
    )


def test_a_large_award_queues_one_message_per_chunk_of_awards_in_its_transaction(fan_out):
    organisation = make_organisation("Analytical Engines Ltd")
    five_mentors(organisation)
    badge = make_badge(organisation, rule=ONE_SESSION, name="First Steps")

    def enable_then_fail() -> None:
        with transaction.atomic():
            badge_enable(badge=badge, by=None, confirm=True)
            raise RuntimeError("the request failed after awarding")

    with pytest.raises(RuntimeError):
        enable_then_fail()
    assert not expand_messages().exists(), "no email for an award that rolled back"

    badge_enable(badge=badge, by=None, confirm=True)

    assert not badge_messages().exists(), "no message per email yet"
    chunks = list(expand_messages().order_by("pk"))
    assert [len(m.arguments["kwargs"]["award_ids"]) for m in chunks] == [2, 2, 1]
    assert sorted(a for m in chunks for a in m.arguments["kwargs"]["award_ids"]) == sorted(
        IssuedBadge.objects.values_list("pk", flat=True)
    )
    assert {(m.organisation_id, m.recipient_id) for m in chunks} == {(organisation.pk, None)}


def test_the_worker_sends_everyone_of_a_large_award_one_email(fan_out, run_tasks, mailoutbox):
    organisation = make_organisation("Analytical Engines Ltd")
    mentors = five_mentors(organisation)
    make_badge(organisation, rule=ONE_SESSION, name="First Steps", enabled=True)

    run_tasks()

    assert sorted(email.to[0] for email in mailoutbox) == sorted(m.user.email for m in mentors)
    awards = dict(IssuedBadge.objects.values_list("user_id", "pk"))
    # Each email's message is as if it had been queued with the award.
    queued = [
        (m.recipient_id, m.arguments["kwargs"], m.organisation_id, m.status)
        for m in badge_messages()
    ]
    assert sorted(queued) == sorted(
        (m.user_id, {"award_id": awards[m.user_id]}, organisation.pk, "done") for m in mentors
    )
    assert set(expand_messages().values_list("status", flat=True)) == {"done"}
    # A person's list of emails shows the badge's email, not the chunk it came from.
    for mentor in mentors:
        sent = emails_sent_to(user_id=mentor.user_id, organisation_id=organisation.pk)
        assert [(e.what, e.state) for e in sent] == [("Badge awarded: First Steps", "sent")]

    assert run_tasks() == 0
    assert len(mailoutbox) == len(mentors)


def test_expanding_a_chunk_again_queues_no_second_email(fan_out, run_tasks, mailoutbox):
    organisation = make_organisation("Analytical Engines Ltd")
    mentors = five_mentors(organisation)
    make_badge(organisation, rule=ONE_SESSION, enabled=True)
    run_tasks()

    for chunk in expand_messages():
        returned = send_badge_emails_expand.call(**chunk.arguments["kwargs"])
        assert returned["queued"] == 0

    assert badge_messages().count() == len(mentors)
    assert run_tasks() == 0
    assert len(mailoutbox) == len(mentors)


def test_a_worker_lost_after_expanding_a_chunk_leaves_no_second_email(
    fan_out, run_tasks, mailoutbox
):
    organisation = make_organisation("Analytical Engines Ltd")
    mentors = five_mentors(organisation)
    make_badge(organisation, rule=ONE_SESSION, enabled=True)
    first = expand_messages().order_by("pk").first()
    assert first is not None
    # A worker expanded the first chunk (committed) and died before recording it.
    send_badge_emails_expand.call(**first.arguments["kwargs"])
    claimed_by_a_worker_that_died(first.pk, seconds_ago=1)

    run_tasks()

    assert sorted(email.to[0] for email in mailoutbox) == sorted(m.user.email for m in mentors)
    first.refresh_from_db()
    died, ran = first.tries.all()
    assert (died.succeeded, ran.succeeded, first.status) == (False, True, "done")
    assert ran.detail["queued"] == 0
    assert badge_messages().count() == len(mentors)


def test_a_badge_revoked_before_its_chunk_is_expanded_is_not_announced(
    fan_out, run_tasks, mailoutbox
):
    organisation = make_organisation("Analytical Engines Ltd")
    mentors = five_mentors(organisation)
    badge = make_badge(organisation, rule=ONE_SESSION, name="First Steps", enabled=True)
    revoked = IssuedBadge.objects.get(badge=badge, user=mentors[0].user)
    badge_award_revoke(award=revoked, by=None, reason="Mistake")

    run_tasks()

    assert sorted(email.to[0] for email in mailoutbox) == sorted(m.user.email for m in mentors[1:])
    message = badge_messages().get(recipient_id=mentors[0].user_id)
    assert message.tries.get().detail["skipped"] == "badge revoked"
    [shown] = emails_sent_to(user_id=mentors[0].user_id, organisation_id=organisation.pk)
    assert shown.state_label == "Not sent: the badge was revoked before it went out"


def test_an_award_at_the_threshold_queues_its_emails_directly(fan_out, run_tasks, mailoutbox):
    organisation = make_organisation("Analytical Engines Ltd")
    mentors = mentors_with_a_session(
        organisation, ("Ada Lovelace", "ada@example.org"), ("Grace Hopper", "grace@example.org")
    )
    make_badge(organisation, rule=ONE_SESSION, enabled=True)

    assert not expand_messages().exists()
    assert set(badge_messages().values_list("recipient_id", flat=True)) == {
        m.user_id for m in mentors
    }
    run_tasks()
    assert sorted(email.to[0] for email in mailoutbox) == ["ada@example.org", "grace@example.org"]


def test_feedback_that_earns_one_badge_queues_its_email_directly(fan_out):
    organisation = make_organisation("Analytical Engines Ltd")
    program = make_program(organisation)
    make_badge(
        organisation,
        rule=BadgeRule(type="sessions_as_role", role="mentor", threshold=1, feedback_required=True),
        enabled=True,
    )
    mentor, mentee = make_participant(program, role="mentor"), make_participant(program)
    session = make_session(make_pairing(program, mentor, mentee))

    give_feedback(session, mentee)

    [message] = badge_messages()
    assert message.recipient_id == mentor.user_id
    assert not expand_messages().exists()
