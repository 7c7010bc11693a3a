"""Emails. One function per email, each with subject, text and HTML templates.

Each is run by the outbox, whose message is the record of sending: once the email is out
the message is done and not run again. The one window for a second copy is a worker dying
between the mail server accepting the email and the message being marked done.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Subquery
from django.urls import NoReverseMatch, reverse
from django.utils.translation import ngettext

from laurel.accounts.models import User
from laurel.badges.models import IssuedBadge
from laurel.certificates.models import IssuedCertificate
from laurel.notifications.mail import email_build, email_deliver, site_url, unsubscribe_url
from laurel.notifications.models import EmailKind, EmailOptOut
from laurel.programs.models import Organisation, PairingMember, Session
from laurel.rendering.inputs import accent_ink, on_accent
from laurel.verification.badge_selectors import badge_description, badge_sharing
from laurel.verification.selectors import sharing

# What a task reports (``skipped``) when it sent nothing; the admin's list of a person's
# emails says why.
SWITCHED_OFF = "switched off"
FEEDBACK_GIVEN = "feedback already given"
CERTIFICATE_GONE = "certificate gone"
NO_SUCH_PERSON = "no such person"
BADGE_GONE = "badge gone"
BADGE_REVOKED = "badge revoked"


def _switched_off(*, user_id: int, kind: str) -> bool:
    return EmailOptOut.objects.filter(user_id=user_id, kind=kind).exists()


def _media_url(name: str) -> str:
    return f"{settings.SITE_URL}/{settings.MEDIA_URL.strip('/')}/{name}"


def _colours(accent: str) -> dict[str, str]:
    """The organisation's accent as emails use it: a button with readable text on it,
    and links dark enough to read on white."""
    return {"accent": accent, "on_accent": on_accent(accent), "ink": accent_ink(accent, "#FFFFFF")}


def award_email_send(*, award_id: int) -> dict[str, Any]:
    """Email the recipient of ``award_id`` about their certificate, in its current version
    (a correction made before the email went out is what they receive).

    Returns ``sent_award_id`` (the version sent; None if the award is gone) or ``skipped``
    when the recipient has switched these emails off.
    """
    # One query: the current version, its recipient's address, the organisation's accent
    # colour and whether the recipient switched these emails off.
    current = (
        IssuedCertificate.objects.filter(
            public_id=Subquery(
                IssuedCertificate.objects.filter(pk=award_id).values("public_id")[:1]
            ),
            is_current=True,
        )
        .annotate(
            email=F("user__email"),
            accent=F("program__organisation__accent_colour"),
            switched_off=Exists(
                EmailOptOut.objects.filter(user_id=OuterRef("user_id"), kind=EmailKind.AWARD)
            ),
        )
        .first()
    )
    if current is None:
        return {"sent_award_id": None, "skipped": CERTIFICATE_GONE}
    if current.switched_off:
        return {"sent_award_id": None, "skipped": SWITCHED_OFF}
    share = sharing(award=current)
    context = {
        "award": current,
        "organisation_name": current.organisation_name,
        "logo_url": _media_url(current.logo) if current.logo else "",
        "url": share.public_url,
        # The share card (1200 by 627 pixels) at its public address, rather than attached: an email
        # stays a few kilobytes however many thousands are sent, and the image is drawn
        # only for those who open it. A private certificate's image is not public.
        "image_url": site_url(share.image_url) if current.is_public else "",
        "pdf_url": site_url(share.pdf_url),
        "share": share,
        "settings_url": site_url(reverse("participation:settings")),
        **_colours(current.accent),
    }
    email_deliver(
        email_build(
            template="certificate_awarded",
            to=current.email,
            context=context,
            organisation_name=current.organisation_name,
            unsubscribe=unsubscribe_url(user_id=current.user_id, kind=EmailKind.AWARD),
        )
    )
    return {"sent_award_id": current.pk}


def badge_email_send(*, award_id: int) -> dict[str, Any]:
    """Email the recipient of the issued badge ``award_id``.

    Returns ``sent_award_id``, or ``skipped`` with the reason: the recipient switched
    these emails off, or the badge was revoked before the email went out.
    """
    # One query: the badge, its recipient's address, the organisation's accent colour and
    # whether the recipient switched these emails off.
    award = (
        IssuedBadge.objects.filter(pk=award_id)
        .annotate(
            email=F("user__email"),
            accent=F("organisation__accent_colour"),
            switched_off=Exists(
                EmailOptOut.objects.filter(user_id=OuterRef("user_id"), kind=EmailKind.BADGE)
            ),
        )
        .first()
    )
    if award is None:
        return {"sent_award_id": None, "skipped": BADGE_GONE}
    if award.switched_off:
        return {"sent_award_id": None, "skipped": SWITCHED_OFF}
    if award.status == IssuedBadge.Status.REVOKED:
        return {"sent_award_id": None, "skipped": BADGE_REVOKED}
    share = badge_sharing(award=award)
    context = {
        "award": award,
        "describe": badge_description(award=award),
        "organisation_name": award.organisation_name,
        "logo_url": _media_url(award.logo) if award.logo else "",
        "url": share.public_url,
        # The badge's image at its public address, not attached: the email stays small,
        # and the image is drawn only for those who open it. A hidden badge's is not public.
        "image_url": site_url(share.image_url) if award.is_public else "",
        "share": share,
        "settings_url": site_url(reverse("participation:settings")),
        **_colours(award.accent),
    }
    email_deliver(
        email_build(
            template="badge_awarded",
            to=award.email,
            context=context,
            organisation_name=award.organisation_name,
            unsubscribe=unsubscribe_url(user_id=award.user_id, kind=EmailKind.BADGE),
        )
    )
    return {"sent_award_id": award.pk}


def feedback_url(session_id: int) -> str:
    """Where a participant gives feedback on a session."""
    try:
        path = reverse("participation:feedback", kwargs={"session_id": session_id})
    except NoReverseMatch:
        # Without the participant's feedback form, their activity page lists the sessions
        # waiting for feedback.
        path = reverse("home")
    return site_url(path)


def reminder_email_send(*, user_id: int, session_ids: list[int]) -> dict[str, Any]:
    """Remind a person of their completed sessions that nobody gave feedback on yet.

    Sessions that got feedback (or were otherwise settled) since the reminder was queued
    are left out; if none is left, nothing is sent. Returns the sessions mentioned, or
    ``skipped`` with the reason.
    """
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return {"session_ids": [], "skipped": NO_SUCH_PERSON}
    if _switched_off(user_id=user_id, kind=EmailKind.REMINDER):
        return {"session_ids": [], "skipped": SWITCHED_OFF}
    sessions = list(
        Session.objects.filter(
            pk__in=session_ids, status=Session.Status.COMPLETED, first_feedback_at__isnull=True
        )
        .select_related("pairing__program__organisation")
        .order_by("pairing__program_id", "starts_at", "pk")
    )
    if not sessions:
        return {"session_ids": [], "skipped": FEEDBACK_GIVEN}
    partners: dict[int, list[str]] = defaultdict(list)
    for pairing_id, name in (
        PairingMember.objects.filter(pairing_id__in={s.pairing_id for s in sessions})
        .exclude(user_id=user_id)
        .order_by("user__name")
        .values_list("pairing_id", "user__name")
    ):
        partners[pairing_id].append(name)
    programs: dict[int, dict[str, Any]] = {}
    for session in sessions:
        program = session.pairing.program
        group = programs.setdefault(
            program.pk, {"program": program, "organisation": program.organisation, "sessions": []}
        )
        group["sessions"].append(
            {
                "starts_at": session.starts_at,
                "partners": partners[session.pairing_id],
                "feedback_url": feedback_url(session.pk),
            }
        )
    organisations = {group["organisation"].pk: group["organisation"] for group in programs.values()}
    # Branded as the one organisation the sessions belong to; neutral if several.
    organisation: Organisation | None = (
        next(iter(organisations.values())) if len(organisations) == 1 else None
    )
    count = len(sessions)
    context = {
        "user": user,
        "count": count,
        "headline": ngettext(
            "%(count)s session is waiting for feedback before it counts towards your certificate.",
            "%(count)s sessions are waiting for feedback before they count towards your"
            " certificate.",
            count,
        )
        % {"count": count},
        "programs": list(programs.values()),
        "organisation_name": organisation.name if organisation else "",
        "activity_url": site_url(reverse("home")),
        "settings_url": site_url(reverse("participation:settings")),
        **_colours(organisation.accent_colour if organisation else "#1F6FEB"),
    }
    email_deliver(
        email_build(
            template="feedback_reminder",
            to=user.email,
            context=context,
            organisation_name=organisation.name if organisation else None,
            unsubscribe=unsubscribe_url(user_id=user_id, kind=EmailKind.REMINDER),
        )
    )
    return {"session_ids": [session.pk for session in sessions]}
