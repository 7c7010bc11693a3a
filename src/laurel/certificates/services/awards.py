"""Issued certificates: awarding by hand, revoking, and correcting (a new version)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from laurel.accounts.models import NAME_MAX_LENGTH, User
from laurel.bulk import chunks
from laurel.certificates import merge_fields
from laurel.certificates.events import AwardCorrected, AwardRevoked, award_changes
from laurel.certificates.models import (
    TEXT_MAX_LENGTH,
    AuditEntry,
    CertificateDefinition,
    IssuedCertificate,
)
from laurel.certificates.services.audit import audit_record
from laurel.certificates.services.awarding import awards_grant
from laurel.certificates.services.definitions import locked_definition, refuse_group
from laurel.errors import Conflict, InvalidInput
from laurel.programs.models import Participant
from laurel.validation import clean_line, clean_text


@dataclass(frozen=True)
class ManualAwardResult:
    awarded: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)


def certificate_award(
    *,
    definition: CertificateDefinition,
    by: User | None,
    participant_ids: Sequence[int],
    via: str = "",
    now: datetime | None = None,
) -> ManualAwardResult:
    """Award a certificate by hand. People who already hold it are skipped, not duplicated."""
    now = now or timezone.now()
    wanted = list(dict.fromkeys(participant_ids))
    if not wanted:
        raise InvalidInput.field("participant_ids", "Choose at least one participant to award.")
    with transaction.atomic():
        definition = locked_definition(definition)
        program = definition.program
        refuse_group(program)
        if not definition.enabled:
            raise Conflict("This certificate is disabled. Enable it before awarding it.")
        user_by_participant: dict[int, int] = {}
        for batch in chunks(wanted):
            user_by_participant.update(
                Participant.objects.filter(program=program, pk__in=batch).values_list(
                    "pk", "user_id"
                )
            )
        unknown = [pid for pid in wanted if pid not in user_by_participant]
        if unknown:
            shown = ", ".join(str(pid) for pid in unknown[:20])
            raise InvalidInput.field(
                "participant_ids", f"These participants are not in this program: {shown}."
            )
        created = awards_grant(
            definition=definition, program=program, method="manual", by=by,
            user_ids=list(dict.fromkeys(user_by_participant.values())), now=now,
        )  # fmt: skip
        award_by_user = {user_id: award_id for award_id, user_id in created}
        awarded: list[int] = []
        skipped: list[int] = []
        for pid in wanted:
            award_id = award_by_user.pop(user_by_participant[pid], None)
            if award_id is None:
                skipped.append(pid)
            else:
                awarded.append(award_id)
        audit_record(now=now, via=via, action=AuditEntry.Action.AWARDED_MANUALLY, program=program, actor=by,
               definition=definition,
               data={"awarded": len(awarded), "skipped": len(skipped), "award_ids": awarded[:1000]})  # fmt: skip
    return ManualAwardResult(awarded=awarded, skipped=skipped)


def _locked_award(award: IssuedCertificate) -> IssuedCertificate:
    return (
        IssuedCertificate.objects.select_for_update(of=("self",))
        .select_related("program")
        .get(pk=award.pk)
    )


def award_revoke(
    *,
    award: IssuedCertificate,
    by: User | None,
    reason: str,
    via: str = "",
    now: datetime | None = None,
) -> IssuedCertificate:
    """Revoke an issued certificate; its public page and credential then say so."""
    now = now or timezone.now()
    reason = clean_text(reason, field="reason", label="Reason", max_length=TEXT_MAX_LENGTH)
    with transaction.atomic():
        award = _locked_award(award)
        if not award.is_current:
            raise Conflict("This version was superseded; revoke the current version instead.")
        if award.status == IssuedCertificate.Status.REVOKED:
            raise Conflict("This certificate is already revoked.")
        award.status = IssuedCertificate.Status.REVOKED
        award.revoked_at = now
        award.revoked_by = by
        award.revocation_reason = reason
        award.save(update_fields=["status", "revoked_at", "revoked_by", "revocation_reason"])
        audit_record(now=now, via=via, action=AuditEntry.Action.REVOKED, program=award.program, actor=by, award=award,
               definition=award.definition, data={"reason": reason})  # fmt: skip
        award_changes.announce(
            AwardRevoked(award_id=award.pk, organisation_id=award.program.organisation_id)
        )
    return award


def award_reissue(
    *,
    award: IssuedCertificate,
    by: User | None,
    recipient_name: str | None = None,
    via: str = "",
    now: datetime | None = None,
) -> IssuedCertificate:
    """Issue a corrected version that supersedes ``award`` under the same public link.

    Everything frozen stays as it was except the recipient's name (by default the
    person's current name), which is merged into the certificate text again.
    """
    now = now or timezone.now()
    with transaction.atomic():
        old = _locked_award(award)
        if not old.is_current:
            raise Conflict("This version was already superseded; correct the current version.")
        if old.status == IssuedCertificate.Status.REVOKED:
            raise Conflict("A revoked certificate cannot be re-issued.")
        name = clean_line(
            recipient_name if recipient_name is not None else old.user.name,
            field="recipient_name", label="Recipient name", max_length=NAME_MAX_LENGTH,
        )  # fmt: skip
        IssuedCertificate.objects.filter(pk=old.pk).update(is_current=False)
        values = merge_fields.values_for(
            recipient_name=name,
            program_name=old.program_name,
            organisation_name=old.organisation_name,
            sessions_required=old.sessions_required,
            issued_at=old.issued_at,
        )
        new = IssuedCertificate.objects.create(
            public_id=old.public_id, version=old.version + 1, supersedes=old,
            definition_id=old.definition_id, program_id=old.program_id, user_id=old.user_id,
            participant_id=old.participant_id, method=old.method, awarded_by=by,
            issued_at=old.issued_at, created_at=now, is_public=old.is_public,
            recipient_name=name, name=old.name,
            text_template=old.text_template, text=merge_fields.render(old.text_template, values),
            colour=old.colour, layout=old.layout, banner=old.banner, logo=old.logo,
            organisation_name=old.organisation_name, program_name=old.program_name,
            sessions_required=old.sessions_required,
        )  # fmt: skip
        audit_record(now=now, via=via, action=AuditEntry.Action.REISSUED, program=old.program, actor=by, award=new,
               definition=old.definition,
               data={"from_version": old.version, "to_version": new.version})  # fmt: skip
        award_changes.announce(
            AwardCorrected(
                award_id=new.pk,
                previous_award_id=old.pk,
                organisation_id=old.program.organisation_id,
            )
        )
    return new
