"""Importing a program's record from CSV: participants, pairings, sessions and feedback.

One row per session (see ``parsing`` for reading and checking a row). The whole file is
checked before anything is written; if any row is wrong, every problem is reported by line
and column and nothing is imported. Pairings and sessions carry the ids of the system they
come from, so importing the same file again adds nothing, and a later file adds only what
is new (a completion, a cancellation, feedback).

The file streams: its rows are staged in the database and checked there (``staging``),
then applied a batch at a time, each batch its own short transaction, so that memory does
not grow with the file and other writers get the database between two batches. Rows are
written through the session's state machine (``programs.lifecycle``), the same rules and
writers as every other change of the record; it announces what changed, and progress and
awards follow in the same transaction as each batch.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import IO, NamedTuple

from django.db import connection, transaction
from django.utils import timezone

from laurel.bulk import CHUNK, chunks, in_list
from laurel.certificates.models import IssuedCertificate
from laurel.errors import InvalidInput
from laurel.imports import staging
from laurel.imports.models import ImportRun
from laurel.imports.parsing import (
    MAX_ROWS,
    ROLES,
    ImportRefused,
    Problems,
    Row,
    RowProblem,
    hashed,
    read_rows,
    refusal_column,
)
from laurel.imports.people import participants_in, users_by_email
from laurel.programs import lifecycle
from laurel.programs.models import Feedback, Pairing, PairingMember, Program, Session

BATCH = 2000
SESSION_TABLE = Session._meta.db_table
PAIRING_TABLE = Pairing._meta.db_table


@dataclass
class ImportResult:
    rows: int = 0
    people_created: int = 0
    participants_created: int = 0
    pairings_created: int = 0
    sessions_created: int = 0
    sessions_completed: int = 0
    sessions_cancelled: int = 0
    feedback_created: int = 0
    awarded: int = 0


class _KnownSession(NamedTuple):
    session_id: int
    pairing_id: int
    status: str
    starts_at: datetime
    ends_at: datetime


def _actions(row: Row) -> list[lifecycle.Action]:
    actions = []
    if row.status == Session.Status.COMPLETED:
        actions.append(lifecycle.Action.COMPLETE)
    elif row.status == Session.Status.CANCELLED:
        actions.append(lifecycle.Action.CANCEL)
    if row.feedback:
        actions.append(lifecycle.Action.GIVE_FEEDBACK)
    return actions


class _Known(NamedTuple):
    """What the record holds of a batch's pairings and sessions, imported before."""

    pairings: dict[str, int]
    members: dict[int, dict[str, str]]
    sessions: dict[str, _KnownSession]


def _known(program: Program, rows: list[Row]) -> _Known:
    pairing_ids = sorted({row.pairing for row in rows})
    known_pairings: dict[str, int] = {}
    for chunk in chunks(pairing_ids):
        for external_id, pk in Pairing.objects.filter(
            program=program, external_id__in=chunk
        ).values_list("external_id", "pk"):
            known_pairings[str(external_id)] = pk
    members: dict[int, dict[str, str]] = {}
    for pairing_chunk in chunks(list(known_pairings.values())):
        for member_pairing, role, email in PairingMember.objects.filter(
            pairing_id__in=pairing_chunk
        ).values_list("pairing_id", "participant__role", "participant__user__email"):
            members.setdefault(member_pairing, {})[role] = email
    # The rows' sessions in their own pairings, by (pairing, id): one probe each of the
    # unique index. Then, as a file's session ids are unique in the program (the API's only
    # in their pairing), an id not found there is looked for in the program's other pairings.
    own = [
        (known_pairings[row.pairing], row.session) for row in rows if row.pairing in known_pairings
    ]
    session_of_id = dict(_sessions_in_their_pairings(own))
    elsewhere = [row.session for row in rows if row.session not in session_of_id]
    for external_id, session_id in _sessions_in_program(program, elsewhere):
        session_of_id.setdefault(external_id, session_id)
    known_sessions: dict[str, _KnownSession] = {}
    for id_chunk in chunks(sorted(session_of_id.values())):
        for (
            external_id,
            session_id,
            session_pairing,
            status,
            starts_at,
            ends_at,
        ) in Session.objects.filter(pk__in=id_chunk).values_list(
            "external_id", "pk", "pairing_id", "status", "starts_at", "ends_at"
        ):
            known_sessions[str(external_id)] = _KnownSession(
                session_id, session_pairing, status, starts_at, ends_at
            )
    return _Known(known_pairings, members, known_sessions)


