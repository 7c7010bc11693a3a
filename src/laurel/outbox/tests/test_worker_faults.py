"""The worker under faults: a database that is unavailable, a message slower than its lease."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import OperationalError

from laurel.outbox import worker as outbox_worker
from laurel.outbox.models import Message
from laurel.outbox.tests import tasks
from laurel.outbox.worker import Worker, run_batch


def wait_for(condition, *, timeout: float) -> None:
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < timeout, f"not done within {timeout} s"
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_the_worker_waits_out_an_unavailable_database(monkeypatch):
    tasks.log.clear()
    for entry in ("one", "two", "three"):
        tasks.note.enqueue(entry=entry)
    real_claim = outbox_worker.messages_claim
    outages: list[str] = []

    def claim_while_the_database_is_down(**kwargs):
        if len(outages) < 2:
            outages.append("down")
            raise OperationalError("server closed the connection unexpectedly")
        return real_claim(**kwargs)

    monkeypatch.setattr(outbox_worker, "messages_claim", claim_while_the_database_is_down)
    worker = Worker(worker_id="patient", poll_seconds=0, exit_when_idle=True)

    worker.run()

    assert outages == ["down", "down"]
    assert tasks.log == ["one", "two", "three"]
    assert set(Message.objects.values_list("status", flat=True)) == {"done"}


@pytest.mark.django_db(transaction=True)
def test_a_live_worker_keeps_a_slow_message_past_its_lease(settings):
    settings.OUTBOX_LEASE_SECONDS = 1
    enqueued = tasks.slow.enqueue(seconds=2.5)
    worker = Worker(worker_id="slow-but-alive", poll_seconds=0, exit_when_idle=True)
    thread = threading.Thread(target=worker.run)
    thread.start()
    try:
        wait_for(lambda: Message.objects.filter(status="running").exists(), timeout=10)
        time.sleep(1.5)  # longer than the lease: only the heartbeat has kept it

        assert run_batch(worker_id="another-worker") == 0
    finally:
        thread.join()

    message = Message.objects.get(pk=int(enqueued.id))
    assert (message.status, message.attempts) == ("done", 1)
    assert message.tries.get().worker_id == "slow-but-alive"
