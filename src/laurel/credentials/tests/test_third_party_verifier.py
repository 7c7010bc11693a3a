"""Digital Bazaar's verifier stack (``verifier/``, installed by ``make test``) checks what
Laurel issues, offline: a standards-conformant verifier that is not our code."""

from __future__ import annotations

import copy

import pytest

from laurel.certificates.models import IssuedCertificate
from laurel.certificates.services import award_revoke
from laurel.credentials.models import Credential
from laurel.credentials.services import credential_for, issuer_key_rotate
from laurel.credentials.tests.third_party import third_party_verify

pytestmark = pytest.mark.django_db

_verify = third_party_verify


NAMES_AND_TEXTS = [
    ("Zoë Ångström-Núñez", "Félicitations, {recipient_name} ! Crème brûlée à l'œuvre."),
    ("فاطمة الزهراء", "مُنحت إلى {recipient_name} تقديرًا لمشاركتها في {program_name}."),
    ("王小明", "授予{recipient_name}，以表彰其在{program_name}中的指导。"),  # noqa: RUF001 - a Chinese comma
    ("Ana 🌟 Silva 👩🏽‍💻", "Well done {recipient_name} 🎉🚀 — ✓"),
    (
        'O\'Brien "The <b>Bold</b>" \\ Smith {date}',
        "Line one\nLine two\twith a tab; quotes \" ' and a backslash \\ and <script>alert(1)"
        "</script> and &amp; and \u200b zero width and \u202e reversed",
    ),
    ("Long " + "Name " * 38, "x" * 1990),
]


@pytest.mark.parametrize(("name", "text"), NAMES_AND_TEXTS)
def test_third_party_verifier_accepts_names_in_many_scripts_and_hostile_text(
    make_award, tmp_path, name, text
):
    award = make_award(name=name.strip(), text=text)
    document = credential_for(award)

    report = _verify(tmp_path, document, slug=award.program.organisation.slug)

    assert report == {
        "verified": True,
        "signature": True,
        "status": {"verified": True, "revoked": False},
        "errors": [],
    }


def test_third_party_verifier_accepts_text_that_held_control_characters(make_award, tmp_path):
    award = make_award()
    # The forms refuse these today; older rows or other writers may still hold them, and
    # the JavaScript canonicaliser escapes them differently from pyld.
    IssuedCertificate.objects.filter(pk=award.pk).update(
        recipient_name="Ada\x0bLove\x0clace\x08", text="Tab\there\r\nnew line\x1b[31m red\x7f"
    )
    award.refresh_from_db()

    report = _verify(tmp_path, credential_for(award), slug=award.program.organisation.slug)

    assert report["verified"] is True, report


def test_third_party_verifier_rejects_a_tampered_copy(make_award, tmp_path):
    award = make_award()
    document = copy.deepcopy(credential_for(award))
    document["credentialSubject"]["achievement"]["name"] = "Distinguished Mentor (forged)"

    report = _verify(tmp_path, document, slug=award.program.organisation.slug)

    assert report["verified"] is False
    assert report["signature"] is False


def test_third_party_verifier_sees_a_revocation_in_the_status_list(make_award, tmp_path):
    award = make_award()
    document = credential_for(award)
    slug = award.program.organisation.slug
    assert _verify(tmp_path, document, slug=slug)["verified"] is True

    award_revoke(award=award, by=None, reason="Issued by mistake")

    report = _verify(tmp_path, document, slug=slug)
    assert report["signature"] is True
    assert report["status"] == {"verified": True, "revoked": True}
    assert report["verified"] is False


def test_third_party_verifier_accepts_credentials_from_before_and_after_a_key_rotation(
    make_award, tmp_path
):
    before = make_award(name="Before Rotation")
    organisation = before.program.organisation
    old_document = credential_for(before)

    issuer_key_rotate(organisation=organisation)
    after = make_award(name="After Rotation", organisation=organisation)
    new_document = credential_for(after)

    assert (
        old_document["proof"]["verificationMethod"] != new_document["proof"]["verificationMethod"]
    )
    for document in (old_document, new_document):
        report = _verify(tmp_path, document, slug=organisation.slug)
        assert report["verified"] is True, report
    assert Credential.objects.filter(award__in=[before, after]).count() == 2


def test_third_party_verifier_rejects_a_credential_whose_key_is_not_in_the_did_document(
    make_award, tmp_path
):
    award = make_award()
    document = copy.deepcopy(credential_for(award))
    document["proof"]["verificationMethod"] = document["issuer"]["id"] + "#key-unknown"

    report = _verify(tmp_path, document, slug=award.program.organisation.slug)

    assert report["verified"] is False