def _sessions_in_their_pairings(
    pairs: Sequence[tuple[int, str]],
) -> Iterator[tuple[str, int]]:
    """(external id, session id) of the sessions recorded under these (pairing, external
    id) pairs."""
    # A join with the pairs as a VALUES list (its columns are column1 and column2 on SQLite
    # and PostgreSQL alike): the database then probes the unique index once per pair,
    # where ``pairing IN (...) AND external_id IN (...)`` would try every combination.
    for chunk in chunks(pairs, CHUNK // 2):
        values = ", ".join(["(%s, %s)"] * len(chunk))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT s.external_id, s.id FROM {SESSION_TABLE} s"  # noqa: S608 - fixed SQL, values are parameters
                f" JOIN (VALUES {values}) AS v"
                " ON s.pairing_id = v.column1 AND s.external_id = v.column2",
                [value for pair in chunk for value in pair],
            )
            yield from cursor.fetchall()


def _sessions_in_program(
    program: Program, external_ids: Sequence[str]
) -> Iterator[tuple[str, int]]:
    """(external id, session id) of the program's sessions recorded under these ids, in any
    of its pairings."""
    for chunk in chunks(external_ids):
        condition, params = in_list("s.external_id", chunk)
        with connection.cursor() as cursor:
            # ``+`` keeps the program's index out of the plan, so that the lookup starts
            # from the few sessions with these ids rather than from all of the program's
            # pairings.
            cursor.execute(
                f"SELECT s.external_id, s.id FROM {SESSION_TABLE} s"  # noqa: S608 - fixed SQL, values are parameters
                f" JOIN {PAIRING_TABLE} p ON p.id = s.pairing_id"
                f" WHERE {condition} AND +p.program_id = %s",
                [*params, program.pk],
            )
            yield from cursor.fetchall()


def _check_against_record(
    rows: list[Row], record: _Known, problems: Problems, now: datetime, reported: set[str]
) -> None:
    """Pairings and sessions imported before must match the file. ``reported``: the
    pairings already reported in an earlier batch, each reported once."""
    known_pairings, members, known_sessions = record
    for row in rows:
        pairing_id = known_pairings.get(row.pairing)
        mismatch = pairing_id is not None and members.get(pairing_id) != row.emails
        if mismatch and row.pairing not in reported:
            reported.add(row.pairing)
            problems.add(
                row.line,
                "pairing",
                f"Pairing {row.pairing!r} was imported before with other members.",
            )
        known = known_sessions.get(row.session)
        if known is None:
            continue
        if pairing_id is None or known.pairing_id != pairing_id:
            problems.add(
                row.line,
                "session",
                f"Session {row.session!r} was imported before for another pairing.",
            )
        elif (known.starts_at, known.ends_at) != (row.starts_at, row.ends_at):
            problems.add(
                row.line,
                "starts_at",
                f"Session {row.session!r} was imported before to start at"
                f" {known.starts_at.isoformat()} and end at {known.ends_at.isoformat()};"
                " a session cannot be moved by a later file. Give it a new id if it is"
                " a new session.",
            )
        else:
            # What the row asks of a session on record is judged by the record's state
            # and times, by the same rules as any other change.
            for action in _actions(row):
                refused = lifecycle.refusal(
                    status=known.status,
                    starts_at=known.starts_at,
                    ends_at=known.ends_at,
                    action=action,
                    now=now,
                )
                if refused is not None:
                    problems.add(
                        row.line,
                        refusal_column(refused),
                        f"Session {row.session!r}: {refused.message}",
                    )
                    break


# --- writing ------------------------------------------------------------------------------


def _people(rows: list[Row], result: ImportResult) -> dict[str, int]:
    """User id by email address, creating the people who are new."""
    names: dict[str, str] = {}
    for row in rows:
        for role in ROLES:
            names.setdefault(row.emails[role], row.names[role])
    user_ids, created = users_by_email(names)
    result.people_created += created
    return user_ids


