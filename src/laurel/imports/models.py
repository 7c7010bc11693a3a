"""The ids that other systems use for pairings and sessions imported into a program.

They are what makes an import repeatable: a row whose pairing or session is already
known adds only what is new.
"""

from __future__ import annotations

from django.db import models

from laurel.programs.models import Pairing, Program, Session

EXTERNAL_ID_MAX_LENGTH = 100


class ImportedPairing(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    external_id = models.CharField(max_length=EXTERNAL_ID_MAX_LENGTH)
    pairing = models.OneToOneField(Pairing, on_delete=models.CASCADE, related_name="imported_as")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["program", "external_id"], name="imported_pairing_unique"
            )
        ]


class ImportedSession(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    external_id = models.CharField(max_length=EXTERNAL_ID_MAX_LENGTH)
    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="imported_as")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["program", "external_id"], name="imported_session_unique"
            )
        ]
