"""Importing a program's record from CSV: participants, pairings, sessions and feedback.

One row per session. The whole file is checked before anything is written; if any row is
wrong, every problem is reported by line and column and nothing is imported. Pairings and
sessions carry the ids of the system they come from, so importing the same file again
adds nothing, and a later file adds only what is new (a completion, feedback).

Rows are written in bulk, then progress is rebuilt for the people touched and whatever
they now qualify for is awarded, set-based, in the same transaction.
"""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import IO, NamedTuple, TypeVar

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import transaction
from django.utils import timezone

from laurel.accounts.models import NAME_MAX_LENGTH, User
from laurel.certificates.services import (
    awards_after_record_change,
    progress_ensure,
    progress_rebuild,
)
from laurel.errors import InvalidInput, LaurelError
from laurel.imports.models import EXTERNAL_ID_MAX_LENGTH, ImportedPairing, ImportedSession
from laurel.programs.models import Feedback, Pairing, PairingMember, Participant, Program, Session
from laurel.programs.services import email_clean, feedback_fields_clean, session_fields_check
from laurel.validation import clean_line

REQUIRED_COLUMNS = (
    "pairing",
    "mentor_email",
    "mentor_name",
    "mentee_email",
    "mentee_name",
    "session",
    "starts_at",
    "duration_minutes",
    "status",
)
OPTIONAL_COLUMNS = ("mentor_rating", "mentor_comment", "mentee_rating", "mentee_comment")
ROLES = ("mentor", "mentee")
MAX_ROWS = 1_000_000
MAX_PROBLEMS = 1000
CHUNK = 5000
BATCH = 2000

T = TypeVar("T")


def _chunks(values: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


@dataclass(frozen=True)
class RowProblem:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message}"


class ImportRefused(InvalidInput):
    """The file has problems; nothing was imported."""

    def __init__(self, problems: list[RowProblem], *, truncated: bool = False) -> None:
        count = f"{len(problems)}{'+' if truncated else ''}"
        detail = f"{count} problem(s) in the file; nothing was imported. Fix them and import again."
        errors: dict[str, list[str]] = {}
        for problem in problems:
            errors.setdefault(f"line {problem.line}", []).append(
                f"{problem.column}: {problem.message}"
            )
        super().__init__(detail, errors=errors)
        self.problems = problems


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


@dataclass
class _Feedback:
    role: str
    rating: int
    comment: str


@dataclass
class _Row:
    line: int
    pairing: str
    emails: dict[str, str]
    names: dict[str, str]
    session: str
    starts_at: datetime
    duration_minutes: int
    status: str
    feedback: list[_Feedback] = field(default_factory=list)

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)


class _Problems:
    def __init__(self) -> None:
        self.found: list[RowProblem] = []
        self.truncated = False

    def add(self, line: int, column: str, message: str) -> None:
        if len(self.found) >= MAX_PROBLEMS:
            self.truncated = True
            return
        self.found.append(RowProblem(line, column, message))

    def refuse_if_any(self) -> None:
        if self.found:
            raise ImportRefused(
                sorted(self.found, key=lambda p: (p.line, p.column)), truncated=self.truncated
            )


# --- reading and checking the file --------------------------------------------------------


def _text(value: str | None) -> str:
    return (value or "").strip()


