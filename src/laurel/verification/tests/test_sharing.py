"""Sharing, for the holder: on the public page and on the activity page."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from laurel.certificates.services import award_revoke
from laurel.verification.factories import make_award
from laurel.verification.selectors import sharing
from laurel.verification.services import award_visibility_set

pytestmark = pytest.mark.django_db


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


def test_linkedin_post_link_carries_the_public_url(settings):
    settings.SITE_URL = "https://laurel.example"
    award = make_award()
    link = sharing(award=award).linkedin_post_url
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https",
        "www.linkedin.com",
        "/sharing/share-offsite/",
    )
    assert query(link) == {"url": [f"https://laurel.example/c/{award.public_id}"]}


def test_add_to_profile_link_carries_exactly_the_certification_fields(settings):
    settings.SITE_URL = "https://laurel.example"
    award = make_award(certificate="Mentor & Guide: 10/10 #1", organisation="Ünïcode Ltd")
    link = sharing(award=award).linkedin_add_url
    parts = urlsplit(link)
    assert (parts.netloc, parts.path) == ("www.linkedin.com", "/profile/add")
    assert query(link) == {
        "startTask": ["CERTIFICATION_NAME"],
        "name": ["Mentor & Guide: 10/10 #1"],
        "organizationName": ["Ünïcode Ltd"],
        "issueYear": [str(award.issued_at.year)],
        "issueMonth": [str(award.issued_at.month)],
        "certUrl": [f"https://laurel.example/c/{award.public_id}"],
        "certId": [award.public_id],
    }


def test_holder_sees_share_tools_and_fields_on_the_public_page(client):
    award = make_award(certificate="Mentor of the Year")
    client.force_login(award.user)
    page = client.get(f"/c/{award.public_id}").content.decode()
    assert "Share your certificate" in page
    assert "Copy link" in page
    assert "https://www.linkedin.com/sharing/share-offsite/?url=" in page
    assert "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME" in page
    assert "Details for your LinkedIn profile" in page
    assert f'<span class="fields__value">{award.public_id}</span>' in page
    assert "Make private" in page


def test_activity_page_offers_sharing_for_each_valid_certificate(client):
    award = make_award(certificate="Mentor of the Year")
    client.force_login(award.user)
    page = client.get("/").content.decode()
    assert f'href="/c/{award.public_id}"' in page
    assert f'href="/c/{award.public_id}.pdf" download' in page
    assert f'href="/c/{award.public_id}.png" download' in page
    assert "Copy link" in page
    assert "Add to LinkedIn profile" in page


def test_activity_page_offers_no_sharing_for_a_revoked_certificate(client):
    award = make_award()
    award_revoke(award=award, by=None, reason="Awarded by mistake.")
    client.force_login(award.user)
    page = client.get("/").content.decode()
    assert "Copy link" not in page
    assert f"/c/{award.public_id}.pdf" not in page


def test_holder_makes_it_private_and_public_again(client):
    award = make_award()
    client.force_login(award.user)

    response = client.post(f"/c/{award.public_id}/visibility", {"is_public": "0"})

    assert response.status_code == 302
    assert response["Location"] == f"/c/{award.public_id}"
    award.refresh_from_db()
    assert not award.is_public
    page = client.get(f"/c/{award.public_id}").content.decode()
    assert "This certificate is private." in page
    assert "Make public" in page
    client.logout()
    assert client.get(f"/c/{award.public_id}").status_code == 404

    client.force_login(award.user)
    client.post(f"/c/{award.public_id}/visibility", {"is_public": "1"})
    client.logout()
    assert client.get(f"/c/{award.public_id}").status_code == 200


def test_nobody_else_can_change_visibility(client):
    award = make_award()
    other = make_award()
    client.force_login(other.user)
    assert client.post(f"/c/{award.public_id}/visibility", {"is_public": "0"}).status_code == 404
    client.logout()
    assert client.post(f"/c/{award.public_id}/visibility", {"is_public": "0"}).status_code == 404
    award.refresh_from_db()
    assert award.is_public


def test_visibility_is_kept_by_a_correction(client):
    from laurel.certificates.services import award_correct

    award = make_award()
    award_visibility_set(award=award, by=award.user, is_public=False)
    award_correct(award=award, by=None, recipient_name="Ada King", reason="The name was misspelt")
    assert client.get(f"/c/{award.public_id}").status_code == 404


def test_activity_page_says_when_a_certificate_is_private(client):
    award = make_award()
    award_visibility_set(award=award, by=award.user, is_public=False)
    client.force_login(award.user)
    page = client.get("/").content.decode()
    assert "Private: only you can see its page." in page
    assert "Post on LinkedIn" not in page
