"""Messages prepared a batch at a time: one call for the batch, each message still run and
recorded on its own."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest
from django.utils import timezone

from laurel.outbox import batches
from laurel.outbox.backend import enqueue_many
from laurel.outbox.models import Attempt, Message
from laurel.outbox.services import Outcome, attempt_record, messages_claim
from laurel.outbox.tests.tasks import log, note

pytestmark = pytest.mark.django_db

prepared_batches: list[list[str]] = []


def prepare_notes(batch: Sequence[Mapping[str, Any]]) -> list[Any]:
    entries = [str(kwargs["entry"]) for kwargs in batch]
    prepared_batches.append(entries)

    def run(entry: str) -> Any:
        def deliver() -> dict[str, str]:
            if entry == "broken":
                raise ConnectionError("the receiver hung up")
            log.append(f"prepared {entry}")
            return {"noted": entry}

        return deliver

    return [run(entry) for entry in entries]


@pytest.fixture
def notes_prepared():
    log.clear()
    prepared_batches.clear()
    batches.batch_preparer_register(note, prepare_notes)
    yield
    batches._preparers.pop(note.module_path)


def test_a_batch_is_prepared_at_once_and_each_message_recorded_on_its_own(
    notes_prepared, run_tasks
):
    enqueue_many(note, [{"entry": entry} for entry in ["a", "broken", "c"]])

    assert run_tasks() == 3

    assert prepared_batches == [["a", "broken", "c"]]
    assert log == ["prepared a", "prepared c"]
    outcome = {
        m.arguments["kwargs"]["entry"]: (m.status, m.attempts) for m in Message.objects.all()
    }
    assert outcome == {"a": ("done", 1), "broken": ("pending", 1), "c": ("done", 1)}
    [failed] = Attempt.objects.filter(succeeded=False)
    assert failed.error == "ConnectionError: the receiver hung up"
    assert sorted(a.detail.get("noted", "") for a in Attempt.objects.filter(succeeded=True)) == [
        "a",
        "c",
    ]


def test_a_preparer_that_fails_leaves_each_message_to_its_task(
    notes_prepared, run_tasks, monkeypatch
):
    def broken_preparer(batch: Sequence[Mapping[str, Any]]) -> list[Any]:
        raise RuntimeError("the database went away")

    monkeypatch.setitem(batches._preparers, note.module_path, broken_preparer)
    enqueue_many(note, [{"entry": entry} for entry in ["a", "b"]])

    assert run_tasks() == 2

    assert sorted(log) == ["a", "b"]
    assert set(Message.objects.values_list("status", flat=True)) == {"done"}


def test_prepared_work_that_waited_too_long_is_done_afresh(notes_prepared, run_tasks, monkeypatch):
    monkeypatch.setattr("laurel.outbox.worker.PREPARED_FRESH_SECONDS", -1.0)
    enqueue_many(note, [{"entry": entry} for entry in ["a", "b"]])

    assert run_tasks() == 2

    # Prepared, but too old by the time each ran: their tasks ran instead.
    assert prepared_batches == [["a", "b"]]
    assert sorted(log) == ["a", "b"]


def test_an_attempt_committed_without_waiting_for_the_disk_is_recorded_all_the_same():
    enqueue_many(note, [{"entry": "a"}])
    [message] = messages_claim(worker_id="w", limit=1)

    status = attempt_record(
        message=message, worker_id="w", outcome=Outcome(True, detail={"noted": "a"}),
        started_at=timezone.now(), durable=False,
    )  # fmt: skip

    assert status == "done"
    message.refresh_from_db()
    assert (message.status, message.attempts, message.lease_until) == ("done", 1, None)
    [attempt] = message.tries.all()
    assert (attempt.number, attempt.worker_id, attempt.succeeded) == (1, "w", True)
    assert attempt.detail == {"noted": "a"}
