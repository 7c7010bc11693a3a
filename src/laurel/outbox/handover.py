"""The moment a message's effect leaves our hands, and what must be true before it.

A worker marks each message done after its task returns, and that mark must be committed
before the next message's effect can happen: then a worker that dies can leave at most
one message delivered but not marked (the one window for a duplicate). Waiting for each
mark before starting the next task would keep the worker idle while the database writes.

So the worker records an attempt from a thread of its own and goes on with the next
message at once. A task whose effect has a single point of no return (an email: the
mail server takes it only when the client sends the final ``.`` of ``DATA``) calls
``handover()`` right before that point, and everything before it (putting the email
together, ``MAIL``, ``RCPT``, ``DATA``, the content) overlaps with the recording of the
message before. ``handover()`` waits until that record is committed, and raises
``HandoverRefused`` if it could not be, so the effect never happens.

Tasks say that they call ``handover()`` by being registered (``handover_aware_register``,
when Django starts); the worker waits for the previous record before it starts any other
task. Outside a worker ``handover()`` does nothing.

After the handover a task may wait again (the mail server's answer to the ``.``); it calls
``while_waiting()`` there, and the worker uses the time to put its next message together
(a prepared message's ``ready()``, which has no effect outside the process).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django_tasks.base import Task

_gate: ContextVar[Callable[[], None] | None] = ContextVar("outbox_handover_gate", default=None)
_idle: ContextVar[Callable[[], None] | None] = ContextVar("outbox_idle_work", default=None)
_aware: set[str] = set()

logger = logging.getLogger(__name__)


class HandoverRefused(Exception):
    """The message before could not be recorded: this one's effect must not happen. The
    worker raises the recording's own error (its ``__cause__``) in its place."""


def handover_aware_register(task: Task[Any, Any]) -> None:
    """``task`` calls ``handover()`` right before its effect, and has no effect before."""
    _aware.add(task.module_path)


def handover_aware(kind: str) -> bool:
    return kind in _aware


def handover() -> None:
    """Wait until the message this worker ran before is recorded; call it right before
    the point after which this task's effect cannot be taken back. Safe to call twice."""
    gate = _gate.get()
    if gate is not None:
        gate()


def while_waiting() -> None:
    """Give the worker the time a task spends waiting after its handover. Runs at most
    once per task; its errors are logged, never raised (the work is done again later)."""
    idle = _idle.get()
    if idle is None:
        return
    _idle.set(None)
    try:
        idle()
    except Exception:
        logger.exception("Could not get the next message ready")


@contextmanager
def handover_gate(
    gate: Callable[[], None], *, idle: Callable[[], None] | None = None
) -> Iterator[None]:
    """Within the block, ``handover()`` calls ``gate`` and ``while_waiting()`` calls
    ``idle`` (the worker's, around one task)."""
    gate_token = _gate.set(gate)
    idle_token = _idle.set(idle)
    try:
        yield
    finally:
        _idle.reset(idle_token)
        _gate.reset(gate_token)
