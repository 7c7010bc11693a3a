"""Tasks whose messages are read from the database a batch at a time.

A worker claims a few messages at once. For a kind of message registered here (award
emails: thousands in a row after an enable), it asks the owning app once for the whole
batch, which reads what all of them need in a query or two instead of one query per
message, and gets back one ``Prepared`` per message: what its task would do, with the
reading already done. The worker still runs and records each message on its own, in
order, so that one failing fails only its own attempt.

A prepared message is run only while it is fresh (``PREPARED_FRESH_SECONDS``); a batch
held up longer has its task run afresh, so that what an email says is read at most that
long before it goes. The apps register their preparers when Django starts, so the outbox,
below them, never imports them.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from contextlib import nullcontext
from typing import Any

from django.db import connection, transaction
from django_tasks.base import Task

from laurel.outbox.models import Message

logger = logging.getLogger(__name__)

# How old (seconds) a prepared message may be when it runs; older ones are run afresh.
PREPARED_FRESH_SECONDS = 1.0

# Runs one message's work with what was read for it beforehand; returns what the task
# would return, or raises as it would. It may also have a ``ready()`` method that does the
# part of the work with no effect outside the process (putting an email together) ahead
# of the call; the worker calls it while the message before waits for its answer.
Prepared = Callable[[], Any]
# Given the keyword arguments of a batch's messages, one ``Prepared`` per message (None
# for one the task should run itself).
BatchPreparer = Callable[[Sequence[Mapping[str, Any]]], Sequence[Prepared | None]]

_preparers: dict[str, BatchPreparer] = {}


def batch_preparer_register(task: Task[Any, Any], prepare: BatchPreparer) -> None:
    """Prepare ``task``'s messages a batch at a time with ``prepare``."""
    _preparers[task.module_path] = prepare


def batch_prepare(messages: Sequence[Message]) -> dict[int, Prepared]:
    """The prepared work of those of ``messages`` whose kind has a preparer, by message id.
    A preparer that raises prepares nothing: those messages run their tasks one by one,
    and each attempt records its own error."""
    groups: dict[str, list[Message]] = defaultdict(list)
    for message in messages:
        if message.kind in _preparers and not message.arguments.get("args"):
            groups[message.kind].append(message)
    prepared: dict[int, Prepared] = {}
    for kind, group in groups.items():
        # Inside a caller's transaction (tests) a savepoint keeps a preparer's database
        # error from spoiling it.
        isolation = transaction.atomic() if connection.in_atomic_block else nullcontext()
        try:
            with isolation:
                runs = _preparers[kind]([m.arguments.get("kwargs", {}) for m in group])
        except Exception:
            logger.exception("Could not prepare %s messages of %s together", len(group), kind)
            continue
        if len(runs) != len(group):
            logger.error("The preparer of %s returned %s for %s", kind, len(runs), len(group))
            continue
        for message, run in zip(group, runs, strict=True):
            if run is not None:
                prepared[message.pk] = run
    return prepared
