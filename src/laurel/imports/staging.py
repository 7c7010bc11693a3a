"""The file being imported, kept in the database while it is checked and applied.

A file is read once, as a stream: its good rows go into ``StagedRow`` a batch at a time,
each batch its own short transaction, so that memory stays the same for any length of
file and no lock is held for long. What needs the whole file (a session named twice, a
pairing with other members on two lines) is then asked of the staged rows with set-based
queries, and the rows are read back a batch at a time to be checked against the record
and applied.

``ImportRun`` records where an import is: one per program is under way at a time, and one
whose process died (it stops renewing its heartbeat) is taken over by the next import.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from laurel.bulk import datetime_param
from laurel.errors import Conflict
from laurel.imports.models import ImportRun, StagedParticipant, StagedRow
from laurel.imports.parsing import MAX_PROBLEMS, Problems, Row, RowFeedback
from laurel.programs.models import Program

# Rows per batch: staged, checked and applied in transactions of this many rows, short
# enough that other writers (the API, the worker) get the database between two of them.
DEFAULT_BATCH_ROWS = 2000
# A run under way renews its heartbeat with every batch; one that has not for this long has
# lost its process, and the next import into the program takes over.
RUN_LEASE = timedelta(minutes=5)
STAGED_TABLE = StagedRow._meta.db_table


def batch_rows() -> int:
    return int(getattr(settings, "IMPORT_BATCH_ROWS", DEFAULT_BATCH_ROWS))


# --- the run ------------------------------------------------------------------------------


def run_start(*, program: Program, kind: str = ImportRun.Kind.RECORD) -> ImportRun:
    """Start an import into ``program``, or refuse if another is under way."""
    wall = timezone.now()
    stale = list(
        ImportRun.objects.filter(
            program=program, state__in=ImportRun.UNDER_WAY, heartbeat_at__lt=wall - RUN_LEASE
        ).values_list("pk", flat=True)
    )
    for run_id in stale:
        _stop(run_id)
    try:
        with transaction.atomic():
            return ImportRun.objects.create(
                program=program, kind=kind, started_at=wall, heartbeat_at=wall
            )
    except IntegrityError:
        running = (
            ImportRun.objects.filter(program=program, state__in=ImportRun.UNDER_WAY)
            .values_list("started_at", flat=True)
            .first()
        )
        since = f" (since {running:%Y-%m-%d %H:%M:%S} UTC)" if running else ""
        raise Conflict(
            _(
                "Another import into this program is under way%(since)s. Import this file"
                " once it has finished."
            )
            % {"since": since}
        ) from None


def _stop(run_id: int) -> None:
    """Mark a run that will not go on as stopped, and let go of its staged rows."""
    ImportRun.objects.filter(pk=run_id, state__in=ImportRun.UNDER_WAY).update(
        state=ImportRun.State.STOPPED, finished_at=timezone.now()
    )
    _purge(run_id)


def run_stopped(*, run: ImportRun) -> None:
    """The import failed or was interrupted: record it as stopped (as far as it got)."""
    _stop(run.pk)


def run_refused(*, run: ImportRun) -> None:
    ImportRun.objects.filter(pk=run.pk).update(
        state=ImportRun.State.REFUSED, finished_at=timezone.now()
    )
    _purge(run.pk)


def run_applying(*, run: ImportRun, rows: int, file_sha256: str) -> None:
    ImportRun.objects.filter(pk=run.pk).update(
        state=ImportRun.State.APPLYING,
        rows=rows,
        file_sha256=file_sha256,
        heartbeat_at=timezone.now(),
    )


def run_applied_through(*, run: ImportRun, line: int) -> None:
    """Rows up to ``line`` are written: in the transaction that wrote them, record it and
    let go of their staged rows."""
    ImportRun.objects.filter(pk=run.pk).update(
        applied_through_line=line, heartbeat_at=timezone.now()
    )
    _staged_model(run.kind).objects.filter(run=run, line__lte=line).delete()


def run_done(*, run: ImportRun, result: dict[str, Any]) -> None:
    ImportRun.objects.filter(pk=run.pk).update(
        state=ImportRun.State.DONE, result=result, finished_at=timezone.now()
    )


def _heartbeat(run: ImportRun) -> None:
    ImportRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now())


def run_heartbeat(*, run: ImportRun) -> None:
    """The run is alive: renewed with every batch it stages, checks or applies."""
    _heartbeat(run)


def _staged_model(kind: str) -> type[StagedRow] | type[StagedParticipant]:
    return StagedParticipant if kind == ImportRun.Kind.PARTICIPANTS else StagedRow


def _purge(run_id: int) -> None:
    # A batch at a time, so that letting go of a large file takes no long lock either.
    for model in (StagedRow, StagedParticipant):
        while True:
            with transaction.atomic():
                ids = list(
                    model.objects.filter(run_id=run_id)
                    .order_by("line")
                    .values_list("pk", flat=True)[:5000]
                )
                if not ids:
                    break
                model.objects.filter(pk__in=ids).delete()


# --- staging and reading back -------------------------------------------------------------


def stage(*, run: ImportRun, rows: Iterable[Row], problems: Problems) -> int:
    """Write the rows into the staging table, a batch per transaction; how many there were.
    Reading stops early once ``problems`` is full, as nothing more would be reported."""
    size = batch_rows()
    count = 0
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(_staged(run, row))
        if len(batch) >= size:
            count += _write(run, batch)
            batch = []
        if problems.truncated:
            break
    return count + _write(run, batch)


_COLUMNS = (
    "run_id",
    "line",
    "pairing",
    "mentor_email",
    "mentor_name",
    "mentee_email",
    "mentee_name",
    "session",
    "starts_at",
    "ends_at",
    "duration_minutes",
    "status",
    "mentor_rating",
    "mentor_comment",
    "mentee_rating",
    "mentee_comment",
)


def _write(run: ImportRun, batch: list[tuple[Any, ...]]) -> int:
    # A plain INSERT of tuples: the ORM's per-field preparation of model instances would
    # cost more than reading and checking the rows.
    if batch:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {STAGED_TABLE} ({', '.join(_COLUMNS)})"  # noqa: S608 - fixed SQL, values are parameters
                f" VALUES ({', '.join(['%s'] * len(_COLUMNS))})",
                batch,
            )
            _heartbeat(run)
    return len(batch)


def _staged(run: ImportRun, row: Row) -> tuple[Any, ...]:
    feedback = {item.role: item for item in row.feedback}
    mentor, mentee = feedback.get("mentor"), feedback.get("mentee")
    return (
        run.pk,
        row.line,
        row.pairing,
        row.emails["mentor"],
        row.names["mentor"],
        row.emails["mentee"],
        row.names["mentee"],
        row.session,
        datetime_param(row.starts_at),
        datetime_param(row.ends_at),
        row.duration_minutes,
        row.status,
        mentor.rating if mentor else None,
        mentor.comment if mentor else "",
        mentee.rating if mentee else None,
        mentee.comment if mentee else "",
    )


def staged_batches(*, run: ImportRun) -> Iterator[list[Row]]:
    """The staged rows in the order of the file, a batch at a time."""
    size = batch_rows()
    after = 0
    fields = [c.removesuffix("_id") for c in _COLUMNS[1:]]
    while True:
        batch = [
            _row(*values)
            for values in StagedRow.objects.filter(run=run, line__gt=after)
            .order_by("line")
            .values_list(*fields)[:size]
        ]
        if not batch:
            return
        after = batch[-1].line
        yield batch
        _heartbeat(run)


def _row(
    line: int,
    pairing: str,
    mentor_email: str,
    mentor_name: str,
    mentee_email: str,
    mentee_name: str,
    session: str,
    starts_at: datetime,
    ends_at: datetime,
    duration_minutes: int,
    status: str,
    mentor_rating: int | None,
    mentor_comment: str,
    mentee_rating: int | None,
    mentee_comment: str,
) -> Row:
    feedback = [
        RowFeedback(role, rating, comment)
        for role, rating, comment in (
            ("mentor", mentor_rating, mentor_comment),
            ("mentee", mentee_rating, mentee_comment),
        )
        if rating is not None
    ]
    return Row(
        line=line,
        pairing=pairing,
        emails={"mentor": mentor_email, "mentee": mentee_email},
        names={"mentor": mentor_name, "mentee": mentee_name},
        session=session,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        status=status,
        feedback=feedback,
    )


# --- checks that need the whole file ------------------------------------------------------


def check_against_each_other(*, run: ImportRun, problems: Problems) -> None:
    """Rows about the same pairing or session must agree with each other: a session once per
    file, a pairing with the same members on every line (as on its first)."""
    # One pass over the run's rows each, sorted by pairing or session and line: a window
    # function gives every row its group's first line (and members), whatever the size.
    limit = MAX_PROBLEMS + 1
    with connection.cursor() as cursor:
        # Every line of a session after its first.
        cursor.execute(
            "SELECT line, session, first_line FROM ("  # noqa: S608 - fixed SQL, values are parameters
            "  SELECT line, session,"
            "   FIRST_VALUE(line) OVER (PARTITION BY session ORDER BY line) AS first_line"
            f"  FROM {STAGED_TABLE} WHERE run_id = %s"
            ") AS s WHERE line > first_line ORDER BY line LIMIT %s",
            [run.pk, limit],
        )
        for line, session, first_line in cursor.fetchall():
            problems.add(line, "session", f"Session {session!r} is also on line {first_line}.")
        # Every line of a pairing whose members differ from its first line's.
        cursor.execute(
            "SELECT line, pairing, first_line FROM ("  # noqa: S608 - fixed SQL, values are parameters
            "  SELECT line, pairing, mentor_email, mentee_email,"
            "   FIRST_VALUE(line) OVER first AS first_line,"
            "   FIRST_VALUE(mentor_email) OVER first AS first_mentor,"
            "   FIRST_VALUE(mentee_email) OVER first AS first_mentee"
            f"  FROM {STAGED_TABLE} WHERE run_id = %s"
            "  WINDOW first AS (PARTITION BY pairing ORDER BY line)"
            ") AS p WHERE mentor_email <> first_mentor OR mentee_email <> first_mentee"
            " ORDER BY line LIMIT %s",
            [run.pk, limit],
        )
        for line, pairing, first_line in cursor.fetchall():
            problems.add(
                line, "pairing", f"Pairing {pairing!r} has other members on line {first_line}."
            )
    _heartbeat(run)
