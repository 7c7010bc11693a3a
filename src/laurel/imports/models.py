"""The runs of the import, with the rows they are checking.

The ids that other systems use for pairings and sessions are the record's own
(``Pairing.external_id``, ``Session.external_id``): they are what makes an import
repeatable, as a row whose pairing or session is already known adds only what is new.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from laurel.accounts.models import NAME_MAX_LENGTH
from laurel.programs.models import EXTERNAL_ID_MAX_LENGTH, Program


class ImportRun(models.Model):
    """One import of a file into a program, from its first check to its last batch.

    The file is checked whole before anything is applied, then applied in batches, each its
    own short transaction. The run records how far it got, so that an import that stopped
    part-way can be told apart from one that finished (importing the same file again
    completes it). One run per program is under way at a time.
    """

    class State(models.TextChoices):
        CHECKING = "checking", _("checking the file")
        REFUSED = "refused", _("refused: the file has problems, nothing was imported")
        APPLYING = "applying", _("applying the file in batches")
        DONE = "done", _("done")
        STOPPED = "stopped", _("stopped part-way: import the same file again to complete it")

    class Kind(models.TextChoices):
        RECORD = "record", _("sessions and feedback")
        PARTICIPANTS = "participants", _("participants")

    UNDER_WAY = (State.CHECKING, State.APPLYING)

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    # What the file holds: the record (one row per session) or people (one row per person
    # and role). Either kind counts as the program's one import under way.
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.RECORD)
    state = models.CharField(max_length=10, choices=State.choices, default=State.CHECKING)
    # Which file it was, to know which one to import again after a stop.
    file_sha256 = models.CharField(max_length=64, blank=True)
    rows = models.PositiveIntegerField(default=0)
    # Every row up to this line is written (lines of the file, the header being line 1).
    applied_through_line = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField()
    # Renewed with every batch; a run under way that stops renewing it lost its process.
    heartbeat_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["program"],
                condition=models.Q(state__in=["checking", "applying"]),
                name="import_run_one_under_way_per_program",
            )
        ]

    def __str__(self) -> str:
        return f"import {self.pk} into program {self.program_id}: {self.state}"


class StagedRow(models.Model):
    """A checked row of a file being imported, kept in the database so that the whole file
    can be checked against itself and the record with a few set-based queries rather than
    in memory. Rows leave the table as their batch is applied."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="+")
    line = models.PositiveIntegerField()
    pairing = models.CharField(max_length=EXTERNAL_ID_MAX_LENGTH)
    mentor_email = models.CharField(max_length=254)
    mentor_name = models.CharField(max_length=NAME_MAX_LENGTH)
    mentee_email = models.CharField(max_length=254)
    mentee_name = models.CharField(max_length=NAME_MAX_LENGTH)
    session = models.CharField(max_length=EXTERNAL_ID_MAX_LENGTH)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    duration_minutes = models.PositiveIntegerField()
    status = models.CharField(max_length=10)
    mentor_rating = models.PositiveSmallIntegerField(null=True)
    mentor_comment = models.TextField(blank=True)
    mentee_rating = models.PositiveSmallIntegerField(null=True)
    mentee_comment = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "line"], name="staged_row_unique_line")
        ]
        # With the line last, the checks read each session's and pairing's rows in the
        # order of the file straight from the index, without sorting the file.
        indexes = [
            models.Index(fields=["run", "session", "line"], name="staged_row_session"),
            models.Index(fields=["run", "pairing", "line"], name="staged_row_pairing"),
        ]


class StagedParticipant(models.Model):
    """A checked row of a participants file being imported (see ``StagedRow``)."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="+")
    line = models.PositiveIntegerField()
    email = models.CharField(max_length=254)
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    role = models.CharField(max_length=10)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "line"], name="staged_participant_unique_line")
        ]
        # The checks read each address's rows in the order of the file from the index.
        indexes = [
            models.Index(fields=["run", "email", "line"], name="staged_participant_email"),
        ]