def _parse_row(
    raw: dict[str, str | None], line: int, now: datetime, problems: _Problems
) -> _Row | None:
    before = len(problems.found)

    def check(column: str, action: object) -> object:
        try:
            return action() if callable(action) else action
        except LaurelError as error:
            messages = [m for ms in error.errors.values() for m in ms] or [error.detail]
            for message in messages:
                problems.add(line, column, message)
            return None

    external: dict[str, str] = {}
    for column in ("pairing", "session"):
        value = _text(raw.get(column))
        if not value:
            problems.add(line, column, "An id is required (the id in the system you export from).")
        elif len(value) > EXTERNAL_ID_MAX_LENGTH:
            problems.add(
                line, column, f"The id is longer than {EXTERNAL_ID_MAX_LENGTH} characters."
            )
        external[column] = value

    emails: dict[str, str] = {}
    names: dict[str, str] = {}
    for role in ROLES:
        email = check(f"{role}_email", lambda role=role: email_clean(raw.get(f"{role}_email")))
        name = check(
            f"{role}_name",
            lambda role=role: clean_line(
                raw.get(f"{role}_name"),
                field=f"{role}_name",
                label="Name",
                max_length=NAME_MAX_LENGTH,
            ),
        )
        if isinstance(email, str):
            emails[role] = email
        if isinstance(name, str):
            names[role] = name
    if len(emails) == 2 and emails["mentor"] == emails["mentee"]:
        problems.add(line, "mentee_email", "A person cannot be paired with themselves.")

    starts_at: datetime | None = None
    raw_start = _text(raw.get("starts_at"))
    try:
        starts_at = datetime.fromisoformat(raw_start)
    except ValueError:
        problems.add(
            line,
            "starts_at",
            f"{raw_start!r} is not a time; use ISO 8601, e.g. 2026-03-01T10:00:00Z.",
        )
    raw_duration = _text(raw.get("duration_minutes"))
    duration: int | str = int(raw_duration) if raw_duration.isdigit() else raw_duration
    status = _text(raw.get("status")).lower()
    if starts_at is not None:
        try:
            session_fields_check(
                starts_at=starts_at, duration_minutes=duration, status=status, now=now
            )
        except LaurelError as error:
            for column, messages in error.errors.items():
                for message in messages:
                    problems.add(line, column, message)
        else:
            if not 1900 <= starts_at.year <= 2200:
                problems.add(line, "starts_at", "The time must lie between 1900 and 2200.")

    feedback: list[_Feedback] = []
    for role in ROLES:
        raw_rating = _text(raw.get(f"{role}_rating"))
        raw_comment = raw.get(f"{role}_comment") or ""
        if not raw_rating:
            if raw_comment.strip():
                problems.add(line, f"{role}_rating", "A comment needs a rating from 1 to 4.")
            continue
        rating: int | str = int(raw_rating) if raw_rating.isdigit() else raw_rating
        try:
            comment = feedback_fields_clean(rating=rating, comment=raw_comment)
        except LaurelError as error:
            for column, messages in error.errors.items():
                for message in messages:
                    problems.add(line, f"{role}_{column}", message)
            continue
        assert isinstance(rating, int)
        feedback.append(_Feedback(role, rating, comment))
    if feedback and starts_at is not None and len(problems.found) == before:
        if status == Session.Status.CANCELLED:
            problems.add(line, "status", "A cancelled session cannot have feedback.")
        elif starts_at > now:
            problems.add(line, "starts_at", "Feedback is only for sessions that have started.")

    if len(problems.found) != before or starts_at is None:
        return None
    assert isinstance(duration, int)
    return _Row(
        line=line,
        pairing=external["pairing"],
        emails=emails,
        names=names,
        session=external["session"],
        starts_at=starts_at,
        duration_minutes=duration,
        status=status,
        feedback=feedback,
    )


