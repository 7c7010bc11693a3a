"""The life of a session, written once: what may happen to it and when, and what it takes
to make it happen.

Every writer of the record goes through here: the API and the pages (one session at a
time, through ``programs.services``), the CSV import (thousands at once) and the worker's
sweep of sessions whose booked time has passed.

- ``RULES`` decides: for a session's status and an action, whether the action is allowed
  now, and if not, why. Callers check before they write, so a refusal reaches a person as a
  message (an API error, a CSV line and column).
- The writers below change rows with conditional UPDATEs (only rows still in the state the
  rule was judged on change) and announce what changed (``programs.events``) in the same
  transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from django.db import connection
from django.utils.translation import gettext_noop as translatable

from laurel.bulk import chunks, datetime_param, in_list
from laurel.errors import Conflict, InvalidInput, LaurelError
from laurel.programs.events import (
    FirstFeedbackGiven,
    LastFeedbackWithdrawn,
    SessionsCancelled,
    SessionsCompleted,
    record_changes,
)
from laurel.programs.models import Feedback, Session

SCHEDULED = Session.Status.SCHEDULED
COMPLETED = Session.Status.COMPLETED
CANCELLED = Session.Status.CANCELLED
SESSION_TABLE = Session._meta.db_table


class Action(StrEnum):
    COMPLETE = "complete"
    CANCEL = "cancel"
    GIVE_FEEDBACK = "give_feedback"


@dataclass(frozen=True)
class Times:
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class State:
    """What the rules look at: a session's status and booked times."""

    status: str
    starts_at: datetime
    ends_at: datetime

    @classmethod
    def of(cls, session: Session) -> State:
        return cls(session.status, session.starts_at, session.ends_at)


@dataclass(frozen=True)
class Refusal:
    """Why an action is not allowed. ``final``: the session's state rules it out for good
    (a conflict); otherwise the request is wrong or early (invalid input on ``field``)."""

    code: str
    message: str
    field: str = "status"
    final: bool = False

    def error(self) -> LaurelError:
        if self.final:
            return Conflict(self.message)
        return InvalidInput.field(self.field, self.message)


Rule = Callable[[Times, datetime], Refusal | None]


def _allowed(times: Times, now: datetime) -> None:
    return None


def _refuse(refusal: Refusal) -> Rule:
    return lambda times, now: refusal


def _once_started(message: str, field: str) -> Rule:
    def rule(times: Times, now: datetime) -> Refusal | None:
        return Refusal("not_started", message, field=field) if times.starts_at > now else None

    return rule


def _cancel_booked(times: Times, now: datetime) -> Refusal | None:
    if times.ends_at <= now:
        return Refusal(
            "elapsed",
            translatable(
                "This session's booked time has passed, so it counts as completed; "
                "completion is final and cannot be cancelled."
            ),
            final=True,
        )
    return None


# What each action does to a session in each status. Completing a completed session and
# cancelling a cancelled one are allowed and change nothing, so a retried request succeeds.
# The messages are marked for translation but stay in English here: the API answers with
# them as they are, and a page translates them as it shows them.
RULES: dict[tuple[str, Action], Rule] = {
    (SCHEDULED, Action.COMPLETE): _once_started(
        translatable("This session has not started yet; complete it once it has."), "status"
    ),
    (COMPLETED, Action.COMPLETE): _allowed,
    (CANCELLED, Action.COMPLETE): _refuse(
        Refusal(
            "cancelled",
            translatable("This session was cancelled; a cancelled session cannot be completed."),
            final=True,
        )
    ),
    (SCHEDULED, Action.CANCEL): _cancel_booked,
    (COMPLETED, Action.CANCEL): _refuse(
        Refusal(
            "completion_final",
            translatable("This session is completed; completion is final and cannot be cancelled."),
            final=True,
        )
    ),
    (CANCELLED, Action.CANCEL): _allowed,
    (SCHEDULED, Action.GIVE_FEEDBACK): _once_started(
        translatable("This session has not started yet; give feedback once it has."), "session"
    ),
    (COMPLETED, Action.GIVE_FEEDBACK): _allowed,
    (CANCELLED, Action.GIVE_FEEDBACK): _refuse(
        Refusal(
            "cancelled",
            translatable(
                "This session was cancelled; feedback is only for sessions that took place."
            ),
            field="session",
        )
    ),
}


def refusal(
    *, status: str, starts_at: datetime, ends_at: datetime, action: Action, now: datetime
) -> Refusal | None:
    """Why ``action`` is not allowed on a session in this state now; None if it is."""
    return RULES[(status, action)](Times(starts_at, ends_at), now)


def check(*, session: Session, action: Action, now: datetime) -> None:
    """Raise the refusal's error if ``action`` is not allowed on ``session`` now."""
    refused = refusal(
        status=session.status,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        action=action,
        now=now,
    )
    if refused is not None:
        raise refused.error()


def new_session_refusal(
    *, status: str, starts_at: datetime, ends_at: datetime, now: datetime
) -> Refusal | None:
    """Why a session cannot be recorded with ``status``; None if it can.

    A session recorded as completed is judged as a booked session being completed. One
    recorded as cancelled is history: it was cancelled while it was still to come.
    """
    if status == COMPLETED:
        return refusal(
            status=SCHEDULED, starts_at=starts_at, ends_at=ends_at, action=Action.COMPLETE, now=now
        )
    return None


