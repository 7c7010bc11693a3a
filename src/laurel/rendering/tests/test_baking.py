"""Text baked into rendered files: a PNG chunk written as Open Badges asks and read back
by other readers, and a PDF attachment."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image, PngImagePlugin
from pypdf import PdfReader

from laurel.rendering import Attachment, NotAPng, png_text, png_with_text, render_pdf
from laurel.rendering.tests.factories import make_face


def plain_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), "#2D6A4F").save(out, format="PNG")
    return out.getvalue()


def chunk_types(png: bytes) -> list[bytes]:
    types, offset = [], 8
    while offset < len(png):
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        types.append(png[offset + 4 : offset + 8])
        offset += 12 + length
    return types


def test_text_is_an_uncompressed_itxt_chunk_before_the_image_data():
    baked = png_with_text(plain_png(), keyword="openbadgecredential", text='{"name": "Zoë 王"}')

    types = chunk_types(baked)
    assert types.index(b"iTXt") < types.index(b"IDAT")
    with Image.open(io.BytesIO(baked)) as image:
        image.load()
        assert image.info["openbadgecredential"] == '{"name": "Zoë 王"}'
        assert image.size == (40, 20)
    assert png_text(baked, keyword="openbadgecredential") == '{"name": "Zoë 王"}'
    # Uncompressed, as the baking specification asks: the text is there as it is.
    assert '{"name": "Zoë 王"}'.encode() in baked


def test_baking_again_replaces_the_text_rather_than_adding_a_second_chunk():
    once = png_with_text(plain_png(), keyword="openbadgecredential", text="first")
    twice = png_with_text(once, keyword="openbadgecredential", text="second")

    assert chunk_types(twice).count(b"iTXt") == 1
    assert png_text(twice, keyword="openbadgecredential") == "second"


def test_a_compressed_chunk_written_by_another_tool_is_read():
    info = PngImagePlugin.PngInfo()
    info.add_itxt("openbadgecredential", "compressed " * 50, zip=True)
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, format="PNG", pnginfo=info)

    assert png_text(out.getvalue(), keyword="openbadgecredential") == "compressed " * 50


def test_a_compressed_chunk_that_would_inflate_past_the_limit_is_refused():
    info = PngImagePlugin.PngInfo()
    info.add_itxt("openbadgecredential", "x" * (2 * 1024 * 1024), zip=True)
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, format="PNG", pnginfo=info)

    with pytest.raises(NotAPng, match="too long"):
        png_text(out.getvalue(), keyword="openbadgecredential")


def test_an_image_without_the_chunk_has_no_text():
    assert png_text(plain_png(), keyword="openbadgecredential") is None


def test_what_is_not_a_png_is_refused():
    with pytest.raises(NotAPng):
        png_text(b"%PDF-1.7 ...", keyword="openbadgecredential")
    with pytest.raises(NotAPng):
        png_with_text(plain_png()[:30], keyword="openbadgecredential", text="x")


def test_a_keyword_must_fit_the_png_rules():
    with pytest.raises(ValueError, match="keyword"):
        png_with_text(plain_png(), keyword="", text="x")
    with pytest.raises(ValueError, match="keyword"):
        png_with_text(plain_png(), keyword="k" * 80, text="x")


def test_the_chunks_crc_is_right():
    baked = png_with_text(plain_png(), keyword="openbadgecredential", text="checked")
    offset = 8
    while offset < len(baked):
        (length,) = struct.unpack(">I", baked[offset : offset + 4])
        body = baked[offset + 4 : offset + 8 + length]
        (crc,) = struct.unpack(">I", baked[offset + 8 + length : offset + 12 + length])
        assert zlib.crc32(body) & 0xFFFFFFFF == crc
        offset += 12 + length


def test_a_pdf_carries_its_attachment_and_looks_the_same():
    face = make_face(recipient_name="فاطمة الزهراء")
    text = '{"credential": "Zoë 王 🌟", "quote": "\\"<b>\\""}'

    plain = render_pdf(face)
    attached = render_pdf(
        face,
        attachment=Attachment(
            name="credential.json",
            text=text,
            mime_type="application/vc+ld+json",
            description="The signed credential",
        ),
    )

    reader = PdfReader(io.BytesIO(attached))
    assert list(reader.attachments) == ["credential.json"]
    assert reader.attachments["credential.json"] == [text.encode()]
    assert len(reader.pages) == 1
    # The page itself is drawn exactly as without the attachment.
    drawn = reader.pages[0].get_contents()
    unattached = PdfReader(io.BytesIO(plain)).pages[0].get_contents()
    assert drawn is not None and unattached is not None
    assert drawn.get_data() == unattached.get_data()
