"""The public page of an issued badge: what it shows, its card tags, its image, and the
404 that hidden, unknown and malformed ids share."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from laurel.badges.models import IssuedBadge
from laurel.badges.services import (
    badge_award_reinstate,
    badge_award_revoke,
    badge_award_visibility,
)
from laurel.credentials.services import badge_credential_for
from laurel.rendering import png_text
from laurel.testing_images import png_bytes
from laurel.verification.badge_services import badge_file_ensure
from laurel.verification.factories import make_badge_award
from laurel.verification.models import BadgeFile
from laurel.verification.tests.test_public_page import Meta

pytestmark = pytest.mark.django_db


def page_of(client, award) -> str:
    response = client.get(f"/b/{award.public_id}")
    assert response.status_code == 200
    return response.content.decode()


def revoke(award: IssuedBadge, *, reason: str, public_reason: bool = False) -> IssuedBadge:
    return badge_award_revoke(award=award, by=None, reason=reason, public_reason=public_reason)


def hide(award: IssuedBadge) -> IssuedBadge:
    return badge_award_visibility(award=award, user=award.user, is_public=False)


def test_it_shows_who_earned_which_badge_from_whom_when_and_for_what(client):
    award = make_badge_award(
        recipient="Grace Hopper",
        badge="Super Mentor",
        organisation="Compilers Inc",
        description="For the people who keep showing up.",
        threshold=2,
    )
    page = page_of(client, award)
    assert '<h1 id="credential-heading" class="credential__name">Super Mentor</h1>' in page
    assert "Grace Hopper" in page
    assert "Compilers Inc" in page
    assert f"{award.issued_at:%-d %B %Y}" in page
    assert "Valid badge" in page
    assert "Mentored 2 completed mentorship sessions in 1:1 programs of Compilers Inc." in page
    assert "For the people who keep showing up." in page


def test_it_shows_the_badge_image_with_alt_text_and_offers_it_and_the_credential(client):
    award = make_badge_award(badge="Connector", organisation="Compilers Inc")
    page = page_of(client, award)
    assert f'src="/b/{award.public_id}.png"' in page
    assert 'alt="The badge “Connector” of Compilers Inc."' in page
    assert f'href="/b/{award.public_id}.png" download' in page
    assert f'href="/b/{award.public_id}/credential.json" download="credential.json"' in page


def test_it_has_open_graph_and_twitter_card_tags(client, settings):
    settings.SITE_URL = "https://laurel.example"
    award = make_badge_award(recipient="Grace Hopper", badge="Super Mentor")
    tags = Meta(page_of(client, award)).tags
    url = f"https://laurel.example/b/{award.public_id}"
    assert tags["og:title"] == "Super Mentor badge earned by Grace Hopper"
    assert "Grace Hopper earned the Super Mentor badge" in tags["og:description"]
    assert tags["og:url"] == url
    assert tags["og:image"] == f"{url}/card.png"
    assert (tags["og:image:width"], tags["og:image:height"]) == ("1200", "627")
    assert "Grace Hopper" in tags["og:image:alt"]
    assert tags["twitter:card"] == "summary_large_image"
    assert tags["twitter:image"] == f"{url}/card.png"


def test_hostile_names_are_shown_literally(client):
    award = make_badge_award(
        recipient='<script>alert("x")</script> & Co',
        badge="<b>Best</b> {{ badge }}",
        organisation="</style><img src=x onerror=alert(1)>",
        description="<i>not italic</i>",
    )
    page = page_of(client, award)
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in page
    assert "&lt;b&gt;Best&lt;/b&gt; {{ badge }}" in page
    assert "&lt;/style&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;i&gt;not italic&lt;/i&gt;" in page


def test_the_image_is_a_square_emblem_carrying_the_signed_credential(client):
    award = make_badge_award(badge="Super Mentor")
    response = client.get(f"/b/{award.public_id}.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    data = b"".join(response.streaming_content)
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (1200, 1200)
        # The emblem is a disc: its corners are transparent, its middle is the colour.
        corner = image.convert("RGBA").getpixel((5, 5))
        assert isinstance(corner, tuple) and corner[3] == 0
    baked = png_text(data, keyword="openbadgecredential")
    assert baked is not None and json.loads(baked) == badge_credential_for(award)


def test_the_image_is_the_uploaded_picture_when_the_badge_has_one(client):
    award = make_badge_award(image=png_bytes(80, 80, "#C0392B"))
    response = client.get(f"/b/{award.public_id}.png")
    data = b"".join(response.streaming_content)
    with Image.open(io.BytesIO(data)) as image:
        # The upload fills the square: its middle and its corners are its own red (within
        # what compressing it for print changes).
        for point in ((600, 600), (10, 10), (1190, 1190)):
            pixel = image.convert("RGB").getpixel(point)
            assert isinstance(pixel, tuple)
            assert all(abs(a - b) <= 3 for a, b in zip(pixel, (0xC0, 0x39, 0x2B), strict=True))


def test_the_share_card_is_1200_by_627(client):
    award = make_badge_award()
    response = client.get(f"/b/{award.public_id}/card.png")
    assert response.status_code == 200
    with Image.open(io.BytesIO(b"".join(response.streaming_content))) as image:
        assert image.size == (1200, 627)


def test_files_are_drawn_once_and_then_served_from_storage(client):
    award = make_badge_award()
    first = badge_file_ensure(award=award, kind=BadgeFile.Kind.IMAGE)
    again = badge_file_ensure(award=award, kind=BadgeFile.Kind.IMAGE)
    assert (again.pk, again.name, again.sha256) == (first.pk, first.name, first.sha256)
    page = page_of(client, award)
    assert f"/b/{award.public_id}.png?v={first.version_tag}" in page
    response = client.get(f"/b/{award.public_id}.png?v={first.version_tag}")
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert client.get(f"/b/{award.public_id}.png", HTTP_IF_NONE_MATCH=first.etag).status_code == 304


def test_a_lost_file_is_drawn_again(client):
    award = make_badge_award()
    rendered = badge_file_ensure(award=award, kind=BadgeFile.Kind.CARD)
    default_storage.delete(rendered.name)
    response = client.get(f"/b/{award.public_id}/card.png")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_revoked_badge_says_so_with_the_date_and_no_reason(client):
    award = revoke(make_badge_award(), reason="Internal note: duplicate record.")
    page = page_of(client, award)
    assert "This badge was revoked" in page
    assert f"{award.revoked_at:%-d %B %Y}" in page
    assert "Valid badge" not in page
    assert "duplicate record" not in page
    # The credential's status says so too, as any verifier finds it.
    assert "Status: revoked on" in page
    assert (
        "The signed credential behind this page is genuine, but its issuer has revoked it." in page
    )


def test_revoked_badge_shows_the_reason_when_the_admin_made_it_public(client):
    award = make_badge_award()
    badge_credential_for(award)
    revoke(award, reason="Awarded <by mistake> & withdrawn.", public_reason=True)
    page = page_of(client, award)
    assert "Reason given by the issuer: Awarded &lt;by mistake&gt; &amp; withdrawn." in page


def test_hidden_unknown_and_malformed_ids_get_the_same_404(client):
    hidden = hide(make_badge_award())
    answers = [
        client.get(f"/b/{hidden.public_id}"),
        client.get("/b/" + "0" * 32),
        client.get("/b/not-an-id"),
        client.get("/b/%00%FF"),
        client.get("/b/" + "A" * 500),
        client.get(f"/b/{hidden.public_id}.png"),
        client.get(f"/b/{hidden.public_id}/card.png"),
    ]
    assert [a.status_code for a in answers] == [404] * len(answers)
    assert len({re.sub(rb'nonce="[^"]*"', b"", a.content) for a in answers}) == 1
    assert "Badge not found" in answers[0].content.decode()
    assert client.get(f"/b/{hidden.public_id}/credential.json").status_code == 404


def test_hidden_unknown_and_malformed_ids_are_looked_up_alike(client):
    hidden = hide(make_badge_award())
    counts = []
    for public_id in (hidden.public_id, "0" * 32, "not-an-id"):
        with CaptureQueriesContext(connection) as queries:
            client.get(f"/b/{public_id}")
        counts.append(len(queries))
    assert counts == [1, 1, 1]


def test_the_holder_sees_their_hidden_badge_and_others_do_not(client):
    award = hide(make_badge_award())
    client.force_login(award.user)
    page = page_of(client, award)
    assert "This badge is hidden." in page
    other = make_badge_award(recipient="Someone Else")
    client.force_login(other.user)
    assert client.get(f"/b/{award.public_id}").status_code == 404


def test_the_holder_gets_the_share_tools_and_visitors_do_not(client, settings):
    settings.SITE_URL = "http://testserver"
    award = make_badge_award()
    assert "linkedin.com" not in page_of(client, award)
    client.force_login(award.user)
    page = page_of(client, award)
    assert "Share your badge" in page
    assert "https://www.linkedin.com/sharing/share-offsite/?url=" in page
    assert "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME" in page
    assert f'data-copy="http://testserver/b/{award.public_id}"' in page


def test_public_page_needs_five_queries_at_most(client, django_assert_max_num_queries):
    award = make_badge_award()
    badge_file_ensure(award=award, kind=BadgeFile.Kind.IMAGE)
    # The badge and its files, then its credential, the issuer's key and the status list:
    # the signature is not checked again while it is remembered.
    page_of(client, award)
    with django_assert_max_num_queries(5):
        page_of(client, award)


def test_revoked_badge_page_needs_one_query_more(client, django_assert_max_num_queries):
    award = make_badge_award()
    badge_credential_for(award)
    revoke(award, reason="Issued by mistake")
    page_of(client, award)
    with django_assert_max_num_queries(6):
        page_of(client, award)


def test_it_refuses_post(client):
    award = make_badge_award()
    assert client.post(f"/b/{award.public_id}").status_code == 405


def test_the_holder_hides_their_badge_and_shows_it_again(client):
    award = make_badge_award()
    client.force_login(award.user)
    assert "Anyone with the link can see this page." in page_of(client, award)
    response = client.post(f"/b/{award.public_id}/visibility", {"is_public": "0"})
    assert response.status_code == 302
    assert "This badge is hidden." in page_of(client, award)
    client.logout()
    assert client.get(f"/b/{award.public_id}").status_code == 404
    assert client.get(f"/b/{award.public_id}.png").status_code == 404
    client.force_login(award.user)
    client.post(f"/b/{award.public_id}/visibility", {"is_public": "1"})
    client.logout()
    assert client.get(f"/b/{award.public_id}").status_code == 200


def test_nobody_else_can_hide_a_badge(client):
    award = make_badge_award()
    other = make_badge_award(recipient="Someone Else")
    client.force_login(other.user)
    response = client.post(f"/b/{award.public_id}/visibility", {"is_public": "0"})
    assert response.status_code == 404
    client.logout()
    assert client.post(f"/b/{award.public_id}/visibility", {"is_public": "0"}).status_code == 404
    award.refresh_from_db()
    assert award.is_public is True


def test_reinstated_badge_is_valid_again_with_its_credential(client):
    award = make_badge_award()
    badge_credential_for(award)
    badge_award_reinstate(award=revoke(award, reason="Mistake"), by=None)
    page = page_of(client, award)
    assert "Valid badge" in page
    assert "Status: valid" in page
    assert "This badge was revoked" not in page


def test_a_revoked_badge_offers_its_holder_no_sharing(client):
    award = revoke(make_badge_award(), reason="Issued by mistake")
    client.force_login(award.user)
    page = page_of(client, award)
    assert "A revoked badge cannot be shared" in page
    assert "linkedin.com" not in page
    assert "Copy link" not in page


def test_the_verify_page_reads_the_credential_baked_into_the_badge_image(client):
    award = make_badge_award()
    image = badge_file_ensure(award=award, kind=BadgeFile.Kind.IMAGE)
    with default_storage.open(image.name, "rb") as stored:
        upload = SimpleUploadedFile("badge.png", stored.read(), content_type="image/png")
    page = client.post("/verify", {"file": upload}).content.decode()
    assert "This credential is genuine and valid." in page


def test_files_are_served_in_two_queries_once_drawn(client, django_assert_max_num_queries):
    award = make_badge_award()
    for kind in BadgeFile.Kind:
        badge_file_ensure(award=award, kind=kind)
    # The badge, then its file.
    with django_assert_max_num_queries(2):
        assert client.get(f"/b/{award.public_id}.png").status_code == 200
    with django_assert_max_num_queries(2):
        assert client.get(f"/b/{award.public_id}/card.png").status_code == 200
