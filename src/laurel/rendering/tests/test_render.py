"""The three files of a certificate: sizes, contents and the QR code that leads back."""

from __future__ import annotations

import io
import os
import select
import signal
from typing import Any

import pypdf
import pytest
import zxingcpp
from PIL import Image

from laurel.rendering import CARD_SIZE, LAYOUTS, render_card_png, render_pdf, render_preview_png
from laurel.rendering.tests.factories import (
    VERIFY_URL,
    make_face,
    pdf_text,
    png_image,
    printed_text,
)

BOTH = pytest.mark.parametrize("layout", sorted(LAYOUTS))


def _image(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


def _qr_texts(png: bytes) -> list[str]:
    return [found.text for found in zxingcpp.read_barcodes(_image(png).convert("RGB"))]


def test_there_are_at_least_two_layouts_with_labels():
    assert {"classic", "modern"} <= set(LAYOUTS)
    assert all(str(label) for label in LAYOUTS.values())


@BOTH
def test_pdf_is_one_a4_landscape_page(layout):
    reader = pypdf.PdfReader(io.BytesIO(render_pdf(make_face(layout=layout))))

    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (297, 210)


@BOTH
def test_pdf_prints_every_field(layout):
    face = make_face(layout=layout)

    printed = "".join(pdf_text(render_pdf(face)).split())

    for value in (
        face.recipient_name,
        face.organisation_name,
        face.program_name,
        face.certificate_id,
        "29 Nov 2026",
        "ISSUED ON",  # labels are in small capitals
        face.text,
        VERIFY_URL,
        "MENTOR OF THE SEASON",  # the certificate name, in spaced capitals
    ):
        assert "".join(value.split()) in printed


@BOTH
def test_pdf_links_to_the_verification_page(layout):
    reader = pypdf.PdfReader(io.BytesIO(render_pdf(make_face(layout=layout))))

    annotations: Any = reader.pages[0]["/Annots"]
    targets = {annot.get_object()["/A"]["/URI"] for annot in annotations}
    assert targets == {VERIFY_URL}


@BOTH
def test_card_is_exactly_1200_by_627(layout):
    card = _image(render_card_png(make_face(layout=layout, banner=png_image(), logo=png_image())))

    assert card.format == "PNG"
    assert card.size == (1200, 627) == CARD_SIZE


@BOTH
@pytest.mark.parametrize("width", [800, 640, 1234])
def test_preview_has_the_width_asked_for(layout, width):
    preview = _image(render_preview_png(make_face(layout=layout), width=width))

    assert preview.width == width
    assert round(preview.width / preview.height, 2) == round(297 / 210, 2)


def test_preview_defaults_to_800_pixels_wide():
    assert _image(render_preview_png(make_face())).width == 800


def test_preview_width_out_of_range_is_refused():
    with pytest.raises(ValueError, match="between 50 and 6000 pixels wide; got 10"):
        render_preview_png(make_face(), width=10)


@BOTH
def test_qr_code_on_the_card_and_preview_leads_to_the_verification_url(layout):
    face = make_face(layout=layout, banner=png_image(), logo=png_image((300, 300), "#E76F51"))

    assert _qr_texts(render_card_png(face)) == [VERIFY_URL]
    assert _qr_texts(render_preview_png(face, width=1400)) == [VERIFY_URL]


def test_qr_code_follows_the_url():
    other = "https://certs.example.com/c/AAAABBBBCCCCDDDDEEEEFF"
    face = make_face(verify_url=other)

    assert _qr_texts(render_card_png(face)) == [other]


def _image_count(pdf: bytes) -> int:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    resources: Any = reader.pages[0]["/Resources"]
    xobjects = resources.get("/XObject", {})
    count = 0
    for ref in xobjects.values():
        target = ref.get_object()
        if target.get("/Subtype") == "/Image":
            count += 1
        elif target.get("/Subtype") == "/Form":
            inner = target.get("/Resources", {}).get("/XObject", {})
            count += sum(1 for r in inner.values() if r.get_object().get("/Subtype") == "/Image")
    return count


@BOTH
def test_banner_and_logo_are_printed(layout):
    banner, logo = png_image((900, 300), "#2D6A4F"), png_image((300, 300), "#E76F51")
    with_images = render_pdf(make_face(layout=layout, banner=banner, logo=logo))
    without = render_pdf(make_face(layout=layout))

    assert _image_count(with_images) >= 2
    assert _image_count(without) == 0


@BOTH
def test_without_a_logo_the_organisation_initial_stands_in(layout):
    face = make_face(layout=layout, organisation_name="Évora Mentors")

    printed = pdf_text(render_pdf(face)).split()

    assert "É" in printed  # the monogram


def test_a_large_jpeg_photo_is_scaled_down_for_print():
    photo = io.BytesIO()
    Image.new("RGB", (6000, 4000), "#336699").save(photo, format="JPEG")

    pdf = render_pdf(make_face(banner=photo.getvalue()))

    assert len(pdf) < len(photo.getvalue()) + 200_000


def test_the_same_face_renders_to_the_same_bytes():
    face = make_face(banner=png_image(), logo=png_image())

    assert render_pdf(face) == render_pdf(face)
    assert render_card_png(face) == render_card_png(face)


def test_the_layouts_differ():
    classic = printed_text(render_pdf(make_face(layout="classic")))
    modern = printed_text(render_pdf(make_face(layout="modern")))

    assert any(font.startswith("EBGaramond") for font in classic.fonts_used)
    assert any(font.startswith("Inter") for font in modern.fonts_used)


def test_pdf_is_titled_and_dated_by_the_certificate():
    reader = pypdf.PdfReader(io.BytesIO(render_pdf(make_face())))

    assert reader.metadata is not None
    assert reader.metadata.title == "Mentor of the Season — Zoë Ångström"
    assert reader.metadata.author == "Open Source Mentors Guild"
    assert reader.metadata.creation_date is not None
    assert reader.metadata.creation_date.date().isoformat() == "2026-11-29"


def test_a_forked_process_renders_with_its_own_compiler():
    # A pre-forking server or worker pool forks after the parent may have rendered.
    render_pdf(make_face())
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        try:
            ok = _qr_texts(render_card_png(make_face())) == [VERIFY_URL]
            os.write(write, b"ok" if ok else b"no")
        finally:
            os._exit(0)
    os.close(write)
    ready, _, _ = select.select([read], [], [], 120)
    answer = os.read(read, 2) if ready else b"timed out"
    if not ready:
        os.kill(child, signal.SIGKILL)
    os.waitpid(child, 0)
    assert answer == b"ok"
    # The parent's compiler still works after the child has exited.
    assert _qr_texts(render_card_png(make_face())) == [VERIFY_URL]
