from __future__ import annotations

import copy
import hashlib

import pytest

from laurel.certificates.factories import make_organisation
from laurel.certificates.models import IssuedCertificate
from laurel.credentials import jsonld
from laurel.credentials.models import Credential
from laurel.credentials.proofs import proof_attach
from laurel.credentials.sealing import unseal
from laurel.credentials.services import credential_for, issuer_key_active
from laurel.credentials.verification import credential_verify

pytestmark = pytest.mark.django_db


def test_credential_is_an_open_badge_naming_issuer_recipient_and_achievement(make_award, settings):
    settings.SITE_URL = "https://laurel.example:8443"
    award = make_award(name="Ada Lovelace", email="Ada@Example.org")

    document = credential_for(award)

    assert document["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert document["id"] == f"https://laurel.example:8443/c/{award.public_id}/credential.json"
    slug = award.program.organisation.slug
    assert document["issuer"] == {
        "id": f"did:web:laurel.example%3A8443:o:{slug}",
        "type": ["Profile"],
        "name": "Acme Mentoring",
    }
    assert document["validFrom"] == award.issued_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    subject = document["credentialSubject"]
    name, identity = subject["identifier"]
    assert name == {
        "type": "IdentityObject",
        "identityHash": "Ada Lovelace",
        "identityType": "name",
        "hashed": False,
    }
    assert identity["identityType"] == "emailAddress"
    assert identity["hashed"] is True
    assert "ada@example.org" not in str(document).lower()
    expected = hashlib.sha256(("ada@example.org" + identity["salt"]).encode()).hexdigest()
    assert identity["identityHash"] == f"sha256${expected}"
    achievement = subject["achievement"]
    assert achievement["name"] == award.name
    assert achievement["description"] == "Awarded to Ada Lovelace for mentoring in Leaders 2026."
    assert achievement["criteria"]["narrative"] == (
        "Awarded by Acme Mentoring for taking part in Leaders 2026."
    )
    assert document["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert document["proof"]["verificationMethod"].startswith(document["issuer"]["id"] + "#")


def test_automatic_certificate_names_the_sessions_required(make_award):
    award = make_award()
    IssuedCertificate.objects.filter(pk=award.pk).update(method="automatic", sessions_required=6)
    award.refresh_from_db()

    narrative = credential_for(award)["credentialSubject"]["achievement"]["criteria"]["narrative"]

    assert narrative.startswith("Took part in 6 mentorship sessions in Leaders 2026")


def test_credential_is_built_once_and_then_served_as_stored(make_award):
    award = make_award()

    first = credential_for(award)
    second = credential_for(award)

    assert first == second
    assert Credential.objects.filter(award=award).count() == 1


def test_a_fresh_credential_verifies(make_award):
    verification = credential_verify(credential_for(make_award()))

    assert verification.verified, verification.checks
    assert [c.check for c in verification.checks] == ["signature", "issuer key", "status", "dates"]


def test_a_changed_name_breaks_the_signature(make_award):
    document = copy.deepcopy(credential_for(make_award()))
    document["credentialSubject"]["identifier"][0]["identityHash"] = "Mallory"

    verification = credential_verify(document)

    assert not verification.verified
    signature = verification.checks[0]
    assert signature.check == "signature"
    assert not signature.ok
    assert "changed after it was signed" in signature.detail


def test_control_characters_are_taken_out_before_signing(make_award):
    award = make_award()
    # Older rows or other writers may hold what the forms refuse today.
    IssuedCertificate.objects.filter(pk=award.pk).update(
        recipient_name="Ada\x0bLovelace\x07", text="Line one\r\nLine two\tand a tab\x1b"
    )
    award.refresh_from_db()

    document = credential_for(award)

    assert document["credentialSubject"]["identifier"][0]["identityHash"] == "AdaLovelace"
    assert document["credentialSubject"]["achievement"]["description"] == (
        "Line one\nLine two\tand a tab"
    )
    assert credential_verify(document).verified


def test_a_document_with_a_control_character_is_refused_for_signing(make_award):
    award = make_award()
    document = {k: v for k, v in credential_for(award).items() if k != "proof"}
    document["name"] = "Bad\x0bname"
    key = issuer_key_active(organisation=award.program.organisation)

    with pytest.raises(jsonld.UnsafeDocument, match="control character"):
        proof_attach(
            document, private_key=unseal(key.sealed_private_key),
            verification_method="did:web:x#k", created=award.issued_at,
        )  # fmt: skip


def _sign(award, document):
    key = issuer_key_active(organisation=award.program.organisation)
    return proof_attach(
        document,
        private_key=unseal(key.sealed_private_key),
        verification_method="did:web:x#k",
        created=award.issued_at,
    )


def test_a_term_the_contexts_do_not_define_is_refused_rather_than_left_unsigned(make_award):
    award = make_award()
    document = {k: v for k, v in credential_for(award).items() if k != "proof"}
    document["credentialSubject"] = {**document["credentialSubject"], "nickname": "Ada"}

    with pytest.raises(jsonld.UnsafeDocument, match="nickname"):
        _sign(award, document)


def test_a_term_that_expansion_drops_is_refused(make_award):
    award = make_award()
    document = {k: v for k, v in credential_for(award).items() if k != "proof"}
    document["@context"] = [*document["@context"], {"hidden": None}]
    document["hidden"] = "not signed"

    with pytest.raises(jsonld.UnsafeDocument, match="dropped by JSON-LD expansion"):
        _sign(award, document)


def test_a_credential_naming_an_unknown_context_is_not_fetched_and_fails(make_award):
    document = copy.deepcopy(credential_for(make_award()))
    document["@context"].append("https://evil.example/context.json")

    verification = credential_verify(document)

    assert not verification.verified
    assert "https://evil.example/context.json" in verification.checks[0].detail


def test_an_added_undefined_property_fails_verification(make_award):
    document = copy.deepcopy(credential_for(make_award()))
    document["extra"] = "added later"

    verification = credential_verify(document)

    assert not verification.verified
    assert not verification.checks[0].ok


def test_another_issuers_credential_is_explained(make_award):
    document = copy.deepcopy(credential_for(make_award()))
    document["issuer"]["id"] = "did:web:elsewhere.example"
    document["proof"]["verificationMethod"] = "did:web:elsewhere.example#key-1"

    checks = {c.check: c for c in credential_verify(document).checks}

    assert not checks["issuer key"].ok
    assert "not an organisation on this Laurel" in checks["issuer key"].detail


def test_credential_of_each_organisation_is_signed_by_its_own_key(make_award):
    one = credential_for(make_award())
    two = credential_for(make_award(organisation=make_organisation("Other")))

    assert one["issuer"]["id"] != two["issuer"]["id"]
    assert one["proof"]["verificationMethod"].split("#")[0] == one["issuer"]["id"]
    assert two["proof"]["verificationMethod"].split("#")[0] == two["issuer"]["id"]
