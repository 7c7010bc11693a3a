"""The Open Badges 3.0 credential of an issued badge: an AchievementCredential with the
badge as its Achievement, signed like certificates' credentials and on the same status
lists, checked by Laurel's own verifier and by a third party's."""

from __future__ import annotations

import copy
import gzip
import json

import pytest
from django.db import transaction

from laurel.badges.models import BadgeDefinition, IssuedBadge
from laurel.badges.services import badge_award_reinstate, badge_award_revoke
from laurel.certificates.services import award_revoke
from laurel.credentials.documents import identity_hash
from laurel.credentials.factories import make_badge_award
from laurel.credentials.models import BadgeCredential, Credential
from laurel.credentials.multibase import multibase_decode
from laurel.credentials.services import badge_credential_for, credential_for, status_list_signed
from laurel.credentials.tests.test_schema import _validate
from laurel.credentials.tests.third_party import third_party_verify
from laurel.credentials.verification import credential_verify

pytestmark = pytest.mark.django_db


def _published_bit(award: IssuedBadge) -> bool:
    """The badge's bit as the signed status list publishes it."""
    credential = BadgeCredential.objects.select_related("status_list__organisation").get(
        award=award
    )
    document = status_list_signed(status_list=credential.status_list)
    bits = gzip.decompress(multibase_decode(document["credentialSubject"]["encodedList"]))
    index = credential.status_index
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def test_the_badge_is_the_achievement_of_an_achievement_credential(settings):
    settings.SITE_URL = "https://laurel.example"
    award = make_badge_award(
        recipient="Grace Hopper",
        badge="Super Mentor",
        organisation="Compilers Inc",
        email="grace@example.org",
        threshold=2,
    )
    document = badge_credential_for(award)

    assert document["type"] == ["VerifiableCredential", "AchievementCredential"]
    assert document["id"] == f"https://laurel.example/b/{award.public_id}/credential.json"
    assert document["issuer"]["name"] == "Compilers Inc"
    achievement = document["credentialSubject"]["achievement"]
    assert achievement["name"] == "Super Mentor"
    assert achievement["achievementType"] == "Badge"
    assert achievement["criteria"]["narrative"] == (
        "Mentored 2 completed mentorship sessions in 1:1 programs of Compilers Inc."
    )
    assert achievement["image"] == {
        "id": f"https://laurel.example/b/{award.public_id}.png",
        "type": "Image",
    }
    name, email = document["credentialSubject"]["identifier"]
    assert name["identityHash"] == "Grace Hopper"
    assert email["identityHash"] == identity_hash("grace@example.org", email["salt"])
    assert document["proof"]["type"] == "DataIntegrityProof"
    _validate(document)


def test_it_is_built_once_and_checks_out():
    award = make_badge_award()
    document = badge_credential_for(award)
    assert badge_credential_for(award) == document
    assert BadgeCredential.objects.filter(award=award).count() == 1
    result = credential_verify(document)
    assert result.verified, result.checks
    assert result.standing is not None and result.standing.state == "valid"


