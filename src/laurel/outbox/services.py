"""Writing to the outbox and working through it: enqueue, claim, record each attempt.

At least once: a message is claimed with a lease before it runs, and marked done after.
If its worker dies in between, the lease runs out and another worker runs it again, so
every task must be safe to run twice. A task that raises is retried after an exponential
backoff until it has used ``OUTBOX_MAX_ATTEMPTS``; one message failing never touches
another.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from traceback import format_exception
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from laurel.outbox.models import Attempt, Message, Throttle

logger = logging.getLogger(__name__)

# Rows per INSERT when many messages are written at once (an enable can award 50,000).
ENQUEUE_CHUNK = 10_000
ERROR_MAX_LENGTH = 1000


class AttemptFailed(Exception):
    """A task's way to fail an attempt with a readable reason and details to keep (say, a
    receiver's answer). With ``retry=False`` the message fails at once: trying again
    cannot help."""

    def __init__(self, error: str, *, detail: Mapping[str, Any] | None = None, retry: bool = True):
        super().__init__(error)
        self.error = error
        self.detail = dict(detail or {})
        self.retry = retry


class TaskMissing(Exception):
    """A message names a task that does not exist (any more)."""


def message_new(
    *,
    kind: str,
    args: Iterable[Any] = (),
    kwargs: Mapping[str, Any] | None = None,
    organisation_id: int | None = None,
    recipient_id: int | None = None,
    run_after: datetime | None = None,
    now: datetime,
) -> Message:
    """An unsaved message: for ``enqueue_many`` and for the django-tasks backend."""
    return Message(
        kind=kind,
        arguments={"args": list(args), "kwargs": dict(kwargs or {})},
        organisation_id=organisation_id,
        recipient_id=recipient_id,
        run_after=run_after or now,
        created_at=now,
    )


def messages_enqueue(*, messages: list[Message]) -> list[Message]:
    """Write messages in as few INSERTs as allowed; their ids are set (the caller may link
    rows to them). Call it inside the transaction of the change that caused them."""
    created: list[Message] = []
    for start in range(0, len(messages), ENQUEUE_CHUNK):
        created += Message.objects.bulk_create(messages[start : start + ENQUEUE_CHUNK])
    return created


# Turns one JSON array parameter into rows, one per element, in each database we run on;
# each element is a pair [arguments, recipient id], read by the two expressions after it.
JSON_ARRAY_ROWS = {
    "sqlite": ("json_each(%s)", "json_extract(value, '$[0]')", "json_extract(value, '$[1]')"),
    "postgresql": (
        "jsonb_array_elements(%s::jsonb) AS element(value)",
        "value -> 0",
        "(value ->> 1)::bigint",
    ),
}


def messages_enqueue_fast(
    *,
    kind: str,
    kwargs_list: Iterable[Mapping[str, Any]],
    organisation_id: int | None,
    recipient_ids: Iterable[int | None] | None = None,
    run_after: datetime | None,
    now: datetime,
) -> int:
    """Write one message per set of keyword arguments (to the matching one of
    ``recipient_ids``, if given), for callers that need no ids back; returns how many.

    The arguments travel as one JSON array that the database unpacks into rows (``INSERT
    ... SELECT`` from it): an enable that awards 50,000 people queues their 50,000 emails
    in a fraction of a second, where a model object or a parameter list per row cost
    seconds (most on PostgreSQL, whose driver quotes every parameter).
    """
    kwargs_rows = [dict(kwargs) for kwargs in kwargs_list]
    recipients = list(recipient_ids) if recipient_ids is not None else [None] * len(kwargs_rows)
    if len(recipients) != len(kwargs_rows):
        raise ValueError("One recipient id (or None) is needed per set of arguments.")
    dialect = JSON_ARRAY_ROWS.get(connection.vendor)
    if dialect is None:
        messages_enqueue(
            messages=[
                message_new(
                    kind=kind, kwargs=kwargs, organisation_id=organisation_id,
                    recipient_id=recipient, run_after=run_after, now=now,
                )
                for kwargs, recipient in zip(kwargs_rows, recipients, strict=True)
            ]
        )  # fmt: skip
        return len(kwargs_rows)
    rows_from, arguments_of, recipient_of = dialect
    arguments = [
        [{"args": [], "kwargs": kwargs}, recipient]
        for kwargs, recipient in zip(kwargs_rows, recipients, strict=True)
    ]
    table = connection.ops.quote_name(Message._meta.db_table)
    fields = [
        "kind", "organisation_id", "status", "attempts", "run_after", "worker_id",
        "created_at", "last_error", "arguments", "recipient_id",
    ]  # fmt: skip
    # Each of these fields is stored in a column of its own name.
    columns = ", ".join(connection.ops.quote_name(name) for name in fields)
    shared = [
        kind,
        organisation_id,
        Message.Status.PENDING.value,
        0,
        connection.ops.adapt_datetimefield_value(run_after or now),
        "",
        connection.ops.adapt_datetimefield_value(now),
        "",
    ]
    sql = (
        f"INSERT INTO {table} ({columns})"  # noqa: S608 - our own names
        f" SELECT {', '.join(['%s'] * len(shared))}, {arguments_of}, {recipient_of}"
        f" FROM {rows_from}"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(arguments), ENQUEUE_CHUNK):
            chunk = json.dumps(arguments[start : start + ENQUEUE_CHUNK], separators=(",", ":"))
            cursor.execute(sql, [*shared, chunk])
    return len(arguments)


def retry_delay(*, attempts: int) -> timedelta:
    """How long to wait after ``attempts`` failed attempts: the base delay, doubled each
    time, capped."""
    seconds = settings.OUTBOX_RETRY_DELAY_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.OUTBOX_RETRY_MAX_DELAY_SECONDS))


def _lost_error(message: Message) -> str:
    return (
        f"Worker {message.worker_id or 'unknown'} stopped before finishing"
        f" (its lease ran out at {message.lease_until:%Y-%m-%d %H:%M:%S} UTC)."
    )


def messages_claim(*, worker_id: str, limit: int, now: datetime | None = None) -> list[Message]:
    """Claim up to ``limit`` messages for ``worker_id``: first those whose worker died (its
    lease ran out), then the pending ones that are due, oldest first.

    One transaction: on PostgreSQL the rows read are locked and rows another worker is
    claiming are skipped (``SKIP LOCKED``), so workers never wait for one another nor
    claim the same message; SQLite runs one writer at a time. The claim is a conditional
    UPDATE besides, so a row changed meanwhile is not taken.
    """
    now = now or timezone.now()
    lease_until = now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    with transaction.atomic():
        lost = list(
            Message.objects.select_for_update(skip_locked=True)
            .filter(status=Message.Status.RUNNING, lease_until__lt=now)
            .order_by("lease_until")[:limit]
        )
        due_now = Message.objects.select_for_update(skip_locked=True).filter(
            status=Message.Status.PENDING, run_after__lte=now
        )
        throttling = settings.OUTBOX_ORGANISATION_RATE > 0
        if throttling:
            # Pass over the messages of organisations that have used their rate for now,
            # so that one organisation's backlog never holds up another's.
            due_now = due_now.exclude(
                Exists(
                    Throttle.objects.filter(
                        organisation_id=OuterRef("organisation_id"),
                        next_at__gt=now + _burst_window() - _interval(),
                    )
                )
            )
        due = list(due_now.order_by("run_after", "id")[: limit - len(lost)])
        if throttling and due:
            due = _within_rate(due, now=now)
        claimed: list[Message] = []
        for message in lost:
            # The attempt of the worker that died counts: a message that kills every
            # worker running it must not be tried for ever.
            attempts = message.attempts + 1
            error = _lost_error(message)
            gives_up = attempts >= settings.OUTBOX_MAX_ATTEMPTS
            changes: dict[str, Any] = {"attempts": attempts, "last_error": error}
            if gives_up:
                changes |= {"status": Message.Status.FAILED, "finished_at": now}
                changes |= {"lease_until": None}
            else:
                changes |= {"worker_id": worker_id, "lease_until": lease_until}
            taken = Message.objects.filter(
                pk=message.pk, status=Message.Status.RUNNING, lease_until=message.lease_until
            ).update(**changes)
            if not taken:
                continue
            Attempt.objects.create(
                message=message, number=attempts, worker_id=message.worker_id, started_at=None,
                finished_at=now, succeeded=False, error=error[:ERROR_MAX_LENGTH],
            )  # fmt: skip
            logger.warning("Message %s: %s", message.pk, error)
            if not gives_up:
                message.attempts, message.worker_id = attempts, worker_id
                message.lease_until = lease_until
                claimed.append(message)
        if due:
            Message.objects.filter(
                pk__in=[m.pk for m in due], status=Message.Status.PENDING
            ).update(status=Message.Status.RUNNING, worker_id=worker_id, lease_until=lease_until)
            for message in due:
                message.status, message.worker_id = Message.Status.RUNNING, worker_id
                message.lease_until = lease_until
            claimed += due
    return claimed


def _interval() -> timedelta:
    """The time between two messages of one organisation at the steady rate."""
    return timedelta(seconds=1 / settings.OUTBOX_ORGANISATION_RATE)


def _burst_window() -> timedelta:
    return _interval() * max(settings.OUTBOX_ORGANISATION_BURST, 1)


def _within_rate(due: list[Message], *, now: datetime) -> list[Message]:
    """The messages of ``due`` that their organisations' token buckets allow now (all of
    those with no organisation), taking the tokens. Called inside the claim's transaction.

    A bucket is the time its organisation's next message is due at the steady rate; an
    idle organisation may send up to the burst at once, then one message per interval.
    """
    interval, window = _interval(), _burst_window()
    wanted = Counter(m.organisation_id for m in due if m.organisation_id is not None)
    if not wanted:
        return due
    Throttle.objects.bulk_create(
        [Throttle(organisation_id=org, next_at=now) for org in sorted(wanted)],
        ignore_conflicts=True,
    )
    # A bucket another worker is drawing from at this moment is skipped, not waited for:
    # its organisation's messages go in a later claim.
    buckets = Throttle.objects.select_for_update(skip_locked=True).filter(
        organisation_id__in=sorted(wanted)
    )
    allowed: dict[int, int] = {}
    for bucket in buckets:
        start = max(bucket.next_at, now)
        # The small addition keeps a whole token whole despite floating point.
        tokens = int((now + window - start) / interval + 1e-6)
        taken = max(0, min(tokens, wanted[bucket.organisation_id]))
        allowed[bucket.organisation_id] = taken
        if taken:
            Throttle.objects.filter(pk=bucket.pk).update(next_at=start + interval * taken)
    kept: list[Message] = []
    for message in due:
        org = message.organisation_id
        if org is None:
            kept.append(message)
        elif allowed.get(org, 0) > 0:
            allowed[org] -= 1
            kept.append(message)
    return kept


def leases_renew(*, worker_id: str, message_ids: list[int], now: datetime | None = None) -> int:
    """Extend the lease of the messages ``worker_id`` is still working on: it is alive."""
    if not message_ids:
        return 0
    now = now or timezone.now()
    return Message.objects.filter(
        pk__in=message_ids, status=Message.Status.RUNNING, worker_id=worker_id
    ).update(lease_until=now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS))


def message_start(*, message: Message, worker_id: str, now: datetime | None = None) -> bool:
    """Confirm, just before running it, that the message is still this worker's, renewing
    its lease. False if it is not: the lease ran out while the message waited in the
    batch (a stalled worker), and another worker took it over."""
    now = now or timezone.now()
    return bool(
        Message.objects.filter(
            pk=message.pk, status=Message.Status.RUNNING, worker_id=worker_id
        ).update(lease_until=now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS))
    )


def messages_release(*, worker_id: str, message_ids: list[int]) -> int:
    """Give back claimed messages that were not started (the worker is stopping)."""
    return Message.objects.filter(
        pk__in=message_ids, status=Message.Status.RUNNING, worker_id=worker_id
    ).update(status=Message.Status.PENDING, worker_id="", lease_until=None)


@dataclass(frozen=True)
class Outcome:
    succeeded: bool
    error: str = ""
    detail: Mapping[str, Any] | None = None
    retry: bool = True

    @classmethod
    def of_exception(cls, error: BaseException) -> Outcome:
        if isinstance(error, AttemptFailed):
            return cls(False, error.error, error.detail, error.retry)
        return cls(
            False,
            f"{type(error).__name__}: {error}",
            {"traceback": "".join(format_exception(error))[-20_000:]},
            retry=not isinstance(error, TaskMissing),
        )


def attempt_record(
    *,
    message: Message,
    worker_id: str,
    outcome: Outcome,
    started_at: datetime,
    now: datetime | None = None,
    durable: bool = True,
) -> str | None:
    """Record how an attempt ended and what happens next: done, due again after a backoff,
    or failed for good. Returns the message's new status, or None if the message was no
    longer this worker's (its lease ran out and another worker took it over, and that
    worker's attempt is the one recorded).

    A worker records thousands of attempts in a row, each committed before the next email
    goes, so this is one UPDATE and one INSERT in plain SQL: on PostgreSQL a single
    statement (one round trip, committed with it), on SQLite two in one transaction.

    Committed either way; on PostgreSQL, unless ``durable``, without waiting for the disk
    (``synchronous_commit`` off for this transaction only). Every other session sees it at
    once and it outlives the worker; only a crash of the database server itself could
    lose it, until the next durable commit, which writes the earlier ones too.
    """
    now = now or timezone.now()
    attempts = message.attempts + 1
    adapt = connection.ops.adapt_datetimefield_value
    run_after: datetime | None = None
    if outcome.succeeded:
        status = Message.Status.DONE
    elif outcome.retry and attempts < settings.OUTBOX_MAX_ATTEMPTS:
        status = Message.Status.PENDING
        run_after = now + retry_delay(attempts=attempts)
    else:
        status = Message.Status.FAILED
    changes: dict[str, Any] = {"status": status.value, "last_error": outcome.error}
    if status == Message.Status.PENDING:
        changes |= {"run_after": adapt(run_after), "worker_id": ""}
    else:
        changes |= {"finished_at": adapt(now)}
    quote = connection.ops.quote_name
    update = (
        f"UPDATE {quote(Message._meta.db_table)}"  # noqa: S608 - our own names
        f" SET attempts = attempts + 1, lease_until = NULL,"
        f" {', '.join(f'{quote(column)} = %s' for column in changes)}"
        " WHERE id = %s AND status = %s AND worker_id = %s"
    )
    update_params = [*changes.values(), message.pk, Message.Status.RUNNING.value, worker_id]
    attempt: dict[str, Any] = {
        "message_id": message.pk,
        "number": attempts,
        "worker_id": worker_id,
        "started_at": adapt(started_at),
        "finished_at": adapt(now),
        "succeeded": outcome.succeeded,
        "error": outcome.error[:ERROR_MAX_LENGTH],
        "detail": json.dumps(dict(outcome.detail or {})),
    }
    columns = ", ".join(quote(column) for column in attempt)
    table = quote(Attempt._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The attempt is written only if the UPDATE took the message: one statement,
            # which also sets how its transaction commits.
            values = ", ".join(["%s"] * (len(attempt) - 2) + ["%s::jsonb"])
            cursor.execute(
                f"WITH mine AS ({update} RETURNING id)"  # noqa: S608 - our own names
                f" INSERT INTO {table} ({columns}) SELECT mine.id, {values}"
                " FROM mine CROSS JOIN (SELECT set_config('synchronous_commit', %s, true)) AS c"
                " RETURNING message_id",
                [*update_params, *list(attempt.values())[1:], "on" if durable else "off"],
            )
            mine = cursor.fetchone() is not None
        else:
            with transaction.atomic():
                cursor.execute(update, update_params)
                mine = cursor.rowcount == 1
                if mine:
                    cursor.execute(
                        f"INSERT INTO {table} ({columns})"  # noqa: S608 - our own names
                        f" VALUES ({', '.join(['%s'] * len(attempt))})",
                        list(attempt.values()),
                    )
    if not mine:
        logger.warning("Message %s was taken over by another worker while it ran", message.pk)
        return None
    if status == Message.Status.PENDING:
        logger.warning(
            "Message %s (%s) failed on attempt %s of %s, due again at %s: %s",
            message.pk, message.kind, attempts, settings.OUTBOX_MAX_ATTEMPTS,
            run_after, outcome.error,
        )  # fmt: skip
    elif status == Message.Status.FAILED:
        logger.error(
            "Message %s (%s) failed on attempt %s of %s; giving up: %s",
            message.pk, message.kind, attempts, settings.OUTBOX_MAX_ATTEMPTS, outcome.error,
        )  # fmt: skip
    return str(status.value)
