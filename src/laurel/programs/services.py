"""Writes to the mentorship record. Each announces what changed (``programs.events``) in
the same transaction, for the certificates app to turn into progress and awards."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import Count, Model, Q, QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_noop as translatable

from laurel.accounts.models import NAME_MAX_LENGTH, User
from laurel.errors import Conflict, InvalidInput
from laurel.programs import lifecycle
from laurel.programs.events import OrganisationCreated, ParticipantsJoined, record_changes
from laurel.programs.models import (
    EXTERNAL_ID_MAX_LENGTH,
    Feedback,
    Organisation,
    Pairing,
    PairingMember,
    Participant,
    Program,
    Session,
)
from laurel.validation import clean_colour, clean_line, clean_text

COMMENT_MAX_LENGTH = 5000
ELAPSED_BATCH = 1000
R = TypeVar("R")
M = TypeVar("M", bound=Model)


# --- checks, shared with bulk imports ------------------------------------------------------


def email_clean(email: object) -> str:
    """An email address as stored: trimmed, lower case, roughly the shape of an address."""
    value = clean_line(email, field="email", label="Email address", max_length=254)
    if "@" not in value or value.startswith("@") or value.endswith("@") or " " in value:
        raise InvalidInput.field("email", f"{value!r} is not an email address.")
    return value.lower()


def session_fields_check(
    *, starts_at: datetime, duration_minutes: object, status: str, now: datetime
) -> None:
    """The rules ``session_schedule`` applies to a new session, for checking many at once."""
    if timezone.is_naive(starts_at):
        raise InvalidInput.field(
            "starts_at", "The start time needs a time zone, e.g. 2026-03-01T10:00:00Z."
        )
    if (
        isinstance(duration_minutes, bool)
        or not isinstance(duration_minutes, int)
        or not 1 <= duration_minutes <= 24 * 60
    ):
        raise InvalidInput.field(
            "duration_minutes", translatable("The duration must be between 1 and 1440 minutes.")
        )
    if status not in Session.Status.values:
        raise InvalidInput.field(
            "status", f"Unknown status {status!r}; use scheduled, completed or cancelled."
        )
    refused = lifecycle.new_session_refusal(
        status=status,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=duration_minutes),
        now=now,
    )
    if refused is not None:
        raise refused.error()


def feedback_fields_clean(*, rating: object, comment: object) -> str:
    """The rules ``feedback_submit`` applies to a rating and comment; the comment as stored."""
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 4:
        raise InvalidInput.field(
            "rating", translatable("The rating must be a whole number from 1 to 4.")
        )
    return clean_text(
        comment, field="comment", label="Comment", max_length=COMMENT_MAX_LENGTH, required=False
    )


def organisation_create(
    *, name: str, slug: str = "", accent_colour: str = "#1F6FEB", now: datetime | None = None
) -> Organisation:
    name = clean_line(name, field="name", label="Organisation name", max_length=200)
    slug = slugify(slug or name)[:60]
    if not slug:
        raise InvalidInput.field("slug", "The short name must contain letters or digits.")
    colour = clean_colour(accent_colour, field="accent_colour", label="Accent colour")
    now = now or timezone.now()
    try:
        with transaction.atomic():
            organisation = Organisation.objects.create(
                name=name, slug=slug, accent_colour=colour, created_at=now
            )
            record_changes.announce(OrganisationCreated(organisation_id=organisation.pk, now=now))
            return organisation
    except IntegrityError:
        raise Conflict(f"An organisation with the short name {slug!r} already exists.") from None


def program_create(
    *, organisation: Organisation, name: str, kind: str, now: datetime | None = None
) -> Program:
    name = clean_line(name, field="name", label="Program name", max_length=200)
    if kind not in Program.Kind.values:
        raise InvalidInput.field(
            "kind", f"Unknown program kind {kind!r}; use one_on_one, development or group."
        )
    return Program.objects.create(
        organisation=organisation, name=name, kind=kind, created_at=now or timezone.now()
    )


def user_for_email(*, email: str, name: str) -> User:
    """The person with this email address (any letter case), created if new."""
    email = email_clean(email)
    name = clean_line(name, field="name", label="Name", max_length=NAME_MAX_LENGTH)
    user = User.objects.filter(email=email).first()
    if user is None:
        try:
            with transaction.atomic():
                user = User.objects.create_user(email=email, name=name)
        except IntegrityError:
            user = User.objects.get(email=email)
    return user


def participant_add(
    *, program: Program, email: str, name: str, role: str, now: datetime | None = None
) -> Participant:
    """Add a person to a program in a role (a second call adds the other role)."""
    if role not in Participant.Role.values:
        raise InvalidInput.field("role", f"Unknown role {role!r}; use mentor or mentee.")
    with transaction.atomic():
        user = user_for_email(email=email, name=name)
        roles = set(
            Participant.objects.filter(program=program, user=user).values_list("role", flat=True)
        )
        if role in roles:
            raise Conflict(f"{user.email} is already a {role} in this program.")
        if roles and not program.allow_both_roles:
            raise Conflict(
                f"{user.email} is already a {roles.pop()} in this program, which does not let"
                " one person be both mentor and mentee."
            )
        participant = Participant.objects.create(
            program=program, user=user, role=role, joined_at=now or timezone.now()
        )
        record_changes.announce(ParticipantsJoined(program_id=program.pk, user_ids=[user.pk]))
    return participant


@dataclass(frozen=True)
class Recorded(Generic[R]):
    """What a write that may name an external id did: made ``value`` (``created``), or
    found it recorded under that id already and changed nothing."""

    value: R
    created: bool


def external_id_clean(external_id: object) -> str:
    """An external id as stored: trimmed, one line, 1 to 100 characters."""
    return clean_line(
        external_id, field="external_id", label="External id", max_length=EXTERNAL_ID_MAX_LENGTH
    )


def pairing_with_members(*, program: Program, participant_ids: Sequence[int]) -> Pairing | None:
    """The program's pairing of exactly these participants, if there is one."""
    if not participant_ids:
        return None
    wanted = len(set(participant_ids))
    return (
        Pairing.objects.filter(
            program=program,
            pk__in=PairingMember.objects.filter(participant_id=participant_ids[0]).values(
                "pairing_id"
            ),
        )
        .annotate(
            total=Count("members"),
            matching=Count("members", filter=Q(members__participant_id__in=participant_ids)),
        )
        .filter(total=wanted, matching=wanted)
        .order_by("pk")
        .first()
    )


