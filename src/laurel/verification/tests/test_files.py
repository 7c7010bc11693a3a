"""The PDF and PNG files of an issued certificate: rendered once, served with a strong
ETag and a long cache lifetime, new files for a new version."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from laurel.certificates.services import award_correct, award_revoke
from laurel.verification.factories import make_award
from laurel.verification.models import RenderedFile
from laurel.verification.services import award_visibility_set

pytestmark = pytest.mark.django_db


def stored_files(settings) -> list[str]:
    root = settings.MEDIA_ROOT / "certificates"
    return sorted(p.name for p in root.iterdir()) if root.exists() else []


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_pdf_is_a_pdf_rendered_once_and_stored(client, settings):
    award = make_award()

    first = client.get(f"/c/{award.public_id}.pdf")
    second = client.get(f"/c/{award.public_id}.pdf")

    assert first.status_code == second.status_code == 200
    assert first["Content-Type"] == "application/pdf"
    content = body(first)
    assert content.startswith(b"%PDF-")
    assert body(second) == content
    assert len(stored_files(settings)) == 1
    row = RenderedFile.objects.get(award=award, kind="pdf")
    assert row.sha256 == hashlib.sha256(content).hexdigest()
    with default_storage.open(row.name, "rb") as stored:
        assert stored.read() == content


def test_card_is_a_1200_by_627_png(client):
    award = make_award()
    response = client.get(f"/c/{award.public_id}.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(body(response))).size == (1200, 627)


def test_preview_is_a_landscape_png(client):
    award = make_award()
    response = client.get(f"/c/{award.public_id}/preview.png")
    assert response.status_code == 200
    width, height = Image.open(io.BytesIO(body(response))).size
    assert width == 1600
    assert width > height


def test_file_has_a_strong_etag_of_its_content(client):
    award = make_award()
    response = client.get(f"/c/{award.public_id}.png")
    assert response["ETag"] == f'"{hashlib.sha256(body(response)).hexdigest()}"'


def test_matching_if_none_match_answers_304_without_a_body(client):
    award = make_award()
    etag = client.get(f"/c/{award.public_id}.pdf")["ETag"]

    response = client.get(f"/c/{award.public_id}.pdf", HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    other = client.get(f"/c/{award.public_id}.pdf", HTTP_IF_NONE_MATCH='"stale"')
    assert other.status_code == 200


def test_url_with_the_content_hash_is_immutable(client):
    award = make_award()
    client.get(f"/c/{award.public_id}.pdf")
    tag = RenderedFile.objects.get(award=award, kind="pdf").sha256[:16]

    response = client.get(f"/c/{award.public_id}.pdf?v={tag}")

    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    # Shared caches may keep one copy for everyone.
    assert "Cookie" not in response.get("Vary", "")


def test_url_without_the_content_hash_is_revalidated_soon(client):
    # A correction serves new files at the same address, so only a hashed URL is forever.
    award = make_award()
    assert client.get(f"/c/{award.public_id}.pdf")["Cache-Control"] == "public, max-age=300"
    assert (
        client.get(f"/c/{award.public_id}.pdf?v=0000000000000000")["Cache-Control"]
        == "public, max-age=300"
    )


def test_pdf_is_offered_under_a_readable_file_name(client):
    award = make_award(recipient="Zoë Ng", certificate="Mentor of the Year")
    disposition = client.get(f"/c/{award.public_id}.pdf")["Content-Disposition"]
    assert disposition.startswith("inline;")
    assert "mentor-of-the-year-zoë-ng.pdf" in disposition.replace("%C3%AB", "ë")


def test_correction_gets_new_files_at_the_same_address(client, settings):
    award = make_award(recipient="Ada Lovelance")
    old = body(client.get(f"/c/{award.public_id}.png"))

    award_correct(
        award=award, by=None, recipient_name="Ada Lovelace", reason="The name was misspelt"
    )
    new = client.get(f"/c/{award.public_id}.png")

    assert new.status_code == 200
    assert body(new) != old
    assert len(stored_files(settings)) == 2
    assert RenderedFile.objects.filter(kind="card").count() == 2


def test_revocation_keeps_the_files(client, settings):
    award = make_award()
    before = client.get(f"/c/{award.public_id}.pdf")["ETag"]

    award_revoke(award=award, by=None, reason="Awarded by mistake.")
    after = client.get(f"/c/{award.public_id}.pdf")

    assert after.status_code == 200
    assert after["ETag"] == before
    assert len(stored_files(settings)) == 1


def test_private_certificate_files_are_not_found(client):
    award = make_award()
    award_visibility_set(award=award, by=award.user, is_public=False)
    for path in (".pdf", ".png", "/preview.png"):
        response = client.get(f"/c/{award.public_id}{path}")
        assert response.status_code == 404


def test_holder_gets_their_private_files_not_for_shared_caches(client):
    award = make_award()
    award_visibility_set(award=award, by=award.user, is_public=False)
    client.force_login(award.user)

    response = client.get(f"/c/{award.public_id}.pdf")

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-cache"


def test_files_refuse_post(client):
    award = make_award()
    assert client.post(f"/c/{award.public_id}.pdf").status_code == 405


def test_a_file_lost_from_storage_is_rendered_again(client, settings):
    award = make_award()
    assert client.get(f"/c/{award.public_id}.pdf").status_code == 200
    default_storage.delete(RenderedFile.objects.get(award=award, kind="pdf").name)

    again = client.get(f"/c/{award.public_id}.pdf")

    assert again.status_code == 200
    assert body(again).startswith(b"%PDF-")
    assert again["ETag"] == f'"{RenderedFile.objects.get(award=award, kind="pdf").sha256}"'
    assert len(stored_files(settings)) == 1