def _participants(
    program: Program,
    rows: list[Row],
    user_ids: dict[str, int],
    result: ImportResult,
    now: datetime,
) -> dict[tuple[int, str], int]:
    """Participant id by (user id, role), adding people to the program in their roles."""
    wanted = {(user_ids[row.emails[role]], role) for row in rows for role in ROLES}
    participant_ids, created = participants_in(program, wanted, now=now)
    result.participants_created += created
    return participant_ids


def record_import(
    *,
    program: Program,
    stream: IO[str] | str,
    now: datetime | None = None,
    max_rows: int = MAX_ROWS,
) -> ImportResult:
    """Import one program's record from CSV (see the README for the columns).

    The file is read as a stream and checked whole (against itself and the record) before
    the first row is applied; then it is applied a batch of rows per transaction. If the
    process stops part-way, the batches applied so far stay, the run is left ``applying``
    or marked ``stopped``, and importing the same file again completes it.
    """
    now = now or timezone.now()
    if program.kind == Program.Kind.GROUP:
        raise InvalidInput.field(
            "program", "This import is for 1:1 and development programs, where pairs meet."
        )
    if isinstance(stream, str):
        stream = io.StringIO(stream)
    run = staging.run_start(program=program)
    try:
        return _import(run, program, stream, now, max_rows)
    except ImportRefused:
        staging.run_refused(run=run)
        raise
    except BaseException:
        # Interrupted or failed: record how far it got, if the database still answers.
        with contextlib.suppress(Exception):
            staging.run_stopped(run=run)
        raise


def _import(
    run: ImportRun, program: Program, stream: IO[str], now: datetime, max_rows: int
) -> ImportResult:
    problems = Problems()
    digest = hashlib.sha256()
    count = staging.stage(
        run=run,
        rows=read_rows(hashed(stream, digest), now, problems, max_rows=max_rows),
        problems=problems,
    )
    staging.check_against_each_other(run=run, problems=problems)
    problems.refuse_if_any()
    if not count:
        raise ImportRefused([RowProblem(2, "-", "The file has no rows to import.")])
    reported: set[str] = set()
    for rows in staging.staged_batches(run=run):
        _check_against_record(rows, _known(program, rows), problems, now, reported)
        if problems.truncated:
            break
    problems.refuse_if_any()

    staging.run_applying(run=run, rows=count, file_sha256=digest.hexdigest())
    result = ImportResult(rows=count)
    for rows in staging.staged_batches(run=run):
        with transaction.atomic():
            _apply(program, rows, result, now)
            staging.run_applied_through(run=run, line=rows[-1].line)
    # Every award that followed from this import was made at now.
    result.awarded = IssuedCertificate.objects.filter(program=program, created_at=now).count()
    staging.run_done(run=run, result=asdict(result))
    return result


def _apply(program: Program, rows: list[Row], result: ImportResult, now: datetime) -> None:
    """Write one batch of checked rows, in the caller's transaction."""
    known = _known(program, rows)
    user_ids = _people(rows, result)
    participant_ids = _participants(program, rows, user_ids, result, now)

    def participant_of(row: Row, role: str) -> int:
        return participant_ids[(user_ids[row.emails[role]], role)]

    _pairings(program, rows, known.pairings, participant_of, user_ids, result)
    session_of = _sessions(rows, known.pairings, known.sessions, result, now)
    _feedback(rows, session_of, known.sessions, participant_of, result, now)


def _allowed_now(known: _KnownSession, action: lifecycle.Action, now: datetime) -> bool:
    refused = lifecycle.refusal(
        status=known.status,
        starts_at=known.starts_at,
        ends_at=known.ends_at,
        action=action,
        now=now,
    )
    return refused is None


