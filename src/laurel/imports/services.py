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
import secrets
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import IO, Any, NamedTuple

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import transaction
from django.utils import timezone

from laurel.accounts.models import User
from laurel.bulk import chunks
from laurel.certificates.models import IssuedCertificate
from laurel.errors import InvalidInput
from laurel.imports import staging
from laurel.imports.models import ImportRun
from laurel.imports.parsing import (
    ROLES,
    ImportRefused,
    Problems,
    Row,
    RowProblem,
    read_rows,
    refusal_column,
)
from laurel.programs import lifecycle
from laurel.programs.events import ParticipantsJoined, record_changes
from laurel.programs.models import Feedback, Pairing, PairingMember, Participant, Program, Session

BATCH = 2000


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
    # A file's session ids are unique in the program; the API's only in their pairing, so
    # an id may name sessions of several pairings: the row's own pairing's is the one.
    session_ids = [row.session for row in rows]
    found: dict[str, list[_KnownSession]] = {}
    for chunk in chunks(session_ids):
        for (
            external_id,
            session_id,
            session_pairing,
            status,
            starts_at,
            ends_at,
        ) in Session.objects.filter(pairing__program=program, external_id__in=chunk).values_list(
            "external_id", "pk", "pairing_id", "status", "starts_at", "ends_at"
        ):
            found.setdefault(str(external_id), []).append(
                _KnownSession(session_id, session_pairing, status, starts_at, ends_at)
            )
    known_sessions: dict[str, _KnownSession] = {}
    for row in rows:
        candidates = found.get(row.session)
        if candidates:
            own = known_pairings.get(row.pairing)
            known_sessions[row.session] = next(
                (k for k in candidates if k.pairing_id == own), candidates[0]
            )
    return _Known(known_pairings, members, known_sessions)


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
    emails = list(names)
    user_ids: dict[str, int] = {}
    for chunk in chunks(emails):
        user_ids.update(User.objects.filter(email__in=chunk).values_list("email", "id"))
    new = [
        User(
            email=email,
            name=names[email],
            password=UNUSABLE_PASSWORD_PREFIX + secrets.token_hex(20),
        )
        for email in emails
        if email not in user_ids
    ]
    User.objects.bulk_create(new, batch_size=BATCH)
    user_ids.update((user.email, user.pk) for user in new)
    result.people_created += len(new)
    return user_ids


def _participants(
    program: Program, rows: list[Row], user_ids: dict[str, int], result: ImportResult
) -> dict[tuple[int, str], int]:
    """Participant id by (user id, role), adding people to the program in their roles."""
    wanted = {(user_ids[row.emails[role]], role) for row in rows for role in ROLES}
    users = sorted({user_id for user_id, _ in wanted})
    existing: dict[tuple[int, str], int] = {}
    for chunk in chunks(users):
        for user_id, role, pk in Participant.objects.filter(
            program=program, user_id__in=chunk
        ).values_list("user_id", "role", "id"):
            existing[(user_id, role)] = pk
    new = [
        Participant(program=program, user_id=user_id, role=role)
        for user_id, role in sorted(wanted)
        if (user_id, role) not in existing
    ]
    Participant.objects.bulk_create(new, batch_size=BATCH)
    existing.update(((p.user_id, p.role), p.pk) for p in new)
    if new:
        record_changes.announce(
            ParticipantsJoined(program_id=program.pk, user_ids=sorted({p.user_id for p in new}))
        )
    result.participants_created += len(new)
    return existing


def record_import(
    *, program: Program, stream: IO[str] | str, now: datetime | None = None
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
        return _import(run, program, stream, now)
    except ImportRefused:
        staging.run_refused(run=run)
        raise
    except BaseException:
        # Interrupted or failed: record how far it got, if the database still answers.
        with contextlib.suppress(Exception):
            staging.run_stopped(run=run)
        raise


def _import(run: ImportRun, program: Program, stream: IO[str], now: datetime) -> ImportResult:
    problems = Problems()
    digest = hashlib.sha256()
    count = staging.stage(
        run=run, rows=read_rows(_hashed(stream, digest), now, problems), problems=problems
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


def _hashed(stream: IO[str], digest: Any) -> Iterator[str]:
    for text in stream:
        digest.update(text.encode())
        yield text


def _apply(program: Program, rows: list[Row], result: ImportResult, now: datetime) -> None:
    """Write one batch of checked rows, in the caller's transaction."""
    known = _known(program, rows)
    user_ids = _people(rows, result)
    participant_ids = _participants(program, rows, user_ids, result)

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
