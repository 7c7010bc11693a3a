"""The files of a certificate carry its signed credential: the PNGs in an ``iTXt`` chunk
(``openbadgecredential``, as Open Badges bakes), the PDF as an attachment. Taken out of
the files as served, it verifies in Laurel and in Digital Bazaar's verifier."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfReader

from laurel.certificates.services import award_correct, award_revoke
from laurel.credentials.services import status_set
from laurel.credentials.tests.third_party import third_party_verify
from laurel.credentials.verification import credential_verify
from laurel.rendering import png_text
from laurel.verification.factories import make_award
from laurel.verification.models import RenderedFile

pytestmark = pytest.mark.django_db


def served(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def baked_in_png(data: bytes) -> dict:
    text = png_text(data, keyword="openbadgecredential")
    assert text is not None
    # Pillow, which checks each chunk's CRC, reads the same chunk.
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        assert image.info["openbadgecredential"] == text
    return json.loads(text)


def baked_in_pdf(data: bytes) -> dict:
    attachments = PdfReader(io.BytesIO(data)).attachments
    assert list(attachments) == ["credential.json"]
    (content,) = attachments["credential.json"]
    return json.loads(content)


def served_credential(client, award) -> dict:
    response = client.get(f"/c/{award.public_id}/credential.json")
    assert response.status_code == 200
    return response.json()


def test_card_png_carries_the_credential_and_it_verifies(client, tmp_path):
    award = make_award(recipient="Zoë Ångström 王小明")

    document = baked_in_png(served(client, f"/c/{award.public_id}.png"))

    assert document == served_credential(client, award)
    assert document["credentialSubject"]["identifier"][0]["identityHash"] == ("Zoë Ångström 王小明")
    assert credential_verify(document).verified
    report = third_party_verify(tmp_path, document, slug=award.program.organisation.slug)
    assert report["verified"] is True, report


def test_pdf_carries_the_credential_as_an_attachment_and_it_verifies(client, tmp_path):
    award = make_award(recipient="فاطمة الزهراء")

    document = baked_in_pdf(served(client, f"/c/{award.public_id}.pdf"))

    assert document == served_credential(client, award)
    assert credential_verify(document).verified
    report = third_party_verify(tmp_path, document, slug=award.program.organisation.slug)
    assert report["verified"] is True, report


def test_preview_png_carries_the_credential_too(client):
    award = make_award()

    document = baked_in_png(served(client, f"/c/{award.public_id}/preview.png"))

    assert document == served_credential(client, award)


def test_the_baked_credential_cannot_be_altered_unnoticed(client, tmp_path):
    award = make_award(recipient="Ada Lovelace")
    document = baked_in_png(served(client, f"/c/{award.public_id}.png"))
    document["credentialSubject"]["identifier"][0]["identityHash"] = "Someone Else"

    assert not credential_verify(document).verified
    report = third_party_verify(tmp_path, document, slug=award.program.organisation.slug)
    assert report["signature"] is False


def test_revoking_keeps_the_files_and_their_credential_reports_the_revocation(client, tmp_path):
    award = make_award()
    png = served(client, f"/c/{award.public_id}.png")
    pdf = served(client, f"/c/{award.public_id}.pdf")
    slug = award.program.organisation.slug

    award_revoke(award=award, by=None, reason="Issued by mistake")

    # The same bytes are served: the credential inside never changes; its status is
    # looked up online by whoever verifies it.
    assert served(client, f"/c/{award.public_id}.png") == png
    assert served(client, f"/c/{award.public_id}.pdf") == pdf
    for document in (baked_in_png(png), baked_in_pdf(pdf)):
        result = credential_verify(document)
        assert not result.verified
        assert result.standing is not None
        assert result.standing.state == "revoked"
        report = third_party_verify(tmp_path, document, slug=slug)
        assert report["signature"] is True
        assert report["status"] == {"verified": True, "revoked": True}


def test_reinstating_makes_the_same_baked_credential_valid_again(client, tmp_path):
    award = make_award()
    document = baked_in_png(served(client, f"/c/{award.public_id}.png"))
    award_revoke(award=award, by=None, reason="Issued by mistake")
    assert not credential_verify(document).verified

    status_set(award=award, revoked=False)

    assert credential_verify(document).verified
    report = third_party_verify(tmp_path, document, slug=award.program.organisation.slug)
    assert report["verified"] is True, report


def test_a_correction_serves_new_files_with_the_new_versions_credential(client, tmp_path):
    award = make_award(recipient="Ada Lovelce")
    old_png = served(client, f"/c/{award.public_id}.png")
    old_pdf = served(client, f"/c/{award.public_id}.pdf")
    slug = award.program.organisation.slug

    new = award_correct(
        award=award, by=None, recipient_name="Ada Lovelace", reason="The name was misspelt"
    )
    new_png = served(client, f"/c/{award.public_id}.png")
    new_pdf = served(client, f"/c/{award.public_id}.pdf")

    assert new_png != old_png
    new_document = baked_in_png(new_png)
    assert baked_in_pdf(new_pdf) == new_document == served_credential(client, new)
    assert new_document["credentialSubject"]["identifier"][0]["identityHash"] == "Ada Lovelace"
    assert credential_verify(new_document).verified
    assert third_party_verify(tmp_path, new_document, slug=slug)["verified"] is True
    # The old files' credential is withdrawn, and Laurel says why.
    old_document = baked_in_pdf(old_pdf)
    assert old_document["credentialSubject"]["identifier"][0]["identityHash"] == "Ada Lovelce"
    result = credential_verify(old_document)
    assert not result.verified
    assert result.standing is not None
    assert result.standing.state == "superseded"
    status = result.check("status")
    assert status is not None
    assert "corrected version" in status.detail
    assert third_party_verify(tmp_path, old_document, slug=slug)["status"]["revoked"] is True


def test_files_rendered_before_credentials_were_baked_in_are_drawn_again(
    client, django_capture_on_commit_callbacks
):
    award = make_award()
    served(client, f"/c/{award.public_id}.pdf")
    RenderedFile.objects.update(carries_credential=False)
    before = RenderedFile.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        pdf = served(client, f"/c/{award.public_id}.pdf")

    after = RenderedFile.objects.get()
    assert after.carries_credential
    assert after.name != before.name
    assert not default_storage.exists(before.name)
    assert baked_in_pdf(pdf) == served_credential(client, award)


def test_the_verify_page_checks_the_credential_baked_into_an_uploaded_image(client):
    award = make_award()
    upload = SimpleUploadedFile("certificate.png", served(client, f"/c/{award.public_id}.png"))

    page = client.post("/verify", {"file": upload}).content.decode()

    assert "This credential is genuine and valid." in page


def test_the_verify_page_says_when_an_image_carries_no_credential(client):
    award = make_award()
    baked = served(client, f"/c/{award.public_id}.png")
    with Image.open(io.BytesIO(baked)) as image:
        plain = io.BytesIO()
        image.save(plain, format="PNG")
    upload = SimpleUploadedFile("photo.png", plain.getvalue())

    page = client.post("/verify", {"file": upload}).content.decode()

    assert "This image carries no Open Badges credential." in page
    assert "genuine and valid" not in page


def test_the_verify_page_says_how_to_check_a_pdf(client):
    award = make_award()
    upload = SimpleUploadedFile("certificate.pdf", served(client, f"/c/{award.public_id}.pdf"))

    page = client.post("/verify", {"file": upload}).content.decode()

    assert "open the PDF&#x27;s attachments, save credential.json" in page
