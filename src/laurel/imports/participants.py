"""Importing a cohort: people added to a program from CSV, one row per person and role.

| column | meaning |
|---|---|
| ``name`` | the person's name (kept for someone already known by their address) |
| ``email`` | their email address: one address is one person |
| ``role`` | ``mentor`` or ``mentee`` (a person in both roles has two rows) |

The same discipline as the record's import (``services``): the file streams into a staging
table, is checked whole (row by row, then against itself with set-based queries), and only
then applied, a batch per transaction. One bad row and nothing is written; a file imported
again adds nobody twice.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import IO

from django.db import connection, transaction
from django.utils import timezone

from laurel.accounts.models import NAME_MAX_LENGTH, User
from laurel.errors import LaurelError
from laurel.imports import staging
from laurel.imports.models import ImportRun, StagedParticipant
from laurel.imports.parsing import (
    MAX_PROBLEMS,
    MAX_ROWS,
    ImportRefused,
    Problems,
    RowProblem,
    hashed,
    read_csv,
)
from laurel.imports.people import participants_in, users_by_email
from laurel.programs.models import Participant, Program
from laurel.programs.services import email_clean
from laurel.validation import clean_line

COLUMNS = ("name", "email", "role")
STAGED_TABLE = StagedParticipant._meta.db_table
USER_TABLE = User._meta.db_table
PARTICIPANT_TABLE = Participant._meta.db_table


@dataclass(frozen=True)
class PersonRow:
    line: int
    name: str
    email: str
    role: str


@dataclass
class ParticipantsImportResult:
    rows: int = 0
    people_created: int = 0
    participants_created: int = 0
    already_in_program: int = 0


def parse_person(raw: dict[str, str | None], line: int, problems: Problems) -> PersonRow | None:
    before = len(problems.found)
    values: dict[str, str] = {}
    checks = {
        "name": lambda: clean_line(
            raw.get("name"), field="name", label="Name", max_length=NAME_MAX_LENGTH
        ),
        "email": lambda: email_clean(raw.get("email")),
    }
    for column, check in checks.items():
        try:
            values[column] = check()
        except LaurelError as error:
            for message in [m for ms in error.errors.values() for m in ms] or [error.detail]:
                problems.add(line, column, message)
    role = (raw.get("role") or "").strip().lower()
    if role not in Participant.Role.values:
        shown = (raw.get("role") or "").strip()
        problems.add(
            line,
            "role",
            f"Unknown role {shown!r}; use mentor or mentee."
            if shown
            else "A role is required: mentor or mentee.",
        )
    if len(problems.found) != before:
        return None
    return PersonRow(line=line, name=values["name"], email=values["email"], role=role)


def read_people(
    stream: Iterable[str], problems: Problems, *, max_rows: int = MAX_ROWS
) -> Iterator[PersonRow]:
    """The good rows of a participants file as they are read; bad ones add to ``problems``."""
    return read_csv(
        stream,
        required=COLUMNS,
        problems=problems,
        max_rows=max_rows,
        parse=lambda raw, line: parse_person(raw, line, problems),
    )


# --- staging and checking the whole file --------------------------------------------------


def _stage(run: ImportRun, rows: Iterable[PersonRow], problems: Problems) -> int:
    size = staging.batch_rows()
    count = 0
    batch: list[StagedParticipant] = []

    def write() -> None:
        if batch:
            with transaction.atomic():
                StagedParticipant.objects.bulk_create(batch)
                staging.run_heartbeat(run=run)

    for row in rows:
        batch.append(
            StagedParticipant(run=run, line=row.line, email=row.email, name=row.name, role=row.role)
        )
        count += 1
        if len(batch) >= size:
            write()
            batch = []
        if problems.truncated:
            break
    write()
    return count


def _check_against_each_other(run: ImportRun, problems: Problems) -> None:
    """A person once per role, under one name: one address is one person."""
    limit = MAX_PROBLEMS + 1
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT line, email, role, first_line FROM ("  # noqa: S608 - fixed SQL, values are parameters
            "  SELECT line, email, role,"
            "   FIRST_VALUE(line) OVER (PARTITION BY email, role ORDER BY line) AS first_line"
            f"  FROM {STAGED_TABLE} WHERE run_id = %s"
            ") AS s WHERE line > first_line ORDER BY line LIMIT %s",
            [run.pk, limit],
        )
        for line, email, role, first_line in cursor.fetchall():
            problems.add(
                line,
                "email",
                f"{email} is also on line {first_line} as a {role}; list each person once"
                " per role.",
            )
        cursor.execute(
            "SELECT line, name, first_line, first_name FROM ("  # noqa: S608 - fixed SQL, values are parameters
            "  SELECT line, name,"
            "   FIRST_VALUE(line) OVER first AS first_line,"
            "   FIRST_VALUE(name) OVER first AS first_name"
            f"  FROM {STAGED_TABLE} WHERE run_id = %s"
            "  WINDOW first AS (PARTITION BY email ORDER BY line)"
            ") AS p WHERE name <> first_name ORDER BY line LIMIT %s",
            [run.pk, limit],
        )
        for line, name, first_line, first_name in cursor.fetchall():
            problems.add(
                line,
                "name",
                f"{name!r} differs from {first_name!r} on line {first_line}, for the same email"
                " address; one address is one person, so give them one name.",
            )
    staging.run_heartbeat(run=run)


def _check_one_role(run: ImportRun, program: Program, problems: Problems) -> None:
    """In a program that does not let one person be both mentor and mentee, nobody is
    given a role other than the one they have: already in the program (the row that
    differs is reported) or, for people new to it, on the file's first line for them."""
    if program.allow_both_roles:
        return
    limit = MAX_PROBLEMS + 1
    both = "which does not let one person be both mentor and mentee."
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT line, email, role, first_line, first_role FROM ("  # noqa: S608 - fixed SQL, values are parameters
            "  SELECT line, email, role,"
            "   FIRST_VALUE(line) OVER first AS first_line,"
            "   FIRST_VALUE(role) OVER first AS first_role"
            f"  FROM {STAGED_TABLE} WHERE run_id = %s"
            "  WINDOW first AS (PARTITION BY email ORDER BY line)"
            ") AS r WHERE role <> first_role AND NOT EXISTS ("
            f"  SELECT 1 FROM {USER_TABLE} u JOIN {PARTICIPANT_TABLE} p ON p.user_id = u.id"
            "  WHERE u.email = r.email AND p.program_id = %s"
            ") ORDER BY line LIMIT %s",
            [run.pk, program.pk, limit],
        )
        for line, email, role, first_line, first_role in cursor.fetchall():
            problems.add(
                line,
                "role",
                f"{email} is a {first_role} on line {first_line} and a {role} here, in a"
                f" program {both}",
            )
        cursor.execute(
            "SELECT s.line, s.email, p.role"  # noqa: S608 - fixed SQL, values are parameters
            f" FROM {STAGED_TABLE} s"
            f" JOIN {USER_TABLE} u ON u.email = s.email"
            f" JOIN {PARTICIPANT_TABLE} p ON p.user_id = u.id AND p.program_id = %s"
            " AND p.role <> s.role"
            " WHERE s.run_id = %s ORDER BY s.line LIMIT %s",
            [program.pk, run.pk, limit],
        )
        for line, email, role in cursor.fetchall():
            problems.add(line, "role", f"{email} is already a {role} in this program, {both}")
    staging.run_heartbeat(run=run)


