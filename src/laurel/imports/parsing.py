"""Reading a record file: CSV rows read and checked one by one, as a stream.

Nothing here touches the database. Every problem is collected with its line and column,
so that a file is refused whole with all of its problems listed.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from laurel.accounts.models import NAME_MAX_LENGTH
from laurel.errors import InvalidInput, LaurelError
from laurel.programs import lifecycle
from laurel.programs.models import EXTERNAL_ID_MAX_LENGTH
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
T = TypeVar("T")


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
class RowFeedback:
    role: str
    rating: int
    comment: str


@dataclass
class Row:
    line: int
    pairing: str
    emails: dict[str, str]
    names: dict[str, str]
    session: str
    starts_at: datetime
    duration_minutes: int
    status: str
    feedback: list[RowFeedback] = field(default_factory=list)

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)


class Problems:
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


_DIGITS = re.compile(r"[0-9]{1,9}")


def _whole_number(value: str) -> int | str:
    """The number written in ASCII digits, or the text as it was for the checks to refuse.

    Only 0-9 count: other scripts' digits and superscripts (which ``str.isdigit`` accepts)
    are not numbers a spreadsheet exports."""
    return int(value) if _DIGITS.fullmatch(value) else value


def parse_row(
    raw: dict[str, str | None], line: int, now: datetime, problems: Problems
) -> Row | None:
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
    duration = _whole_number(raw_duration)
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

    feedback: list[RowFeedback] = []
    for role in ROLES:
        raw_rating = _text(raw.get(f"{role}_rating"))
        raw_comment = raw.get(f"{role}_comment") or ""
        if not raw_rating:
            if raw_comment.strip():
                problems.add(line, f"{role}_rating", "A comment needs a rating from 1 to 4.")
            continue
        rating = _whole_number(raw_rating)
        try:
            comment = feedback_fields_clean(rating=rating, comment=raw_comment)
        except LaurelError as error:
            for column, messages in error.errors.items():
                for message in messages:
                    problems.add(line, f"{role}_{column}", message)
            continue
        assert isinstance(rating, int)
        feedback.append(RowFeedback(role, rating, comment))
    if feedback and starts_at is not None and len(problems.found) == before:
        assert isinstance(duration, int)
        refused = lifecycle.refusal(
            status=status,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=duration),
            action=lifecycle.Action.GIVE_FEEDBACK,
            now=now,
        )
        if refused is not None:
            problems.add(line, refusal_column(refused), refused.message)

    if len(problems.found) != before or starts_at is None:
        return None
    assert isinstance(duration, int)
    return Row(
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


def read_rows(
    stream: Iterable[str], now: datetime, problems: Problems, *, max_rows: int = MAX_ROWS
) -> Iterator[Row]:
    """The good rows of the file, one at a time, as they are read; every bad one is added to
    ``problems``. Nothing of the file is kept here, so a file of any length takes the same
    memory. Checks of rows against each other need the whole file: see ``staging``."""
    return read_csv(
        stream,
        required=REQUIRED_COLUMNS,
        optional=OPTIONAL_COLUMNS,
        problems=problems,
        max_rows=max_rows,
        parse=lambda raw, line: parse_row(raw, line, now, problems),
    )


def read_csv(
    stream: Iterable[str],
    *,
    required: Sequence[str],
    optional: Sequence[str] = (),
    problems: Problems,
    max_rows: int,
    parse: Callable[[dict[str, str | None], int], T | None],
) -> Iterator[T]:
    """What ``parse`` makes of each row of a CSV file with a header naming ``required`` (and
    perhaps ``optional``) columns, as the rows are read; rows it refuses (it adds their
    problems), rows with too many fields and a file that is not well-formed CSV add to
    ``problems``. A header that lacks a column, or names an unknown one, refuses the file
    at once."""
    # Strict: a quote that is never closed is an error at the end of the file, rather than
    # the rest of the file read silently into one field.
    reader = csv.DictReader(stream, strict=True)
    header = [name.strip() for name in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [c for c in required if c not in header]
    unknown = [c for c in header if c not in (*required, *optional)]
    if missing:
        problems.add(1, ", ".join(missing), "Missing column(s); the header must name them.")
    if unknown:
        problems.add(1, ", ".join(unknown), "Unknown column(s); check the spelling.")
    problems.refuse_if_any()
    rows = 0
    line = 1
    try:
        for raw in reader:
            first_line = line + 1
            line = reader.line_num
            rows += 1
            if rows > max_rows:
                problems.add(first_line, "-", too_many_rows(max_rows))
                break
            if None in raw:
                problems.add(first_line, "-", "The row has more fields than the header.")
                continue
            parsed = parse(raw, first_line)
            if parsed is not None:
                yield parsed
    except csv.Error as error:
        if "unexpected end of data" in str(error):
            message = (
                'The file is not well-formed CSV: a quote (") opened in this row is never'
                " closed. Close the quote, or remove it."
            )
        else:
            message = f"The file is not well-formed CSV here: {error}."
        problems.add(line + 1, "-", message)


def hashed(stream: Iterable[str], digest: Any) -> Iterator[str]:
    """The stream's text as it passes, fed to ``digest`` (which file was imported)."""
    for text in stream:
        digest.update(text.encode())
        yield text


def too_many_rows(max_rows: int) -> str:
    if max_rows < MAX_ROWS:
        return (
            f"A file imported here may have at most {max_rows:,} rows. Split it, or have it"
            " imported on the server with the import command, which takes up to"
            f" {MAX_ROWS:,} rows."
        )
    return f"A file may have at most {max_rows:,} rows."


def refusal_column(refused: lifecycle.Refusal) -> str:
    """The column to blame for a refusal of the session's state machine: the time for an
    action that comes too early, the status for anything else."""
    return "starts_at" if refused.code == "not_started" else "status"


def columns() -> tuple[str, ...]:
    return REQUIRED_COLUMNS + OPTIONAL_COLUMNS
