"""What an admin does to an issued certificate: revoke, reinstate, correct; and awarding by
hand to everyone a Track Progress filter matches."""

from __future__ import annotations

import pytest

from laurel.certificates.factories import (
    give_feedback,
    make_certificate,
    make_pairing,
    make_participant,
    make_program,
    make_session,
)
from laurel.certificates.models import AuditEntry, IssuedCertificate
from laurel.certificates.services import (
    award_correct,
    award_reinstate,
    award_revoke,
    certificate_award,
)
from laurel.certificates.tracking import TrackFilter
from laurel.errors import Conflict, InvalidInput

pytestmark = pytest.mark.django_db


def awarded(name="Ada Byron", text="Presented to {recipient_name} in {program_name}."):
    program = make_program(name="Leaders")
    definition = make_certificate(program, threshold=None, enabled=True, text=text)
    participant = make_participant(program, name=name)
    result = certificate_award(definition=definition, by=None, participant_ids=[participant.pk])
    return IssuedCertificate.objects.get(pk=result.awarded[0])


def entries(award, action):
    return list(
        AuditEntry.objects.filter(award__public_id=award.public_id, action=action).order_by("id")
    )


def test_revoke_keeps_the_reason_private_unless_asked():
    private = award_revoke(award=awarded(), by=None, reason="Duplicate record")
    public = award_revoke(award=awarded(), by=None, reason="Awarded in error", public_reason=True)

    private.refresh_from_db()
    public.refresh_from_db()
    assert (private.revocation_reason, private.revocation_reason_public) == (
        "Duplicate record",
        False,
    )
    assert (public.revocation_reason, public.revocation_reason_public) == ("Awarded in error", True)
    [entry] = entries(public, AuditEntry.Action.REVOKED)
    assert entry.data == {"reason": "Awarded in error", "public_reason": True}


def test_reinstate_makes_a_revoked_certificate_valid_under_the_same_public_id():
    award = awarded()
    award_revoke(award=award, by=None, reason="Wrong person", public_reason=True)

    back = award_reinstate(award=award, by=None, reason="It was the right person")

    back.refresh_from_db()
    assert (back.pk, back.public_id, back.version) == (award.pk, award.public_id, 1)
    assert back.status == IssuedCertificate.Status.VALID
    assert (back.revoked_at, back.revocation_reason, back.revocation_reason_public) == (
        None,
        "",
        False,
    )
    [entry] = entries(award, AuditEntry.Action.REINSTATED)
    assert entry.data["reason"] == "It was the right person"
    assert entry.data["revocation_reason"] == "Wrong person"
    # The revocation is still in the log.
    assert len(entries(award, AuditEntry.Action.REVOKED)) == 1


def test_reinstate_needs_a_revoked_current_certificate_and_a_reason():
    award = awarded()
    with pytest.raises(Conflict, match="only a revoked one"):
        award_reinstate(award=award, by=None, reason="Why not")
    award_revoke(award=award, by=None, reason="Wrong person")
    with pytest.raises(InvalidInput) as refused:
        award_reinstate(award=award, by=None, reason="   ")
    assert "reason" in refused.value.errors
    award.refresh_from_db()
    assert award.status == IssuedCertificate.Status.REVOKED


def test_a_revoked_certificate_is_not_awarded_again_automatically_or_by_hand():
    program = make_program()
    mentor, mentee = make_participant(program, role="mentor"), make_participant(program)
    pairing = make_pairing(program, mentor, mentee)
    give_feedback(make_session(pairing, days_ago=5), mentee)
    definition = make_certificate(program, threshold=1, enabled=True)
    award = IssuedCertificate.objects.get(definition=definition, user=mentee.user)
    award_revoke(award=award, by=None, reason="Feedback was fake")

    give_feedback(make_session(pairing, days_ago=2), mentee)
    result = certificate_award(definition=definition, by=None, participant_ids=[mentee.pk])

    assert result.awarded == []
    assert (result.skipped, result.skipped_count, result.revoked_count) == ([mentee.pk], 1, 1)
    assert IssuedCertificate.objects.filter(definition=definition, user=mentee.user).count() == 1
    award_reinstate(award=award, by=None, reason="Feedback checked")
    assert IssuedCertificate.objects.get(definition=definition, user=mentee.user).status == "valid"


def test_correcting_the_name_issues_version_two_under_the_same_public_id():
    first = awarded(name="Ada Byron")

    second = award_correct(award=first, by=None, recipient_name="Ada Lovelace", reason="Married")

    first.refresh_from_db()
    assert (second.public_id, second.version, second.supersedes_id) == (
        first.public_id,
        2,
        first.pk,
    )
    assert second.recipient_name == "Ada Lovelace"
    assert second.text == "Presented to Ada Lovelace in Leaders."
    assert (first.is_current, first.recipient_name) == (False, "Ada Byron")
    [entry] = entries(second, AuditEntry.Action.CORRECTED)
    assert entry.award_id == second.pk
    assert entry.data["reason"] == "Married"
    assert (entry.data["from_version"], entry.data["to_version"]) == (1, 2)
    assert entry.data["changes"]["recipient_name"] == {"from": "Ada Byron", "to": "Ada Lovelace"}


