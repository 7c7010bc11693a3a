"""The award engine: every award is one ``INSERT ... SELECT`` from the progress table.

A partial unique index (one current certificate per person and definition) guards every
insert, so two requests that would award the same certificate award it once, and people
who already hold it are skipped by ``ON CONFLICT DO NOTHING``. New awards are announced
(``certificates.events``) in the same transaction, for their emails and webhooks.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from django.db import connection
from django.utils import timezone

from laurel.accounts.models import User
from laurel.bulk import chunks, datetime_param, in_list
from laurel.certificates import merge_fields
from laurel.certificates import tables as t
from laurel.certificates.events import AwardsIssued, award_changes
from laurel.certificates.models import CertificateDefinition, IssuedCertificate, layout_for
from laurel.certificates.selectors import definitions_due
from laurel.programs.models import Program


def _random_token_sql() -> str:
    # 128 random bits as hex, from the database's own strong random source. A version 4
    # UUID carries only 122, so on PostgreSQL two of them (244 bits) are hashed down to 128.
    if connection.vendor == "postgresql":
        return "md5(gen_random_uuid()::text || gen_random_uuid()::text)"
    return "lower(hex(randomblob(16)))"


def _frozen_columns(
    *,
    definition: CertificateDefinition,
    program: Program,
    method: str,
    by: User | None,
    now: datetime,
) -> dict[str, tuple[str, list[Any]]]:
    """Each column of a new award: the SQL that fills it (over the progress row ``g`` and
    the person ``u``) and that SQL's parameters."""
    values = merge_fields.values_for(
        recipient_name="",
        program_name=program.name,
        organisation_name=program.organisation.name,
        sessions_required=definition.threshold,
        issued_at=now,
    )
    # The recipient's name is concatenated in SQL, so a name such as "{date}" stays literal.
    parts = merge_fields.split_on_recipient(definition.text, values)
    return {
        "public_id": (_random_token_sql(), []),
        "version": ("1", []),
        "is_current": ("%s", [True]),
        "definition_id": ("%s", [definition.pk]),
        "program_id": ("g.program_id", []),
        "user_id": ("g.user_id", []),
        "participant_id": (
            f"(SELECT MIN(pt.id) FROM {t.PARTICIPANT} pt"  # noqa: S608
            " WHERE pt.program_id = g.program_id AND pt.user_id = g.user_id)",
            [],
        ),
        "method": ("%s", [method]),
        "awarded_by_id": ("%s", [by.pk if by else None]),
        "issued_at": ("%s", [datetime_param(now)]),
        "created_at": ("%s", [datetime_param(now)]),
        "status": ("%s", [IssuedCertificate.Status.VALID.value]),
        "revocation_reason": ("%s", [""]),
        "revocation_reason_public": ("%s", [False]),
        "is_public": ("%s", [True]),
        "recipient_name": ("u.name", []),
        "name": ("%s", [definition.name]),
        "text_template": ("%s", [definition.text]),
        "text": (" || u.name || ".join(["%s"] * len(parts)), list(parts)),
        "colour": ("%s", [definition.colour]),
        "layout": (
            "%s",
            [layout_for(definition_layout=definition.layout, organisation=program.organisation)],
        ),
        "banner": ("%s", [program.banner.name or ""]),
        "logo": ("%s", [program.organisation.logo.name or ""]),
        "organisation_name": ("%s", [program.organisation.name]),
        "program_name": ("%s", [program.name]),
        "sessions_required": ("%s", [definition.threshold]),
    }


def awards_grant(
    *,
    definition: CertificateDefinition,
    program: Program,
    method: Literal["automatic", "manual"],
    by: User | None = None,
    user_ids: Sequence[int] | None = None,
    minimum_counting: int | None = None,
    among: tuple[str, Sequence[Any]] | None = None,
    now: datetime | None = None,
) -> list[tuple[int, int]]:
    """Award ``definition`` to everyone in ``user_ids`` (or in the program) who does not
    hold it yet and has at least ``minimum_counting`` counting sessions.

    ``among`` narrows the people down further in the same statement: a subquery (SQL
    and its parameters) giving the user ids, such as the SQL of a Track Progress filter.

    Returns ``(award id, user id)`` for each new award. People who already hold it, or
    whom a concurrent transaction awarded first, are left as they are.
    """
    now = now or timezone.now()
    columns = _frozen_columns(definition=definition, program=program, method=method, by=by, now=now)
    select_params = [param for _, params in columns.values() for param in params]
    # Holders are skipped by ON CONFLICT on the partial unique index rather than by a NOT
    # EXISTS on the table being filled: a planner that believes it empty would scan it
    # once per inserted row.
    sql_head = f"""
        INSERT INTO {t.ISSUED} ({", ".join(columns)})
        SELECT {", ".join(sql for sql, _ in columns.values())}
        FROM {t.PROGRESS} g
        JOIN {t.USER} u ON u.id = g.user_id
        WHERE g.program_id = %s AND g.sessions_counting >= %s AND {{people}}
        ON CONFLICT DO NOTHING RETURNING id, user_id
    """  # noqa: S608
    batches: list[Sequence[int] | None] = (
        [None] if user_ids is None else list(chunks(list(user_ids)))
    )
    among_sql, among_params = (
        ("1 = 1", []) if among is None else (f"g.user_id IN ({among[0]})", list(among[1]))
    )
    created: list[tuple[int, int]] = []
    with connection.cursor() as cursor:
        for batch in batches:
            people, people_params = ("1 = 1", []) if batch is None else in_list("g.user_id", batch)
            cursor.execute(
                sql_head.format(people=f"{people} AND {among_sql}"),
                [*select_params, program.pk, minimum_counting or 0, *people_params, *among_params],
            )
            created.extend((row[0], row[1]) for row in cursor.fetchall())
    if created:
        award_changes.announce(
            AwardsIssued(
                award_ids=[award_id for award_id, _ in created],
                organisation_id=program.organisation_id,
                user_ids=[user_id for _, user_id in created],
            )
        )
    return created


def awards_after_record_change(
    *, program: Program, user_ids: Sequence[int], now: datetime | None = None
) -> list[tuple[int, int]]:
    """Award every enabled automatic certificate these people now qualify for, once."""
    now = now or timezone.now()
    if program.kind != Program.Kind.ONE_ON_ONE or not user_ids:
        return []
    created: list[tuple[int, int]] = []
    for batch in chunks(list(user_ids)):
        for definition in definitions_due(program=program, user_ids=list(batch)):
            created += awards_grant(
                definition=definition,
                program=program,
                method="automatic",
                user_ids=batch,
                minimum_counting=definition.threshold,
                now=now,
            )
    return created