def pairing_record(
    *,
    program: Program,
    participants: Sequence[Participant],
    external_id: str | None = None,
    now: datetime | None = None,
) -> Recorded[Pairing]:
    """Pair participants of one program so they can meet.

    With an ``external_id`` (the pairing's id in the caller's system, unique in the
    program), a pairing already recorded under that id is returned as it is, however long
    ago it was recorded: a retried sync never pairs twice. Without one, pairing the same
    people again is refused, as that is almost always the same request sent twice.
    """
    if external_id is not None:
        external_id = external_id_clean(external_id)
        existing = Pairing.objects.filter(program=program, external_id=external_id).first()
        if existing is not None:
            return Recorded(existing, created=False)
    if program.kind == Program.Kind.GROUP:
        if len(participants) < 2:
            raise InvalidInput.field("participant_ids", "A group needs at least two participants.")
    elif len(participants) != 2:
        raise InvalidInput.field(
            "participant_ids",
            f"A pairing in this program has exactly two participants, not {len(participants)}.",
        )
    if any(p.program_id != program.pk for p in participants):
        raise InvalidInput.field(
            "participant_ids", "Every participant must belong to this program."
        )
    if len({p.user_id for p in participants}) != len(participants):
        raise InvalidInput.field("participant_ids", "A person cannot be paired with themselves.")
    if external_id is None:
        duplicate = pairing_with_members(
            program=program, participant_ids=[p.pk for p in participants]
        )
        if duplicate is not None:
            raise Conflict(
                f"These participants are already paired in this program (pairing {duplicate.pk})."
            )
    try:
        with transaction.atomic():
            pairing = Pairing.objects.create(
                program=program, external_id=external_id, created_at=now or timezone.now()
            )
            PairingMember.objects.bulk_create(
                [
                    PairingMember(pairing=pairing, participant=p, user_id=p.user_id)
                    for p in participants
                ]
            )
    except IntegrityError:
        # Another request recorded the same external id a moment ago: its pairing is the
        # answer to this one too.
        found = _recorded(Pairing.objects.filter(program=program), external_id)
        if found is None:
            raise
        return found
    return Recorded(pairing, created=True)


def _recorded(queryset: QuerySet[M], external_id: str | None) -> Recorded[M] | None:
    existing = queryset.filter(external_id=external_id).first() if external_id else None
    return Recorded(existing, created=False) if existing is not None else None


def pairing_create(
    *, program: Program, participants: Sequence[Participant], now: datetime | None = None
) -> Pairing:
    """A new pairing without an external id (``pairing_record``, for callers that need
    nothing more than the pairing)."""
    return pairing_record(program=program, participants=participants, now=now).value


def session_record(
    *,
    pairing: Pairing,
    starts_at: datetime,
    duration_minutes: int,
    status: str = Session.Status.SCHEDULED,
    external_id: str | None = None,
    now: datetime | None = None,
) -> Recorded[Session]:
    """Book a session, or record one from the past (``status`` completed or cancelled).

    With an ``external_id`` (the session's id in the caller's system, unique in the
    pairing), a session already recorded under that id is returned as it is stored, and
    nothing is checked or changed: a retry long after the first call still succeeds.
    """
    now = now or timezone.now()
    if external_id is not None:
        external_id = external_id_clean(external_id)
        existing = Session.objects.filter(pairing=pairing, external_id=external_id).first()
        if existing is not None:
            return Recorded(existing, created=False)
    session_fields_check(
        starts_at=starts_at, duration_minutes=duration_minutes, status=status, now=now
    )
    session = Session(
        pairing=pairing,
        external_id=external_id,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        ends_at=starts_at + timedelta(minutes=duration_minutes),
        status=status,
    )
    try:
        with transaction.atomic():
            lifecycle.sessions_create(sessions=[session], now=now)
    except IntegrityError:
        found = _recorded(Session.objects.filter(pairing=pairing), external_id)
        if found is None:
            raise
        return found
    return Recorded(session, created=True)


