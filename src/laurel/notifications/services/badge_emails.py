"""Queueing the award emails of many badges at once.

Enabling a badge can award tens of thousands of people in one transaction, and writing
one outbox message per email there was a good part of the enable's time. So an award of
more than ``BADGE_EMAILS_FAN_OUT_ABOVE`` badges queues, in its transaction, one message
per ``BADGE_EMAILS_FAN_OUT_CHUNK`` awards (``send_badge_emails_expand``); the worker
expands each into the per-award messages (``send_badge_email``) exactly as they would have
been queued with the awards (same arguments, organisation and recipient), so a person's
list of emails, their choices and the organisation's throttle see no difference. A small
award (one feedback earning one badge) queues its email directly: no hop delays it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction

from laurel.badges.models import IssuedBadge
from laurel.bulk import chunks
from laurel.notifications.tasks import send_badge_email, send_badge_emails_expand
from laurel.outbox.backend import enqueue_many
from laurel.outbox.models import Message


def badge_emails_queue(
    *, organisation_id: int, award_ids: Sequence[int], user_ids: Sequence[int] = ()
) -> int:
    """Queue the emails of new awards (``user_ids[i]`` receives ``award_ids[i]``): one
    message per email, or for a large award one per chunk of awards, to be expanded by
    the worker. Call it in the awarding transaction. Returns how many messages."""
    if len(award_ids) <= settings.BADGE_EMAILS_FAN_OUT_ABOVE:
        return enqueue_many(
            send_badge_email,
            ({"award_id": award_id} for award_id in award_ids),
            organisation_id=organisation_id,
            recipient_ids=user_ids or None,
        )
    # No recipient: a chunk is not an email to anyone, and is not listed as one.
    return enqueue_many(
        send_badge_emails_expand,
        (
            {"organisation_id": organisation_id, "award_ids": list(chunk)}
            for chunk in chunks(award_ids, settings.BADGE_EMAILS_FAN_OUT_CHUNK)
        ),
        organisation_id=organisation_id,
    )


def badge_emails_expand(*, organisation_id: int, award_ids: Sequence[int]) -> dict[str, Any]:
    """Queue one ``send_badge_email`` message for each of ``award_ids`` that has none yet,
    in one transaction. Returns how many were queued, and how many had one already.

    Safe to run again: a worker may die after this committed and before its attempt was
    recorded. A revoked award is queued like any other; its email task skips it, as it
    does every badge revoked before its email goes out.
    """
    ids = sorted(set(award_ids))
    with transaction.atomic():
        # Locked, so that a second run of the same chunk (its lease ran out while this
        # one still worked) waits for this one, then finds its messages. SQLite has one
        # writer at a time anyway.
        recipients: dict[int, int] = {}
        for chunk in chunks(ids):
            recipients.update(
                IssuedBadge.objects.select_for_update(no_key=True)
                .filter(pk__in=chunk)
                .order_by("pk")
                .values_list("pk", "user_id")
            )
        # Through the recipient index: these people's badge emails, of any badge.
        queued: set[int] = set()
        for people in chunks(sorted(set(recipients.values()))):
            for arguments in Message.objects.filter(
                kind=send_badge_email.module_path, recipient_id__in=people
            ).values_list("arguments", flat=True):
                queued.add(arguments.get("kwargs", {}).get("award_id"))
        missing = [award_id for award_id in sorted(recipients) if award_id not in queued]
        enqueue_many(
            send_badge_email,
            ({"award_id": award_id} for award_id in missing),
            organisation_id=organisation_id,
            recipient_ids=[recipients[award_id] for award_id in missing],
        )
    return {"queued": len(missing), "already_queued": len(recipients) - len(missing)}
