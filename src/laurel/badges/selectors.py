"""Reads for badges: who would be awarded, where a person stands, how each badge is doing,
and the issued badges themselves. Every figure comes from the kept tallies, through the
one aggregate of ``laurel.badges.counting``, in a bounded number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet

from laurel.badges import tables as t
from laurel.badges.counting import counting_sql
from laurel.badges.models import BadgeDefinition, IssuedBadge
from laurel.badges.rules import BadgeRule, rule_of
from laurel.bulk import in_list
from laurel.programs.models import Participant

CLOSEST = 5


@dataclass(frozen=True)
class BadgeQualifier:
    user_id: int
    name: str
    count: int


def badge_would_award(
    *, badge: BadgeDefinition, rule: BadgeRule | None = None
) -> list[BadgeQualifier]:
    """Everyone who would receive ``badge`` at once if it were enabled with ``rule`` (its
    own rule by default): those whose count reaches the threshold and who do not hold it
    (valid or revoked), by name."""
    rule = rule or rule_of(badge)
    select_sql, params = counting_sql(
        organisation_id=badge.organisation_id, rule=rule, minimum=rule.threshold
    )
    sql = f"""
        SELECT c.user_id, u.name, c.count
        FROM ({select_sql}) c JOIN {t.USER} u ON u.id = c.user_id
        WHERE NOT EXISTS (SELECT 1 FROM {t.ISSUED} i
                           WHERE i.badge_id = %s AND i.user_id = c.user_id)
        ORDER BY u.name, c.user_id
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, badge.pk])
        return [BadgeQualifier(row[0], row[1], int(row[2])) for row in cursor.fetchall()]


@dataclass(frozen=True)
class BadgeStanding:
    badge: BadgeDefinition
    count: int
    threshold: int
    award: IssuedBadge | None


def _counts_by_badge(badges: list[BadgeDefinition], *, user_id: int) -> dict[int, int]:
    """Each badge's count for one person, in one query."""
    if not badges:
        return {}
    parts: list[str] = []
    params: list[Any] = []
    for badge in badges:
        select_sql, select_params = counting_sql(
            organisation_id=badge.organisation_id, rule=rule_of(badge), user_ids=[user_id]
        )
        parts.append(f"SELECT %s AS badge_id, c.count FROM ({select_sql}) c")  # noqa: S608
        params += [badge.pk, *select_params]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return {badge_id: int(count or 0) for badge_id, count in cursor.fetchall()}


def badge_standings(*, organisation_id: int, user_id: int) -> list[BadgeStanding]:
    """The organisation's enabled badges that apply to the roles this person holds, with
    their count towards each and their award if they hold it (valid or revoked).

    A badge for sessions in a role applies if they hold that role in a program of a kind
    the badge counts; a badge for different people if they are in any such program. Four
    queries, however many badges and programs.
    """
    held = set(
        Participant.objects.filter(program__organisation_id=organisation_id, user_id=user_id)
        .values_list("role", "program__kind")
        .distinct()
    )
    if not held:
        return []
    badges = [
        badge
        for badge in BadgeDefinition.objects.filter(
            organisation_id=organisation_id, enabled=True
        ).order_by("pk")
        if any(
            kind in badge.program_kinds
            and (badge.rule == BadgeDefinition.Rule.DISTINCT_PARTNERS or role == badge.role)
            for role, kind in held
        )
    ]
    if not badges:
        return []
    counts = _counts_by_badge(badges, user_id=user_id)
    awards = {
        award.badge_id: award
        for award in IssuedBadge.objects.filter(user_id=user_id, badge__in=badges)
    }
    return [
        BadgeStanding(
            badge=badge,
            count=counts.get(badge.pk, 0),
            threshold=badge.threshold,
            award=awards.get(badge.pk),
        )
        for badge in badges
    ]


@dataclass(frozen=True)
class BadgeSummary:
    badge: BadgeDefinition
    earned: int
    revoked: int
    closest: list[BadgeQualifier]


def _award_counts(badge_ids: list[int]) -> tuple[dict[int, int], dict[int, int]]:
    """How many awards each badge has (valid or revoked), and how many of them are revoked,
    in one query: the first count reads only the unique ``(badge, user)`` index, the
    second the small index of revoked awards, and neither the table's rows."""
    in_badges, params = in_list("badge_id", badge_ids)
    # The status is written into the statement: a partial index is used only for a
    # condition the database can see matches it.
    revoked_status = IssuedBadge.Status.REVOKED.value
    sql = f"""
        SELECT badge_id, COUNT(*), 0 FROM {t.ISSUED} WHERE {in_badges} GROUP BY badge_id
        UNION ALL
        SELECT badge_id, 0, COUNT(*) FROM {t.ISSUED}
         WHERE {in_badges} AND status = '{revoked_status}' GROUP BY badge_id
    """  # noqa: S608
    awarded: dict[int, int] = defaultdict(int)
    revoked: dict[int, int] = defaultdict(int)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *params])
        for badge_id, all_count, revoked_count in cursor.fetchall():
            awarded[badge_id] += int(all_count)
            revoked[badge_id] += int(revoked_count)
    return awarded, revoked


def badge_summaries(*, organisation_id: int) -> list[BadgeSummary]:
    """Every badge of the organisation (enabled or not), with how many hold it valid, how
    many revoked, and the people closest to it who do not hold it (up to five, highest
    count first). Three queries, however many badges."""
    badges = list(BadgeDefinition.objects.filter(organisation_id=organisation_id).order_by("pk"))
    if not badges:
        return []
    awarded, revoked = _award_counts([badge.pk for badge in badges])
    parts: list[str] = []
    params: list[Any] = []
    for badge in badges:
        select_sql, select_params = counting_sql(
            organisation_id=organisation_id, rule=rule_of(badge), minimum=1
        )
        parts.append(
            f"""SELECT * FROM (
                SELECT %s AS badge_id, c.user_id, u.name, c.count
                FROM ({select_sql}) c JOIN {t.USER} u ON u.id = c.user_id
                WHERE NOT EXISTS (SELECT 1 FROM {t.ISSUED} i
                                   WHERE i.badge_id = %s AND i.user_id = c.user_id)
                ORDER BY c.count DESC, u.name, c.user_id LIMIT {CLOSEST}) x{badge.pk}"""  # noqa: S608
        )
        params += [badge.pk, *select_params, badge.pk]
    closest: dict[int, list[BadgeQualifier]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for badge_id, user_id, name, count in cursor.fetchall():
            closest[badge_id].append(BadgeQualifier(user_id, name, int(count)))
    for people in closest.values():
        people.sort(key=lambda q: (-q.count, q.name, q.user_id))
    return [
        BadgeSummary(
            badge=badge,
            earned=awarded.get(badge.pk, 0) - revoked.get(badge.pk, 0),
            revoked=revoked.get(badge.pk, 0),
            closest=closest.get(badge.pk, []),
        )
        for badge in badges
    ]


def badge_awards(*, badge: BadgeDefinition, search: str = "") -> QuerySet[IssuedBadge]:
    """The badge's holders (valid and revoked), newest first; ``search`` matches part of
    a name or an email address, in any letter case."""
    awards = IssuedBadge.objects.filter(badge=badge).select_related("user")
    search = search.strip()
    if search:
        awards = awards.filter(
            Q(recipient_name__icontains=search) | Q(user__email__icontains=search)
        )
    return awards.order_by("-issued_at", "-id")


def badge_award_by_public_id(public_id: str) -> IssuedBadge | None:
    return (
        IssuedBadge.objects.select_related("badge__organisation", "user")
        .filter(public_id=public_id)
        .first()
    )
