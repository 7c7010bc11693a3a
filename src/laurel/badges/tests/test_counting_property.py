"""The badge SQL (awards and ``badge_would_award``) against a plain-Python oracle written
from PRODUCT.md section 7 and the badges' rules, on random records of several programs of
every kind; and the kept tallies against their rebuild from the record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from laurel.badges.factories import make_organisation
from laurel.badges.models import BadgeDefinition, IssuedBadge, PartnerTally, RoleTally
from laurel.badges.selectors import badge_would_award
from laurel.badges.services import BadgeRule, badge_create, badge_enable, badges_tallies_rebuild
from laurel.errors import Conflict
from laurel.programs.models import Feedback
from laurel.programs.services import (
    feedback_delete,
    feedback_submit,
    pairing_record,
    participant_add,
    program_create,
    session_cancel,
    session_complete,
    session_schedule,
    sessions_complete_elapsed,
)

pytestmark = pytest.mark.django_db

KINDS = ("one_on_one", "development", "group")


@dataclass
class PlannedSession:
    start_hours: int  # relative to now; negative is in the past
    how: str  # "booked", "imported", "marked", "cancelled"
    feedback_by: frozenset[int]  # positions in the pairing
    delete_feedback_by: frozenset[int]


sessions_strategy = st.builds(
    PlannedSession,
    start_hours=st.integers(min_value=-300, max_value=24),
    how=st.sampled_from(["booked", "imported", "marked", "cancelled"]),
    feedback_by=st.frozensets(st.integers(0, 3), max_size=2),
    delete_feedback_by=st.frozensets(st.integers(0, 3), max_size=1),
)

records = st.fixed_dictionaries(
    {
        "programs": st.lists(st.sampled_from(KINDS), min_size=1, max_size=3),
        # Each person: the roles they hold (in every program).
        "people": st.lists(
            st.sampled_from([("mentor",), ("mentee",), ("mentor", "mentee")]),
            min_size=2,
            max_size=6,
        ),
        # Each pairing: its program, its members (people, and which of their roles), and
        # its sessions. 1:1 and development pairings keep their first two members.
        "pairings": st.lists(
            st.tuples(
                st.integers(0, 2),
                st.lists(st.tuples(st.integers(0, 5), st.integers(0, 1)), min_size=2, max_size=4),
                st.lists(sessions_strategy, min_size=1, max_size=5),
            ),
            min_size=1,
            max_size=6,
        ),
    }
)

kinds_strategy = st.lists(st.sampled_from(KINDS), min_size=1, max_size=3, unique=True).map(tuple)
rules = st.one_of(
    st.builds(
        BadgeRule,
        type=st.just("sessions_as_role"),
        threshold=st.integers(1, 6),
        role=st.sampled_from(["mentor", "mentee"]),
        feedback_required=st.booleans(),
        program_kinds=kinds_strategy,
    ),
    st.builds(
        BadgeRule,
        type=st.just("distinct_partners"),
        threshold=st.integers(1, 4),
        feedback_required=st.booleans(),
        program_kinds=kinds_strategy,
    ),
)


def valid_pairings(record):
    people = len(record["people"])
    for program, members, sessions in record["pairings"]:
        if program >= len(record["programs"]):
            continue
        chosen: list[tuple[int, int]] = []
        for person, role in members:
            if person < people and person not in {p for p, _ in chosen}:
                chosen.append((person, role % len(record["people"][person])))
        if record["programs"][program] != "group":
            chosen = chosen[:2]
        if len(chosen) >= 2:
            yield program, chosen, sessions


def timing(planned, now):
    starts = now + timedelta(hours=planned.start_hours)
    return starts <= now, starts + timedelta(minutes=60) <= now


def sessions_of(record, now):
    """Every session of the plan as the record ends up holding it: its program's kind,
    its members (person, role), whether it is completed and whether it has feedback."""
    for program, members, sessions in valid_pairings(record):
        for planned in sessions:
            started, over = timing(planned, now)
            cancelled = planned.how == "cancelled" and not over
            completed = not cancelled and (
                over or (started and planned.how in {"marked", "imported"})
            )
            givers = {p for p in planned.feedback_by if p < len(members)}
            givers = givers if started and not cancelled else set()
            has_feedback = bool(givers - planned.delete_feedback_by)
            roles = [record["people"][person][role] for person, role in members]
            yield (
                record["programs"][program],
                list(zip([p for p, _ in members], roles, strict=True)),
                completed,
                has_feedback,
                bool(givers),
            )


def oracle(record, rule, now, *, counting_withdrawn_feedback=False):
    """Section 7, read literally: a session counts once completed (with feedback, if the
    badge requires it), in programs of the kinds it counts; a role badge counts the
    sessions a person held in that role, a partner badge the different other people a
    person held such sessions with.

    ``counting_withdrawn_feedback`` also counts feedback that was given and later deleted:
    a badge earned while it stood is kept (losing progress never revokes), so this bounds
    from above what a badge enabled before the record was written can hold."""
    counts: dict[int, int] = {}
    partners: dict[int, set[int]] = {}
    for kind, members, completed, has_feedback, had_feedback in sessions_of(record, now):
        if counting_withdrawn_feedback:
            has_feedback = had_feedback
        if not completed or kind not in rule.program_kinds:
            continue
        if rule.feedback_required and not has_feedback:
            continue
        for person, role in members:
            if rule.type == "sessions_as_role" and role == rule.role:
                counts[person] = counts.get(person, 0) + 1
            partners.setdefault(person, set()).update(p for p, _ in members if p != person)
    if rule.type == "distinct_partners":
        counts = {person: len(met) for person, met in partners.items() if met}
    return {person: count for person, count in counts.items() if count >= rule.threshold}


def build(record, organisation, now):
    programs = [
        program_create(organisation=organisation, name=f"Program {i}", kind=kind)
        for i, kind in enumerate(record["programs"])
    ]
    participants = {}
    users = {}
    for program_index, program in enumerate(programs):
        for person, roles in enumerate(record["people"]):
            for role in roles:
                participant = participant_add(
                    program=program, email=f"p{person}-{organisation.pk}@example.org",
                    name=f"Person {person}", role=role,
                )  # fmt: skip
                participants[program_index, person, role] = participant
                users[person] = participant.user_id
    for number, (program, members, sessions) in enumerate(valid_pairings(record)):
        chosen = [
            participants[program, person, record["people"][person][role]]
            for person, role in members
        ]
        pairing = pairing_record(
            program=programs[program], participants=chosen, external_id=f"pairing-{number}"
        ).value
        for planned in sessions:
            started, over = timing(planned, now)
            session = session_schedule(
                pairing=pairing, starts_at=now + timedelta(hours=planned.start_hours),
                duration_minutes=60,
                status="completed" if planned.how == "imported" and started else "scheduled",
                now=now,
            )  # fmt: skip
            cancelled = False
            if planned.how == "cancelled":
                try:
                    session_cancel(session=session, now=now)
                    cancelled = True
                except Conflict:
                    assert over
            if started and not cancelled:
                for position in sorted(p for p in planned.feedback_by if p < len(chosen)):
                    feedback_submit(session=session, author=chosen[position], rating=3, now=now)
            if planned.how == "marked" and started:
                session_complete(session=session, now=now)
            for position in sorted(p for p in planned.delete_feedback_by if p < len(chosen)):
                for feedback in Feedback.objects.filter(session=session, author=chosen[position]):
                    feedback_delete(feedback=feedback)
    sessions_complete_elapsed(now=now)
    return users


def tallies(organisation):
    return (
        sorted(
            RoleTally.objects.filter(organisation=organisation).values_list(
                "program_id", "user_id", "role", "sessions_completed", "sessions_counting"
            )
        ),
        sorted(
            PartnerTally.objects.filter(organisation=organisation).values_list(
                "program_id", "user_id", "partner_id", "sessions_completed", "sessions_counting"
            )
        ),
    )


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(record=records, badge_rules=st.lists(rules, min_size=1, max_size=3))
def test_badge_sql_matches_the_oracle_and_tallies_match_their_rebuild(record, badge_rules):
    now = timezone.now().replace(microsecond=0)
    organisation = make_organisation()
    # Enabled before the record is written: awarded as the record changes.
    live = [
        badge_enable(
            badge=badge_create(organisation=organisation, by=None, name=f"Live {i}",
                               description="", colour="", rule=rule),
            by=None, confirm=True,
        ).badge
        for i, rule in enumerate(badge_rules)
    ]  # fmt: skip
    users = build(record, organisation, now)
    person_of = {user_id: person for person, user_id in users.items()}

    kept = tallies(organisation)
    badges_tallies_rebuild(organisation=organisation)
    assert tallies(organisation) == kept

    for badge, rule in zip(live, badge_rules, strict=True):
        expected = oracle(record, rule, now)
        event(f"awarded someone: {bool(expected)}")
        awarded = {
            person_of[user_id]
            for user_id in IssuedBadge.objects.filter(badge=badge).values_list("user_id", flat=True)
        }
        # Everyone who qualifies now holds it; anyone else qualified at some moment,
        # before feedback that counted was withdrawn.
        assert set(expected) <= awarded
        assert awarded <= set(oracle(record, rule, now, counting_withdrawn_feedback=True))
        if not any(planned.delete_feedback_by for _, _, sessions in record["pairings"]
                   for planned in sessions):  # fmt: skip
            assert awarded == set(expected)

        # The same rule on a badge created afterwards: the preview names exactly the
        # people and counts, and enabling it awards exactly them.
        late = badge_create(organisation=organisation, by=None, name=f"Late {badge.pk}",
                            description="", colour="", rule=rule)  # fmt: skip
        preview = badge_would_award(badge=late)
        assert {person_of[q.user_id]: q.count for q in preview} == expected
        result = badge_enable(badge=late, by=None, confirm=True)
        assert result.awarded == len(expected)
        assert {
            person_of[user_id]
            for user_id in IssuedBadge.objects.filter(badge=late).values_list("user_id", flat=True)
        } == set(expected)
    assert BadgeDefinition.objects.filter(
        organisation=organisation, enabled=True
    ).count() == 2 * len(badge_rules)
