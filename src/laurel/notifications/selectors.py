"""Reads: what a person chose to receive, and what was sent to them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from laurel.badges.models import IssuedBadge
from laurel.certificates.models import IssuedCertificate
from laurel.notifications.models import EmailKind, EmailOptOut
from laurel.notifications.services.emails import (
    BADGE_GONE,
    BADGE_REVOKED,
    CERTIFICATE_GONE,
    FEEDBACK_GIVEN,
    NO_SUCH_PERSON,
    SWITCHED_OFF,
)
from laurel.notifications.tasks import (
    send_award_email,
    send_badge_email,
    send_feedback_reminder,
)
from laurel.outbox.models import Message

# The most recent emails an admin sees for one person.
EMAILS_SHOWN = 100

# Why a task sent nothing (``skipped`` in what it reported), as an admin reads it.
SKIPPED_REASONS = {
    SWITCHED_OFF: gettext_lazy("the person switched these emails off"),
    FEEDBACK_GIVEN: gettext_lazy("feedback was given before it went out"),
    CERTIFICATE_GONE: gettext_lazy("the certificate no longer exists"),
    NO_SUCH_PERSON: gettext_lazy("the person's account is closed"),
    BADGE_GONE: gettext_lazy("the badge no longer exists"),
    BADGE_REVOKED: gettext_lazy("the badge was revoked before it went out"),
}


def email_preferences(*, user_id: int) -> dict[str, bool]:
    """``{kind: receives it}`` for every kind of email."""
    off = set(EmailOptOut.objects.filter(user_id=user_id).values_list("kind", flat=True))
    return {kind: kind not in off for kind in EmailKind.values}


@dataclass(frozen=True)
class SentEmail:
    """One email to a person, as their organisation's admin sees it."""

    message_id: int
    what: str
    state: str  # queued, sent, not_sent, retrying, failed
    state_label: str
    queued_at: datetime
    finished_at: datetime | None
    attempts: int
    error: str


def emails_sent_to(*, user_id: int, organisation_id: int) -> list[SentEmail]:
    """The newest emails (up to EMAILS_SHOWN) sent, being sent or given up on, to one
    person by one organisation. Three queries whatever their number, and a fourth when
    badge emails are among them (for the badges' names)."""
    messages = list(
        Message.objects.filter(recipient_id=user_id, organisation_id=organisation_id)
        .order_by("-id")
        .prefetch_related("tries")[:EMAILS_SHOWN]
    )
    award_ids = [
        m.arguments.get("kwargs", {}).get("award_id")
        for m in messages
        if m.kind == send_award_email.module_path
    ]
    certificate_names = dict(
        IssuedCertificate.objects.filter(pk__in=[a for a in award_ids if a]).values_list(
            "pk", "name"
        )
    )
    badge_ids = [
        m.arguments.get("kwargs", {}).get("award_id")
        for m in messages
        if m.kind == send_badge_email.module_path
    ]
    badge_names = (
        dict(
            IssuedBadge.objects.filter(pk__in=[a for a in badge_ids if a]).values_list("pk", "name")
        )
        if badge_ids
        else {}
    )
    return [_sent_email(m, certificate_names, badge_names) for m in messages]


def _sent_email(
    message: Message, certificate_names: dict[int, str], badge_names: dict[int, str]
) -> SentEmail:
    kwargs = message.arguments.get("kwargs", {})
    if message.kind == send_award_email.module_path:
        name = certificate_names.get(kwargs.get("award_id"), "")
        what = (
            _("Certificate awarded: %(name)s") % {"name": name}
            if name
            else _("Certificate awarded")
        )
    elif message.kind == send_badge_email.module_path:
        name = badge_names.get(kwargs.get("award_id"), "")
        what = _("Badge awarded: %(name)s") % {"name": name} if name else _("Badge awarded")
    elif message.kind == send_feedback_reminder.module_path:
        count = len(kwargs.get("session_ids", []))
        what = ngettext(
            "Feedback reminder (%(count)s session)", "Feedback reminder (%(count)s sessions)", count
        ) % {"count": count}
    else:
        what = _("Email")
    tries = list(message.tries.all())
    last_detail = tries[-1].detail if tries else {}
    if message.status == Message.Status.DONE:
        skipped = last_detail.get("skipped") if isinstance(last_detail, dict) else None
        state = "not_sent" if skipped else "sent"
        reason = SKIPPED_REASONS.get(skipped, skipped) if skipped else ""
        label = _("Not sent: %(reason)s") % {"reason": reason} if skipped else _("Sent")
    elif message.status == Message.Status.FAILED:
        state, label = "failed", _("Failed")
    elif message.attempts:
        state, label = "retrying", _("Failed, trying again")
    else:
        state, label = "queued", _("Queued")
    return SentEmail(
        message_id=message.pk,
        what=what,
        state=state,
        state_label=label,
        queued_at=message.created_at,
        finished_at=message.finished_at,
        attempts=message.attempts,
        error=message.last_error,
    )
