from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command

from laurel.certificates.factories import make_organisation
from laurel.credentials.models import IssuerKey
from laurel.credentials.multibase import ed25519_multikey
from laurel.credentials.sealing import unseal
from laurel.credentials.selectors import organisation_did_document
from laurel.credentials.services import credential_for, issuer_key_active, issuer_key_rotate
from laurel.credentials.verification import credential_verify

pytestmark = pytest.mark.django_db


def test_the_private_key_is_stored_sealed_not_in_the_clear():
    key = issuer_key_active(organisation=make_organisation())

    raw = unseal(key.sealed_private_key).private_bytes(
        Encoding.Raw, PrivateFormat.Raw, NoEncryption()
    )
    stored = IssuerKey.objects.get(pk=key.pk)
    assert raw not in bytes(stored.sealed_private_key)
    assert len(raw) == 32


def test_a_sealed_key_cannot_be_opened_without_the_environment_key(settings):
    key = issuer_key_active(organisation=make_organisation())
    settings.CREDENTIAL_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(ImproperlyConfigured, match="LAUREL_CREDENTIAL_KEY"):
        unseal(key.sealed_private_key)


def test_the_environment_key_can_be_replaced_keeping_the_old_one_to_unseal(settings):
    key = issuer_key_active(organisation=make_organisation())
    settings.CREDENTIAL_KEYS = [Fernet.generate_key().decode(), *settings.CREDENTIAL_KEYS]

    assert unseal(key.sealed_private_key).public_key().public_bytes_raw() == bytes(key.public_key)


def test_did_document_lists_the_key_as_a_multikey_for_assertions(client, settings):
    settings.SITE_URL = "https://laurel.example"
    organisation = make_organisation()
    key = issuer_key_active(organisation=organisation)

    response = client.get(f"/o/{organisation.slug}/did.json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/did+json"
    did = f"did:web:laurel.example:o:{organisation.slug}"
    method_id = f"{did}#{key.key_id}"
    assert response.json() == {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [
            {
                "id": method_id,
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": ed25519_multikey(bytes(key.public_key)),
            }
        ],
        "assertionMethod": [method_id],
    }
    assert response.json()["verificationMethod"][0]["publicKeyMultibase"].startswith("z6Mk")


def test_unknown_organisation_has_no_did_document(client):
    assert client.get("/o/nobody/did.json").status_code == 404


def test_rotation_keeps_old_credentials_verifying_and_signs_new_ones_with_the_new_key(
    make_award,
):
    old_award = make_award()
    organisation = old_award.program.organisation
    old = credential_for(old_award)

    new_key = issuer_key_rotate(organisation=organisation)
    new = credential_for(make_award(organisation=organisation))

    assert new["proof"]["verificationMethod"].endswith("#" + new_key.key_id)
    old_result = credential_verify(old)
    assert old_result.verified, old_result.checks
    assert "since replaced" in old_result.checks[1].detail
    assert credential_verify(new).verified
    document = organisation_did_document(organisation.slug)
    assert document is not None
    assert len(document["verificationMethod"]) == 2
    assert IssuerKey.objects.filter(organisation=organisation, retired_at__isnull=True).count() == 1


def test_a_proof_dated_after_its_key_was_retired_is_refused(make_award):
    award = make_award()
    document = credential_for(award)
    organisation = award.program.organisation
    issuer_key_rotate(organisation=organisation)
    IssuerKey.objects.filter(organisation=organisation, retired_at__isnull=False).update(
        retired_at=award.issued_at.replace(year=award.issued_at.year - 1)
    )

    checks = {c.check: c for c in credential_verify(document).checks}

    assert not checks["issuer key"].ok
    assert "after it was retired" in checks["issuer key"].detail


def test_rotate_issuer_key_command(capsys):
    organisation = make_organisation()
    first = issuer_key_active(organisation=organisation)

    call_command("rotate_issuer_key", "--org", organisation.slug)

    active = IssuerKey.objects.get(organisation=organisation, retired_at__isnull=True)
    assert active.pk != first.pk
    assert active.key_id in capsys.readouterr().out


def test_rotate_issuer_key_command_names_an_unknown_organisation():
    with pytest.raises(CommandError, match="no organisation with the slug 'nope'"):
        call_command("rotate_issuer_key", "--org", "nope")
