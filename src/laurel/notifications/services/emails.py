"""Emails. One function per email, each with subject, text and HTML templates.

Each is run by the outbox, whose message is the record of sending: once the email is out
the message is done and not run again. The one window for a second copy is a worker dying
between the mail server accepting the email and the message being marked done.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.db.models import Exists, F, OuterRef
from django.urls import NoReverseMatch, reverse
from django.utils.translation import ngettext

from laurel.accounts.models import User
from laurel.certificates.models import IssuedCertificate
from laurel.notifications.mail import email_build, email_deliver, site_url, unsubscribe_url
from laurel.notifications.models import EmailKind, EmailOptOut
from laurel.programs.models import Organisation, PairingMember, Session
from laurel.rendering.inputs import accent_ink, on_accent
from laurel.verification.selectors import sharing

# What a task reports (``skipped``) when it sent nothing; the admin's list of a person's
# emails says why.
SWITCHED_OFF = "switched off"
FEEDBACK_GIVEN = "feedback already given"
CERTIFICATE_GONE = "certificate gone"
NO_SUCH_PERSON = "no such person"


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
    [send] = award_emails_prepare(award_ids=[award_id])
    return send()


def award_emails_prepare(*, award_ids: Sequence[int]) -> list[Callable[[], dict[str, Any]]]:
    """What ``award_email_send`` does for each of ``award_ids``, with the reading done for
    all of them at once: the outbox worker prepares a claimed batch of award emails with
    this, then sends them one by one, each just after the one before is recorded.

    Two queries whatever the number: the certificates named, then their current versions
    with each recipient's address, the organisation's accent colour and whether the
    recipient switched these emails off. Each email is put together here too, so that
    sending it is only handing it to the mail server.
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
        _award_email(current.get(public_ids.get(award_id, "")), settings_url=settings_url)
        for award_id in award_ids
    ]


# What an award email shows of the certificate, and what its links are made of.
AWARD_EMAIL_FIELDS = (
    "public_id", "user_id", "issued_at", "is_public", "name", "recipient_name",
    "organisation_name", "program_name", "logo",
)  # fmt: skip


def _award_email(
    current: IssuedCertificate | None, *, settings_url: str
) -> Callable[[], dict[str, Any]]:
    if current is None:
        return lambda: {"sent_award_id": None, "skipped": CERTIFICATE_GONE}
    if current.switched_off:  # type: ignore[attr-defined]
        return lambda: {"sent_award_id": None, "skipped": SWITCHED_OFF}
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
        "settings_url": settings_url,
        **_colours(current.accent),  # type: ignore[attr-defined]
    }
    email = email_build(
        template="certificate_awarded",
        to=current.email,  # type: ignore[attr-defined]
        context=context,
        organisation_name=current.organisation_name,
        unsubscribe=unsubscribe_url(user_id=current.user_id, kind=EmailKind.AWARD),
    )

    def send() -> dict[str, Any]:
        email_deliver(email)
        return {"sent_award_id": current.pk}

    return send


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
