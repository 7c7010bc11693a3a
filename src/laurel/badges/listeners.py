"""The one entry point from the mentorship record into badges.

The record announces what happened (``programs.events``); here that becomes the tallies,
and whoever now qualifies for an enabled badge of the organisation is awarded it, in the
same transaction as the change. Losing progress (withdrawn feedback, a program kind that
no longer counts) never revokes a badge.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from laurel.badges.services.awarding import badges_after_record_change
from laurel.badges.services.definitions import badges_defaults_ensure
from laurel.badges.services.tallies import tallies_ensure, tallies_shift
from laurel.programs.events import (
    FirstFeedbackGiven,
    LastFeedbackWithdrawn,
    OrganisationCreated,
    ParticipantsJoined,
    ProgramKindChanged,
    RecordChange,
    SessionsCancelled,
    SessionsCompleted,
)
from laurel.programs.models import Organisation, Program


def on_record_change(event: RecordChange) -> None:
    if isinstance(event, SessionsCompleted):
        touched = tallies_shift(
            session_ids=event.session_ids, completed_step=1, counting="with_feedback"
        )
        _award(touched=touched, now=event.now, feedback_only=False)
    elif isinstance(event, FirstFeedbackGiven):
        touched = tallies_shift(session_ids=event.session_ids, completed_step=0, counting=1)
        _award(touched=touched, now=event.now, feedback_only=True)
    elif isinstance(event, LastFeedbackWithdrawn):
        # Badges already earned stay: losing progress never revokes.
        tallies_shift(session_ids=event.session_ids, completed_step=0, counting=-1)
    elif isinstance(event, ParticipantsJoined):
        tallies_ensure(program_id=event.program_id, user_ids=event.user_ids)
    elif isinstance(event, ProgramKindChanged):
        # Sessions of the new kind may count now (and those of the old one stop counting,
        # which takes nothing away): award what the program's people have now earned.
        program = Program.objects.get(pk=event.program_id)
        badges_after_record_change(
            organisation_id=program.organisation_id, program_id=program.pk, now=timezone.now()
        )
    elif isinstance(event, OrganisationCreated):
        badges_defaults_ensure(organisation=Organisation.objects.get(pk=event.organisation_id))
    elif isinstance(event, SessionsCancelled):
        pass  # only booked sessions are cancelled, and those never counted


def _award(*, touched: dict[int, list[int]], now: datetime, feedback_only: bool) -> None:
    for organisation_id, user_ids in touched.items():
        badges_after_record_change(
            organisation_id=organisation_id, user_ids=user_ids, feedback_only=feedback_only,
            now=now,
        )  # fmt: skip
