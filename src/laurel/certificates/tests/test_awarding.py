"""Awarding certificates: enabling, automatic and manual awards, edits, revocation."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.files.base import ContentFile

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
    ConfirmationRequired,
    RuleInput,
    award_correct,
    award_revoke,
    certificate_award,
    certificate_create,
    certificate_disable,
    certificate_enable,
    certificate_update,
)
from laurel.errors import Conflict, InvalidInput
from laurel.outbox.models import Message
from laurel.programs.services import feedback_delete, session_complete, session_schedule

pytestmark = pytest.mark.django_db


def counted_sessions(program, mentor, mentee, count):
    pairing = make_pairing(program, mentor, mentee)
    sessions = [make_session(pairing, days_ago=30 - i) for i in range(count)]
    for session in sessions:
        give_feedback(session, mentee)
    return sessions


def holders(definition):
    return set(
        IssuedCertificate.objects.filter(definition=definition, is_current=True).values_list(
            "user__name", flat=True
        )
    )


def test_enable_awards_existing_qualifiers_and_emails_them(run_tasks):
    program = make_program()
    mentor = make_participant(program, role="mentor", name="Grace Hopper")
    mentee = make_participant(program, name="Ada Lovelace")
    counted_sessions(program, mentor, mentee, 3)
    short = make_participant(program, name="Alan Turing")
    counted_sessions(
        program, make_participant(program, role="mentor", name="Katherine Johnson"), short, 2
    )
    definition = make_certificate(program, threshold=3)  # added after the sessions took place

    result = certificate_enable(definition=definition, by=None, confirm=True)

    assert result.awarded == 2
    assert holders(definition) == {"Grace Hopper", "Ada Lovelace"}
    run_tasks()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([mentor.user.email, mentee.user.email])
    assert all("Mentorship Certificate" in m.subject for m in mail.outbox)


def test_enable_without_confirmation_lists_exactly_who_would_be_awarded_and_changes_nothing():
    program = make_program()
    mentor = make_participant(program, role="mentor", name="Grace Hopper")
    mentee = make_participant(program, name="Ada Lovelace")
    counted_sessions(program, mentor, mentee, 3)
    make_participant(program, name="Nobody Yet")
    definition = make_certificate(program, threshold=3)

    with pytest.raises(ConfirmationRequired) as raised:
        certificate_enable(definition=definition, by=None, confirm=False)

    assert sorted(q.name for q in raised.value.would_award) == ["Ada Lovelace", "Grace Hopper"]
    assert "2 people" in raised.value.detail
    definition.refresh_from_db()
    assert not definition.enabled
    assert not IssuedCertificate.objects.exists()
    assert not Message.objects.exists()


def test_enable_awards_the_automatic_certificate_once_on_repeat():
    program = make_program()
    mentor, mentee = make_participant(program, role="mentor"), make_participant(program)
    counted_sessions(program, mentor, mentee, 3)
    definition = make_certificate(program, threshold=3, enabled=True)
    certificate_disable(definition=definition, by=None)
    certificate_enable(definition=definition, by=None, confirm=True)
    assert IssuedCertificate.objects.filter(definition=definition).count() == 2


def test_feedback_that_reaches_the_threshold_awards_both_members_once():
    program = make_program()
    mentor, mentee = make_participant(program, role="mentor"), make_participant(program)
    definition = make_certificate(program, threshold=2, enabled=True)
    sessions = counted_sessions(program, mentor, mentee, 1)
    assert not IssuedCertificate.objects.exists()

    second = make_session(sessions[0].pairing, days_ago=1)
    give_feedback(second, mentor)
    give_feedback(second, mentee)
    give_feedback(make_session(sessions[0].pairing, days_ago=0.5), mentee)

    awards = IssuedCertificate.objects.filter(definition=definition)
    assert sorted(a.user_id for a in awards) == sorted([mentor.user_id, mentee.user_id])
    assert {a.method for a in awards} == {"automatic"}


def test_completing_a_session_with_feedback_awards():
    program = make_program()
    mentor, mentee = make_participant(program, role="mentor"), make_participant(program)
    definition = make_certificate(program, threshold=1, enabled=True)
    session = make_session(make_pairing(program, mentor, mentee), status="scheduled", days_ago=0.01)
    give_feedback(session, mentee)  # started, not yet over: does not count yet
    assert not IssuedCertificate.objects.exists()
    session_complete(session=session)
    assert holders(definition) == {mentor.user.name, mentee.user.name}


def test_imported_history_awards():
    program = make_program()
    mentor, mentee = make_participant(program, role="mentor"), make_participant(program)
    definition = make_certificate(program, threshold=1, enabled=True)
    pairing = make_pairing(program, mentor, mentee)
    session = make_session(pairing, status="scheduled", days_ago=400)
    give_feedback(session, mentor)  # long over: the feedback completes it, and it counts
    assert holders(definition) == {mentor.user.name, mentee.user.name}


def test_lowering_the_threshold_needs_confirmation_with_exact_names():
    program = make_program()
    mentor = make_participant(program, role="mentor", name="Grace Hopper")
    mentee = make_participant(program, name="Ada Lovelace")
    counted_sessions(program, mentor, mentee, 2)
    definition = make_certificate(program, threshold=5, enabled=True)

    with pytest.raises(ConfirmationRequired) as raised:
        certificate_update(definition=definition, by=None, rule=RuleInput("sessions_completed", 2))
    assert sorted(q.name for q in raised.value.would_award) == ["Ada Lovelace", "Grace Hopper"]
    definition.refresh_from_db()
    assert definition.threshold == 5

    result = certificate_update(
        definition=definition, by=None, rule=RuleInput("sessions_completed", 2), confirm=True
    )
    assert result.awarded == 2
    assert AuditEntry.objects.filter(
        action="certificate.rule_changed", definition=definition
    ).exists()


def test_raising_the_threshold_never_revokes():
    program = make_program()
    mentor, mentee = make_participant(program, role="mentor"), make_participant(program)
    counted_sessions(program, mentor, mentee, 3)
    definition = make_certificate(program, threshold=3, enabled=True)
    certificate_update(definition=definition, by=None, rule=RuleInput("sessions_completed", 10))
    assert IssuedCertificate.objects.filter(definition=definition, status="valid").count() == 2


def test_deleting_feedback_never_revokes():
    program = make_program()
    mentor, mentee = make_participant(program, role="mentor"), make_participant(program)
    sessions = counted_sessions(program, mentor, mentee, 1)
    definition = make_certificate(program, threshold=1, enabled=True)
    feedback_delete(feedback=sessions[0].feedback.get())
    assert IssuedCertificate.objects.filter(definition=definition, status="valid").count() == 2


def test_text_edit_does_not_change_issued_certificate():
    program = make_program(name="Engineering Mentorship")
    program.organisation.logo.save("logo.png", ContentFile(b"old-logo"), save=True)
    program.banner.save("banner.png", ContentFile(b"old-banner"), save=True)
    mentor = make_participant(program, role="mentor", name="Grace Hopper")
    mentee = make_participant(program, name="Ada Lovelace")
    counted_sessions(program, mentor, mentee, 1)
    definition = make_certificate(
        program, threshold=1, enabled=True, name="Mentor Certificate", colour="#123456",
        text="{recipient_name} completed {sessions_required} session in {program_name}.",
    )  # fmt: skip
    issued = IssuedCertificate.objects.get(definition=definition, user=mentee.user)
    old_logo, old_banner = issued.logo, issued.banner

    certificate_update(
        definition=definition, by=None, name="Renamed", text="New text", colour="#FF0000"
    )
    program.organisation.logo.save("logo.png", ContentFile(b"new-logo"), save=True)
    program.banner.save("banner.png", ContentFile(b"new-banner"), save=True)

    issued.refresh_from_db()
    assert issued.name == "Mentor Certificate"
    assert issued.text == "Ada Lovelace completed 1 session in Engineering Mentorship."
    assert issued.colour == "#123456"
    assert (issued.logo, issued.banner) == (old_logo, old_banner)
    assert old_logo and program.organisation.logo.name != old_logo
    with program.organisation.logo.storage.open(issued.logo) as kept:
        assert kept.read() == b"old-logo"


def test_merge_fields_are_filled_in_one_pass_and_names_stay_literal():
    program = make_program(name="{date}")
    mentor = make_participant(program, role="mentor", name="{program_name} <script>")
    mentee = make_participant(program)
    counted_sessions(program, mentor, mentee, 1)
    definition = make_certificate(
        program, threshold=1, enabled=True, text="{recipient_name} / {program_name} / {unknown"
    )
    issued = IssuedCertificate.objects.get(definition=definition, user=mentor.user)
    assert issued.text == "{program_name} <script> / {date} / {unknown"


def test_unknown_merge_field_is_refused_with_the_list_of_fields():
    program = make_program()
    with pytest.raises(InvalidInput) as raised:
        make_certificate(program, text="Hello {first_name}")
    assert "{first_name}" in raised.value.detail
    assert "{recipient_name}" in raised.value.detail


def test_manual_award_skips_holders():
    program = make_program()
    mentor, mentee = make_participant(program, role="mentor"), make_participant(program)
    counted_sessions(program, mentor, mentee, 1)
    other = make_participant(program)
    definition = make_certificate(program, threshold=1, enabled=True)

    result = certificate_award(
        definition=definition, by=None, participant_ids=[mentee.pk, other.pk, other.pk]
    )
    assert result.skipped == [mentee.pk]
    assert len(result.awarded) == 1
    assert IssuedCertificate.objects.get(pk=result.awarded[0]).method == "manual"
    assert IssuedCertificate.objects.filter(definition=definition).count() == 3
    entry = AuditEntry.objects.get(action="certificate.awarded_manually")
    assert entry.data["awarded"] == 1 and entry.data["skipped"] == 1


def test_manual_certificate_is_awarded_only_by_hand_and_keeps_guidance():
    program = make_program()
    mentor, mentee = make_participant(program, role="mentor"), make_participant(program)
    counted_sessions(program, mentor, mentee, 5)
    definition = make_certificate(
        program, threshold=None, guidance="Present your project", enabled=True
    )
    assert definition.guidance == "Present your project"
    assert not IssuedCertificate.objects.exists()
    certificate_award(definition=definition, by=None, participant_ids=[mentee.pk])
    assert holders(definition) == {mentee.user.name}


def test_manual_award_of_someone_outside_the_program_is_refused():
    program, other = make_program(), make_program()
    stranger = make_participant(other)
    definition = make_certificate(program, threshold=None, enabled=True)
    with pytest.raises(InvalidInput, match="not in this program"):
        certificate_award(definition=definition, by=None, participant_ids=[stranger.pk])
    assert not IssuedCertificate.objects.exists()


def test_development_programs_are_manual_only():
    program = make_program(kind="development")
    with pytest.raises(InvalidInput, match="manually"):
        make_certificate(program, threshold=3)
    definition = make_certificate(program, threshold=None, guidance="Finish your plan")
    with pytest.raises(InvalidInput, match="manually"):
        certificate_update(definition=definition, by=None, rule=RuleInput("sessions_completed", 1))


def test_development_program_sessions_award_nothing_automatically():
    program = make_program(kind="development")
    mentor, mentee = make_participant(program, role="mentor"), make_participant(program)
    make_certificate(program, threshold=None, enabled=True)
    counted_sessions(program, mentor, mentee, 3)
    assert not IssuedCertificate.objects.exists()


def test_group_programs_refuse_certificates():
    program = make_program(kind="group")
    with pytest.raises(InvalidInput, match="not yet available in group programs"):
        certificate_create(
            program=program, by=None, name="Group", text="Hi", colour="#000000",
            rule=RuleInput("manual"),
        )  # fmt: skip


def test_revoke_needs_a_reason_and_is_audited():
    program = make_program()
    mentor, mentee = make_participant(program, role="mentor"), make_participant(program)
    counted_sessions(program, mentor, mentee, 1)
    definition = make_certificate(program, threshold=1, enabled=True)
    award = IssuedCertificate.objects.get(definition=definition, user=mentee.user)
    with pytest.raises(InvalidInput, match="Reason is required"):
        award_revoke(award=award, by=None, reason="  ")
    award = award_revoke(award=award, by=None, reason="Sessions were not genuine")
    assert (award.status, award.revocation_reason) == ("revoked", "Sessions were not genuine")
    with pytest.raises(Conflict):
        award_revoke(award=award, by=None, reason="again")
    assert AuditEntry.objects.filter(action="award.revoked", award=award).count() == 1


def test_revoked_certificate_is_not_awarded_again_automatically():
    program = make_program()
    mentor, mentee = make_participant(program, role="mentor"), make_participant(program)
    sessions = counted_sessions(program, mentor, mentee, 1)
    definition = make_certificate(program, threshold=1, enabled=True)
    award = IssuedCertificate.objects.get(definition=definition, user=mentee.user)
    award_revoke(award=award, by=None, reason="Mistake in the record")
    give_feedback(make_session(sessions[0].pairing, days_ago=1), mentee)
    assert list(IssuedCertificate.objects.filter(definition=definition, user=mentee.user)) == [
        award
    ]


def test_reissue_supersedes_with_the_same_public_id():
    program = make_program()
    mentor = make_participant(program, role="mentor")
    mentee = make_participant(program, name="Ada Byron")
    counted_sessions(program, mentor, mentee, 1)
    definition = make_certificate(program, threshold=1, enabled=True, text="For {recipient_name}")
    first = IssuedCertificate.objects.get(definition=definition, user=mentee.user)

    second = award_correct(
        award=first, by=None, recipient_name="Ada Lovelace", reason="The name was misspelt"
    )

    first.refresh_from_db()
    assert (second.public_id, second.version, second.supersedes) == (first.public_id, 2, first)
    assert (second.recipient_name, second.text) == ("Ada Lovelace", "For Ada Lovelace")
    assert not first.is_current and first.recipient_name == "Ada Byron"
    assert second.issued_at == first.issued_at
    with pytest.raises(Conflict):
        award_correct(award=first, by=None, reason="The name was misspelt")


def test_public_ids_are_unguessable_and_distinct():
    program = make_program()
    mentor, mentee = make_participant(program, role="mentor"), make_participant(program)
    counted_sessions(program, mentor, mentee, 1)
    make_certificate(program, threshold=1, enabled=True)
    ids = list(IssuedCertificate.objects.values_list("public_id", flat=True))
    assert len(set(ids)) == 2
    assert all(len(i) == 32 and int(i, 16) for i in ids)


def test_enable_disable_and_edits_are_audited():
    program = make_program()
    definition = make_certificate(program, threshold=1)
    certificate_enable(definition=definition, by=None, confirm=True)
    certificate_update(definition=definition, by=None, text="New words")
    certificate_disable(definition=definition, by=None)
    assert list(
        AuditEntry.objects.filter(definition=definition)
        .order_by("id")
        .values_list("action", flat=True)
    ) == [
        "certificate.created",
        "certificate.enabled",
        "certificate.edited",
        "certificate.disabled",
    ]


def test_an_award_and_its_notification_roll_back_together():
    program = make_program()
    mentor, mentee = make_participant(program, role="mentor"), make_participant(program)
    make_certificate(program, threshold=1, enabled=True)
    pairing = make_pairing(program, mentor, mentee)
    with pytest.raises(InvalidInput):
        session_schedule(pairing=pairing, starts_at=pairing.created_at, duration_minutes=0)
    assert not IssuedCertificate.objects.exists()
    assert not Message.objects.exists()


def test_every_award_has_exactly_one_durable_notification_task(run_tasks):
    program = make_program()
    for _ in range(3):
        counted_sessions(
            program, make_participant(program, role="mentor"), make_participant(program), 1
        )
    definition = make_certificate(program, threshold=1, enabled=True)

    emails = Message.objects.filter(kind__endswith="send_award_email")
    queued = [message.arguments["kwargs"]["award_id"] for message in emails]
    awards = list(
        IssuedCertificate.objects.filter(definition=definition).values_list("pk", flat=True)
    )
    assert sorted(queued) == sorted(awards)
    assert len(awards) == 6

    run_tasks()
    run_tasks()
    assert len(mail.outbox) == 6
    assert {message.status for message in emails.all()} == {"done"}


def test_public_ids_are_128_random_bits_in_hex():
    program = make_program()
    for _ in range(20):
        mentor, mentee = make_participant(program, role="mentor"), make_participant(program)
        give_feedback(make_session(make_pairing(program, mentor, mentee)), mentee)
    make_certificate(program, threshold=1, enabled=True)
    public_ids = list(IssuedCertificate.objects.values_list("public_id", flat=True))
    assert len(public_ids) == 40
    assert len(set(public_ids)) == 40
    assert all(re.fullmatch(r"[0-9a-f]{32}", public_id) for public_id in public_ids)
