"""Invitations: an admin invites someone by email to administer the organisation or to
join a program in a role; the email's signed link, valid for 7 days, signs them in.

The link names the invitation and its current nonce, signed with the site's secret key.
Sending it again draws a new nonce (only the latest link works), accepting or revoking it
ends it, and people who already exist (added through the API or a CSV file, without a
password) are signed in the same way as new ones.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from laurel.accounts.models import NAME_MAX_LENGTH, User
from laurel.errors import Conflict, InvalidInput, LaurelError, NotFound
from laurel.programs.models import Invitation, Organisation, Participant, Program
from laurel.programs.services import (
    email_clean,
    organisation_create,
    participant_add,
    user_for_email,
)
from laurel.validation import clean_line

VALID_FOR = timedelta(days=7)
_SALT = "laurel.invitation"


class InvitationUnusable(LaurelError):
    """A link that cannot be followed, and why: ``invalid`` (tampered or mistyped),
    ``expired``, ``used``, ``revoked`` or ``replaced`` (a newer link was sent)."""

    status = 410
    title = "This invitation link cannot be used"

    def __init__(self, reason: str, detail: str, invitation: Invitation | None = None) -> None:
        super().__init__(detail)
        self.reason = reason
        self.invitation = invitation


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk, "n": invitation.nonce}, salt=_SALT, compress=True)


def invitation_url(invitation: Invitation) -> str:
    return settings.SITE_URL + reverse("invitation_accept", args=[invitation_token(invitation)])


def _administered(organisation: Organisation, by: User) -> None:
    if not organisation.admins.filter(pk=by.pk).exists():
        raise NotFound("No such organisation.")


def _new(
    *, organisation: Organisation, program: Program | None, role: str, email: str, name: str,
    by: User | None, now: datetime,
) -> Invitation:  # fmt: skip
    return Invitation.objects.create(
        organisation=organisation, program=program, role=role, email=email, name=name,
        invited_by=by, nonce=secrets.token_hex(16), created_at=now, sent_at=now,
        expires_at=now + VALID_FOR,
    )  # fmt: skip


def _queue_email(invitation: Invitation) -> None:
    # Imported here: the task module imports this one.
    from laurel.programs.tasks import send_invitation_email

    send_invitation_email.enqueue(invitation_id=invitation.pk)


def invitation_create(
    *,
    organisation: Organisation,
    by: User,
    email: str,
    name: str,
    role: str,
    program: Program | None = None,
    now: datetime | None = None,
) -> Invitation:
    """Invite ``email`` to administer ``organisation`` (role ``admin``) or to join
    ``program`` as a mentor or mentee, and queue the email with the link, in one
    transaction."""
    now = now or timezone.now()
    _administered(organisation, by)
    errors: dict[str, list[str]] = {}
    try:
        email = email_clean(email)
    except InvalidInput as error:
        errors.update(error.errors)
    try:
        name = clean_line(name, field="name", label="Name", max_length=NAME_MAX_LENGTH)
    except InvalidInput as error:
        errors.update(error.errors)
    if role not in Invitation.Role.values:
        errors["role"] = ["Choose administrator, mentor or mentee."]
    elif role == Invitation.Role.ADMIN:
        program = None
    elif program is None:
        errors["program"] = ["Choose the program to invite them to."]
    elif program.organisation_id != organisation.pk:
        errors["program"] = ["Choose one of this organisation's programs."]
    if errors:
        raise InvalidInput("Some details need correcting; see the fields marked.", errors=errors)
    with transaction.atomic():
        _refuse_pointless(
            organisation=organisation, program=program, role=role, email=email, now=now
        )
        invitation = _new(
            organisation=organisation, program=program, role=role, email=email, name=name,
            by=by, now=now,
        )  # fmt: skip
        _queue_email(invitation)
    return invitation


def _refuse_pointless(
    *, organisation: Organisation, program: Program | None, role: str, email: str, now: datetime
) -> None:
    pending = Invitation.objects.filter(
        organisation=organisation, program=program, role=role, email=email,
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now,
    )  # fmt: skip
    if pending.exists():
        message = f"{email} already has an invitation waiting; send it again from the list below."
        raise Conflict(message, errors={"email": [message]})
    if role == Invitation.Role.ADMIN:
        if organisation.admins.filter(email=email).exists():
            message = f"{email} already administers {organisation.name}."
            raise Conflict(message, errors={"email": [message]})
        return
    assert program is not None
    roles = set(
        Participant.objects.filter(program=program, user__email=email).values_list(
            "role", flat=True
        )
    )
    if role in roles:
        message = f"{email} is already a {role} in {program.name}."
        raise Conflict(message, errors={"email": [message]})
    if roles and not program.allow_both_roles:
        message = (
            f"{email} is already a {roles.pop()} in {program.name}, which does not let one"
            " person be both mentor and mentee."
        )
        raise Conflict(message, errors={"role": [message]})


def invitation_resend(
    *, invitation: Invitation, by: User, now: datetime | None = None
) -> Invitation:
    """Send the invitation again with a new link valid for 7 days from now; the old link
    stops working."""
    now = now or timezone.now()
    _administered(invitation.organisation, by)
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.accepted_at is not None:
            raise Conflict(f"{locked.email} has already accepted this invitation.")
        if locked.revoked_at is not None:
            raise Conflict("This invitation was revoked; invite them again instead.")
        locked.nonce = secrets.token_hex(16)
        locked.sent_at = now
        locked.expires_at = now + VALID_FOR
        locked.save(update_fields=["nonce", "sent_at", "expires_at"])
        _queue_email(locked)
    return locked


def invitation_revoke(
    *, invitation: Invitation, by: User, now: datetime | None = None
) -> Invitation:
    """Withdraw a pending invitation: its link stops working."""
    now = now or timezone.now()
    _administered(invitation.organisation, by)
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.accepted_at is not None:
            raise Conflict(f"{locked.email} has already accepted this invitation.")
        if locked.revoked_at is None:
            locked.revoked_at = now
            locked.save(update_fields=["revoked_at"])
    return locked


def _unusable(invitation: Invitation, *, now: datetime) -> InvitationUnusable | None:
    if invitation.revoked_at is not None:
        return InvitationUnusable(
            "revoked", "This invitation was withdrawn by the organisation.", invitation
        )
    if invitation.accepted_at is not None:
        return InvitationUnusable("used", "This invitation has already been accepted.", invitation)
    if now >= invitation.expires_at:
        return InvitationUnusable(
            "expired", "This invitation link has expired (links are valid for 7 days).", invitation
        )
    return None


def invitation_for_token(
    *, token: str, now: datetime | None = None, lock: bool = False
) -> Invitation:
    """The invitation a link names, if the link can still be followed; otherwise
    ``InvitationUnusable`` says why."""
    now = now or timezone.now()
    try:
        payload = signing.loads(token, salt=_SALT)
        invitation_id, nonce = int(payload["i"]), str(payload["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise InvitationUnusable(
            "invalid", "This invitation link is not valid. Check that it was copied whole."
        ) from None
    rows = Invitation.objects.select_related("organisation", "program")
    if lock:
        rows = rows.select_for_update(of=("self",))
    invitation = rows.filter(pk=invitation_id).first()
    if invitation is None:
        raise InvitationUnusable("invalid", "This invitation no longer exists.")
    problem = _unusable(invitation, now=now)
    if problem is not None:
        raise problem
    if not secrets.compare_digest(invitation.nonce, nonce):
        raise InvitationUnusable(
            "replaced",
            "A newer invitation was sent to this address; use the link in the latest email.",
            invitation,
        )
    return invitation


@dataclass(frozen=True)
class Accepted:
    invitation: Invitation
    user: User
    created_user: bool


def invitation_accept(
    *, token: str, signed_in: User | None = None, now: datetime | None = None
) -> Accepted:
    """Follow an invitation's link: the person (created if new) becomes an admin of the
    organisation or a participant of the program, and the invitation is used up. The
    caller then signs that person in."""
    now = now or timezone.now()
    with transaction.atomic():
        invitation = invitation_for_token(token=token, now=now, lock=True)
        if signed_in is not None and signed_in.email != invitation.email:
            raise Conflict(
                f"This invitation is for {invitation.email}, and you are signed in as"
                f" {signed_in.email}. Sign out, then follow the link again."
            )
        created = not User.objects.filter(email=invitation.email).exists()
        user = user_for_email(email=invitation.email, name=invitation.name)
        if invitation.role == Invitation.Role.ADMIN:
            invitation.organisation.admins.add(user)
        else:
            assert invitation.program is not None
            already = Participant.objects.filter(
                program=invitation.program, user=user, role=invitation.role
            ).exists()
            if not already:
                participant_add(
                    program=invitation.program, email=user.email, name=user.name,
                    role=invitation.role, now=now,
                )  # fmt: skip
        invitation.accepted_at = now
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return Accepted(invitation=invitation, user=user, created_user=created)


def _free_slug(name: str) -> str:
    base = slugify(name)[:50] or "organisation"
    taken = set(Organisation.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


@dataclass(frozen=True)
class Founded:
    organisation: Organisation
    admin: User
    invitation: Invitation


def organisation_found(
    *, name: str, admin_email: str, admin_name: str = "", now: datetime | None = None
) -> Founded:
    """A new organisation with its first admin (created if new) and an admin invitation
    whose link (``invitation_url``) signs them in; no email is sent, the caller hands the
    link over."""
    now = now or timezone.now()
    email = email_clean(admin_email)
    admin_name = admin_name.strip() or email.split("@", 1)[0]
    for _attempt in range(3):
        try:
            with transaction.atomic():
                organisation = organisation_create(name=name, slug=_free_slug(name), now=now)
                admin = user_for_email(email=email, name=admin_name)
                organisation.admins.add(admin)
                invitation = _new(
                    organisation=organisation, program=None, role=Invitation.Role.ADMIN,
                    email=email, name=admin.name, by=None, now=now,
                )  # fmt: skip
            return Founded(organisation=organisation, admin=admin, invitation=invitation)
        except (Conflict, IntegrityError):
            continue  # another organisation took the slug in between: pick again
    raise Conflict(f"Could not find a free short name for {name!r}; try another name.")


def invitation_email_send(*, invitation_id: int) -> bool:
    """Email the invitation's current link. Run by the outbox; nothing is sent for an
    invitation that was accepted or revoked in the meantime."""
    invitation = (
        Invitation.objects.select_related("organisation", "program", "invited_by")
        .filter(pk=invitation_id, accepted_at__isnull=True, revoked_at__isnull=True)
        .first()
    )
    if invitation is None:
        return False
    context = {
        "invitation": invitation,
        "url": invitation_url(invitation),
        "inviter": invitation.invited_by.name if invitation.invited_by else "",
    }
    subject = render_to_string("programs/email/invitation_subject.txt", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=render_to_string("programs/email/invitation.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[invitation.email],
    )
    message.attach_alternative(
        render_to_string("programs/email/invitation.html", context), "text/html"
    )
    message.send()
    return True
