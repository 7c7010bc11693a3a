"""Uploaded files are judged by their content: images must be PNG or JPEG within limits,
SVG and decompression bombs are refused, and text files must be UTF-8 text."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from laurel.errors import InvalidInput
from laurel.testing_images import SVG, jpeg_bytes, png_bomb, png_bytes
from laurel.uploads import image_upload_check, sniff, text_upload_check


def upload(content: bytes, name: str = "logo.png", content_type: str = "image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def refusal(call) -> str:
    with pytest.raises(InvalidInput) as raised:
        call()
    assert list(raised.value.errors) == ["logo"]
    return raised.value.errors["logo"][0]


def check(content: bytes, **limits):
    return image_upload_check(upload(content), field="logo", label="Logo", **limits)


def test_a_png_passes_with_its_size_and_is_left_rewound():
    file = upload(png_bytes(40, 20))
    checked = image_upload_check(file, field="logo", label="Logo")
    assert (checked.kind, checked.extension, checked.width, checked.height) == (
        "png",
        ".png",
        40,
        20,
    )
    assert file.tell() == 0


def test_a_jpeg_named_png_is_taken_for_what_it_is():
    checked = image_upload_check(
        upload(jpeg_bytes(), name="logo.png", content_type="image/png"), field="logo", label="Logo"
    )
    assert (checked.kind, checked.extension) == ("jpeg", ".jpg")


def test_svg_is_refused_whatever_its_name():
    message = refusal(
        lambda: image_upload_check(upload(SVG, name="logo.png"), field="logo", label="Logo")
    )
    assert "SVG images are not accepted" in message


def test_svg_without_an_xml_declaration_is_refused_too():
    assert "SVG" in refusal(lambda: check(b'  <svg xmlns="http://www.w3.org/2000/svg"></svg>'))


def test_a_decompression_bomb_is_refused_before_decoding():
    bomb = png_bomb()
    assert len(bomb) < 200_000
    assert "too many pixels" in refusal(lambda: check(bomb))


def test_an_image_over_the_pixel_budget_is_refused():
    assert "too many pixels" in refusal(lambda: check(png_bytes(300, 200), max_pixels=50_000))


def test_an_image_with_a_side_too_long_is_refused():
    assert "no side may be longer than 100" in refusal(
        lambda: check(png_bytes(120, 10), max_side=100)
    )


def test_a_file_over_the_byte_limit_is_refused():
    assert "the limit is" in refusal(lambda: check(png_bytes(), max_bytes=50))


def test_a_pdf_renamed_to_png_is_refused():
    assert "PDF document" in refusal(lambda: check(b"%PDF-1.7\n..."))


def test_gif_and_webp_are_refused_with_what_to_upload_instead():
    assert "Upload a PNG or JPEG" in refusal(lambda: check(b"GIF89a" + b"\x00" * 30))
    assert "WebP" in refusal(lambda: check(b"RIFF\x00\x00\x00\x00WEBPVP8 "))


def test_a_truncated_png_is_refused_as_damaged():
    assert "damaged or incomplete" in refusal(lambda: check(png_bytes(200, 200)[:60]))


def test_an_empty_file_is_refused():
    assert "empty" in refusal(lambda: check(b""))


def test_sniff_names_what_it_knows():
    assert sniff(png_bytes()) == "png"
    assert sniff(jpeg_bytes()) == "jpeg"
    assert sniff(SVG) == "svg"
    assert sniff(b"email,name\nzoe@example.org,Zoe\n") is None


def text(content: bytes, **kwargs):
    kwargs.setdefault("max_bytes", 1024 * 1024)
    return text_upload_check(io.BytesIO(content), field="logo", label="File", **kwargs)


def test_a_utf8_csv_passes():
    assert text("email,name\nzoë@example.org,Zoë\n".encode()) is None


def test_an_excel_workbook_is_refused_with_how_to_save_a_csv():
    assert "CSV UTF-8" in refusal(lambda: text(b"PK\x03\x04" + b"\x00" * 40))


def test_utf16_text_is_refused():
    assert "not plain text" in refusal(lambda: text("email,name\n".encode("utf-16")))


def test_latin1_text_is_refused():
    assert "not UTF-8" in refusal(
        lambda: text("email,name\nzoë@example.org,Zoë\n".encode("latin-1"))
    )


def test_a_character_cut_at_the_end_of_what_is_read_is_not_a_fault():
    content = b"a" * 8191 + "é".encode()
    assert text(content) is None


def test_a_text_file_over_the_limit_is_refused():
    assert "the limit is" in refusal(lambda: text(b"a,b\n" * 100, max_bytes=100))
