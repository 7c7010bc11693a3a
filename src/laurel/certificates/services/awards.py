"""Issued certificates: awarding by hand, revoking, and correcting (a new version)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from laurel.accounts.models import NAME_MAX_LENGTH, User
from laurel.bulk import chunks
from laurel.certificates import merge_fields
from laurel.certificates.events import (
    AwardCorrected,
    AwardReinstated,
    AwardRevoked,
    award_changes,
)
from laurel.certificates.models import (
    TEXT_MAX_LENGTH,
    AuditEntry,
    CertificateDefinition,
    IssuedCertificate,
)
from laurel.certificates.services.audit import audit_record
from laurel.certificates.services.awarding import awards_grant
from laurel.certificates.services.definitions import locked_definition, refuse_group
from laurel.certificates.tracking import TrackFilter, selection_figures, tracked_people
from laurel.errors import Conflict, InvalidInput
from laurel.programs.models import Participant
from laurel.validation import clean_line, clean_text


@dataclass(frozen=True)
class ManualAwardResult:
    # The new awards' ids.
    awarded: list[int] = field(default_factory=list)
    # Participants chosen by id who already held the certificate (valid or revoked).
    skipped: list[int] = field(default_factory=list)
    # How many of the people chosen already held it, however they were chosen...
    skipped_count: int = 0
    # ... and of those, how many hold it revoked: reinstating is the way back for them.
    revoked_count: int = 0


def certificate_award(
    *,
    definition: CertificateDefinition,
    by: User | None,
    participant_ids: Sequence[int] | None = None,
    selection: TrackFilter | None = None,
    via: str = "",
    now: datetime | None = None,
) -> ManualAwardResult:
    """Award a certificate by hand. People who already hold it are skipped, not duplicated.

    The people are chosen by participant id, or by a Track Progress ``selection`` (everyone
    the filter matches, awarded by one statement however many they are). A person whose
    certificate was revoked is skipped too: reinstating it is the way back.
    """
    now = now or timezone.now()
    if (participant_ids is None) == (selection is None):
        raise InvalidInput.field(
            "participant_ids", _("Choose the people to award, by id or by a filter.")
        )
    with transaction.atomic():
        definition = locked_definition(definition)
        program = definition.program
        refuse_group(program)
        if not definition.enabled:
            raise Conflict(_("This certificate is disabled. Enable it before awarding it."))
        if selection is not None:
            result = _award_selection(definition=definition, by=by, selection=selection, now=now)
        else:
            result = _award_ids(
                definition=definition, by=by, participant_ids=participant_ids or [], now=now
            )
        data: dict[str, Any] = {
            "awarded": len(result.awarded),
            "skipped": result.skipped_count,
            "award_ids": result.awarded[:1000],
        }
        if selection is not None:
            data["selection"] = selection.described()
        audit_record(now=now, via=via, action=AuditEntry.Action.AWARDED_MANUALLY, program=program,
                     actor=by, definition=definition, data=data)  # fmt: skip
    return result


def _award_ids(
    *,
    definition: CertificateDefinition,
    by: User | None,
    participant_ids: Sequence[int],
    now: datetime,
) -> ManualAwardResult:
    program = definition.program
    wanted = list(dict.fromkeys(participant_ids))
    if not wanted:
        raise InvalidInput.field("participant_ids", _("Choose at least one participant to award."))
    user_by_participant: dict[int, int] = {}
    for batch in chunks(wanted):
        user_by_participant.update(
            Participant.objects.filter(program=program, pk__in=batch).values_list("pk", "user_id")
        )
    unknown = [pid for pid in wanted if pid not in user_by_participant]
    if unknown:
        shown = ", ".join(str(pid) for pid in unknown[:20])
        raise InvalidInput.field(
            "participant_ids",
            _("These participants are not in this program: %(ids)s.") % {"ids": shown},
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
    revoked = 0
    skipped_users = list({user_by_participant[pid] for pid in skipped})
    for batch in chunks(skipped_users):
        revoked += IssuedCertificate.objects.filter(
            definition=definition, user_id__in=batch, is_current=True,
            status=IssuedCertificate.Status.REVOKED,
        ).count()  # fmt: skip
    return ManualAwardResult(
        awarded=awarded, skipped=skipped, skipped_count=len(skipped), revoked_count=revoked
    )


def _award_selection(
    *,
    definition: CertificateDefinition,
    by: User | None,
    selection: TrackFilter,
    now: datetime,
) -> ManualAwardResult:
    if selection.program_id != definition.program_id:
        raise InvalidInput.field(
            "selection", _("The filter is about another program than the certificate.")
        )
    figures = selection_figures(selection=selection, certificate_id=definition.pk)
    sql, params = tracked_people(selection).values("user_id").query.sql_with_params()
    created = awards_grant(
        definition=definition, program=definition.program, method="manual", by=by,
        among=(sql, params), now=now,
    )  # fmt: skip
    awarded = [award_id for award_id, _user_id in created]
    return ManualAwardResult(
        awarded=awarded,
        skipped_count=max(0, figures.matched - len(awarded)),
        revoked_count=figures.revoked,
    )


def _locked_award(award: IssuedCertificate) -> IssuedCertificate:
    return (
        IssuedCertificate.objects.select_for_update(of=("self",))
        .select_related("program", "user")
        .get(pk=award.pk)
    )


def _reason(reason: object) -> str:
    return clean_text(reason, field="reason", label=_("Reason"), max_length=TEXT_MAX_LENGTH)


def award_revoke(
    *,
    award: IssuedCertificate,
    by: User | None,
    reason: str,
    public_reason: bool = False,
    via: str = "",
    now: datetime | None = None,
) -> IssuedCertificate:
    """Revoke an issued certificate; its public page and credential then say so.

    The public page shows the reason only when ``public_reason`` is set; the organisation
    (its pages, the API, the audit log) always sees it.
    """
    now = now or timezone.now()
    reason = _reason(reason)
    with transaction.atomic():
        award = _locked_award(award)
        if not award.is_current:
            raise Conflict(_("This version was superseded; revoke the current version instead."))
        if award.status == IssuedCertificate.Status.REVOKED:
            raise Conflict(_("This certificate is already revoked."))
        award.status = IssuedCertificate.Status.REVOKED
        award.revoked_at = now
        award.revoked_by = by
        award.revocation_reason = reason
        award.revocation_reason_public = bool(public_reason)
        award.save(
            update_fields=[
                "status", "revoked_at", "revoked_by", "revocation_reason",
                "revocation_reason_public",
            ]
        )  # fmt: skip
        audit_record(now=now, via=via, action=AuditEntry.Action.REVOKED, program=award.program, actor=by, award=award,
               definition=award.definition, data={"reason": reason, "public_reason": bool(public_reason)})  # fmt: skip
        # A certificate reinstated and revoked again is news again: the count tells the
        # listeners this revocation from the earlier ones.
        occurrence = AuditEntry.objects.filter(
            award=award, action=AuditEntry.Action.REVOKED
        ).count()
        award_changes.announce(
            AwardRevoked(
                award_id=award.pk,
                organisation_id=award.program.organisation_id,
                occurrence=occurrence,
            )
        )
    return award


def award_reinstate(
    *,
    award: IssuedCertificate,
    by: User | None,
    reason: str,
    via: str = "",
    now: datetime | None = None,
) -> IssuedCertificate:
    """Undo a revocation made in error: the certificate is valid again under the same
    public id, and its credential's status bit is cleared. The revocation stays in the
    audit log."""
    now = now or timezone.now()
    reason = _reason(reason)
    with transaction.atomic():
        award = _locked_award(award)
        if not award.is_current:
            raise Conflict(
                _("This version was superseded; open the current version to reinstate it.")
            )
        if award.status != IssuedCertificate.Status.REVOKED:
            raise Conflict(_("This certificate is valid; only a revoked one can be reinstated."))
        revoked = {
            "revoked_at": award.revoked_at.isoformat() if award.revoked_at else None,
            "revocation_reason": award.revocation_reason,
        }
        award.status = IssuedCertificate.Status.VALID
        award.revoked_at = None
        award.revoked_by = None
        award.revocation_reason = ""
        award.revocation_reason_public = False
        award.save(
            update_fields=[
                "status", "revoked_at", "revoked_by", "revocation_reason",
                "revocation_reason_public",
            ]
        )  # fmt: skip
        audit_record(now=now, via=via, action=AuditEntry.Action.REINSTATED, program=award.program, actor=by,
               award=award, definition=award.definition, data={"reason": reason, **revoked})  # fmt: skip
        award_changes.announce(
            AwardReinstated(award_id=award.pk, organisation_id=award.program.organisation_id)
        )
    return award


def award_correct(
    *,
    award: IssuedCertificate,
    by: User | None,
    reason: str,
    recipient_name: str | None = None,
    text: str | None = None,
    via: str = "",
    now: datetime | None = None,
) -> IssuedCertificate:
    """Issue a corrected version that supersedes ``award`` under the same public id.

    ``recipient_name`` replaces the name on it; ``text`` replaces the text of this
    certificate only (merge fields such as ``{recipient_name}`` are filled in, as in a
    certificate's text; the certificate's own text is not touched). With neither, the
    name becomes the person's current name. Everything else frozen stays as it was,
    including the date it was earned. The old version is kept, superseded.
    """
    now = now or timezone.now()
    reason = _reason(reason)
    template: str | None = None
    if text is not None:
        template = clean_text(text, field="text", label=_("Text"), max_length=TEXT_MAX_LENGTH)
        unknown = merge_fields.unknown_fields(template)
        if unknown:
            listed = ", ".join("{" + u + "}" for u in unknown)
            known = ", ".join("{" + f + "}" for f in merge_fields.FIELDS)
            raise InvalidInput.field(
                "text",
                _("Unknown merge field %(listed)s. Available fields: %(known)s.")
                % {"listed": listed, "known": known},
            )
    with transaction.atomic():
        old = _locked_award(award)
        if not old.is_current:
            raise Conflict(_("This version was already superseded; correct the current version."))
        if old.status == IssuedCertificate.Status.REVOKED:
            raise Conflict(_("A revoked certificate cannot be corrected; reinstate it first."))
        if recipient_name is None and text is None:
            recipient_name = old.user.name
        name = (
            old.recipient_name
            if recipient_name is None
            else clean_line(
                recipient_name, field="recipient_name", label=_("Recipient name"),
                max_length=NAME_MAX_LENGTH,
            )
        )  # fmt: skip
        template = old.text_template if template is None else template
        values = merge_fields.values_for(
            recipient_name=name,
            program_name=old.program_name,
            organisation_name=old.organisation_name,
            sessions_required=old.sessions_required,
            issued_at=old.issued_at,
        )
        new_text = merge_fields.render(template, values)
        if name == old.recipient_name and new_text == old.text:
            field = "text" if text is not None else "recipient_name"
            raise InvalidInput.field(
                field, _("This is what the certificate already says; change the name or the text.")
            )
        IssuedCertificate.objects.filter(pk=old.pk).update(is_current=False)
        new = IssuedCertificate.objects.create(
            public_id=old.public_id, version=old.version + 1, supersedes=old,
            definition_id=old.definition_id, program_id=old.program_id, user_id=old.user_id,
            participant_id=old.participant_id, method=old.method, awarded_by=old.awarded_by,
            issued_at=old.issued_at, created_at=now, is_public=old.is_public,
            recipient_name=name, name=old.name, text_template=template, text=new_text,
            colour=old.colour, layout=old.layout, banner=old.banner, logo=old.logo,
            organisation_name=old.organisation_name, program_name=old.program_name,
            sessions_required=old.sessions_required,
        )  # fmt: skip
        changes: dict[str, Any] = {}
        if name != old.recipient_name:
            changes["recipient_name"] = {"from": old.recipient_name, "to": name}
        if template != old.text_template:
            changes["text"] = {"from": old.text, "to": new_text}
        audit_record(now=now, via=via, action=AuditEntry.Action.CORRECTED, program=old.program, actor=by, award=new,
               definition=old.definition,
               data={"reason": reason, "from_version": old.version, "to_version": new.version,
                     "previous_award_id": old.pk, "changes": changes})  # fmt: skip
        award_changes.announce(
            AwardCorrected(
                award_id=new.pk,
                previous_award_id=old.pk,
                organisation_id=old.program.organisation_id,
            )
        )
    return new