def test_it_is_served_publicly_and_not_once_hidden(client):
    award = make_badge_award()
    response = client.get(f"/b/{award.public_id}/credential.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vc+ld+json"
    assert response.json() == badge_credential_for(award)
    IssuedBadge.objects.filter(pk=award.pk).update(is_public=False)
    assert client.get(f"/b/{award.public_id}/credential.json").status_code == 404


def test_revoking_sets_the_bit_and_reinstating_clears_it_in_the_same_transaction():
    award = make_badge_award()
    document = badge_credential_for(award)
    assert _published_bit(award) is False

    award = badge_award_revoke(award=award, by=None, reason="Issued by mistake")
    assert _published_bit(award) is True
    result = credential_verify(document)
    assert result.verified is False
    assert result.standing is not None and result.standing.state == "revoked"
    assert result.standing.since == award.revoked_at

    badge_award_reinstate(award=award, by=None)
    assert _published_bit(award) is False
    assert credential_verify(document).verified is True


def test_a_revocation_that_rolls_back_leaves_the_bit_clear():
    award = make_badge_award()
    badge_credential_for(award)

    def revoke_then_fail() -> None:
        with transaction.atomic():
            badge_award_revoke(award=award, by=None, reason="Issued by mistake")
            raise RuntimeError("the request failed after revoking")

    with pytest.raises(RuntimeError):
        revoke_then_fail()

    assert _published_bit(award) is False


def test_a_credential_first_built_after_revocation_starts_with_its_bit_set():
    award = make_badge_award()
    badge_award_revoke(award=award, by=None, reason="Issued by mistake")
    badge_credential_for(award)
    assert _published_bit(award) is True


def test_badges_and_certificates_share_the_status_lists_without_sharing_a_bit(make_award):
    certificate = make_award()
    organisation = certificate.program.organisation
    credential_for(certificate)
    badge = make_badge_award()
    # make_organisation gives each call its own organisation; move the badge into the
    # certificate's, as if it had been earned there.
    BadgeDefinition.objects.filter(pk=badge.badge_id).update(organisation=organisation)
    badge.refresh_from_db()
    badge_credential_for(badge)
    cert_entry = Credential.objects.get(award=certificate)
    badge_entry = BadgeCredential.objects.get(award=badge)
    assert badge_entry.status_list_id == cert_entry.status_list_id
    assert badge_entry.status_index != cert_entry.status_index

    award_revoke(award=certificate, by=None, reason="Issued by mistake")
    assert _published_bit(badge) is False
    badge_award_revoke(award=badge, by=None, reason="Issued by mistake")
    assert _published_bit(badge) is True


def test_the_verify_endpoint_and_page_accept_a_badge_credential(client):
    award = make_badge_award()
    document = badge_credential_for(award)
    response = client.post("/api/v1/verify", json.dumps(document), content_type="application/json")
    assert response.status_code == 200
    assert response.json()["verified"] is True

    page = client.post("/verify", {"credential": json.dumps(document)}).content.decode()
    assert "This credential is genuine and valid." in page

    badge_award_revoke(award=award, by=None, reason="Issued by mistake")
    page = client.post("/verify", {"credential": json.dumps(document)}).content.decode()
    assert "This credential does not check out." in page
    assert "The issuer revoked this credential on" in page


HOSTILE_NAMES = [
    ("Zoë Ångström-Núñez", "Crème brûlée"),
    ("فاطمة الزهراء", "مرشد متميز"),
    ("王小明", "超级导师"),
    ('O\'Brien "The <b>Bold</b>" \\ Smith', '#read("/etc/passwd") *bold* <script>'),
]


@pytest.mark.parametrize(("name", "badge"), HOSTILE_NAMES)
def test_third_party_verifier_accepts_badge_credentials_with_any_names(tmp_path, name, badge):
    award = make_badge_award(recipient=name, badge=badge)
    report = third_party_verify(
        tmp_path, badge_credential_for(award), slug=award.badge.organisation.slug
    )
    assert report == {
        "verified": True,
        "signature": True,
        "status": {"verified": True, "revoked": False},
        "errors": [],
    }


def test_third_party_verifier_rejects_a_tampered_badge_credential(tmp_path):
    award = make_badge_award()
    document = copy.deepcopy(badge_credential_for(award))
    document["credentialSubject"]["achievement"]["name"] = "Grand Master Mentor (forged)"
    report = third_party_verify(tmp_path, document, slug=award.badge.organisation.slug)
    assert report["verified"] is False
    assert report["signature"] is False


def test_third_party_verifier_sees_a_badge_revocation_in_the_status_list(tmp_path):
    award = make_badge_award()
    document = badge_credential_for(award)
    slug = award.badge.organisation.slug
    assert third_party_verify(tmp_path, document, slug=slug)["verified"] is True

    badge_award_revoke(award=award, by=None, reason="Issued by mistake")

    report = third_party_verify(tmp_path, document, slug=slug)
    assert report["signature"] is True
    assert report["status"] == {"verified": True, "revoked": True}
    assert report["verified"] is False


def test_the_credential_is_served_in_two_queries_once_built(client, django_assert_max_num_queries):
    award = make_badge_award()
    badge_credential_for(award)
    # The badge (with its organisation and recipient), then its credential.
    with django_assert_max_num_queries(2):
        assert client.get(f"/b/{award.public_id}/credential.json").status_code == 200
