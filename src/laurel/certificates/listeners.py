"""The one entry point from the mentorship record into certificates.

The record announces what happened (``programs.events``); here that becomes progress, and
whoever now qualifies for an enabled automatic certificate is awarded it, in the same
transaction as the change.
"""

from __future__ import annotations

from datetime import datetime

from laurel.certificates.models import CertificateDefinition
from laurel.certificates.services.awarding import awards_after_record_change
from laurel.certificates.services.progress import progress_ensure, progress_shift
from laurel.errors import Conflict
from laurel.programs.events import (
    FirstFeedbackGiven,
    LastFeedbackWithdrawn,
    ParticipantsJoined,
    ProgramKindChanged,
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
    elif isinstance(event, ProgramKindChanged):
        _refuse_kind_the_certificates_cannot_follow(event)


def _refuse_kind_the_certificates_cannot_follow(event: ProgramKindChanged) -> None:
    """Group programs have no certificates yet, and development programs award by hand
    only: a kind that the program's certificates would break is refused (and undone)."""
    definitions = CertificateDefinition.objects.filter(program_id=event.program_id)
    if event.new_kind == Program.Kind.DEVELOPMENT:
        definitions = definitions.filter(rule=CertificateDefinition.Rule.SESSIONS_COMPLETED)
        reason = "development programs award certificates by hand only; make {names} manual first."
    elif event.new_kind == Program.Kind.GROUP:
        reason = "certificates are not yet available in group programs ({names})."
    else:
        return
    names = list(definitions.order_by("name", "pk").values_list("name", flat=True)[:6])
    if names:
        shown = ", ".join(f"“{name}”" for name in names[:5]) + (
            " and more" if len(names) > 5 else ""
        )
        message = "This program has certificates that its new kind cannot hold: " + reason.format(
            names=shown
        )
        raise Conflict(message, errors={"kind": [message]})


def _award(*, touched: dict[int, list[int]], now: datetime) -> None:
    """Award what the change earned, for the people whose progress moved, by program."""
    programs = Program.objects.select_related("organisation").in_bulk(list(touched))
    for program_id, user_ids in touched.items():
        awards_after_record_change(program=programs[program_id], user_ids=user_ids, now=now)
