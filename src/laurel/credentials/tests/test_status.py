from __future__ import annotations

import copy
import gzip

import pytest
from django.db import transaction

from laurel.certificates.models import IssuedCertificate
from laurel.certificates.services import award_correct, award_reinstate, award_revoke
from laurel.credentials.models import STATUS_LIST_SIZE, Credential
from laurel.credentials.multibase import multibase_decode
from laurel.credentials.services import credential_for, status_list_signed
from laurel.credentials.verification import credential_verify

pytestmark = pytest.mark.django_db


def _published_bit(award: IssuedCertificate) -> bool:
    """The award's bit as the signed status list publishes it."""
    credential = Credential.objects.select_related("status_list__organisation").get(award=award)
    document = status_list_signed(status_list=credential.status_list)
    bits = gzip.decompress(multibase_decode(document["credentialSubject"]["encodedList"]))
    index = credential.status_index
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def test_status_entry_points_at_a_large_list_of_the_organisation(make_award, settings):
    settings.SITE_URL = "https://laurel.example"
    award = make_award()
    entry = credential_for(award)["credentialStatus"]

    slug = award.program.organisation.slug
    assert entry["type"] == "BitstringStatusListEntry"
    assert entry["statusPurpose"] == "revocation"
    assert entry["statusListCredential"] == f"https://laurel.example/o/{slug}/status/1"
    assert 0 <= int(entry["statusListIndex"]) < STATUS_LIST_SIZE
    assert STATUS_LIST_SIZE >= 131_072
    assert entry["id"] == f"{entry['statusListCredential']}#{entry['statusListIndex']}"


def test_indexes_are_random_and_distinct(make_award):
    first = make_award()
    organisation = first.program.organisation
    awards = [first] + [make_award(organisation=organisation) for _ in range(5)]

    indexes = [int(credential_for(a)["credentialStatus"]["statusListIndex"]) for a in awards]

    assert len(set(indexes)) == 6
    # Allocated in order they would be 0..5; random ones spread over the whole list.
    assert max(indexes) > 1000


def test_revoking_sets_the_bit_in_the_same_transaction(make_award):
    award = make_award()
    document = credential_for(award)
    assert _published_bit(award) is False

    award_revoke(award=award, by=None, reason="Issued by mistake")

    assert _published_bit(award) is True
    checks = {c.check: c for c in credential_verify(document).checks}
    assert not checks["status"].ok
    assert "revoked" in checks["status"].detail


def test_a_revocation_that_rolls_back_leaves_the_bit_clear(make_award):
    award = make_award()
    credential_for(award)

    def revoke_then_fail() -> None:
        with transaction.atomic():
            award_revoke(award=award, by=None, reason="Issued by mistake")
            raise RuntimeError("the request failed after revoking")

    with pytest.raises(RuntimeError):
        revoke_then_fail()

    assert _published_bit(award) is False


def test_a_credential_first_built_after_revocation_starts_with_its_bit_set(make_award):
    award = make_award()
    award_revoke(award=award, by=None, reason="Issued by mistake")
    award.refresh_from_db()

    document = credential_for(award)

    assert _published_bit(award) is True
    assert not credential_verify(document).verified


def test_reinstating_clears_the_bit(make_award):
    award = make_award()
    document = credential_for(award)
    award_revoke(award=award, by=None, reason="Issued by mistake")
    assert _published_bit(award) is True

    award_reinstate(award=award, by=None, reason="Revoked the wrong certificate")

    assert _published_bit(award) is False
    assert credential_verify(document).verified


def test_a_correction_withdraws_the_old_version_and_the_new_one_verifies(make_award):
    award = make_award(name="Ada Lovelce")
    old_document = credential_for(award)

    new = award_correct(
        award=award, by=None, recipient_name="Ada Lovelace", reason="The name was misspelt"
    )
    new_document = credential_for(new)

    assert _published_bit(award) is True
    assert not credential_verify(old_document).verified
    assert credential_verify(new_document).verified
    assert new_document["credentialSubject"]["identifier"][0]["identityHash"] == "Ada Lovelace"
    assert new_document["id"] == old_document["id"]


def test_the_status_list_is_served_signed(make_award, client):
    award = make_award()
    credential_for(award)
    slug = award.program.organisation.slug

    response = client.get(f"/o/{slug}/status/1")

    assert response.status_code == 200
    document = response.json()
    assert document["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert document["credentialSubject"]["statusPurpose"] == "revocation"
    bits = gzip.decompress(multibase_decode(document["credentialSubject"]["encodedList"]))
    assert len(bits) * 8 == STATUS_LIST_SIZE
    assert credential_verify(document).checks[0].ok
    assert client.get(f"/o/{slug}/status/2").status_code == 404


@pytest.mark.parametrize("index", ["99999999999999999999", "\u00b2", "-1", "131072", ""])
def test_a_status_index_out_of_any_list_is_explained(make_award, index):
    document = copy.deepcopy(credential_for(make_award()))
    document["credentialStatus"]["statusListIndex"] = index

    checks = {c.check: c for c in credential_verify(document).checks}

    assert not checks["status"].ok
    assert checks["status"].detail == "The credential's status entry points nowhere."
