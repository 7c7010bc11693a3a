"""The public page of an issued certificate: what it shows, its card tags, and the 404
that private, unknown and malformed ids share."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from laurel.certificates.services import award_correct, award_reinstate, award_revoke
from laurel.credentials.models import Credential
from laurel.verification.factories import make_award
from laurel.verification.models import RenderedFile
from laurel.verification.services import award_files_render, award_visibility_set

pytestmark = pytest.mark.django_db


class Meta(HTMLParser):
    """The page's <meta> tags, by property or name."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.tags: dict[str, str] = {}
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        key = found.get("property") or found.get("name")
        if tag == "meta" and key:
            self.tags[key] = found.get("content") or ""


def page_of(client, award) -> str:
    response = client.get(f"/c/{award.public_id}")
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_who_earned_what_from_whom_and_when(client):
    award = make_award(
        recipient="Grace Hopper",
        certificate="Mentor of the Year",
        organisation="Compilers Inc",
        program="Navy Mentoring",
    )
    page = page_of(client, award)
    assert "<h1" in page
    assert "Mentor of the Year" in page
    assert "Grace Hopper" in page
    assert "Compilers Inc" in page
    assert "Navy Mentoring" in page
    assert f"{award.issued_at:%-d %B %Y}" in page
    assert "Valid certificate" in page
    assert award.text in page


def test_it_shows_the_certificate_image_with_alt_text(client):
    award = make_award(recipient="Grace Hopper", certificate="Mentor of the Year")
    page = page_of(client, award)
    assert f'src="/c/{award.public_id}/preview.png"' in page
    assert 'alt="The certificate “Mentor of the Year” awarded to Grace Hopper' in page


def test_it_offers_pdf_and_image_downloads(client):
    award = make_award()
    page = page_of(client, award)
    assert f'href="/c/{award.public_id}.pdf" download' in page
    assert f'href="/c/{award.public_id}.png" download' in page


def test_links_to_rendered_files_carry_their_content_hash(client):
    award = make_award()
    files = {f.kind: f for f in award_files_render(award=award)}
    page = page_of(client, award)
    assert f"/c/{award.public_id}.pdf?v={files['pdf'].version_tag}" in page
    assert f"/c/{award.public_id}/preview.png?v={files['preview'].version_tag}" in page


def test_it_has_open_graph_and_twitter_card_tags(client, settings):
    settings.SITE_URL = "https://laurel.example"
    award = make_award(recipient="Grace Hopper", certificate="Mentor of the Year")
    tags = Meta(page_of(client, award)).tags
    url = f"https://laurel.example/c/{award.public_id}"
    assert tags["og:title"] == "Mentor of the Year awarded to Grace Hopper"
    assert "Grace Hopper earned the Mentor of the Year" in tags["og:description"]
    assert tags["og:url"] == url
    assert tags["og:image"] == f"{url}.png"
    assert (tags["og:image:width"], tags["og:image:height"]) == ("1200", "627")
    assert "Grace Hopper" in tags["og:image:alt"]
    assert tags["twitter:card"] == "summary_large_image"
    assert tags["twitter:image"] == f"{url}.png"


