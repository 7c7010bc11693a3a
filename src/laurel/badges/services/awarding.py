"""The badge engine: every award is one ``INSERT ... SELECT`` from the tallies.

The unique constraint (one badge per person and definition, valid or revoked) guards every
insert, so two transactions that would award the same badge award it once, and holders
are skipped by ``ON CONFLICT DO NOTHING``. New awards are announced (``badges.events``) in
the same transaction, for their emails, webhooks and credentials.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from django.db import connection
from django.utils import timezone

from laurel.badges import tables as t
from laurel.badges.counting import counting_sql
from laurel.badges.events import BadgesIssued, badge_changes
from laurel.badges.models import BadgeDefinition, IssuedBadge
from laurel.badges.rules import rule_of
from laurel.bulk import chunks, datetime_param


def _random_token_sql() -> str:
    # 32 hex digits from the database's own strong random source. On PostgreSQL one
    # version 4 UUID (122 random bits, unguessable) hashed to the same 32 digits as
    # certificates' public ids: a second UUID per row cost more than the rest of the id
    # when an enable writes tens of thousands of awards in one statement.
    if connection.vendor == "postgresql":
        return "md5(gen_random_uuid()::text)"
    return "lower(hex(randomblob(16)))"


def _frozen_columns(
    *, badge: BadgeDefinition, method: str, now: datetime
) -> dict[str, tuple[str, list[Any]]]:
    """Each column of a new award: the SQL that fills it (over the count ``c``, the
    person ``u`` and the organisation ``o``) and that SQL's parameters."""
    kinds_sql = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    return {
        "public_id": (_random_token_sql(), []),
        "badge_id": ("%s", [badge.pk]),
        "user_id": ("c.user_id", []),
        "method": ("%s", [method]),
        "issued_at": ("%s", [datetime_param(now)]),
        "status": ("%s", [IssuedBadge.Status.VALID.value]),
        "revocation_reason": ("%s", [""]),
        "revocation_reason_public": ("%s", [False]),
        "is_public": ("%s", [True]),
        "recipient_name": ("u.name", []),
        "name": ("%s", [badge.name]),
        "description": ("%s", [badge.description]),
        "image": ("%s", [badge.image.name or ""]),
        # The organisation's own columns as they are at this moment (read in the same
        # statement): a blank colour is the organisation's accent colour.
        "colour": ("COALESCE(NULLIF(%s, ''), o.accent_colour)", [badge.colour]),
        "organisation_name": ("o.name", []),
        "logo": ("o.logo", []),
        "rule": ("%s", [badge.rule]),
        "role": ("%s", [badge.role]),
        "threshold": ("%s", [badge.threshold]),
        "feedback_required": ("%s", [badge.feedback_required]),
        "program_kinds": (kinds_sql, [json.dumps(list(badge.program_kinds))]),
    }


def badges_grant(
    *,
    badge: BadgeDefinition,
    method: Literal["automatic", "manual"] = "automatic",
    user_ids: Sequence[int] | None = None,
    program_id: int | None = None,
    now: datetime | None = None,
) -> list[tuple[int, int]]:
    """Award ``badge`` to everyone (or everyone in ``user_ids``, or in the program
    ``program_id``) whose count reaches its threshold and who does not hold it yet.

    Returns ``(award id, user id)`` for each new award, and announces them.
    """
    now = now or timezone.now()
    columns = _frozen_columns(badge=badge, method=method, now=now)
    select_params = [param for _, params in columns.values() for param in params]
    batches: list[Sequence[int] | None] = (
        [None] if user_ids is None else list(chunks(sorted(set(user_ids))))
    )
    created: list[tuple[int, int]] = []
    with connection.cursor() as cursor:
        for batch in batches:
            count_sql, count_params = counting_sql(
                organisation_id=badge.organisation_id,
                rule=rule_of(badge),
                user_ids=batch,
                program_id=program_id,
                minimum=badge.threshold,
            )
            cursor.execute(
                f"""
                INSERT INTO {t.ISSUED} ({", ".join(columns)})
                SELECT {", ".join(sql for sql, _ in columns.values())}
                FROM ({count_sql}) c
                JOIN {t.USER} u ON u.id = c.user_id
                JOIN {t.ORGANISATION} o ON o.id = %s
                WHERE 1 = 1
                ON CONFLICT DO NOTHING RETURNING id, user_id
                """,  # noqa: S608
                [*select_params, *count_params, badge.organisation_id],
            )
            created.extend((row[0], row[1]) for row in cursor.fetchall())
    if created:
        badge_changes.announce(
            BadgesIssued(
                award_ids=[award_id for award_id, _ in created],
                organisation_id=badge.organisation_id,
                user_ids=[user_id for _, user_id in created],
            )
        )
    return created


def _enabled_badges(organisation_id: int) -> list[BadgeDefinition]:
    """The organisation's enabled badges, read so that a concurrent enable or rule change
    is waited for.

    On PostgreSQL every badge of the organisation is read FOR SHARE. Enabling one, or
    changing its rule, holds it FOR UPDATE while it awards everyone who qualifies; that
    award cannot see tallies not yet committed, so a record change must not judge the
    badge while the change is under way: it waits for it and then sees it as committed
    (or the change waits for this transaction, and then sees its tallies). All of them
    are locked, not only the enabled ones, because a row that does not match when it is
    read is not waited for.
    """
    badges = BadgeDefinition.objects.filter(organisation_id=organisation_id).order_by("pk")
    if connection.vendor == "postgresql":
        sql, params = badges.query.sql_with_params()
        found = list(BadgeDefinition.objects.raw(f"{sql} FOR SHARE", params))
    else:
        found = list(badges)
    return [badge for badge in found if badge.enabled]


def badges_after_record_change(
    *,
    organisation_id: int,
    user_ids: Sequence[int] | None = None,
    program_id: int | None = None,
    feedback_only: bool = False,
    now: datetime | None = None,
) -> list[tuple[int, int]]:
    """Award every enabled badge of the organisation these people (or the people of
    ``program_id``) now qualify for, once. ``feedback_only``: the change was feedback on
    sessions already completed, which moves only badges that require feedback."""
    now = now or timezone.now()
    if user_ids is not None and not user_ids:
        return []
    badges = [
        badge
        for badge in _enabled_badges(organisation_id)
        if badge.feedback_required or not feedback_only
    ]
    if not badges:
        return []
    created: list[tuple[int, int]] = []
    for badge in badges:
        created += badges_grant(
            badge=badge,
            user_ids=user_ids,
            program_id=program_id,
            now=now,
        )
    return created
