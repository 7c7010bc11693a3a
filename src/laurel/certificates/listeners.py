"""What a change of the mentorship record means for certificates: progress moves, and
whoever now qualifies for an enabled automatic certificate is awarded it."""

from __future__ import annotations

from laurel.certificates.services import progress_ensure, progress_shift, record_changed
from laurel.programs.events import (
    FirstFeedbackGiven,
    LastFeedbackWithdrawn,
    ParticipantsJoined,
    RecordChange,
    SessionsCancelled,
    SessionsCompleted,
)


def on_record_change(event: RecordChange) -> None:
    # Only completed sessions move progress (the shift ignores the others): feedback on a
    # session still to come counts once the session is completed.
    if isinstance(event, SessionsCompleted):
        record_changed(
            touched=progress_shift(
                session_ids=event.session_ids, completed_step=1, counting="with_feedback"
            )
        )
    elif isinstance(event, FirstFeedbackGiven):
        record_changed(
            touched=progress_shift(session_ids=event.session_ids, completed_step=0, counting=1)
        )
    elif isinstance(event, LastFeedbackWithdrawn):
        # Certificates already earned stay: losing progress never revokes.
        progress_shift(session_ids=event.session_ids, completed_step=0, counting=-1)
    elif isinstance(event, ParticipantsJoined):
        progress_ensure(program_id=event.program_id, user_ids=event.user_ids)
    elif isinstance(event, SessionsCancelled):
        pass  # only booked sessions can be cancelled, and those never counted