def _staged_batches(run: ImportRun) -> Iterator[list[PersonRow]]:
    size = staging.batch_rows()
    after = 0
    while True:
        batch = [
            PersonRow(line=line, name=name, email=email, role=role)
            for line, name, email, role in StagedParticipant.objects.filter(run=run, line__gt=after)
            .order_by("line")
            .values_list("line", "name", "email", "role")[:size]
        ]
        if not batch:
            return
        after = batch[-1].line
        yield batch


# --- the import ---------------------------------------------------------------------------


def participants_import(
    *,
    program: Program,
    stream: IO[str] | str,
    now: datetime | None = None,
    max_rows: int = MAX_ROWS,
) -> ParticipantsImportResult:
    """Add the people of a CSV file (``name``, ``email``, ``role``) to ``program``.

    People are found by email address and created if new (with no password: they sign in
    by an emailed link or code). The file is checked whole before anything is written; if
    any row is wrong, ``ImportRefused`` lists every problem by line and column and nothing
    is written. People already in the program in a row's role are left as they are, so
    importing the same file again changes nothing, and completes an import that stopped.
    """
    now = now or timezone.now()
    if isinstance(stream, str):
        stream = io.StringIO(stream)
    run = staging.run_start(program=program, kind=ImportRun.Kind.PARTICIPANTS)
    try:
        return _import(run, program, stream, now, max_rows)
    except ImportRefused:
        staging.run_refused(run=run)
        raise
    except BaseException:
        with contextlib.suppress(Exception):
            staging.run_stopped(run=run)
        raise


def _import(
    run: ImportRun, program: Program, stream: IO[str], now: datetime, max_rows: int
) -> ParticipantsImportResult:
    problems = Problems()
    digest = hashlib.sha256()
    count = _stage(run, read_people(hashed(stream, digest), problems, max_rows=max_rows), problems)
    _check_against_each_other(run, problems)
    _check_one_role(run, program, problems)
    problems.refuse_if_any()
    if not count:
        raise ImportRefused([RowProblem(2, "-", "The file has no rows to import.")])

    staging.run_applying(run=run, rows=count, file_sha256=digest.hexdigest())
    result = ParticipantsImportResult(rows=count)
    for rows in _staged_batches(run):
        with transaction.atomic():
            names = {row.email: row.name for row in rows}
            user_ids, people_created = users_by_email(names)
            wanted = {(user_ids[row.email], row.role) for row in rows}
            _, participants_created = participants_in(program, wanted, now=now)
            result.people_created += people_created
            result.participants_created += participants_created
            result.already_in_program += len(wanted) - participants_created
            staging.run_applied_through(run=run, line=rows[-1].line)
    staging.run_done(run=run, result=asdict(result))
    return result
