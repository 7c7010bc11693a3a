"""People as both imports write them: one account per email address, reused when it exists,
and a participant per person and role in the program. Set-based: a batch of rows costs a
few queries, whatever its size."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from datetime import datetime

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX

from laurel.accounts.models import User
from laurel.bulk import chunks
from laurel.programs.events import ParticipantsJoined, record_changes
from laurel.programs.models import Participant, Program

BATCH = 2000


def users_by_email(names: Mapping[str, str]) -> tuple[dict[str, int], int]:
    """User id by email address for every address in ``names`` (address: name), creating
    the people who are new with that name and no password (they sign in by link or code);
    and how many were created. Someone known already keeps the name they have."""
    emails = list(names)
    user_ids: dict[str, int] = {}
    for chunk in chunks(emails):
        user_ids.update(User.objects.filter(email__in=chunk).values_list("email", "id"))
    new = [
        User(
            email=email,
            name=names[email],
            password=UNUSABLE_PASSWORD_PREFIX + secrets.token_hex(20),
        )
        for email in emails
        if email not in user_ids
    ]
    User.objects.bulk_create(new, batch_size=BATCH)
    user_ids.update((user.email, user.pk) for user in new)
    return user_ids, len(new)


def participants_in(
    program: Program, wanted: Iterable[tuple[int, str]], *, now: datetime
) -> tuple[dict[tuple[int, str], int], int]:
    """Participant id by (user id, role), adding the people who are not yet in the program
    in that role; and how many were added. Announces who joined."""
    wanted = set(wanted)
    users = sorted({user_id for user_id, _ in wanted})
    existing: dict[tuple[int, str], int] = {}
    for chunk in chunks(users):
        for user_id, role, pk in Participant.objects.filter(
            program=program, user_id__in=chunk
        ).values_list("user_id", "role", "id"):
            existing[(user_id, role)] = pk
    new = [
        Participant(program=program, user_id=user_id, role=role, joined_at=now)
        for user_id, role in sorted(wanted)
        if (user_id, role) not in existing
    ]
    Participant.objects.bulk_create(new, batch_size=BATCH)
    existing.update(((p.user_id, p.role), p.pk) for p in new)
    if new:
        record_changes.announce(
            ParticipantsJoined(program_id=program.pk, user_ids=sorted({p.user_id for p in new}))
        )
    return existing, len(new)
