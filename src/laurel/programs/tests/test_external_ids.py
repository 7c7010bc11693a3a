"""Pairings and sessions named by the caller's own id are recorded once, however often and
however late the same id is sent again."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from laurel.errors import Conflict, InvalidInput
from laurel.programs.factories import make_pairing, make_participant, make_program
from laurel.programs.models import Pairing, PairingMember, Session
from laurel.programs.services import pairing_record, session_record
from laurel.testing import at_once


def mentor_and_mentee(program):
    return make_participant(program, role="mentor"), make_participant(program, role="mentee")


@pytest.mark.django_db
def test_a_pairing_sent_twice_with_one_external_id_is_recorded_once():
    program = make_program()
    mentor, mentee = mentor_and_mentee(program)

    first = pairing_record(program=program, participants=[mentor, mentee], external_id="crm-1")
    again = pairing_record(program=program, participants=[mentor, mentee], external_id="crm-1")

    assert (first.created, again.created) == (True, False)
    assert again.value.pk == first.value.pk
    assert Pairing.objects.filter(program=program).count() == 1
    assert PairingMember.objects.filter(pairing=first.value).count() == 2


@pytest.mark.django_db
def test_the_pairing_recorded_under_an_id_is_answered_whatever_the_retry_says():
    program = make_program()
    mentor, mentee = mentor_and_mentee(program)
    other = make_participant(program, role="mentee")
    first = pairing_record(program=program, participants=[mentor, mentee], external_id="crm-1")

    again = pairing_record(program=program, participants=[mentor, other], external_id=" crm-1 ")

    assert (again.created, again.value.pk) == (False, first.value.pk)
    members = set(PairingMember.objects.values_list("participant_id", flat=True))
    assert members == {mentor.pk, mentee.pk}


@pytest.mark.django_db
def test_external_ids_of_pairings_are_unique_per_program_only():
    program, other_program = make_program(), make_program()
    here = pairing_record(
        program=program, participants=mentor_and_mentee(program), external_id="p1"
    )
    there = pairing_record(
        program=other_program, participants=mentor_and_mentee(other_program), external_id="p1"
    )

    assert here.created and there.created
    assert here.value.pk != there.value.pk


@pytest.mark.django_db
def test_pairing_the_same_people_again_without_an_external_id_is_a_conflict():
    program = make_program()
    mentor, mentee = mentor_and_mentee(program)
    first = pairing_record(program=program, participants=[mentor, mentee])

    with pytest.raises(
        Conflict, match=f"already paired in this program \\(pairing {first.value.pk}"
    ):
        pairing_record(program=program, participants=[mentee, mentor])

    # Distinct ids from the caller's system are distinct pairings of the same people.
    pairing_record(program=program, participants=[mentor, mentee], external_id="term-2")
    assert Pairing.objects.filter(program=program).count() == 2


@pytest.mark.django_db
def test_one_of_the_pair_in_another_pairing_is_no_duplicate():
    program = make_program()
    mentor, mentee = mentor_and_mentee(program)
    other = make_participant(program, role="mentee")
    pairing_record(program=program, participants=[mentor, mentee])

    assert pairing_record(program=program, participants=[mentor, other]).created


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("external_id", "message"),
    [
        ("", "External id is required."),
        ("x" * 101, "External id is 101 characters long; the limit is 100."),
        ("a\tb", "External id contains a control character"),
    ],
)
def test_a_bad_external_id_is_refused_with_its_field(external_id, message):
    program = make_program()

    with pytest.raises(InvalidInput) as refused:
        pairing_record(
            program=program, participants=mentor_and_mentee(program), external_id=external_id
        )

    assert refused.value.errors["external_id"][0].startswith(message)
    assert not Pairing.objects.exists()


@pytest.mark.django_db
def test_a_session_sent_twice_with_one_external_id_is_recorded_once():
    pairing = make_pairing(make_program())
    starts_at = timezone.now() - timedelta(days=3)

    first = session_record(
        pairing=pairing,
        starts_at=starts_at,
        duration_minutes=60,
        status="completed",
        external_id="s-1",
    )
    again = session_record(
        pairing=pairing,
        starts_at=starts_at,
        duration_minutes=60,
        status="completed",
        external_id="s-1",
    )

    assert (first.created, again.created) == (True, False)
    assert again.value.pk == first.value.pk
    assert Session.objects.filter(pairing=pairing).count() == 1


@pytest.mark.django_db
def test_a_late_retry_of_a_booking_finds_the_session_as_it_is_now():
    pairing = make_pairing(make_program())
    booked_at = timezone.now()
    starts_at = booked_at + timedelta(hours=1)
    first = session_record(
        pairing=pairing, starts_at=starts_at, duration_minutes=30, external_id="s-1", now=booked_at
    )

    # A week later the session has taken place; the same booking, sent again, is no longer
    # a valid new booking, but it names the session already recorded.
    later = booked_at + timedelta(days=7)
    Session.objects.filter(pk=first.value.pk).update(status="completed", completed_at=later)
    again = session_record(
        pairing=pairing,
        starts_at=starts_at,
        duration_minutes=30,
        status="completed",
        external_id="s-1",
        now=later,
    )

    assert (again.created, again.value.pk, again.value.status) == (
        False,
        first.value.pk,
        "completed",
    )


@pytest.mark.django_db
def test_external_ids_of_sessions_are_unique_per_pairing_only():
    program = make_program()
    one, two = make_pairing(program), make_pairing(program)
    starts_at = timezone.now() - timedelta(days=1)

    here = session_record(
        pairing=one, starts_at=starts_at, duration_minutes=60, status="completed", external_id="1"
    )
    there = session_record(
        pairing=two, starts_at=starts_at, duration_minutes=60, status="completed", external_id="1"
    )

    assert here.created and there.created
    assert here.value.pk != there.value.pk


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_of_one_pairing_record_it_once():
    program = make_program()
    mentor, mentee = mentor_and_mentee(program)

    results: list[Any] = at_once(
        *[
            lambda: pairing_record(
                program=program, participants=[mentor, mentee], external_id="sync-7"
            )
        ]
        * 4
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(r.created for r in results) == [False, False, False, True]
    assert len({r.value.pk for r in results}) == 1
    assert Pairing.objects.filter(program=program).count() == 1
    assert PairingMember.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_of_one_session_record_it_once():
    pairing = make_pairing(make_program())
    starts_at = timezone.now() - timedelta(days=1)

    results: list[Any] = at_once(
        *[
            lambda: session_record(
                pairing=pairing,
                starts_at=starts_at,
                duration_minutes=45,
                status="completed",
                external_id="sync-8",
            )
        ]
        * 4
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(r.created for r in results) == [False, False, False, True]
    assert Session.objects.filter(pairing=pairing).count() == 1