def completes_on_its_own(state: State, now: datetime) -> bool:
    """A booked session whose time has passed counts as completed, once the rules allow its
    completion: the sweep completes it, and so does feedback given on it."""
    return (
        state.status == SCHEDULED
        and state.ends_at <= now
        and refusal(
            status=state.status,
            starts_at=state.starts_at,
            ends_at=state.ends_at,
            action=Action.COMPLETE,
            now=now,
        )
        is None
    )


# --- writing ------------------------------------------------------------------------------


def _update(
    *, assignments: str, where: str, params: Sequence[Any], session_ids: Sequence[int]
) -> list[int]:
    """Run a conditional UPDATE over these sessions; the ids of the rows it changed."""
    changed: list[int] = []
    for chunk in chunks(session_ids):
        condition, ids = in_list("id", chunk)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {SESSION_TABLE} SET {assignments}"  # noqa: S608 - fixed SQL, values are parameters
                f" WHERE {where} AND {condition} RETURNING id",
                [*params, *ids],
            )
            changed += [row[0] for row in cursor.fetchall()]
    return changed


def sessions_create(*, sessions: Sequence[Session], now: datetime) -> list[Session]:
    """Write new sessions (checked with ``new_session_refusal``) and announce the completed
    ones. Their feedback is recorded afterwards, with ``feedback_record``."""
    for session in sessions:
        # Stored in UTC: an offset such as -16:20, valid in ISO 8601, is out of
        # PostgreSQL's range for a time zone.
        session.starts_at = session.starts_at.astimezone(UTC)
        session.ends_at = session.ends_at.astimezone(UTC)
        session.completed_at = now if session.status == COMPLETED else None
        session.cancelled_at = now if session.status == CANCELLED else None
        session.first_feedback_at = None
    created = Session.objects.bulk_create(sessions, batch_size=2000)
    completed = [s.pk for s in created if s.status == COMPLETED]
    if completed:
        record_changes.announce(SessionsCompleted(session_ids=completed, now=now))
    return created


def sessions_complete(*, session_ids: Sequence[int], now: datetime) -> list[int]:
    """Complete these booked sessions (checked with ``refusal`` or ``completes_on_its_own``);
    returns the ones this call completed.

    A session someone else completed a moment ago is left alone: that completion was
    counted already.
    """
    completed = _update(
        assignments="status = %s, completed_at = %s",
        where="status = %s",
        params=[COMPLETED, datetime_param(now), SCHEDULED],
        session_ids=session_ids,
    )
    if completed:
        record_changes.announce(SessionsCompleted(session_ids=completed, now=now))
    return completed


def sessions_cancel(*, session_ids: Sequence[int], now: datetime) -> list[int]:
    """Cancel these booked sessions that are still to come; returns the ones cancelled."""
    cancelled = _update(
        assignments="status = %s, cancelled_at = %s",
        where="status = %s AND ends_at > %s",
        params=[CANCELLED, datetime_param(now), SCHEDULED, datetime_param(now)],
        session_ids=session_ids,
    )
    if cancelled:
        record_changes.announce(SessionsCancelled(session_ids=cancelled))
    return cancelled


@dataclass(frozen=True)
class FeedbackRecorded:
    feedback: list[Feedback]
    sessions_completed: list[int]  # booked sessions whose time had passed
    sessions_first_feedback: list[int]


def feedback_record(
    *, feedback: Sequence[Feedback], states: Mapping[int, State], now: datetime
) -> FeedbackRecorded:
    """Write feedback (checked with ``refusal``) on sessions in the given states, complete
    those of them that complete on their own, and announce the sessions that got their
    first feedback.

    The first feedback on a session is claimed with a conditional UPDATE, and only the call
    that claims it announces it, so two members giving feedback at once count it once.
    """
    created = Feedback.objects.bulk_create(feedback, batch_size=2000)
    session_ids = sorted({f.session_id for f in created})
    if not session_ids:
        return FeedbackRecorded(created, [], [])
    due = [s for s in session_ids if completes_on_its_own(states[s], now)]
    completed = sessions_complete(session_ids=due, now=now) if due else []
    first = _update(
        assignments="first_feedback_at = %s",
        where="first_feedback_at IS NULL",
        params=[datetime_param(now)],
        session_ids=session_ids,
    )
    if first:
        record_changes.announce(FirstFeedbackGiven(session_ids=first, now=now))
    return FeedbackRecorded(created, completed, first)


def feedback_withdraw(*, feedback: Feedback) -> bool:
    """Delete feedback; if it was the session's last, announce that. True if it was."""
    feedback.delete()
    if Feedback.objects.filter(session_id=feedback.session_id).exists():
        return False
    cleared = _update(
        assignments="first_feedback_at = NULL",
        where="first_feedback_at IS NOT NULL",
        params=[],
        session_ids=[feedback.session_id],
    )
    if cleared:
        record_changes.announce(LastFeedbackWithdrawn(session_ids=cleared))
    return bool(cleared)