def test_correcting_the_text_changes_this_certificate_only():
    first = awarded(name="Grace Hopper")
    other = certificate_award(
        definition=first.definition,
        by=None,
        participant_ids=[make_participant(first.program, name="Alan Turing").pk],
    )

    second = award_correct(
        award=first, by=None, text="For {recipient_name}, with thanks.", reason="Typo in the text"
    )

    assert second.text == "For Grace Hopper, with thanks."
    assert second.recipient_name == "Grace Hopper"
    untouched = IssuedCertificate.objects.get(pk=other.awarded[0])
    assert untouched.text == "Presented to Alan Turing in Leaders."
    first.definition.refresh_from_db()
    assert first.definition.text == "Presented to {recipient_name} in {program_name}."
    # A later name correction keeps the corrected text.
    third = award_correct(award=second, by=None, recipient_name="Grace B. Hopper", reason="Name")
    assert (third.version, third.text) == (3, "For Grace B. Hopper, with thanks.")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"recipient_name": "Ada Byron"}, "recipient_name"),
        ({"text": "For {recipient_name} {nonsense}"}, "text"),
        ({"recipient_name": ""}, "recipient_name"),
        ({"recipient_name": "Ada Lovelace", "reason": ""}, "reason"),
    ],
)
def test_a_correction_that_changes_nothing_or_is_invalid_writes_nothing(changes, field):
    award = awarded(name="Ada Byron")
    arguments = {"reason": "Fix", **changes}
    with pytest.raises(InvalidInput) as refused:
        award_correct(award=award, by=None, **arguments)
    assert field in refused.value.errors
    assert IssuedCertificate.objects.filter(public_id=award.public_id).count() == 1
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.CORRECTED).exists()


def test_a_revoked_or_superseded_version_cannot_be_corrected():
    award = awarded()
    newer = award_correct(award=award, by=None, recipient_name="Ada Lovelace", reason="Name")
    with pytest.raises(Conflict):
        award_correct(award=award, by=None, recipient_name="Ada King", reason="Name")
    award_revoke(award=newer, by=None, reason="Wrong person")
    with pytest.raises(Conflict, match="reinstate it first"):
        award_correct(award=newer, by=None, recipient_name="Ada King", reason="Name")


def test_award_to_everyone_a_filter_matches_skips_holders_and_counts_them():
    program = make_program()
    definition = make_certificate(program, threshold=None, enabled=True)
    mentors = [make_participant(program, role="mentor", name=f"Mentor {i}") for i in range(3)]
    mentees = [make_participant(program, name=f"Mentee {i}") for i in range(2)]
    certificate_award(definition=definition, by=None, participant_ids=[mentors[0].pk])
    certificate_award(definition=definition, by=None, participant_ids=[mentors[1].pk])
    revoked = IssuedCertificate.objects.get(user=mentors[1].user)
    award_revoke(award=revoked, by=None, reason="Mistake")

    result = certificate_award(
        definition=definition, by=None, selection=TrackFilter(program_id=program.pk, role="mentor")
    )

    assert len(result.awarded) == 1
    assert (result.skipped_count, result.revoked_count) == (2, 1)
    holders = set(
        IssuedCertificate.objects.filter(definition=definition, status="valid").values_list(
            "user__name", flat=True
        )
    )
    assert holders == {"Mentor 0", "Mentor 2"}
    assert not IssuedCertificate.objects.filter(user__in=[m.user for m in mentees]).exists()
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.AWARDED_MANUALLY).latest("id")
    assert entry.data["selection"] == {"role": "mentor"}
    assert entry.data["awarded"] == 1


def test_a_filter_of_another_program_awards_nobody():
    program = make_program()
    definition = make_certificate(program, threshold=None, enabled=True)
    make_participant(program)
    with pytest.raises(InvalidInput):
        certificate_award(
            definition=definition, by=None, selection=TrackFilter(program_id=make_program().pk)
        )
    assert not IssuedCertificate.objects.exists()


def test_award_to_everyone_a_search_and_a_state_match():
    program = make_program()
    earlier = make_certificate(program, threshold=None, enabled=True, name="Earlier")
    definition = make_certificate(program, threshold=None, enabled=True, name="Later")
    ada = make_participant(program, name="Ada 100% Lovelace")
    make_participant(program, name="Ada Byron")
    make_participant(program, name="Grace Hopper")
    certificate_award(definition=earlier, by=None, participant_ids=[ada.pk])

    result = certificate_award(
        definition=definition,
        by=None,
        selection=TrackFilter(
            program_id=program.pk, search="ada 100%", certificate_id=earlier.pk, state="earned"
        ),
    )

    assert len(result.awarded) == 1
    assert IssuedCertificate.objects.get(definition=definition).user_id == ada.user_id
