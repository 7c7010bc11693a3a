"""What happened to the mentorship record.

The record says what changed; what that means (progress, certificates, badges) is for the
apps that listen to ``record_changes`` to decide. Each event names the rows that changed,
and is announced in the transaction that changed them, once the change is written, with
the time the change was made (``now``) for whatever follows from it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from laurel.announcements import Announcer


@dataclass(frozen=True)
class SessionsCompleted:
    """These sessions became completed (booked and marked, elapsed, or imported so)."""

    session_ids: Sequence[int]
    now: datetime


@dataclass(frozen=True)
class FirstFeedbackGiven:
    """These sessions received their first feedback (they had none before)."""

    session_ids: Sequence[int]
    now: datetime


@dataclass(frozen=True)
class LastFeedbackWithdrawn:
    """These sessions lost their last feedback."""

    session_ids: Sequence[int]


@dataclass(frozen=True)
class SessionsCancelled:
    session_ids: Sequence[int]


@dataclass(frozen=True)
class ParticipantsJoined:
    """These people joined the program (in a role they did not hold there before)."""

    program_id: int
    user_ids: Sequence[int]


@dataclass(frozen=True)
class ProgramKindChanged:
    """The program's kind changed (say from 1:1 to group). A listener for whom the new kind
    breaks what it holds (certificates a group program cannot have) raises, and the change
    is undone."""

    program_id: int
    old_kind: str
    new_kind: str


@dataclass(frozen=True)
class OrganisationCreated:
    """A new organisation was founded (with nothing in it yet)."""

    organisation_id: int
    now: datetime


RecordChange = (
    OrganisationCreated
    | SessionsCompleted
    | FirstFeedbackGiven
    | LastFeedbackWithdrawn
    | SessionsCancelled
    | ParticipantsJoined
    | ProgramKindChanged
)

record_changes: Announcer[RecordChange] = Announcer("record changes")
