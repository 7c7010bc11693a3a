"""Feedback reminders: people whose completed sessions nobody gave feedback on yet.

Who is due is one ``INSERT ... SELECT`` over the record: a completed session with no
feedback from either member, in a program with an enabled automatic certificate, that
this member was never reminded of, for a person not reminded in the last week and who
has not switched reminders off. The rows it writes (``FeedbackReminder``) are the
bookkeeping of both limits, and one email per person is queued in the same transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection, transaction

from laurel.accounts.models import User
from laurel.bulk import datetime_param, in_list
from laurel.certificates.models import CertificateDefinition
from laurel.notifications.models import EmailKind, EmailOptOut, FeedbackReminder
from laurel.notifications.tasks import send_feedback_reminder
from laurel.outbox.backend import enqueue_many
from laurel.programs.models import Pairing, PairingMember, Program, Session

# At most one reminder a week per person.
REMINDER_INTERVAL = timedelta(days=7)
# Any number; it only has to be the same in every process (a PostgreSQL advisory lock).
_LOCK_KEY = 7_301_664_018


@dataclass(frozen=True)
class RemindersResult:
    """Who was reminded (one email each) and of how many sessions in all."""

    reminded_user_ids: list[int] = field(default_factory=list)
    sessions: int = 0


def _table(model: type) -> str:
    return connection.ops.quote_name(model._meta.db_table)  # type: ignore[attr-defined]


def _reminders_queue(
    *,
    now: datetime,
    program_id: int | None = None,
    user_ids: Sequence[int] | None = None,
    by: User | None = None,
) -> RemindersResult:
    """Record and queue the reminders due now, within a program and to some people if
    given. Runs in the caller's transaction."""
    if connection.vendor == "postgresql":
        # The weekly limit reads the table it writes: two runs at once (the job and an
        # admin) must not both decide that the same person is due.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
    scope, scope_params = "", list[object]()
    if program_id is not None:
        scope += " AND p.program_id = %s"
        scope_params.append(program_id)
    if user_ids is not None:
        members, members_params = in_list("pm.user_id", list(user_ids))
        scope += f" AND {members}"
        scope_params += members_params
    reminder, sql_now = _table(FeedbackReminder), datetime_param(now)
    sql = f"""
        INSERT INTO {reminder} (session_id, user_id, program_id, sent_at, sent_by_id)
        SELECT s.id, pm.user_id, p.program_id, %s, %s
        FROM {_table(Session)} s
        JOIN {_table(Pairing)} p ON p.id = s.pairing_id
        JOIN {_table(PairingMember)} pm ON pm.pairing_id = s.pairing_id
        JOIN {_table(User)} u ON u.id = pm.user_id
        WHERE s.status = 'completed' AND s.first_feedback_at IS NULL AND u.is_active
          AND EXISTS (
            SELECT 1 FROM {_table(CertificateDefinition)} d
            WHERE d.program_id = p.program_id AND d.enabled AND d.rule = 'sessions_completed')
          AND NOT EXISTS (
            SELECT 1 FROM {reminder} r WHERE r.session_id = s.id AND r.user_id = pm.user_id)
          AND NOT EXISTS (
            SELECT 1 FROM {reminder} w WHERE w.user_id = pm.user_id AND w.sent_at > %s)
          AND NOT EXISTS (
            SELECT 1 FROM {_table(EmailOptOut)} o
            WHERE o.user_id = pm.user_id AND o.kind = %s)
          {scope}
        ON CONFLICT DO NOTHING
        RETURNING user_id, session_id, program_id
    """  # noqa: S608 - our own table names
    params = [
        sql_now, by.pk if by else None, datetime_param(now - REMINDER_INTERVAL),
        EmailKind.REMINDER.value, *scope_params,
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return RemindersResult()
    sessions_of: dict[int, list[int]] = defaultdict(list)
    first_program: dict[int, int] = {}
    for user_id, session_id, row_program_id in sorted(rows, key=lambda r: (r[0], r[2], r[1])):
        sessions_of[user_id].append(session_id)
        first_program.setdefault(user_id, row_program_id)
    organisation_of = dict(
        Program.objects.filter(pk__in=set(first_program.values())).values_list(
            "pk", "organisation_id"
        )
    )
    # One email per person, counted against the rate of the organisation of their first
    # program.
    by_organisation: dict[int, list[int]] = defaultdict(list)
    for user_id, row_program_id in first_program.items():
        by_organisation[organisation_of[row_program_id]].append(user_id)
    for organisation_id, people in by_organisation.items():
        enqueue_many(
            send_feedback_reminder,
            ({"user_id": user_id, "session_ids": sessions_of[user_id]} for user_id in people),
            organisation_id=organisation_id,
            recipient_ids=people,
        )
    return RemindersResult(reminded_user_ids=sorted(sessions_of), sessions=len(rows))


def reminders_due_send(now: datetime) -> int:
    """The periodic job: remind everyone who is due. Returns how many people."""
    with transaction.atomic():
        return len(_reminders_queue(now=now).reminded_user_ids)


def reminders_send(
    *,
    program: Program,
    by: User | None,
    user_ids: Sequence[int] | None = None,
    now: datetime,
) -> RemindersResult:
    """An admin reminds some people of ``program`` (all with sessions waiting for feedback,
    if ``user_ids`` is None) of those sessions, within the same limits as the weekly job:
    a session at most once per person, a person at most once a week, only in a program
    with an enabled automatic certificate, never to someone who switched reminders off."""
    with transaction.atomic():
        return _reminders_queue(now=now, program_id=program.pk, user_ids=user_ids, by=by)