def test_card_image_url_answers_with_the_card(client, settings):
    settings.SITE_URL = "http://testserver"
    award = make_award()
    award_files_render(award=award)
    image = Meta(page_of(client, award)).tags["og:image"]
    response = client.get(image.removeprefix("http://testserver"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"


def test_names_are_shown_literally(client):
    award = make_award(recipient='<script>alert("x")</script> & Co', certificate="<b>Best</b>")
    page = page_of(client, award)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in page
    assert "&lt;b&gt;Best&lt;/b&gt;" in page


def test_revoked_certificate_says_so_with_the_date_and_no_reason(client):
    award = make_award()
    award = award_revoke(award=award, by=None, reason="Internal note: duplicate record.")
    page = page_of(client, award)
    assert "This certificate was revoked" in page
    assert f"{award.revoked_at:%-d %B %Y}" in page
    assert "Valid certificate" not in page
    # The admin did not choose to publish the reason.
    assert "duplicate record" not in page


def test_revoked_certificate_shows_the_reason_when_the_admin_made_it_public(client):
    award = make_award()
    award_revoke(
        award=award, by=None, reason="Awarded <by mistake> & withdrawn.", public_reason=True
    )
    page = page_of(client, award)
    assert "This certificate was revoked" in page
    assert "Reason given by the issuer: Awarded &lt;by mistake&gt; &amp; withdrawn." in page


def test_reinstated_certificate_is_valid_again_at_the_same_address(client):
    award = make_award()
    award_revoke(award=award, by=None, reason="Wrong person", public_reason=True)
    award_reinstate(award=award, by=None, reason="It was the right person after all")
    page = page_of(client, award)
    assert "Valid certificate" in page
    assert "This certificate was revoked" not in page
    assert "Wrong person" not in page


def test_corrected_certificate_shows_the_new_version(client):
    award = make_award(recipient="Ada Lovelance")
    award_correct(
        award=award, by=None, recipient_name="Ada Lovelace", reason="The name was misspelt"
    )
    page = page_of(client, award)
    assert "Ada Lovelace" in page
    assert "Lovelance" not in page


def test_private_unknown_and_malformed_ids_get_the_same_404(client):
    private = make_award()
    award_visibility_set(award=private, by=private.user, is_public=False)
    answers = [
        client.get(f"/c/{private.public_id}"),
        client.get("/c/" + "0" * 32),
        client.get("/c/not-an-id"),
        client.get("/c/%00%FF"),
        client.get("/c/" + "A" * 500),
        client.get(f"/c/{private.public_id}.pdf"),
    ]
    assert [a.status_code for a in answers] == [404] * len(answers)
    # Identical but for the nonce every page gets for its inline script.
    assert len({re.sub(rb'nonce="[^"]*"', b"", a.content) for a in answers}) == 1
    assert "Certificate not found" in answers[0].content.decode()


def test_private_unknown_and_malformed_ids_are_looked_up_alike(client):
    private = make_award()
    award_visibility_set(award=private, by=private.user, is_public=False)
    counts = []
    for public_id in (private.public_id, "0" * 32, "not-an-id"):
        with CaptureQueriesContext(connection) as queries:
            client.get(f"/c/{public_id}")
        counts.append(len(queries))
    assert counts == [1, 1, 1]


def test_public_page_needs_five_queries_at_most(client, django_assert_max_num_queries):
    award = make_award()
    award_files_render(award=award)
    # The certificate and its files, then its credential, the issuer's key and the
    # status list: the signature itself is not checked again while it is remembered.
    with django_assert_max_num_queries(5):
        page_of(client, award)


def test_revoked_certificate_page_needs_one_query_more(client, django_assert_max_num_queries):
    award = make_award()
    award_files_render(award=award)
    award_revoke(award=award, by=None, reason="Issued by mistake")
    # Why the bit is set (revoked, or replaced by a correction) and since when.
    with django_assert_max_num_queries(6):
        page_of(client, award)


def test_it_refuses_post(client):
    award = make_award()
    assert client.post(f"/c/{award.public_id}").status_code == 405


def test_visitors_do_not_see_the_share_tools(client):
    award = make_award()
    page = page_of(client, award)
    assert "linkedin.com" not in page
    assert "Make private" not in page


def test_another_signed_in_person_gets_404_for_a_private_certificate(client):
    award = make_award()
    other = make_award()
    award_visibility_set(award=award, by=award.user, is_public=False)
    client.force_login(other.user)
    assert client.get(f"/c/{award.public_id}").status_code == 404


def test_files_rendered_are_those_of_the_current_version(client):
    award = make_award()
    new = award_correct(
        award=award, by=None, recipient_name="Ada King", reason="The name was misspelt"
    )
    client.get(f"/c/{award.public_id}.pdf")
    assert RenderedFile.objects.get().award_id == new.pk


def test_it_shows_the_credentials_verification_in_plain_words(client):
    award = make_award(organisation="Analytical Engines Ltd")
    page = page_of(client, award)
    credential = Credential.objects.select_related("issuer_key").get(award=award)

    assert "Signature valid" in page
    assert "Issued by Analytical Engines Ltd" in page
    assert credential.document["issuer"]["id"] in page
    assert credential.issuer_key.key_id in page
    assert "Status: valid" in page
    assert f'href="/c/{award.public_id}/credential.json"' in page
    assert 'href="/verify"' in page


def test_revoked_certificate_verification_gives_the_date(client):
    award = make_award()
    award_revoke(award=award, by=None, reason="Issued by mistake")
    award.refresh_from_db()

    page = page_of(client, award)

    assert f"Status: revoked on {award.revoked_at:%-d %B %Y}" in page
    assert "is genuine, but its issuer has revoked it" in page
    assert "Status: valid" not in page


def test_corrected_certificate_verification_says_the_old_version_is_withdrawn(client):
    award = make_award(recipient="Ada Lovelce")
    new = award_correct(
        award=award, by=None, recipient_name="Ada Lovelace", reason="The name was misspelt"
    )

    page = page_of(client, new)

    assert "Status: valid" in page
    assert "This is a corrected version" in page


def test_a_credential_changed_after_signing_shows_as_not_valid_even_when_seen_before(client):
    award = make_award(recipient="Ada Lovelace")
    assert "Signature valid" in page_of(client, award)
    credential = Credential.objects.get(award=award)
    credential.document["credentialSubject"]["identifier"][0]["identityHash"] = "Mallory"
    credential.save()

    page = page_of(client, award)

    assert "Signature not valid" in page
    assert "does not check out" in page