def session_schedule(
    *,
    pairing: Pairing,
    starts_at: datetime,
    duration_minutes: int,
    status: str = Session.Status.SCHEDULED,
    now: datetime | None = None,
) -> Session:
    """A new session without an external id (``session_record``, for callers that need
    nothing more than the session)."""
    return session_record(
        pairing=pairing,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        status=status,
        now=now,
    ).value


def _locked_session(session: Session) -> Session:
    return Session.objects.select_for_update().get(pk=session.pk)


def session_complete(*, session: Session, now: datetime | None = None) -> Session:
    """Mark a session completed. Completion is final; completing twice changes nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        session = _locked_session(session)
        lifecycle.check(session=session, action=lifecycle.Action.COMPLETE, now=now)
        if lifecycle.sessions_complete(session_ids=[session.pk], now=now):
            session.status, session.completed_at = Session.Status.COMPLETED, now
    return session


def session_cancel(*, session: Session, now: datetime | None = None) -> Session:
    """Cancel a booked session that is still to come; cancelling twice changes nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        session = _locked_session(session)
        lifecycle.check(session=session, action=lifecycle.Action.CANCEL, now=now)
        if lifecycle.sessions_cancel(session_ids=[session.pk], now=now):
            session.status, session.cancelled_at = Session.Status.CANCELLED, now
    return session


def sessions_complete_elapsed(*, now: datetime | None = None) -> int:
    """Complete every booked session whose time has passed, in batches."""
    now = now or timezone.now()
    total, after = 0, 0
    while True:
        with transaction.atomic():
            batch = list(
                Session.objects.filter(
                    status=Session.Status.SCHEDULED, ends_at__lte=now, pk__gt=after
                ).order_by("pk")[:ELAPSED_BATCH]
            )
            if not batch:
                return total
            after = batch[-1].pk
            due = [
                s.pk for s in batch if lifecycle.completes_on_its_own(lifecycle.State.of(s), now)
            ]
            total += len(lifecycle.sessions_complete(session_ids=due, now=now)) if due else 0


def feedback_submit(
    *,
    session: Session,
    author: Participant,
    rating: int,
    comment: str = "",
    now: datetime | None = None,
) -> Feedback:
    """Record a member's feedback on a session; the session then counts for both members."""
    now = now or timezone.now()
    comment = feedback_fields_clean(rating=rating, comment=comment)
    try:
        with transaction.atomic():
            # Lock the session: its completion and its first feedback then happen one after
            # the other, so each is counted exactly once whatever the timing.
            session = _locked_session(session)
            lifecycle.check(session=session, action=lifecycle.Action.GIVE_FEEDBACK, now=now)
            if not PairingMember.objects.filter(
                pairing_id=session.pairing_id, participant_id=author.pk
            ).exists():
                raise InvalidInput.field(
                    "participant_id",
                    translatable(
                        "Only a member of this session's pairing can give feedback on it."
                    ),
                )
            feedback = Feedback(
                session=session, author=author, rating=rating, comment=comment, created_at=now
            )
            lifecycle.feedback_record(
                feedback=[feedback], states={session.pk: lifecycle.State.of(session)}, now=now
            )
    except IntegrityError:
        if Feedback.objects.filter(session=session, author=author).exists():
            raise Conflict(
                translatable("This member has already given feedback on this session.")
            ) from None
        raise
    return feedback


def feedback_change(
    *, feedback: Feedback, rating: int, comment: str = "", now: datetime | None = None
) -> Feedback:
    """Change a member's rating and comment. The session still has feedback, so what counts
    does not move; the same rules as giving feedback decide whether it may change now."""
    now = now or timezone.now()
    comment = feedback_fields_clean(rating=rating, comment=comment)
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=feedback.session_id)
        lifecycle.check(session=session, action=lifecycle.Action.GIVE_FEEDBACK, now=now)
        if not Feedback.objects.filter(pk=feedback.pk).update(rating=rating, comment=comment):
            raise Conflict(translatable("This feedback was withdrawn meanwhile; give it again."))
    feedback.rating, feedback.comment = rating, comment
    return feedback


def feedback_delete(*, feedback: Feedback) -> None:
    """Remove feedback. The session may stop counting; certificates already earned stay."""
    with transaction.atomic():
        Session.objects.select_for_update().filter(pk=feedback.session_id).first()
        lifecycle.feedback_withdraw(feedback=feedback)