def _read(stream: IO[str], now: datetime, problems: _Problems) -> list[_Row]:
    reader = csv.DictReader(stream)
    header = [name.strip() for name in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [c for c in header if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if missing:
        problems.add(1, ", ".join(missing), "Missing column(s); the header must name them.")
    if unknown:
        problems.add(1, ", ".join(unknown), "Unknown column(s); check the spelling.")
    problems.refuse_if_any()
    rows: list[_Row] = []
    line = 1
    try:
        for raw in reader:
            first_line = line + 1
            line = reader.line_num
            if None in raw:
                problems.add(first_line, "-", "The row has more fields than the header.")
                continue
            if len(rows) >= MAX_ROWS:
                problems.add(first_line, "-", f"A file may have at most {MAX_ROWS} rows.")
                break
            row = _parse_row(raw, first_line, now, problems)
            if row is not None:
                rows.append(row)
    except csv.Error as error:
        problems.add(line + 1, "-", f"The CSV cannot be read here: {error}.")
    return rows


def _check_consistency(rows: list[_Row], problems: _Problems) -> None:
    """Rows about the same pairing, session or person must agree with each other."""
    pairings: dict[str, _Row] = {}
    sessions: dict[str, _Row] = {}
    for row in rows:
        first = pairings.setdefault(row.pairing, row)
        if first.emails != row.emails:
            problems.add(
                row.line,
                "pairing",
                f"Pairing {row.pairing!r} has other members on line {first.line}.",
            )
        earlier = sessions.setdefault(row.session, row)
        if earlier is not row:
            problems.add(
                row.line, "session", f"Session {row.session!r} is also on line {earlier.line}."
            )


class _KnownSession(NamedTuple):
    session_id: int
    pairing_id: int
    status: str
    starts_at: datetime
    ends_at: datetime


def _check_against_record(
    program: Program, rows: list[_Row], problems: _Problems, now: datetime
) -> tuple[dict[str, int], dict[str, _KnownSession]]:
    """Pairings and sessions imported before must match the file. Returns what is known."""
    pairing_ids = sorted({row.pairing for row in rows})
    known_pairings: dict[str, int] = {}
    for chunk in _chunks(pairing_ids):
        known_pairings.update(
            ImportedPairing.objects.filter(program=program, external_id__in=chunk).values_list(
                "external_id", "pairing_id"
            )
        )
    members: dict[int, dict[str, str]] = {}
    for pairing_chunk in _chunks(list(known_pairings.values())):
        for member_pairing, role, email in PairingMember.objects.filter(
            pairing_id__in=pairing_chunk
        ).values_list("pairing_id", "participant__role", "participant__user__email"):
            members.setdefault(member_pairing, {})[role] = email
    session_ids = [row.session for row in rows]
    known_sessions: dict[str, _KnownSession] = {}
    for chunk in _chunks(session_ids):
        for (
            external_id,
            session_id,
            session_pairing,
            status,
            starts_at,
            ends_at,
        ) in ImportedSession.objects.filter(program=program, external_id__in=chunk).values_list(
            "external_id",
            "session_id",
            "session__pairing_id",
            "session__status",
            "session__starts_at",
            "session__ends_at",
        ):
            known_sessions[external_id] = _KnownSession(
                session_id, session_pairing, status, starts_at, ends_at
            )
    reported: set[str] = set()
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
        if known is not None:
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
            elif known.status == Session.Status.CANCELLED and (
                row.feedback or row.status == Session.Status.COMPLETED
            ):
                problems.add(
                    row.line,
                    "status",
                    f"Session {row.session!r} was cancelled; it cannot be completed or take"
                    " feedback.",
                )
            elif (
                row.status == Session.Status.CANCELLED
                and known.status != Session.Status.CANCELLED
                and (known.status == Session.Status.COMPLETED or known.ends_at <= now)
            ):
                problems.add(
                    row.line,
                    "status",
                    f"Session {row.session!r} has taken place, so it counts as completed;"
                    " completion is final and it cannot be cancelled.",
                )
            elif (
                known.status == Session.Status.SCHEDULED
                and known.starts_at > now
                and (row.feedback or row.status == Session.Status.COMPLETED)
            ):
                # The times in the file are not applied to a session imported before, so
                # what it may take is decided by the times on record.
                problems.add(
                    row.line,
                    "starts_at",
                    f"Session {row.session!r} was imported before to start at"
                    f" {known.starts_at.isoformat()}; it cannot be completed or take"
                    " feedback before it has started.",
                )
    return known_pairings, known_sessions


# --- writing ------------------------------------------------------------------------------


def _people(rows: list[_Row], result: ImportResult) -> dict[str, int]:
    """User id by email address, creating the people who are new."""
    names: dict[str, str] = {}
    for row in rows:
        for role in ROLES:
            names.setdefault(row.emails[role], row.names[role])
    emails = list(names)
    user_ids: dict[str, int] = {}
    for chunk in _chunks(emails):
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
    result.people_created = len(new)
    return user_ids


def _participants(
    program: Program, rows: list[_Row], user_ids: dict[str, int], result: ImportResult
) -> dict[tuple[int, str], int]:
    """Participant id by (user id, role), adding people to the program in their roles."""
    wanted = {(user_ids[row.emails[role]], role) for row in rows for role in ROLES}
    users = sorted({user_id for user_id, _ in wanted})
    existing: dict[tuple[int, str], int] = {}
    for chunk in _chunks(users):
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
    progress_ensure(program_id=program.pk, user_ids=users)
    result.participants_created = len(new)
    return existing


def record_import(
    *, program: Program, stream: IO[str] | str, now: datetime | None = None
) -> ImportResult:
    """Import one program's record from CSV (see the README for the columns)."""
    now = now or timezone.now()
    if program.kind == Program.Kind.GROUP:
        raise InvalidInput.field(
            "program", "This import is for 1:1 and development programs, where pairs meet."
        )
    if isinstance(stream, str):
        stream = io.StringIO(stream)
    problems = _Problems()
    rows = _read(stream, now, problems)
    _check_consistency(rows, problems)
    problems.refuse_if_any()
    if not rows:
        raise ImportRefused([RowProblem(2, "-", "The file has no rows to import.")])
    result = ImportResult(rows=len(rows))
    with transaction.atomic():
        known_pairings, known_sessions = _check_against_record(program, rows, problems, now)
        problems.refuse_if_any()
        user_ids = _people(rows, result)
        participant_ids = _participants(program, rows, user_ids, result)

        def participant_of(row: _Row, role: str) -> int:
            return participant_ids[(user_ids[row.emails[role]], role)]

        # Pairings new to this program, with their members.
        new_pairings: dict[str, _Row] = {}
        for row in rows:
            if row.pairing not in known_pairings:
                new_pairings.setdefault(row.pairing, row)
        pairings = Pairing.objects.bulk_create(
            [Pairing(program=program) for _ in new_pairings], batch_size=BATCH
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
        ImportedPairing.objects.bulk_create(
            [
                ImportedPairing(program=program, external_id=external_id, pairing=pairing)
                for external_id, pairing in zip(new_pairings, pairings, strict=True)
            ],
            batch_size=BATCH,
        )
        result.pairings_created = len(pairings)

        # Sessions new to this program. A booked session that has ended and has feedback
        # is completed, as when a member gives feedback on it.
        new_rows = [row for row in rows if row.session not in known_sessions]
        sessions = []
        for row in new_rows:
            status = row.status
            if status == Session.Status.SCHEDULED and row.feedback and row.ends_at <= now:
                status = Session.Status.COMPLETED
            sessions.append(
                Session(
                    pairing_id=known_pairings[row.pairing],
                    starts_at=row.starts_at,
                    duration_minutes=row.duration_minutes,
                    ends_at=row.ends_at,
                    status=status,
                    completed_at=now if status == Session.Status.COMPLETED else None,
                    cancelled_at=now if status == Session.Status.CANCELLED else None,
                    first_feedback_at=now if row.feedback else None,
                )
            )
        Session.objects.bulk_create(sessions, batch_size=BATCH)
        ImportedSession.objects.bulk_create(
            [
                ImportedSession(program=program, external_id=row.session, session=session)
                for row, session in zip(new_rows, sessions, strict=True)
            ],
            batch_size=BATCH,
        )
        result.sessions_created = len(sessions)
        session_of = {row.session: s.pk for row, s in zip(new_rows, sessions, strict=True)}
        session_of.update(
            (external_id, known.session_id) for external_id, known in known_sessions.items()
        )

        # Sessions imported before: complete what the file now says is completed.
        to_complete = [
            known.session_id
            for row in rows
            if (known := known_sessions.get(row.session)) is not None
            and known.status == Session.Status.SCHEDULED
            and (row.status == Session.Status.COMPLETED or (row.feedback and known.ends_at <= now))
        ]
        for chunk in _chunks(to_complete):
            result.sessions_completed += Session.objects.filter(
                pk__in=chunk, status=Session.Status.SCHEDULED
            ).update(status=Session.Status.COMPLETED, completed_at=now)
        # ...and cancel what it now says is cancelled (only sessions still to come).
        to_cancel = [
            known.session_id
            for row in rows
            if (known := known_sessions.get(row.session)) is not None
            and known.status == Session.Status.SCHEDULED
            and row.status == Session.Status.CANCELLED
        ]
        for chunk in _chunks(to_cancel):
            result.sessions_cancelled += Session.objects.filter(
                pk__in=chunk, status=Session.Status.SCHEDULED, ends_at__gt=now
            ).update(status=Session.Status.CANCELLED, cancelled_at=now)

        # Feedback not recorded yet.
        given: set[tuple[int, int]] = set()
        earlier = [known.session_id for known in known_sessions.values()]
        for chunk in _chunks(earlier):
            given.update(
                Feedback.objects.filter(session_id__in=chunk).values_list("session_id", "author_id")
            )
        feedback = []
        for row in rows:
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
        Feedback.objects.bulk_create(feedback, batch_size=BATCH)
        result.feedback_created = len(feedback)
        first_feedback = sorted({f.session_id for f in feedback} & set(earlier))
        for chunk in _chunks(first_feedback):
            Session.objects.filter(pk__in=chunk, first_feedback_at__isnull=True).update(
                first_feedback_at=now
            )

        # Progress and awards for everyone whose record changed.
        changed_pairings = {s.pairing_id for s in sessions}
        changed_sessions = set(to_complete) | {f.session_id for f in feedback}
        for chunk in _chunks(sorted(changed_sessions)):
            changed_pairings.update(
                Session.objects.filter(pk__in=chunk).values_list("pairing_id", flat=True)
            )
        touched: set[int] = set()
        for chunk in _chunks(sorted(changed_pairings)):
            touched.update(
                PairingMember.objects.filter(pairing_id__in=chunk).values_list("user_id", flat=True)
            )
        result.awarded = _refresh_progress(program, sorted(touched))
    return result


def _refresh_progress(program: Program, user_ids: list[int]) -> int:
    if not user_ids:
        return 0
    awarded = 0
    for chunk in _chunks(user_ids):
        progress_rebuild(program=program, user_ids=chunk)
    for chunk in _chunks(user_ids):
        awarded += len(awards_after_record_change(program=program, user_ids=chunk))
    return awarded


def columns() -> Iterable[str]:
    return REQUIRED_COLUMNS + OPTIONAL_COLUMNS
