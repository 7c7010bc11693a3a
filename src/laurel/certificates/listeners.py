"""The one entry point from the mentorship record into certificates.

The record announces what happened (``programs.events``); here that becomes progress, and
whoever now qualifies for an enabled automatic certificate is awarded it, in the same
transaction as the change.
"""

from __future__ import annotations

from datetime import datetime

from laurel.certificates.services.awarding import awards_after_record_change
from laurel.certificates.services.progress import progress_ensure, progress_shift
from laurel.programs.events import (
    FirstFeedbackGiven,
    LastFeedbackWithdrawn,
    ParticipantsJoined,
    RecordChange,
    SessionsCancelled,
    SessionsCompleted,
)
from laurel.programs.models import Program


def on_record_change(event: RecordChange) -> None:
    # Only completed sessions move progress (the shift leaves the others out): feedback on
    # a session still under way counts once the session is completed.
    if isinstance(event, SessionsCompleted):
        touched = progress_shift(
            session_ids=event.session_ids, completed_step=1, counting="with_feedback"
        )
        _award(touched=touched, now=event.now)
    elif isinstance(event, FirstFeedbackGiven):
        touched = progress_shift(session_ids=event.session_ids, completed_step=0, counting=1)
        _award(touched=touched, now=event.now)
    elif isinstance(event, LastFeedbackWithdrawn):
        # Certificates already earned stay: losing progress never revokes.
        progress_shift(session_ids=event.session_ids, completed_step=0, counting=-1)
    elif isinstance(event, ParticipantsJoined):
        progress_ensure(program_id=event.program_id, user_ids=event.user_ids)
    elif isinstance(event, SessionsCancelled):
        pass  # only booked sessions are cancelled, and those never counted


def _award(*, touched: dict[int, list[int]], now: datetime) -> None:
    """Award what the change earned, for the people whose progress moved, by program."""
    programs = Program.objects.select_related("organisation").in_bulk(list(touched))
    for program_id, user_ids in touched.items():
        awards_after_record_change(program=programs[program_id], user_ids=user_ids, now=now)
