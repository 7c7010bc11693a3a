"""Each organisation's messages go out at a set rate, and one organisation's backlog does
not hold up another's."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from laurel.outbox.backend import enqueue_many
from laurel.outbox.models import Message
from laurel.outbox.services import messages_claim
from laurel.outbox.tests.tasks import note
from laurel.outbox.worker import run_batch

pytestmark = pytest.mark.django_db

BIG, SMALL = 1, 2


@pytest.fixture
def rate(settings):
    """Five messages per second per organisation, after a burst of ten."""
    settings.OUTBOX_ORGANISATION_RATE = 5
    settings.OUTBOX_ORGANISATION_BURST = 10


def backlog(organisation_id: int, count: int) -> None:
    enqueue_many(
        note, [{"entry": f"{organisation_id}-{n}"} for n in range(count)],
        organisation_id=organisation_id,
    )  # fmt: skip


def claimed_by_organisation(*, now, limit: int = 50) -> Counter[int | None]:
    """Who the messages claimed now belong to; they are then marked done, as if sent."""
    claimed = messages_claim(worker_id="w", limit=limit, now=now)
    Message.objects.filter(pk__in=[m.pk for m in claimed]).update(status="done", lease_until=None)
    return Counter(m.organisation_id for m in claimed)


@pytest.mark.usefixtures("rate")
def test_an_organisation_sends_its_burst_then_at_its_rate():
    backlog(BIG, 100)
    start = timezone.now()

    assert claimed_by_organisation(now=start) == {BIG: 10}
    assert claimed_by_organisation(now=start) == {}
    # Five a second come back: after 0.5 s two whole ones, after 1 s three more.
    assert claimed_by_organisation(now=start + timedelta(seconds=0.5)) == {BIG: 2}
    assert claimed_by_organisation(now=start + timedelta(seconds=1)) == {BIG: 3}
    assert claimed_by_organisation(now=start + timedelta(seconds=1)) == {}
    # 25 in 3 s: the burst and three seconds' worth.
    assert claimed_by_organisation(now=start + timedelta(seconds=3)) == {BIG: 10}
    # Idle for long, the bucket holds no more than the burst.
    assert claimed_by_organisation(now=start + timedelta(minutes=5)) == {BIG: 10}


@pytest.mark.usefixtures("rate")
def test_a_backlog_of_one_organisation_does_not_hold_up_another():
    backlog(BIG, 2000)
    backlog(SMALL, 3)
    unthrottled = note.enqueue(entry="no organisation")
    start = timezone.now()

    first = claimed_by_organisation(now=start, limit=10)
    second = claimed_by_organisation(now=start, limit=10)

    assert first == {BIG: 10}
    assert second == {SMALL: 3, None: 1}, "the rest of the big backlog waits its turn"
    assert Message.objects.get(pk=int(unthrottled.id)).status == "done"
    assert Message.objects.filter(organisation_id=BIG, status="pending").count() == 1990


def test_without_a_rate_every_due_message_is_claimed_in_order(settings):
    settings.OUTBOX_ORGANISATION_RATE = 0
    backlog(BIG, 30)

    assert run_batch(worker_id="w", limit=50) == 30


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("rate")
def test_workers_at_once_share_one_budget():
    from laurel.testing import at_once

    backlog(BIG, 100)
    now = timezone.now()

    results = at_once(*[lambda: messages_claim(worker_id="w", limit=8, now=now)] * 3)

    assert not [r for r in results if isinstance(r, Exception)]
    claimed = [m.pk for r in results if isinstance(r, list) for m in r]
    assert len(claimed) == len(set(claimed)) <= 10
