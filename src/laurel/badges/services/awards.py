"""Issued badges: revocation, reinstatement and the recipient's choice to show them."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from laurel.accounts.models import User
from laurel.badges.events import BadgeReinstated, BadgeRevoked, badge_changes
from laurel.badges.models import TEXT_MAX_LENGTH, BadgeAuditEntry, IssuedBadge
from laurel.badges.services.audit import badge_audit_record
from laurel.errors import Conflict, NotFound
from laurel.validation import clean_text


def _locked_award(award: IssuedBadge) -> IssuedBadge:
    # With its badge, whose organisation the award is in.
    return (
        IssuedBadge.objects.select_for_update(of=("self",)).select_related("badge").get(pk=award.pk)
    )


def badge_award_revoke(
    *,
    award: IssuedBadge,
    by: User | None,
    reason: str,
    public_reason: bool = False,
    via: str = "",
    now: datetime | None = None,
) -> IssuedBadge:
    """Revoke an issued badge; its public page and credential then say so.

    The public page shows the reason only when ``public_reason`` is set; the organisation
    always sees it. The badge is not awarded again by the engine: reinstating is the way
    back.
    """
    now = now or timezone.now()
    reason = clean_text(reason, field="reason", label=_("Reason"), max_length=TEXT_MAX_LENGTH)
    with transaction.atomic():
        award = _locked_award(award)
        if award.status == IssuedBadge.Status.REVOKED:
            raise Conflict(_("This badge is already revoked."))
        award.status = IssuedBadge.Status.REVOKED
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
        badge_audit_record(
            action=BadgeAuditEntry.Action.REVOKED, organisation_id=award.badge.organisation_id,
            actor=by, now=now, badge_id=award.badge_id, award=award, via=via,
            data={"reason": reason, "public_reason": bool(public_reason)},
        )  # fmt: skip
        # A badge reinstated and revoked again is news again: the count tells the
        # listeners this revocation from the earlier ones.
        occurrence = BadgeAuditEntry.objects.filter(
            award=award, action=BadgeAuditEntry.Action.REVOKED
        ).count()
        badge_changes.announce(
            BadgeRevoked(
                award_id=award.pk,
                organisation_id=award.badge.organisation_id,
                occurrence=occurrence,
            )
        )
    return award


def badge_award_reinstate(
    *, award: IssuedBadge, by: User | None, via: str = "", now: datetime | None = None
) -> IssuedBadge:
    """Undo a revocation made in error: the badge is valid again under the same public
    id. The revocation stays in the audit log."""
    now = now or timezone.now()
    with transaction.atomic():
        award = _locked_award(award)
        if award.status != IssuedBadge.Status.REVOKED:
            raise Conflict(_("This badge is valid; only a revoked one can be reinstated."))
        revoked = {
            "revoked_at": award.revoked_at.isoformat() if award.revoked_at else None,
            "revocation_reason": award.revocation_reason,
        }
        award.status = IssuedBadge.Status.VALID
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
        badge_audit_record(
            action=BadgeAuditEntry.Action.REINSTATED, organisation_id=award.badge.organisation_id,
            actor=by, now=now, badge_id=award.badge_id, award=award, via=via, data=revoked,
        )  # fmt: skip
        badge_changes.announce(
            BadgeReinstated(award_id=award.pk, organisation_id=award.badge.organisation_id)
        )
    return award


def badge_award_visibility(*, award: IssuedBadge, user: User, is_public: bool) -> IssuedBadge:
    """Show or hide one's own badge on its public page. Only the recipient may."""
    with transaction.atomic():
        award = _locked_award(award)
        if award.user_id != user.pk:
            raise NotFound(_("You hold no such badge."))
        if award.is_public != bool(is_public):
            award.is_public = bool(is_public)
            award.save(update_fields=["is_public"])
    return award