def _pairings(
    program: Program,
    rows: list[Row],
    known_pairings: dict[str, int],
    participant_of: Callable[[Row, str], int],
    user_ids: dict[str, int],
    result: ImportResult,
) -> None:
    """Pairings new to this program, with their members; adds them to ``known_pairings``."""
    new_pairings: dict[str, Row] = {}
    for row in rows:
        if row.pairing not in known_pairings:
            new_pairings.setdefault(row.pairing, row)
    pairings = Pairing.objects.bulk_create(
        [Pairing(program=program, external_id=external_id) for external_id in new_pairings],
        batch_size=BATCH,
    )
    members: list[PairingMember] = []
    for (external_id, row), pairing in zip(new_pairings.items(), pairings, strict=True):
        known_pairings[external_id] = pairing.pk
        members += [
            PairingMember(
                pairing=pairing,
                participant_id=participant_of(row, role),
                user_id=user_ids[row.emails[role]],
            )
            for role in ROLES
        ]
    PairingMember.objects.bulk_create(members, batch_size=BATCH)
    result.pairings_created += len(pairings)


def _sessions(
    rows: list[Row],
    known_pairings: dict[str, int],
    known_sessions: dict[str, _KnownSession],
    result: ImportResult,
    now: datetime,
) -> dict[str, int]:
    """Record the new sessions, complete or cancel the known ones as the file says; returns
    the session id of every row's session."""
    new_rows = [row for row in rows if row.session not in known_sessions]
    sessions = lifecycle.sessions_create(
        sessions=[
            Session(
                pairing_id=known_pairings[row.pairing],
                external_id=row.session,
                starts_at=row.starts_at,
                duration_minutes=row.duration_minutes,
                ends_at=row.ends_at,
                status=row.status,
            )
            for row in new_rows
        ],
        now=now,
    )
    result.sessions_created += len(sessions)
    # The file was checked against the record before the first batch; what changed since
    # (a member completed or cancelled a session meanwhile) is judged again here, and the
    # later change stands.
    known_rows = [
        (row, known)
        for row in rows
        if (known := known_sessions.get(row.session)) is not None
        and known.status == Session.Status.SCHEDULED
        and all(_allowed_now(known, action, now) for action in _actions(row))
    ]
    result.sessions_completed += len(
        lifecycle.sessions_complete(
            session_ids=[
                k.session_id for r, k in known_rows if r.status == Session.Status.COMPLETED
            ],
            now=now,
        )
    )
    result.sessions_cancelled += len(
        lifecycle.sessions_cancel(
            session_ids=[
                k.session_id for r, k in known_rows if r.status == Session.Status.CANCELLED
            ],
            now=now,
        )
    )
    session_of = {row.session: s.pk for row, s in zip(new_rows, sessions, strict=True)}
    session_of.update((external_id, k.session_id) for external_id, k in known_sessions.items())
    return session_of


def _feedback(
    rows: list[Row],
    session_of: dict[str, int],
    known_sessions: dict[str, _KnownSession],
    participant_of: Callable[[Row, str], int],
    result: ImportResult,
    now: datetime,
) -> None:
    """Feedback not recorded yet. Feedback on a booked session whose time has passed
    completes it, as when a member gives it."""
    given: set[tuple[int, int]] = set()
    earlier = [known.session_id for known in known_sessions.values()]
    for chunk in chunks(earlier):
        given.update(
            Feedback.objects.filter(session_id__in=chunk).values_list("session_id", "author_id")
        )
    feedback = []
    for row in rows:
        known = known_sessions.get(row.session)
        if known is not None and not _allowed_now(known, lifecycle.Action.GIVE_FEEDBACK, now):
            continue
        for item in row.feedback:
            key = (session_of[row.session], participant_of(row, item.role))
            if key not in given:
                given.add(key)
                feedback.append(
                    Feedback(
                        session_id=key[0],
                        author_id=key[1],
                        rating=item.rating,
                        comment=item.comment,
                        created_at=now,
                    )
                )
    states = {
        session_of[row.session]: (
            lifecycle.State(known.status, known.starts_at, known.ends_at)
            if (known := known_sessions.get(row.session)) is not None
            else lifecycle.State(row.status, row.starts_at, row.ends_at)
        )
        for row in rows
    }
    recorded = lifecycle.feedback_record(feedback=feedback, states=states, now=now)
    result.feedback_created += len(recorded.feedback)
    earlier_ids = set(earlier)
    result.sessions_completed += sum(1 for s in recorded.sessions_completed if s in earlier_ids)
