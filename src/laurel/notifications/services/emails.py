"""Emails. One function per email, each with subject, text and HTML templates.

Each is run by the outbox, whose message is the record of sending: once the email is out
the message is done and not run again. The one window for a second copy is a worker dying
between the mail server accepting the email and the message being marked done.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from types import SimpleNamespace
from typing import Any, cast

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Exists, F, OuterRef
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from laurel.accounts.models import User
from laurel.badges.models import IssuedBadge
from laurel.certificates.models import IssuedCertificate
from laurel.notifications.mail import (
    FormLetters,
    ReadyEmail,
    email_build,
    email_deliver,
    email_ready,
    site_url,
    unsubscribe_url,
)
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
    [email] = award_emails_prepare(award_ids=[award_id])
    return email()


def award_emails_prepare(*, award_ids: Sequence[int]) -> list[AwardEmail]:
    """What ``award_email_send`` does for each of ``award_ids``, with the reading done for
    all of them at once: the outbox worker prepares a claimed batch of award emails with
    this, then builds and sends them one by one (``laurel.outbox.batches``).

    Two queries whatever the number: the certificates named, then their current versions
    with each recipient's address, the organisation's accent colour and whether the
    recipient switched these emails off.
    """
    public_ids = dict(
        IssuedCertificate.objects.filter(pk__in=award_ids).values_list("pk", "public_id")
    )
    current = {
        award.public_id: award
        for award in IssuedCertificate.objects.filter(
            public_id__in=set(public_ids.values()), is_current=True
        )
        .only(*AWARD_EMAIL_FIELDS)
        .annotate(
            email=F("user__email"),
            accent=F("program__organisation__accent_colour"),
            switched_off=Exists(
                EmailOptOut.objects.filter(user_id=OuterRef("user_id"), kind=EmailKind.AWARD)
            ),
        )
    }
    settings_url = site_url(reverse("participation:settings"))
    return [
        AwardEmail(current.get(public_ids.get(award_id, "")), settings_url=settings_url)
        for award_id in award_ids
    ]


# What an award email shows of the certificate, and what its links are made of.
AWARD_EMAIL_FIELDS = (
    "public_id", "user_id", "issued_at", "is_public", "name", "recipient_name",
    "organisation_name", "program_name", "logo",
)  # fmt: skip


class AwardEmail:
    """One award email, read with its batch: calling it puts the email together and sends
    it, and returns what ``award_email_send`` returns."""

    def __init__(self, current: IssuedCertificate | None, *, settings_url: str) -> None:
        self.current = current
        self.settings_url = settings_url
        self._ready: ReadyEmail | None = None

    def ready(self) -> None:
        """Put the email together now (the worker does it while the email before waits
        for the mail server), so that the call only sends it."""
        if self._ready is None and not self._skipped():
            self._ready = email_ready(self._message())

    def __call__(self) -> dict[str, Any]:
        skipped = self._skipped()
        if skipped:
            return {"sent_award_id": None, "skipped": skipped}
        assert self.current is not None
        email_deliver(self._ready or self._message())
        return {"sent_award_id": self.current.pk}

    def _skipped(self) -> str:
        if self.current is None:
            return CERTIFICATE_GONE
        if self.current.switched_off:  # type: ignore[attr-defined]
            return SWITCHED_OFF
        return ""

    def _message(self) -> EmailMultiAlternatives:
        current = self.current
        assert current is not None
        unsubscribe = unsubscribe_url(user_id=current.user_id, kind=EmailKind.AWARD)
        issued_on = timezone.localdate(current.issued_at)
        shown = {field: getattr(current, field) for field in AWARD_EMAIL_SHARED_FIELDS}
        shared = (
            *shown.values(), issued_on.year, issued_on.month, current.accent,  # type: ignore[attr-defined]
            self.settings_url, settings.SITE_URL, settings.MEDIA_URL, translation.get_language(),
        )  # fmt: skip

        def letter_context(values: Mapping[str, str]) -> dict[str, object]:
            # Only what the key holds, and the placeholders: a template showing anything
            # else differs from the full rendering, and is rendered in full.
            award = SimpleNamespace(
                **shown,
                recipient_name=values["name"],
                public_id=values["id"],
                issued_at=timezone.make_aware(datetime(issued_on.year, issued_on.month, 1, 12)),
            )
            return self._context(cast(IssuedCertificate, award), unsubscribe=values["unsubscribe"])

        rendered = AWARD_LETTERS.render(
            shared=shared,
            personal={
                "name": current.recipient_name,
                "id": current.public_id,
                "unsubscribe": unsubscribe,
            },
            context=lambda: self._context(current, unsubscribe=unsubscribe),
            letter_context=letter_context,
        )
        return email_build(
            template="certificate_awarded",
            to=current.email,  # type: ignore[attr-defined]
            context={},
            organisation_name=current.organisation_name,
            unsubscribe=unsubscribe,
            rendered=rendered,
        )

    def _context(self, award: IssuedCertificate, *, unsubscribe: str) -> dict[str, object]:
        share = sharing(award=award)
        return {
            "award": award,
            "organisation_name": award.organisation_name,
            "logo_url": _media_url(award.logo) if award.logo else "",
            "url": share.public_url,
            # The share card (1200 by 627 pixels) at its public address, rather than
            # attached: an email stays a few kilobytes however many thousands are sent, and
            # the image is drawn only for those who open it. A private certificate's image
            # is not public.
            "image_url": site_url(share.image_url) if award.is_public else "",
            "pdf_url": site_url(share.pdf_url),
            "share": share,
            "settings_url": self.settings_url,
            "unsubscribe_url": unsubscribe,
            **_colours(self.current.accent),  # type: ignore[union-attr]
        }


# An award's emails differ in the recipient's name, the certificate's id and the
# unsubscribe link; they are rendered as form letters (``FormLetters``), once for each
# combination of these fields of the certificate and the organisation's colour.
AWARD_EMAIL_SHARED_FIELDS = ("name", "organisation_name", "program_name", "logo", "is_public")
AWARD_LETTERS = FormLetters("certificate_awarded", personal=("name", "id", "unsubscribe"))


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
            accent=F("badge__organisation__accent_colour"),
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
