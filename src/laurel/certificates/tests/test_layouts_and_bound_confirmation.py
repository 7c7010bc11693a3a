"""A certificate's layout is frozen into what is issued; a confirmation can be bound to the
people it showed."""

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
from laurel.certificates.models import IssuedCertificate, layout_for
from laurel.certificates.selectors import award_fingerprint, would_award
from laurel.certificates.services import (
    ConfirmationRequired,
    RuleInput,
    award_correct,
    certificate_create,
    certificate_enable,
    certificate_update,
)
from laurel.errors import InvalidInput
from laurel.outbox.models import Message

pytestmark = pytest.mark.django_db


def qualified_pair(program, count=2, names=("Grace", "Ada")):
    mentor = make_participant(program, role="mentor", name=names[0])
    mentee = make_participant(program, name=names[1])
    pairing = make_pairing(program, mentor, mentee)
    for n in range(count):
        give_feedback(make_session(pairing, days_ago=20 - n), mentee)
    return mentor, mentee


def test_an_issued_certificate_keeps_the_layout_it_was_awarded_in():
    program = make_program()
    definition = certificate_create(
        program=program, by=None, name="Modern", text="For {recipient_name}.", colour="#112233",
        rule=RuleInput(type="sessions_completed", threshold=1), layout="modern",
    )  # fmt: skip
    qualified_pair(program, 1)
    certificate_enable(definition=definition, by=None, confirm=True)
    certificate_update(definition=definition, by=None, layout="classic")
    awards = IssuedCertificate.objects.filter(definition=definition)
    assert {a.layout for a in awards} == {"modern"}
    award = awards.first()
    assert award is not None
    corrected = award_correct(award=award, by=None, reason="Misspelt.", recipient_name="Grace H.")
    assert corrected.layout == "modern"


def test_a_blank_layout_is_the_organisations_default():
    program = make_program()
    definition = make_certificate(program, threshold=1)
    assert definition.layout == ""
    assert layout_for(definition_layout="", organisation=program.organisation) == "classic"
    assert layout_for(definition_layout="modern", organisation=program.organisation) == "modern"


def test_an_unknown_layout_is_refused_on_its_field():
    program = make_program()
    with pytest.raises(InvalidInput) as refused:
        certificate_create(
            program=program, by=None, name="X", text="Y", colour="#112233",
            rule=RuleInput(type="manual"), layout="baroque",
        )  # fmt: skip
    assert list(refused.value.errors) == ["layout"]


def test_enable_goes_ahead_when_the_confirmed_people_are_those_awarded():
    program = make_program()
    qualified_pair(program)
    definition = make_certificate(program, threshold=2)
    shown = award_fingerprint(q.user_id for q in would_award(definition=definition, threshold=2))
    result = certificate_enable(definition=definition, by=None, confirm=True, confirmed=shown)
    assert result.awarded == 2


def test_enable_asks_again_and_writes_nothing_when_someone_else_qualified_meanwhile():
    program = make_program()
    qualified_pair(program)
    definition = make_certificate(program, threshold=2)
    shown = award_fingerprint(q.user_id for q in would_award(definition=definition, threshold=2))
    qualified_pair(program, names=("Alan", "Katherine"))
    with pytest.raises(ConfirmationRequired) as asked:
        certificate_enable(definition=definition, by=None, confirm=True, confirmed=shown)
    assert asked.value.changed
    assert sorted(q.name for q in asked.value.would_award) == ["Ada", "Alan", "Grace", "Katherine"]
    definition.refresh_from_db()
    assert not definition.enabled
    assert not IssuedCertificate.objects.exists()
    assert not Message.objects.exists()
    again = certificate_enable(
        definition=definition, by=None, confirm=True, confirmed=asked.value.fingerprint
    )
    assert again.awarded == 4


def test_a_lowered_threshold_bound_to_an_old_list_asks_again():
    program = make_program()
    definition = make_certificate(program, threshold=5, enabled=True)
    qualified_pair(program)
    with pytest.raises(ConfirmationRequired) as asked:
        certificate_update(
            definition=definition, by=None, rule=RuleInput(type="sessions_completed", threshold=2),
            confirm=True, confirmed=award_fingerprint([]),
        )  # fmt: skip
    assert asked.value.changed
    assert len(asked.value.would_award) == 2
    definition.refresh_from_db()
    assert definition.threshold == 5
    assert not IssuedCertificate.objects.exists()
